"""How far a running import has got, readable while its transaction is open.

The job row cannot carry this while the rows are written: its update would
stay invisible to the page until the transaction commits, and on SQLite no
other connection may write while it is open. So the worker reports progress
to the "progress" cache, which the web and worker processes share (Redis
when the broker is Redis, a folder under VAR_DIR otherwise), and the page
reads it. Nothing else depends on it: a lost key only stalls the bar.
"""

import logging
from dataclasses import dataclass

from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)
TIMEOUT = 6 * 60 * 60

PHASES = {
    "reading": _("Reading and checking the file"),
    "preparing": _("Preparing the people"),
    "saving": _("Saving"),
    "restoring": _("Restoring the backup"),
    "indexing": _("Making the people searchable"),
}


@dataclass(frozen=True)
class Progress:
    phase: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0

    @property
    def label(self) -> str:
        return str(PHASES.get(self.phase, ""))


def _key(job_id: int) -> str:
    return f"transfer:import:{job_id}:progress"


def report(job_id: int, *, phase: str, done: int, total: int) -> None:
    """Record progress; a cache that is down never fails the import."""
    try:
        caches["progress"].set(_key(job_id), (phase, done, total), timeout=TIMEOUT)
    except Exception:
        logger.warning("import %s: progress not recorded", job_id, exc_info=True)


def read(job_id: int) -> Progress | None:
    try:
        value = caches["progress"].get(_key(job_id))
    except Exception:
        logger.warning("import %s: progress not read", job_id, exc_info=True)
        return None
    if not isinstance(value, tuple) or len(value) != 3:
        return None
    return Progress(*value)


def clear(job_id: int) -> None:
    try:
        caches["progress"].delete(_key(job_id))
    except Exception:
        logger.warning("import %s: progress not cleared", job_id, exc_info=True)
