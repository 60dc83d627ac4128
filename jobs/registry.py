"""What the job machinery runs on behalf of other apps, filled in their AppConfig.ready().

`jobs` imports no other app of the project: an app that splits a run into
chunks registers the Celery task that runs a list of its chunk ids, and
anything else the reaper should do on each pass.
"""

from collections.abc import Callable

# {JobRun.kind: the task that runs a list of chunk ids}
CHUNK_TASKS: dict[str, object] = {}
# Called on every reaper pass with the staleness cutoff (a timedelta).
ON_REAP: list[Callable] = []


def register_chunk_task(kind: str, task) -> None:
    CHUNK_TASKS[kind] = task


def register_reaper(hook: Callable) -> None:
    if hook not in ON_REAP:
        ON_REAP.append(hook)
