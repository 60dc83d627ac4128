"""The Celery application. Configuration lives in settings under CELERY_*."""

import os

from celery import Celery
from celery.signals import beat_init, setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")

app = Celery("networking", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def send_first_heartbeat(sender, **kwargs):
    """Record a heartbeat as soon as beat starts, not a minute later."""
    sender.app.send_task("followups.record_heartbeat")


@setup_logging.connect
def use_django_logging(**kwargs):
    """Worker and beat log through settings.LOGGING (LOG_LEVEL, LOG_FORMAT=json), like gunicorn."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
