"""Celery tasks of the insights app. Task names are a public API: never rename one in place."""

from celery import shared_task

from . import figures, services


@shared_task(name="insights.refresh_suggestions")
def refresh_suggestions(owner_id: int) -> None:
    """Rebuild one owner's key-person suggestions (idempotent: a diff against what is there)."""
    services.refresh_suggestions(owner_id=owner_id)


@shared_task(name="insights.refresh_everyone")
def refresh_everyone() -> None:
    """The weekly run from beat: one refresh task per owner."""
    services.refresh_everyone()


@shared_task(name="insights.refresh_figures")
def refresh_figures(owner_id: int) -> None:
    """Recompute one owner's insights figures after a change, so the page reads them in one query."""
    figures.refresh(owner_id)
