"""Names for the few statements written as SQL instead of built with the ORM.

The person page and the people list run on every visit, and for their small
reads Django spends longer compiling a queryset than the database spends
running it. Those statements are written once per process (each builder is
cached) from the models' metadata: every table and column name comes from a
model and is quoted by the backend, and every value is a query parameter.
"""

from django.db import connection, models


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model: type[models.Model], name: str) -> str:
    """A field's column, quoted; "pk" is the primary key."""
    meta = model._meta
    return connection.ops.quote_name((meta.pk if name == "pk" else meta.get_field(name)).column)


def columns(model: type[models.Model], names, alias: str) -> str:
    """The fields' columns as `alias.column, …`."""
    return ", ".join(f"{alias}.{column(model, name)}" for name in names)


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)
