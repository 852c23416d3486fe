"""The statements of check-in written in SQL: a first admission and its scan, together, a scan
logged once by its scan_id, and a scan through a room's door in one call.

A scan that may admit writes two rows: the scan, and the admission that points at it, unless
the guest was admitted here before. The ORM would send them in a transaction (BEGIN, two
INSERTs, COMMIT, and a read of the first admission when there was one); PostgreSQL does it
all in one statement, atomic by itself, with the admission's unique constraint deciding
between two doors. It is what the doors wait for at the opening.

A scan that admits nobody is one INSERT that skips a scan_id logged before (``ON CONFLICT DO
NOTHING``): through the ORM a refused duplicate raises, so inside the scan's transaction it
needs a savepoint around it (two more statements) to roll back to.

A scan at a room's door, or an exit anywhere, calls the database function ``checkin_gate``
(migration checkin 0003): the room's lock, the count, the decision, the scan, the admission and
the guest's presence in one round trip, so the lock every door of the room queues on is held
for the time the database takes, never while a request waits for Python.

The badge of a scanned code and its guest are read by one SELECT written here too (standard
SQL, for every database): through the ORM, building that query again for every scan cost more
than running it.

All of them run on
Django's connection, so its errors are Django's (``IntegrityError``) and it is prepared like
every query a connection repeats (DB_PREPARED_STATEMENTS). Everything else of a scan goes
through the ORM.
"""

import json
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection

from badges.checkin.models import Admission, Device, Scan
from badges.models import Badge
from registration.models import Enrolment, Registration
from sessions.models import Session

# Admission column, and the scan value it takes.
ADMISSION_SOURCES = (
    ("checkpoint_id", "checkpoint_id"),
    ("registration_id", "registration_id"),
    ("admitted_at", "scanned_at"),
)

_statements: dict[tuple[str, ...], str] = {}
_log_statements: dict[tuple[str, ...], str] = {}
_columns: dict[str, str] = {}

GATE_SQL = (
    "SELECT * FROM checkin_gate(%s::jsonb, %s::bigint, %s::timestamptz, %s::text, %s::boolean,"
    " %s::boolean, %s::text, %s::boolean, %s::timestamptz)"
)


class GateRow(NamedTuple):
    """What ``checkin_gate`` answers: the scan as logged, and the room's figures after it."""

    scan_pk: int
    result: str
    conflict: bool
    override: bool
    capacity: int | None
    inside: int
    first_at: object
    first_door: str | None


def gate_scan(
    values: dict,
    *,
    room_id: int | None,
    closing,
    exceed: tuple[str | None, bool, bool],
    lost_status: str,
    lost_conflict: bool,
    now,
) -> GateRow | None:
    """PostgreSQL: log a scan at a room's door (or an exit) and move the guest, in one call.

    ``values`` are the scan's fields by attribute name, its ``result`` as decided before the
    room (``ok`` or a refusal). ``closing`` is when an entry's presence closes; ``exceed`` is
    what an entry into a full room becomes: (note, override, conflict), the note None when it
    is refused as ``room_full``; ``lost_status`` and ``lost_conflict`` are a repeat's at this
    checkpoint. Returns the row, or None when a scan with this scan_id was logged before.
    """
    if not _columns:
        _columns.update({field.attname: field.column for field in Scan._meta.concrete_fields})
    scan = json.dumps({_columns[name]: value for name, value in values.items()}, default=str)
    note, override, conflict = exceed
    with connection.cursor() as cursor:
        cursor.execute(
            GATE_SQL,
            [scan, room_id, closing, note, override, conflict, lost_status, lost_conflict, now],
        )
        row = cursor.fetchone()
    return GateRow(*row) if row else None


def log_scan(values: dict) -> int | None:
    """PostgreSQL: log a scan (``values`` by attribute name, every column); its id, or None
    when a scan with this scan_id was logged before or by another request at this moment (the
    statement waits for that request's transaction, then skips the row if it committed)."""
    columns = tuple(values)
    sql = _log_statements.get(columns)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _log_statements[columns] = (
            f"INSERT INTO {quote(Scan._meta.db_table)}"
            f" ({', '.join(quote(Scan._meta.get_field(name).column) for name in columns)})"
            f" VALUES ({', '.join(['%s'] * len(columns))})"
            f" ON CONFLICT ({quote(Scan._meta.get_field('scan_id').column)}) DO NOTHING"
            " RETURNING id"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [values[name] for name in columns])
        row = cursor.fetchone()
    return row[0] if row else None


def admit_and_log(values: dict, *, lost_status: str, lost_conflict: bool) -> tuple | None:
    """PostgreSQL: log a scan that admits and record the admission, in one statement.

    ``values`` are the scan's fields (by attribute name; ``result`` and ``conflict`` are
    decided here). The scan's id is drawn first so that the admission can point at it (the
    foreign key is checked at the end of the statement); if the guest was admitted here
    before, the scan is logged with ``lost_status`` and ``lost_conflict`` instead of ``ok``,
    and the statement answers with that first admission (when, and the door: device name or
    door-staff member's name, never the login name), which the door shows.

    Returns (scan id, admitted, first admitted at, first door), the last two None when
    admitted, or when the first admission was committed by another door while this statement
    ran (it reads what was committed when it began); or None when a scan with this scan_id
    was already recorded (a retried request). Raises ``IntegrityError`` when the same scan_id
    is being logged by another request at this very moment.
    """
    columns = tuple(name for name in values if name not in ("result", "conflict"))
    sql = _statements.get(columns)
    if sql is None:
        sql = _statements[columns] = _admit_sql(columns)
    params = [
        *(values[source] for _column, source in ADMISSION_SOURCES),
        values["scan_id"],
        *(values[name] for name in columns),
        Scan.Result.OK,
        lost_status,
        lost_conflict,
        values["checkpoint_id"],
        values["registration_id"],
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(row) if row else None


def _admit_sql(columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    scans, admissions = quote(Scan._meta.db_table), quote(Admission._meta.db_table)
    devices, users = quote(Device._meta.db_table), quote(get_user_model()._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Scan._meta.db_table])
        sequence = cursor.fetchone()[0]
    scan_columns = ", ".join(quote(Scan._meta.get_field(name).column) for name in columns)
    admission_columns = ", ".join(quote(column) for column, _source in ADMISSION_SOURCES)
    admitted = "EXISTS (SELECT 1 FROM admitted)"
    return (
        f"WITH new AS (SELECT nextval('{sequence}'::regclass) AS id),"
        f" admitted AS (INSERT INTO {admissions} ({admission_columns}, scan_id)"
        f" SELECT {', '.join(['%s'] * len(ADMISSION_SOURCES))}, new.id FROM new"
        f" WHERE NOT EXISTS (SELECT 1 FROM {scans} WHERE scan_id = %s)"
        " ON CONFLICT (checkpoint_id, registration_id) DO NOTHING RETURNING scan_id),"
        f" logged AS (INSERT INTO {scans} (id, {scan_columns}, result, conflict)"
        f" SELECT new.id, {', '.join(['%s'] * len(columns))},"
        f" CASE WHEN {admitted} THEN %s ELSE %s END,"
        f" CASE WHEN {admitted} THEN FALSE ELSE %s END FROM new"
        " ON CONFLICT (scan_id) DO NOTHING RETURNING id)"
        f" SELECT logged.id, {admitted}, first.admitted_at, first.door FROM logged"
        " LEFT JOIN (SELECT a.admitted_at,"
        "  COALESCE(d.name, NULLIF(TRIM(u.first_name || ' ' || u.last_name), '')) AS door"
        f"  FROM {admissions} a JOIN {scans} s ON s.id = a.scan_id"
        f"  LEFT JOIN {devices} d ON d.id = s.device_id"
        f"  LEFT JOIN {users} u ON u.id = s.scanned_by_id"
        "  WHERE a.checkpoint_id = %s AND a.registration_id = %s) first ON TRUE"
    )


_badge_statements: dict[bool, str] = {}


def badge_row(badge_id: int, *, forum_id: int | None) -> tuple | None:
    """The badge and its guest: (id, serial, revoked, registration id, summit id, status, name,
    name in Latin letters, organisation, category, enrolled). ``enrolled`` tells whether the
    guest has a confirmed place in ``forum_id`` or in one of its sessions (True without one)."""
    sql = _badge_statements.get(forum_id is not None)
    if sql is None:
        sql = _badge_statements[forum_id is not None] = _badge_sql(enrolled=forum_id is not None)
    params = [badge_id]
    if forum_id is not None:
        params = [forum_id, forum_id, Enrolment.Status.CONFIRMED, badge_id]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else (*row[:2], bool(row[2]), *row[3:10], bool(row[10]))


def _badge_sql(*, enrolled: bool) -> str:
    quote = connection.ops.quote_name

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    badges, registrations = quote(Badge._meta.db_table), quote(Registration._meta.db_table)
    guest = ", ".join(
        f"r.{column(Registration, name)}"
        for name in ("summit", "status", "name", "name_latin", "organisation", "category")
    )
    place = "TRUE"
    if enrolled:
        enrolments, sessions = quote(Enrolment._meta.db_table), quote(Session._meta.db_table)
        place = (
            f"EXISTS (SELECT 1 FROM {enrolments} e"
            f" LEFT JOIN {sessions} s ON s.id = e.{column(Enrolment, 'session')}"
            f" WHERE (e.{column(Enrolment, 'forum')} = %s OR s.{column(Session, 'forum')} = %s)"
            f" AND e.{column(Enrolment, 'status')} = %s"
            f" AND e.{column(Enrolment, 'registration')} = b.{column(Badge, 'registration')})"
        )
    return (
        f"SELECT b.id, b.{column(Badge, 'serial')}, b.{column(Badge, 'revoked_at')} IS NOT NULL,"
        f" b.{column(Badge, 'registration')}, {guest}, {place}"
        f" FROM {badges} b JOIN {registrations} r ON r.id = b.{column(Badge, 'registration')}"
        " WHERE b.id = %s"
    )
