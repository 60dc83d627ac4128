"""Run the project's migrations back and forth inside a test (Django's MigrationExecutor).

For tests that seed rows at an old migration and look for them after a later
one. Such tests need `@pytest.mark.django_db(transaction=True)` (SQLite cannot
change its schema inside the test's transaction) and must leave the database
at the latest migrations (`at_latest` does, even when the test fails).
"""

import contextlib

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets: list[tuple[str, str | None]]):
    """Apply or unapply migrations to reach `targets`; return the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    applied = [node for node in executor.loader.applied_migrations if node in executor.loader.graph.nodes]
    return executor.loader.project_state(applied).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@contextlib.contextmanager
def at_latest():
    """Whatever happens inside, end with every migration applied."""
    leaves = latest()
    try:
        yield leaves
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(leaves)
