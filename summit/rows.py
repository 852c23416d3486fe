"""Inserting rows on hot paths with SQL built once per process.

Every registration inserts its registration, choices, history line and e-mail record, and
queues two tasks. Through the ORM, building each INSERT cost several times what sending and
running it did (a history line: 0.15 against 0.04 ms of CPU; the registration's own row with
its 27 columns about 0.6 ms in the request). ``insert`` does what ``bulk_create`` does for a
few objects of one model: fields prepare their own values (``auto_now``, JSON, foreign keys,
defaults) as the ORM would, the statement returns the new ids (or takes the ids the objects
already have, such as UUIDs), and only the SQL text, the same every time, is kept. Longer
lists, and databases without ``RETURNING``, go to ``bulk_create``.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_save, pre_save

# More objects than this go through bulk_create, which splits them into batches.
MOST = 20

_SQL: dict[tuple[type[Model], int, bool], tuple[str, list]] = {}


def insert(objects: Sequence[Model]) -> list[Model]:
    """Insert ``objects`` (of one model; all without ids, or all with) in one statement and
    set the ids the database gave them.

    Like ``bulk_create``, it sends no ``pre_save``/``post_save`` signals.
    """
    objects = list(objects)
    if not objects:
        return objects
    model = type(objects[0])
    with_ids = objects[0].pk is not None
    if (
        len(objects) > MOST
        or not connection.features.can_return_rows_from_bulk_insert
        or any((obj.pk is not None) != with_ids for obj in objects)
    ):
        return model.objects.bulk_create(objects)
    sql, fields = _statement(model, len(objects), with_ids)
    params = [
        field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        for obj in objects
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objects, ids, strict=True):
        if not with_ids:
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


def _statement(model: type[Model], count: int, with_ids: bool) -> tuple[str, list]:
    key = (model, count, with_ids)
    if key not in _SQL:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = [field for field in meta.concrete_fields if with_ids or field is not meta.pk]
        columns = ", ".join(quote(field.column) for field in fields)
        row = f"({', '.join(['%s'] * len(fields))})"
        _SQL[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES {', '.join([row] * count)} RETURNING {quote(meta.pk.column)}",
            fields,
        )
    return _SQL[key]
