"""Inserting the rows a registration writes, with SQL built once per process.

Every registration inserts its registration, choices, history line and e-mail record. Through
the ORM, building each INSERT cost several times what PostgreSQL then took to run it (about
1 ms of the request's CPU for the four). ``insert`` does what ``bulk_create`` does for a few
objects of one model: fields prepare their own values (``auto_now``, JSON, foreign keys) as
the ORM would, the statement returns the new ids, and only the SQL text, the same for every
registration, is kept. Longer lists, and databases without ``RETURNING``, go to
``bulk_create``.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

# More objects than this go through bulk_create, which splits them into batches.
MOST = 20

_SQL: dict[tuple[type[Model], int], tuple[str, list]] = {}


def insert(objects: Sequence[Model]) -> list[Model]:
    """Insert ``objects`` (of one model, without ids) in one statement and set their ids.

    Like ``bulk_create``, it sends no ``pre_save``/``post_save`` signals.
    """
    objects = list(objects)
    if not objects:
        return objects
    model = type(objects[0])
    if (
        len(objects) > MOST
        or not connection.features.can_return_rows_from_bulk_insert
        or any(obj.pk is not None for obj in objects)
    ):
        return model.objects.bulk_create(objects)
    sql, fields = _statement(model, len(objects))
    params = [
        field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        for obj in objects
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objects, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objects


def create(obj: Model) -> Model:
    """Insert one new object as ``obj.save(force_insert=True)`` would, model signals
    included."""
    model = type(obj)
    pre_save.send(sender=model, instance=obj, raw=False, using=connection.alias, update_fields=None)
    insert([obj])
    post_save.send(
        sender=model,
        instance=obj,
        created=True,
        update_fields=None,
        raw=False,
        using=connection.alias,
    )
    return obj


def _statement(model: type[Model], count: int) -> tuple[str, list]:
    key = (model, count)
    if key not in _SQL:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = [field for field in meta.concrete_fields if field is not meta.pk]
        columns = ", ".join(quote(field.column) for field in fields)
        row = f"({', '.join(['%s'] * len(fields))})"
        _SQL[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES {', '.join([row] * count)} RETURNING {quote(meta.pk.column)}",
            fields,
        )
    return _SQL[key]
