import contextlib

import pytest
from django.core.cache import caches
from django.utils import translation


@pytest.fixture(autouse=True)
def english():
    """Messages made outside a request (services, commands) in English, so tests can read them."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def progress_in_memory(settings):
    """Each test's import progress in its own memory (job ids repeat between tests).

    Yields the store the settings configure, for the tests of that store.
    """
    configured = settings.CACHES["progress"]
    settings.CACHES = settings.CACHES | {
        "progress": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "transfer-tests"}
    }
    yield configured
    with contextlib.suppress(Exception):
        caches["progress"].clear()
