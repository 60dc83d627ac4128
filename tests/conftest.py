import pytest
from django.conf import settings
from django.test import override_settings

from tests.factories import make_user

# Argon2 costs about 0.19 s per user made: far too slow for a suite that makes
# thousands. Tests use a fast hasher, except those marked `real_hasher`, which
# check the hashing that production uses.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _fast_password_hasher(request):
    if request.node.get_closest_marker("real_hasher"):
        yield
        return
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    """Uploaded files (card photos) go to a folder of the test run, not var/media/."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def _broker_not_paused():
    """A send that failed in one test must not pause the sends of the next (jobs.enqueue)."""
    from jobs import enqueue

    enqueue.reset()
    yield
    enqueue.reset()


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
