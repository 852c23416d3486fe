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
ORM (``Read.orm``): SQLite returns raw values that the ORM would still convert
(naive datetimes), and it is the development default, not what the summit runs on. Tests
compare the two on PostgreSQL (tests/registration/test_prepared_reads.py).
"""

from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import Field, Model, QuerySet

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


@dataclass(frozen=True)
class Join:
    """``part``'s row, the one the foreign key ``field`` of ``parent``'s row points to (an
    outer join where that key may be empty, as ``select_related`` does)."""

    part: Part
    parent: Part
    field: str


@dataclass(frozen=True)
class Read:
    """Rows of ``root``'s model whose field ``by`` has a value, each with the rows its
    ``joins`` lead to, set on it as ``select_related`` sets them; ``null`` names a field of
    the root that must be empty."""

    root: Part
    joins: tuple[Join, ...]
    by: str
    null: str | None = None
    parts: tuple[Part, ...] = field(init=False)
    links: tuple[tuple[int, str, int], ...] = field(init=False)  # parent, field, joined
    texts: dict[str, str] = field(init=False, default_factory=dict, compare=False)

    def __post_init__(self):
        parts = (self.root, *(join.part for join in self.joins))
        links = tuple(
            (parts.index(join.parent), join.field, at)
            for at, join in enumerate(self.joins, start=1)
        )
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "links", links)

    def rows(self, value) -> list[Model]:
        db = router.db_for_read(self.root.model)
        if connections[db].vendor != "postgresql":
            return list(self.orm(value))
        with connections[db].cursor() as cursor:
            cursor.execute(self.sql(db), [value])
            return [self._load(db, row) for row in cursor.fetchall()]

    def sql(self, db: str) -> str:
        """The statement, written once for each database alias."""
        if db not in self.texts:
            quote = connections[db].ops.quote_name
            columns = [column for part in self.parts for column in part.columns(quote)]
            text = f"SELECT {', '.join(columns)} FROM {self.root.table(quote)}"
            for join in self.joins:
                outer = join.parent.model._meta.get_field(join.field).null
                text += (
                    f" {'LEFT JOIN' if outer else 'JOIN'} {join.part.table(quote)}"
                    f" ON {join.part.key(quote)} = {join.parent.column(join.field, quote)}"
                )
            text += f" WHERE {self.root.column(self.by, quote)} = %s"
            if self.null is not None:
                text += f" AND {self.root.column(self.null, quote)} IS NULL"
            self.texts[db] = text
        return self.texts[db]

    def orm(self, value) -> QuerySet:
        """The same read through the ORM: on other databases, and what the tests compare with."""
        paths = [""]
        for parent, name, _joined in self.links:
            paths.append(f"{paths[parent]}__{name}" if paths[parent] else name)
        names = [
            f"{path}__{name}" if path else name
            for path, part in zip(paths, self.parts, strict=True)
            for name in part.orm_names
        ]
        filters = {self.by: value}
        if self.null is not None:
            filters[f"{self.null}__isnull"] = True
        # No ORDER BY, not even the model's own, to compile or run: a row is found by a
        # unique field, or the caller sorts.
        return (
            self.root.model.objects.filter(**filters)
            .select_related(*paths[1:])
            .only(*names)
            .order_by()
        )

    def _load(self, db: str, row) -> Model:
        loaded, start = [], 0
        for part in self.parts:
            end = start + len(part.fields)
            loaded.append(part.load(db, row[start:end]))
            start = end
        for parent, name, joined in self.links:
            if loaded[parent] is not None:
                setattr(loaded[parent], name, loaded[joined])
        return loaded[0]


TOKENS = Read(
    TOKEN,
    (Join(HOLDER, TOKEN, "registration"), Join(HOLDER_SUMMIT, HOLDER, "summit")),
    by="token_hash",
    null="revoked_at",
)
ENROLMENTS = Read(
    ENROLMENT,
    (Join(CHOSEN_FORUM, ENROLMENT, "forum"), Join(CHOSEN_SESSION, ENROLMENT, "session")),
    by="registration",
)
INVITATIONS = Read(INVITATION, (Join(INVITATION_SUMMIT, INVITATION, "summit"),), by="code")


def token(token_hash: str) -> GuestToken | None:
    """The active token with this hash, its registration and the registration's summit (the
    fields ``TOKEN``, ``HOLDER`` and ``HOLDER_SUMMIT`` name), or None."""
    return _first(TOKENS.rows(token_hash))


def enrolments(registration_id: int) -> list[Enrolment]:
    """The registration's enrolments (cancelled ones too), unordered, each with its forum or
    session (the fields ``CHOSEN_FORUM`` or ``CHOSEN_SESSION`` names)."""
    return ENROLMENTS.rows(registration_id)


def invitation(code: str) -> Invitation | None:
    """The invitation with this code and its summit, or None."""
    return _first(INVITATIONS.rows(code))


def orm_token(token_hash: str) -> GuestToken | None:
    return _first(TOKENS.orm(token_hash))


def orm_enrolments(registration_id: int) -> list[Enrolment]:
    return list(ENROLMENTS.orm(registration_id))


def orm_invitation(code: str) -> Invitation | None:
    return _first(INVITATIONS.orm(code))


def _first(rows) -> Model | None:
    return next(iter(rows), None)
