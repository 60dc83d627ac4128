"""Celery tasks of the cards app. Task names are a public API: never rename one in place."""

from celery import shared_task

from . import services


@shared_task(name="cards.read_card", acks_late=True)
def read_card(scan_id: int) -> bool:
    """Read a photographed card (safe to run twice: a scan already read is left as it is)."""
    return services.read_scan(scan_id=scan_id) is not None
