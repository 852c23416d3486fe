"""Prepared SQL of the scan's hot path (see badges/checkin.py).

Answering a scan reads one row (badge, registration, enrolment, first admission here) and
writes one or two. Built with the ORM, building and planning those queries cost more than
running them; here they are built once per process and, on PostgreSQL, prepared once per
connection. Values go through the model fields' own preparation, so SQLite and PostgreSQL
both get what they store.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone

from badges.checkpoints import CheckpointInfo
from badges.models import Admission, Badge, Device, Scan
from registration.models import Enrolment, Registration
from sessions.models import Session

_SQL: dict = {}


def insert_ignoring_conflict(
    model, values: dict, *, conflict_target: tuple[str, ...]
) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING id: the new row's id, or None on conflict.

    The hot path of a scan writes with prepared SQL rather than Model.save(): the ORM's
    query building costs more than the database does here. Values are prepared by the
    model's own fields, so SQLite and PostgreSQL both get what they store.
    """
    meta = model._meta
    key = (model, tuple(values), conflict_target)
    sql = _SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in values)
        targets = ", ".join(quote(meta.get_field(name).column) for name in conflict_target)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(values))}) "
            f"ON CONFLICT ({targets}) DO NOTHING RETURNING id"
        )
        _SQL[key] = sql
    params = [
        meta.get_field(name).get_db_prep_save(value, connection) for name, value in values.items()
    ]
    row = fetch_one(sql, params)
    return row[0] if row else None


def fetch_one(sql: str, params: list):
    """Run a statement of the hot path; on PostgreSQL as a prepared statement.

    Planning the scan's query costs PostgreSQL more than running it (a join of six small
    index lookups): a prepared statement is planned once per connection, and persistent
    connections (CONN_MAX_AGE) keep it. (Behind a transaction-mode pooler such as PgBouncer
    < 1.21, turn this off by setting CHECKIN_PREPARED_STATEMENTS = False.)
    """
    if connection.vendor == "postgresql" and getattr(settings, "CHECKIN_PREPARED_STATEMENTS", True):
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


@dataclass
class BadgeState:
    pk: int
    serial: int
    revoked_at: datetime | None
    registration_id: int
    summit_id: int
    registration_status: str
    name: str
    name_latin: str
    organisation: str
    category: str
    enrolled: bool
    first_at: datetime | None
    first_door: str | None


def badge_state(badge_code, checkpoint: CheckpointInfo) -> "BadgeState | None":
    """Badge, registration, enrolment and first admission here, in one prepared query."""
    by_forum = bool(checkpoint.forum_id and not checkpoint.forum_is_plenary)
    params = (
        [Enrolment.Status.CONFIRMED, checkpoint.forum_id, checkpoint.forum_id] if by_forum else []
    )
    params += [checkpoint.id, badge_code.badge_id]
    row = fetch_one(_state_sql(by_forum), params)
    if row is None:
        return None
    state = BadgeState(*row)
    state.enrolled = bool(state.enrolled)
    state.revoked_at = _aware(state.revoked_at)
    state.first_at = _aware(state.first_at)
    if state.serial != badge_code.serial or state.summit_id != checkpoint.summit_id:
        return None
    return state


def _state_sql(by_forum: bool) -> str:
    sql = _SQL.get(("state", by_forum))
    if sql is None:
        table = {
            model: connection.ops.quote_name(model._meta.db_table)
            for model in (Badge, Registration, Admission, Scan, Device, Enrolment, Session)
        }
        users = connection.ops.quote_name(get_user_model()._meta.db_table)
        enrolled = (
            f"EXISTS (SELECT 1 FROM {table[Enrolment]} e"
            " WHERE e.registration_id = b.registration_id"
            f" AND e.status = %s AND (e.forum_id = %s OR e.session_id IN"
            f" (SELECT x.id FROM {table[Session]} x WHERE x.forum_id = %s)))"
            if by_forum
            else "1"
        )
        sql = (
            "SELECT b.id, b.serial, b.revoked_at, r.id, r.summit_id, r.status, r.name,"
            f" r.name_latin, r.organisation, r.category, {enrolled}, a.admitted_at,"
            f" COALESCE(d.name, u.username)"
            f" FROM {table[Badge]} b JOIN {table[Registration]} r ON r.id = b.registration_id"
            f" LEFT JOIN {table[Admission]} a"
            f"  ON a.checkpoint_id = %s AND a.registration_id = b.registration_id"
            f" LEFT JOIN {table[Scan]} s ON s.id = a.scan_id"
            f" LEFT JOIN {table[Device]} d ON d.id = s.device_id"
            f" LEFT JOIN {users} u ON u.id = s.scanned_by_id"
            " WHERE b.id = %s"
        )
        _SQL[("state", by_forum)] = sql
    return sql


def _aware(value):
    """SQLite hands raw queries naive UTC datetimes; PostgreSQL aware ones."""
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=UTC)
