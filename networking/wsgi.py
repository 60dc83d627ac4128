import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")

application = get_wsgi_application()


# What is loaded by now (Django, the apps, their modules) lives as long as the
# worker. Frozen, the garbage collector stops walking it: a full collection
# otherwise walks about 140,000 objects (some 100 ms), every few dozen
# requests of a page that makes many objects (the person page: 1.6 ms a
# request on average). Frozen once more after the first request, which loads
# the URL resolver and the templates it uses.
gc.freeze()


def _freeze_after_first_request(**kwargs) -> None:
    request_finished.disconnect(_freeze_after_first_request)
    gc.freeze()


request_finished.connect(_freeze_after_first_request)
