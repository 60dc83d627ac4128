"""pg_dump → restore into an empty database → every table's canonical hash is identical (PostgreSQL only)."""

import shutil
import subprocess

import pytest
from django.db import connection

from networking.management.commands.db_fingerprint import fingerprint, fingerprint_of

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL"),
    pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is not installed"),
]


def _pg_env(settings_dict) -> tuple[list[str], dict]:
    args = ["-h", settings_dict["HOST"] or "127.0.0.1", "-p", str(settings_dict["PORT"] or 5432)]
    args += ["-U", settings_dict["USER"] or "postgres"]
    env = {"PGPASSWORD": settings_dict["PASSWORD"] or ""}
    return args, env


@pytest.mark.django_db(transaction=True)
def test_a_pg_dump_restored_into_an_empty_database_is_identical_table_by_table(tmp_path):
    import os

    from followups import services
    from networking.demo import seed_network as seed_contacts
    from tests.factories import make_user

    owner = make_user(username="owner")
    seed_contacts(owner=owner, people=300)
    services.run_nightly_here()
    before = fingerprint()
    assert int(before["contacts_person"].split()[0]) >= 300 and int(before["followups_followup"].split()[0]) > 0

    source = connection.settings_dict["NAME"]
    copy = f"{source}_restored"
    args, env = _pg_env(connection.settings_dict)
    env = os.environ | env
    dump = tmp_path / "jinmyaku.dump"
    subprocess.run(["pg_dump", *args, "-Fc", "-f", str(dump), source], check=True, env=env)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", copy], check=True, env=env)
    subprocess.run(["createdb", *args, copy], check=True, env=env)
    try:
        subprocess.run(["pg_restore", *args, "--exit-on-error", "-d", copy, str(dump)], check=True, env=env)
        import psycopg

        settings_dict = connection.settings_dict
        with psycopg.connect(
            host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432,
            user=settings_dict["USER"] or "postgres",
            password=settings_dict["PASSWORD"] or None,
            dbname=copy,
        ) as restored:
            after = fingerprint_of(restored.cursor())
    finally:
        subprocess.run(["dropdb", *args, "--if-exists", "--force", copy], check=True, env=env)
    assert after == before
