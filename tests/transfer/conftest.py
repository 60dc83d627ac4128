import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages made outside a request (services, commands) in English, so tests can read them."""
    with translation.override("en"):
        yield
