"""Prepared SQL of the scan's hot path (see badges/checkin.py).

Answering a scan reads one row (badge, registration, enrolment, first admission here) and
writes one or two. Built with the ORM, building and planning those queries cost more than
running them; here they are built once per process and, on PostgreSQL, prepared once per
connection. Values go to psycopg as they are on PostgreSQL and through the model fields' own
preparation on SQLite (``_prepared``), so both get what they store.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection, connections
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
    query building costs more than the database does here.
    """
    key = (model, tuple(values), conflict_target)
    statement = _SQL.get(key)
    if statement is None:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = [meta.get_field(name) for name in values]
        columns = ", ".join(quote(field.column) for field in fields)
        targets = ", ".join(quote(meta.get_field(name).column) for name in conflict_target)
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(values))}) "
            f"ON CONFLICT ({targets}) DO NOTHING RETURNING id"
        )
        statement = _SQL[key] = (sql, fields)
    sql, fields = statement
    row = fetch_one(sql, _prepared(fields, values.values()))
    return row[0] if row else None


def _prepared(fields, values) -> list:
    """Values as the database stores them. psycopg takes the hot path's values (UUIDs, aware
    datetimes, numbers, booleans, text) as they are; SQLite needs the fields' preparation."""
    if connection.vendor == "postgresql":
        return list(values)
    return [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values, strict=True)
    ]


def fetch_one(sql: str, params: list):
    """Run a statement of the hot path; on PostgreSQL prepared at its first run.

    Planning the scan's query costs PostgreSQL more than running it (a join of six small
    index lookups): a prepared statement is planned once per connection, and persistent
    connections (CONN_MAX_AGE) keep it. Whether a connection prepares at all is the
    DATABASES option the settings derive from DB_PREPARED_STATEMENTS (psycopg ignores
    ``prepare=True`` on a connection without a prepare_threshold, as behind a
    transaction-mode pooler).
    """
    database = connections[DEFAULT_DB_ALIAS]
    if database.vendor == "postgresql":
        import psycopg

        database.ensure_connection()
        with psycopg.Cursor(database.connection) as cursor:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchone()
    with database.cursor() as cursor:
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
            # The device, or the staff member's name (never the login name), as checkin._DOOR.
            " COALESCE(d.name, NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''))"
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


def admit_and_log(values: dict, *, lost_status: str, lost_conflict: bool):
    """PostgreSQL: log a scan that admits and record the admission, in one statement.

    (Values go to psycopg as they are, see ``_prepared``.)

    One statement is atomic by itself, so the admitting scan costs one round trip instead of
    BEGIN, two INSERTs and COMMIT. The scan's id is drawn first so that the admission can
    point at it (the foreign key is checked at the end of the statement); if another door
    admitted this guest here first, the scan is logged with ``lost_status`` and
    ``lost_conflict`` instead of ``ok``. Returns (scan id, admitted), or None when a scan with
    this scan_id was already recorded (a retried request).
    """
    columns = [name for name in values if name not in ("result", "conflict")]
    key = ("admit", tuple(columns))
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = _admit_sql(columns)
    params = [
        *(values[source] for _column, source in _ADMISSION_SOURCES),
        values["scan_id"],
        *(values[name] for name in columns),
        Scan.Result.OK,
        lost_status,
        lost_conflict,
    ]
    row = fetch_one(sql, params)
    return tuple(row) if row else None


# Admission column, and the scan value it takes.
_ADMISSION_SOURCES = (
    ("checkpoint_id", "checkpoint_id"),
    ("registration_id", "registration_id"),
    ("admitted_at", "scanned_at"),
)


def _admit_sql(columns: list[str]) -> str:
    quote = connection.ops.quote_name
    scans, admissions = quote(Scan._meta.db_table), quote(Admission._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Scan._meta.db_table])
        sequence = cursor.fetchone()[0]
    scan_columns = ", ".join(quote(Scan._meta.get_field(name).column) for name in columns)
    admission_columns = ", ".join(quote(column) for column, _source in _ADMISSION_SOURCES)
    admitted = "EXISTS (SELECT 1 FROM admitted)"
    return (
        f"WITH new AS (SELECT nextval('{sequence}'::regclass) AS id),"
        f" admitted AS (INSERT INTO {admissions} ({admission_columns}, scan_id)"
        f" SELECT {', '.join(['%s'] * len(_ADMISSION_SOURCES))}, new.id FROM new"
        f" WHERE NOT EXISTS (SELECT 1 FROM {scans} WHERE scan_id = %s)"
        " ON CONFLICT (checkpoint_id, registration_id) DO NOTHING RETURNING scan_id),"
        f" logged AS (INSERT INTO {scans} (id, {scan_columns}, result, conflict)"
        f" SELECT new.id, {', '.join(['%s'] * len(columns))},"
        f" CASE WHEN {admitted} THEN %s ELSE %s END,"
        f" CASE WHEN {admitted} THEN FALSE ELSE %s END FROM new"
        " ON CONFLICT (scan_id) DO NOTHING RETURNING id)"
        f" SELECT id, {admitted} FROM logged"
    )
