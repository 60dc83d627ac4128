"""The Celery application. Configuration lives in settings under CELERY_*."""

import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "networking.settings")

app = Celery("networking", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def send_first_heartbeat(sender, **kwargs):
    """Record a heartbeat as soon as beat starts, not a minute later."""
    sender.app.send_task("followups.record_heartbeat")
