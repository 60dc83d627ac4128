"""Every row of every model, as values: what a refused request must leave exactly as it was."""

from django.apps import apps

# Rows a refused request may still write: sign-in counters and sessions.
UNWATCHED = {"accounts.LoginThrottle", "sessions.Session"}
# Columns it may still write: the last sign-in, a two-factor device's count of wrong codes.
UNWATCHED_FIELDS = {"last_login", "throttling_failure_count", "throttling_failure_timestamp"}


def all_rows() -> dict:
    snapshot = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label in {"admin", "contenttypes", "auth"} or label in UNWATCHED:
            continue
        values = model.objects.order_by("pk").values()
        snapshot[label] = [{k: v for k, v in row.items() if k not in UNWATCHED_FIELDS} for row in values]
    return snapshot
