from pathlib import Path

from transfer import services

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def import_file(owner, name: str, data: bytes | None = None, duplicates: str = "merge"):
    """Upload, then confirm at once (here, not on the worker)."""
    job = services.start_import(owner=owner, filename=name, data=fixture(name) if data is None else data)
    services.confirm_import(job=job, duplicate_action=duplicates, background=False)
    job.refresh_from_db()
    return job


def snapshot(owner) -> list[tuple]:
    """What a person is, independent of ids: name, readings, card fields, contact points, tags."""
    from contacts.models import Person

    people = Person.objects.filter(owner=owner).prefetch_related("contact_points", "tags").order_by("sort_key", "pk")
    return [
        (
            p.family_name, p.given_name, p.family_reading, p.given_reading, p.company, p.company_reading,
            p.department, p.title, p.address, p.postal_code, p.region, p.locality, p.country, p.website,
            p.linkedin, p.birthday, p.birthday_month, p.birthday_day, p.first_met_on, p.notes,
            sorted((c.kind, c.normalized) for c in p.contact_points.all()),
            sorted(t.name for t in p.tags.all()),
        )
        for p in people
    ]  # fmt: skip
