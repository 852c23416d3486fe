"""Reads made on the busiest requests, as SQL written once: a guest API token with its
registration and summit, a registration's enrolments with their forums and sessions, and an
invitation link's invitation with its summit.

Through the ORM, each of these queries is compiled again on every request (its joins, its
columns, its deferred fields), and compiling cost several times what the database spent
running it. On PostgreSQL they are therefore written once, from the models' own tables and
columns (``Model._meta``), run as they are (the server prepares them after a few runs, see
``prepare_threshold`` in summit/settings.py) and loaded into model instances with
``Model.from_db``, as the ORM loads rows: a field not read is deferred and read with a
query of its own if used, as with ``only()``. Other databases run the same reads through the
ORM (the ``orm_`` functions): SQLite returns raw values that the ORM would still convert
(naive datetimes), and it is the development default, not what the summit runs on. Tests
compare the two on PostgreSQL (tests/registration/test_prepared_reads.py).
"""

import functools
from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Field, Model

from registration.models import Enrolment, GuestToken, Invitation, Registration
from sessions.models import Forum, Session
from summit.models import Summit


@dataclass(frozen=True)
class Part:
    """The fields read of one model, in its concrete fields' order (as ``from_db`` wants)."""

    model: type[Model]
    alias: str
    names: tuple[str, ...]
    fields: tuple[Field, ...] = field(init=False)
    key_at: int = field(init=False)  # where the primary key is among them

    def __post_init__(self):
        wanted = set(self.names) | {self.model._meta.pk.name}
        chosen = tuple(f for f in self.model._meta.concrete_fields if f.name in wanted)
        unknown = wanted - {f.name for f in chosen}
        if unknown:
            raise ValueError(f"{self.model.__name__} has no field {', '.join(sorted(unknown))}")
        converted = sorted(f.name for f in chosen if hasattr(f, "from_db_value"))
        if converted:
            # Such a field (JSON, say) is decoded by the ORM as it reads it: not by this SQL.
            raise ValueError(f"{self.model.__name__}: {', '.join(converted)} need the ORM")
        object.__setattr__(self, "fields", chosen)
        object.__setattr__(self, "key_at", chosen.index(self.model._meta.pk))

    def columns(self, quote) -> list[str]:
        return [f"{self.alias}.{quote(f.column)}" for f in self.fields]

    def load(self, db: str, values) -> Model | None:
        if values[self.key_at] is None:  # no row: an outer join found none
            return None
        return self.model.from_db(db, [f.attname for f in self.fields], values)

    def table(self, quote) -> str:
        return f"{quote(self.model._meta.db_table)} {self.alias}"

    def column(self, name: str, quote) -> str:
        return f"{self.alias}.{quote(self.model._meta.get_field(name).column)}"

    def key(self, quote) -> str:
        return f"{self.alias}.{quote(self.model._meta.pk.column)}"

    @property
    def orm_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


# What the guest API reads of a token's registration and its summit: its answers' fields, and
# what its changes need before the services lock and read the registration again.
TOKEN = Part(GuestToken, "t", ("registration", "last_used_at"))
HOLDER = Part(
    Registration,
    "r",
    (
        "summit",
        "user",
        "status",
        "category",
        "language",
        "calendar_token",
        "name",
        "name_latin",
        "organisation",
    ),
)
HOLDER_SUMMIT = Part(Summit, "s", ("slug", "time_zone"))

# An enrolment's own fields, and what a guest's choices show of their forum or session (its
# title; a session's time and forum) and what orders them.
ENROLMENT = Part(Enrolment, "e", tuple(f.name for f in Enrolment._meta.concrete_fields))
CHOSEN_FORUM = Part(Forum, "f", ("title_en", "title_zh_hans", "title_zh_hant", "position"))
CHOSEN_SESSION = Part(
    Session, "x", ("title_en", "title_zh_hans", "title_zh_hant", "starts_at", "forum")
)


# An invitation and its summit, whole: its page, its acceptance and the registration's rules
# read them (every invitee opens the link, then submits it).
INVITATION = Part(Invitation, "i", tuple(f.name for f in Invitation._meta.concrete_fields))
INVITATION_SUMMIT = Part(Summit, "s", tuple(f.name for f in Summit._meta.concrete_fields))


def _written_once(model: type[Model]) -> str | None:
    """The database alias to read ``model`` from, if its reads there are written as SQL."""
    db = router.db_for_read(model)
    return db if connections[db].vendor == "postgresql" else None


def token(token_hash: str) -> GuestToken | None:
    """The active token with this hash, its registration and the registration's summit (the
    fields ``TOKEN``, ``HOLDER`` and ``HOLDER_SUMMIT`` name), or None."""
    db = _written_once(GuestToken)
    if db is None:
        return orm_token(token_hash)
    with connections[db].cursor() as cursor:
        cursor.execute(_token_sql(db), [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    found, registration, summit = _split(db, row, (TOKEN, HOLDER, HOLDER_SUMMIT))
    registration.summit = summit
    found.registration = registration
    return found


def enrolments(registration_id: int) -> list[Enrolment]:
    """The registration's enrolments (cancelled ones too), unordered, each with its forum or
    session (the fields ``CHOSEN_FORUM`` or ``CHOSEN_SESSION`` names)."""
    db = _written_once(Enrolment)
    if db is None:
        return orm_enrolments(registration_id)
    with connections[db].cursor() as cursor:
        cursor.execute(_enrolments_sql(db), [registration_id])
        rows = cursor.fetchall()
    found = []
    for row in rows:
        enrolment, forum, session = _split(db, row, (ENROLMENT, CHOSEN_FORUM, CHOSEN_SESSION))
        enrolment.forum = forum
        enrolment.session = session
        found.append(enrolment)
    return found


def invitation(code: str) -> Invitation | None:
    """The invitation with this code and its summit, or None."""
    db = _written_once(Invitation)
    if db is None:
        return orm_invitation(code)
    with connections[db].cursor() as cursor:
        cursor.execute(_invitation_sql(db), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    found, summit = _split(db, row, (INVITATION, INVITATION_SUMMIT))
    found.summit = summit
    return found


def _split(db: str, row, parts: tuple[Part, ...]) -> list[Model | None]:
    loaded, start = [], 0
    for part in parts:
        end = start + len(part.fields)
        loaded.append(part.load(db, row[start:end]))
        start = end
    return loaded


@functools.cache
def _token_sql(db: str) -> str:
    quote = connections[db].ops.quote_name
    columns = [*TOKEN.columns(quote), *HOLDER.columns(quote), *HOLDER_SUMMIT.columns(quote)]
    return (
        f"SELECT {', '.join(columns)} FROM {TOKEN.table(quote)}"
        f" JOIN {HOLDER.table(quote)}"
        f" ON {HOLDER.key(quote)} = {TOKEN.column('registration', quote)}"
        f" JOIN {HOLDER_SUMMIT.table(quote)}"
        f" ON {HOLDER_SUMMIT.key(quote)} = {HOLDER.column('summit', quote)}"
        f" WHERE {TOKEN.column('token_hash', quote)} = %s"
        f" AND {TOKEN.column('revoked_at', quote)} IS NULL"
    )


@functools.cache
def _enrolments_sql(db: str) -> str:
    quote = connections[db].ops.quote_name
    columns = [
        *ENROLMENT.columns(quote),
        *CHOSEN_FORUM.columns(quote),
        *CHOSEN_SESSION.columns(quote),
    ]
    return (
        f"SELECT {', '.join(columns)} FROM {ENROLMENT.table(quote)}"
        f" LEFT JOIN {CHOSEN_FORUM.table(quote)}"
        f" ON {CHOSEN_FORUM.key(quote)} = {ENROLMENT.column('forum', quote)}"
        f" LEFT JOIN {CHOSEN_SESSION.table(quote)}"
        f" ON {CHOSEN_SESSION.key(quote)} = {ENROLMENT.column('session', quote)}"
        f" WHERE {ENROLMENT.column('registration', quote)} = %s"
    )


@functools.cache
def _invitation_sql(db: str) -> str:
    quote = connections[db].ops.quote_name
    columns = [*INVITATION.columns(quote), *INVITATION_SUMMIT.columns(quote)]
    return (
        f"SELECT {', '.join(columns)} FROM {INVITATION.table(quote)}"
        f" JOIN {INVITATION_SUMMIT.table(quote)}"
        f" ON {INVITATION_SUMMIT.key(quote)} = {INVITATION.column('summit', quote)}"
        f" WHERE {INVITATION.column('code', quote)} = %s"
    )


def orm_token(token_hash: str) -> GuestToken | None:
    """``token`` through the ORM: on other databases, and what the tests compare with."""
    names = (
        *TOKEN.orm_names,
        *(f"registration__{name}" for name in HOLDER.orm_names),
        *(f"registration__summit__{name}" for name in HOLDER_SUMMIT.orm_names),
    )
    # Unique by its hash: no ORDER BY (first() would add one) to compile or run.
    return next(
        iter(
            GuestToken.objects.filter(token_hash=token_hash, revoked_at__isnull=True)
            .select_related("registration__summit")
            .only(*names)[:1]
        ),
        None,
    )


def orm_enrolments(registration_id: int) -> list[Enrolment]:
    """``enrolments`` through the ORM: on other databases, and what the tests compare with."""
    names = (
        *ENROLMENT.orm_names,
        *(f"forum__{name}" for name in CHOSEN_FORUM.orm_names),
        *(f"session__{name}" for name in CHOSEN_SESSION.orm_names),
    )
    return list(
        Enrolment.objects.filter(registration_id=registration_id)
        .select_related("forum", "session")
        .only(*names)
        .order_by()  # not even the model's own ordering: the caller sorts
    )


def orm_invitation(code: str) -> Invitation | None:
    """``invitation`` through the ORM: on other databases, and what the tests compare with."""
    # The code is unique: no ORDER BY (first() would add one) to compile or run.
    return next(iter(Invitation.objects.select_related("summit").filter(code=code)[:1]), None)
