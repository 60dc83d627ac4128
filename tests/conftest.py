import pytest

from tests.factories import make_user


@pytest.fixture
def user(db):
    return make_user(username="owner")


@pytest.fixture
def other_user(db):
    return make_user(username="intruder")


@pytest.fixture
def auth_client(client, user):
    client.force_login(user)
    return client
