"""Seat counting: the only code that changes ``seats_taken`` on summits, forums and sessions.

The counters are kept exact, whatever the concurrency, by three habits:

1. **Conditional updates.** A seat is taken with ``UPDATE … SET seats_taken = seats_taken + 1
   WHERE id = … AND seats_taken < capacity`` and the row count says whether it was free. The
   CHECK constraints on the three tables are the last line of defence.
2. **Locks in one fixed order.** An operation that changes seats locks, in this order and
   each group sorted by id: the registration rows it changes, the summit row, the forum rows,
   the session rows. Enrolment rows are changed last, with conditional updates. Waiting
   registrations promoted at summit level are picked with ``SKIP LOCKED``, so a promotion
   never waits for a guest who is busy changing their own registration.
   Row locks are ``FOR NO KEY UPDATE`` (``no_key=True``): they keep other writers out but let
   inserts that merely *refer* to the row go ahead (an enrolment's foreign key to its forum, a
   history line's to its registration take ``FOR KEY SHARE``); plain ``FOR UPDATE`` made a
   promotion and the promoted guest's own cancellation deadlock (tests/registration/
   test_concurrency.py).
3. **A freed seat goes to the waiting list in the same transaction** (``fill``), in
   ``created_at, id`` order, to enrolments whose registration is confirmed; once the summit
   is over, to nobody (a seat then would be no use, and its e-mail a puzzle).

Every function here expects to run inside ``transaction.atomic`` with the locks described
on it already held; the services in ``registration.services`` take them.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from registration.models import Enrolment, Registration
from sessions.models import Forum, Session
from summit.models import Summit


@dataclass(frozen=True, order=True)
class Target:
    """What an enrolment is for: a forum or a session. Sorts forums first, then by id."""

    kind: str  # "forum" or "session" (alphabetical order is also the lock order)
    pk: int

    @classmethod
    def of(cls, enrolment: Enrolment) -> "Target":
        if enrolment.forum_id is not None:
            return cls("forum", enrolment.forum_id)
        return cls("session", enrolment.session_id)

    @property
    def model(self) -> type[Forum] | type[Session]:
        return Forum if self.kind == "forum" else Session

    @property
    def lookup(self) -> dict[str, int]:
        return {f"{self.kind}_id": self.pk}


@dataclass
class Promotions:
    """What a fill promoted, for e-mails and signals."""

    enrolments: list[int] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)

    def extend(self, other: "Promotions") -> None:
        self.enrolments.extend(other.enrolments)
        self.registrations.extend(other.registrations)


# --- Locks ---------------------------------------------------------------------------------


def lock_summit(summit_id: int) -> Summit:
    return Summit.objects.select_for_update(no_key=True).get(pk=summit_id)


def lock_targets(targets: set[Target] | list[Target]) -> None:
    """Lock forum rows, then session rows, each sorted by id (the fixed order)."""
    forum_ids = sorted({t.pk for t in targets if t.kind == "forum"})
    session_ids = sorted({t.pk for t in targets if t.kind == "session"})
    if forum_ids:
        list(
            Forum.objects.select_for_update(no_key=True)
            .filter(pk__in=forum_ids)
            .order_by("pk")
            .values("pk")
        )
    if session_ids:
        list(
            Session.objects.select_for_update(no_key=True)
            .filter(pk__in=session_ids)
            .order_by("pk")
            .values("pk")
        )


def all_targets_of(summit_id: int) -> set[Target]:
    """Every forum and every separately chosen session of a summit."""
    forums = Forum.objects.filter(summit_id=summit_id).values_list("pk", flat=True)
    sessions = Session.objects.filter(
        forum__summit_id=summit_id, requires_enrolment=True
    ).values_list("pk", flat=True)
    return {Target("forum", pk) for pk in forums} | {Target("session", pk) for pk in sessions}


# --- Seats ---------------------------------------------------------------------------------


def _where_seats_are_free(model: type[Summit] | type[Forum] | type[Session]):
    free = Q(seats_taken__lt=F("capacity"))
    if model._meta.get_field("capacity").null:
        # No capacity of its own means no limit, but the counter still tells how many chose it.
        free |= Q(capacity__isnull=True)
    return model.objects.filter(free)


# Rows with a seat free, per counter. Every registration takes seats while the summit row is
# locked, so the less work per seat the sooner the next guest gets the lock: the querysets are
# built once and each seat only adds its row's id.
_FREE = {model: _where_seats_are_free(model) for model in (Summit, Forum, Session)}


def _take(model: type[Summit] | type[Forum] | type[Session], pk: int) -> bool:
    """Take a seat if one is free: one conditional UPDATE, whose row count says whether it was."""
    return _FREE[model].filter(pk=pk).update(seats_taken=F("seats_taken") + 1) == 1


def take_summit_seat(summit_id: int) -> bool:
    return _take(Summit, summit_id)


def release_summit_seat(summit_id: int) -> None:
    Summit.objects.filter(pk=summit_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def take_seat(target: Target) -> bool:
    return _take(target.model, target.pk)


TAKE_SEATS_SQL = "SELECT * FROM registration_take_seats(%s::bigint, %s::bigint[], %s::bigint[])"


def take_seats(summit_id: int, targets: Iterable[Target]) -> tuple[bool, set[Target]]:
    """A new registration's seats: the summit's, and if it had one, each target's in the lock
    order. Returns whether the summit had a seat and the targets that had none (nothing is
    taken when the summit had none). The summit's row stays locked until commit.

    On PostgreSQL one call of the database function ``registration_take_seats`` (migration
    registration 0007), so the row every registration waits on is not held across round
    trips to Python; elsewhere the same conditional UPDATEs through the ORM.
    """
    targets = sorted(targets)
    if connection.vendor == "postgresql":
        forums = [target.pk for target in targets if target.kind == "forum"]
        sessions = [target.pk for target in targets if target.kind == "session"]
        with connection.cursor() as cursor:
            cursor.execute(TAKE_SEATS_SQL, [summit_id, forums, sessions])
            seat, refused_forums, refused_sessions = cursor.fetchone()
        refused = {Target("forum", pk) for pk in refused_forums}
        return seat, refused | {Target("session", pk) for pk in refused_sessions}
    if not take_summit_seat(summit_id):
        return False, set()
    return True, {target for target in targets if not take_seat(target)}


def release_seat(target: Target) -> None:
    target.model.objects.filter(pk=target.pk, seats_taken__gt=0).update(
        seats_taken=F("seats_taken") - 1
    )


# --- Waiting lists -------------------------------------------------------------------------


def _summit_is_over(**lookup) -> bool:
    summit = Summit.objects.only("ends_on", "time_zone").get(**lookup)
    return summit.is_over(timezone.now())


def fill(target: Target) -> Promotions:
    """Give free seats of ``target`` to its waiting list, first come first served.

    Only enrolments of confirmed registrations are in line for a seat, and only until the
    summit is over. The caller holds the target's lock, so nobody else promotes here
    meanwhile; the conditional update on the enrolment guards against a guest cancelling it at
    the same moment.
    """
    promotions = Promotions()
    summit = {"forums": target.pk} if target.kind == "forum" else {"forums__sessions": target.pk}
    checked = False
    while True:
        candidate = (
            Enrolment.objects.filter(
                **target.lookup,
                status=Enrolment.Status.WAITLISTED,
                registration__status=Registration.Status.CONFIRMED,
            )
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)
            .first()
        )
        if candidate is None:
            return promotions
        if not checked:  # asked only when someone waits, which is seldom
            if _summit_is_over(**summit):
                return promotions
            checked = True
        if not take_seat(target):
            return promotions
        now = timezone.now()
        promoted = Enrolment.objects.filter(
            pk=candidate, status=Enrolment.Status.WAITLISTED
        ).update(status=Enrolment.Status.CONFIRMED, promoted_at=now, updated_at=now)
        if promoted:
            promotions.enrolments.append(candidate)
        else:
            release_seat(target)


def fill_targets_of(registration: Registration) -> Promotions:
    """After a registration is confirmed, its waiting enrolments join the lines for seats.

    The caller holds the locks of every target of the registration.
    """
    promotions = Promotions()
    waiting = Enrolment.objects.filter(
        registration=registration, status=Enrolment.Status.WAITLISTED
    ).only("forum_id", "session_id")
    for target in sorted({Target.of(enrolment) for enrolment in waiting}):
        promotions.extend(fill(target))
    return promotions


def fill_summit(summit_id: int) -> Promotions:
    """Give free summit seats to waiting registrations, first come first served.

    The caller holds the summit lock and the locks of every target of the summit
    (``all_targets_of``), since a promoted registration's enrolments then look for seats.
    Nobody is promoted once the summit is over.
    """
    promotions = Promotions()
    checked = False
    while True:
        registration = (
            Registration.objects.select_for_update(skip_locked=True, no_key=True)
            .filter(summit_id=summit_id, status=Registration.Status.WAITLISTED)
            .order_by("created_at", "pk")
            .first()
        )
        if registration is None:
            return promotions
        if not checked:  # asked only when someone waits
            if _summit_is_over(pk=summit_id):
                return promotions
            checked = True
        if not take_summit_seat(summit_id):
            return promotions
        registration.status = Registration.Status.CONFIRMED
        registration.save(update_fields=["status", "updated_at"])
        promotions.registrations.append(registration)
        promotions.extend(fill_targets_of(registration))


class SeatBook:
    """Seats of a summit and its targets, read under their locks, for allocating many at once.

    Used by ``register_many``: the caller locks the summit and every target, takes seats
    here in memory in the order guests came, and writes the counters back in one UPDATE each.
    """

    def __init__(self, summit_id: int, targets: set[Target]) -> None:
        summit = Summit.objects.get(pk=summit_id)
        self.summit_id = summit_id
        self.summit_left = summit.capacity - summit.seats_taken
        self.summit_taken = 0
        self.left: dict[Target, int | None] = {}
        self.taken: dict[Target, int] = {}
        for model, kind in ((Forum, "forum"), (Session, "session")):
            ids = [t.pk for t in targets if t.kind == kind]
            for pk, capacity, taken in model.objects.filter(pk__in=ids).values_list(
                "pk", "capacity", "seats_taken"
            ):
                target = Target(kind, pk)
                self.left[target] = None if capacity is None else capacity - taken
                self.taken[target] = 0

    def take_summit(self) -> bool:
        if self.summit_left <= 0:
            return False
        self.summit_left -= 1
        self.summit_taken += 1
        return True

    def take(self, target: Target) -> bool:
        left = self.left[target]
        if left is not None and left <= 0:
            return False
        if left is not None:
            self.left[target] = left - 1
        self.taken[target] += 1
        return True

    def write(self) -> None:
        if self.summit_taken:
            Summit.objects.filter(pk=self.summit_id).update(
                seats_taken=F("seats_taken") + self.summit_taken
            )
        for target, taken in self.taken.items():
            if taken:
                target.model.objects.filter(pk=target.pk).update(
                    seats_taken=F("seats_taken") + taken
                )
