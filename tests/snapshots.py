"""Every row of every model, as values: what a refused request must leave exactly as it was."""

from django.apps import apps

# Rows a refused request may still write: sign-in counters and sessions.
UNWATCHED = {"accounts.LoginThrottle", "sessions.Session"}


def all_rows() -> dict:
    snapshot = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in {"admin", "contenttypes", "auth"} or label in UNWATCHED:
            continue
        values = model.objects.order_by("pk").values()
        snapshot[label] = [{k: v for k, v in row.items() if k != "last_login"} for row in values]
    return snapshot
