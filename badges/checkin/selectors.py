"""Reads for door check-in: the offline scanner's data, name search, live attendance."""

import base64
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from badges.checkin.checkpoints import CheckpointInfo
from badges.checkin.models import Admission, Checkpoint, Scan
from badges.checkin.scan_times import READABLE_TIMES, in_zone
from badges.checkin.sql import badge_row
from badges.models import Badge
from badges.signing import BadgeCode, public_keys
from registration.models import Category, Enrolment, Registration
from sessions.models import Forum
from summit.i18n import localized, trilingual
from summit.models import Summit

BUCKET_MINUTES = 15


@dataclass(frozen=True)
class BadgeState:
    """A badge and its guest, as a scan at one checkpoint sees them."""

    pk: int
    serial: int
    revoked: bool
    registration_id: int
    summit_id: int
    registration_status: str
    name: str
    name_latin: str
    organisation: str
    category: str
    enrolled: bool = True  # in the checkpoint's forum, for a checkpoint that admits one


# "Where" a guest first entered: the door device, or the name of the door-staff member who
# scanned; never their login name, which is an account's key and means nothing at the door.
DOOR = Coalesce(
    "scan__device__name",
    NullIf(
        Trim(Concat("scan__scanned_by__first_name", Value(" "), "scan__scanned_by__last_name")),
        Value(""),
    ),
)
_ADMISSIONS = Admission.objects.order_by().values_list("admitted_at", DOOR)


def badge_state(badge_code: BadgeCode, checkpoint: CheckpointInfo) -> BadgeState | None:
    """The badge of a verified code and its guest; None for a badge we do not know (or
    whose serial or summit is not the code's). At the checkpoint of a themed forum, whether
    the guest has a place in it (``enrolled``)."""
    forum_id = checkpoint.forum_id if not checkpoint.forum_is_plenary else None
    row = badge_row(badge_code.badge_id, forum_id=forum_id)
    if row is None:
        return None
    state = BadgeState(*row)
    if state.serial == badge_code.serial and state.summit_id == checkpoint.summit_id:
        return state
    return None


def first_admission(checkpoint_id: int, registration_id: int) -> tuple | None:
    """(when, door) of the guest's first admission at the checkpoint, if any."""
    first = _ADMISSIONS.filter(checkpoint_id=checkpoint_id, registration_id=registration_id)
    return next(iter(first), None)


def checkpoints_of(summit: Summit):
    return Checkpoint.objects.filter(summit=summit).select_related("forum", "room")


def reprint_url(registration_id: int) -> str | None:
    """The badges app's page for a registration's badge, if it is installed yet."""
    try:
        return reverse("badges:registration-badge", kwargs={"registration_id": registration_id})
    except NoReverseMatch:
        return None


def offline_data(summit: Summit) -> dict:
    """Everything a scanner needs to answer scans on its own (schema: badges/checkin/api.py).

    ``roster`` is keyed by badge id and holds only active badges; ``revoked`` lists
    [badge id, serial] of every badge that no longer admits; ``entered`` tells, per guest,
    the checkpoints that admitted them already (for single-entry checks offline).
    ``newest_badge_id`` is the highest badge id of any summit when the roster was read.
    """
    tz = summit.tzinfo
    # Codes carry no summit and one key signs every summit's badges, so a genuine code
    # missing from the roster may be last year's or a deleted registration's. Badge ids grow:
    # only one above every id issued by now can be a badge issued after this download. Read
    # before the roster, so that no badge written in between counts as older than the list.
    newest_badge_id = Badge.objects.aggregate(newest=Max("pk"))["newest"] or 0
    checkpoints = list(checkpoints_of(summit))
    slug_of = {checkpoint.pk: checkpoint.slug for checkpoint in checkpoints}
    forums = defaultdict(set)
    for registration_id, forum_id, session_forum_id in Enrolment.objects.filter(
        registration__summit=summit, status=Enrolment.Status.CONFIRMED
    ).values_list("registration_id", "forum_id", "session__forum_id"):
        forums[registration_id].add(forum_id or session_forum_id)
    entered = defaultdict(dict)
    # Only times that can be read back: one bad row (stored before scan times were checked)
    # must not take the offline data down for every device.
    for registration_id, checkpoint_id, admitted_at in Admission.objects.filter(
        checkpoint__summit=summit, admitted_at__range=READABLE_TIMES
    ).values_list("registration_id", "checkpoint_id", "admitted_at"):
        entered[registration_id][slug_of[checkpoint_id]] = in_zone(admitted_at, tz)
    roster, revoked = {}, []
    rows = Badge.objects.filter(registration__summit=summit).values_list(
        "pk",
        "serial",
        "revoked_at",
        "registration_id",
        "registration__name",
        "registration__name_latin",
        "registration__organisation",
        "registration__category",
        "registration__status",
    )
    for (
        pk,
        serial,
        revoked_at,
        registration_id,
        name,
        latin,
        organisation,
        category,
        status,
    ) in rows:
        if revoked_at is not None:
            revoked.append([pk, serial])
            continue
        roster[str(pk)] = {
            "serial": serial,
            "registration_id": registration_id,
            "name": name,
            "name_latin": latin,
            "organisation": organisation,
            "category": category,
            "status": status,
            "forums": sorted(forums.get(registration_id, ())),
            "entered": entered.get(registration_id, {}),
        }
    return {
        "generated_at": timezone.now().astimezone(tz).isoformat(),
        "summit": {"slug": summit.slug, "time_zone": summit.time_zone},
        "keys": [
            {"id": key_id, "public_key": base64.b64encode(raw).decode("ascii")}
            for key_id, raw in public_keys().items()
        ],
        "categories": {code: str(label) for code, label in Category.choices},
        "checkpoints": [_checkpoint_json(checkpoint) for checkpoint in checkpoints],
        "revoked": revoked,
        "roster": roster,
        "newest_badge_id": newest_badge_id,
    }


def _checkpoint_json(checkpoint: Checkpoint) -> dict:
    forum = checkpoint.forum
    return {
        "slug": checkpoint.slug,
        "name": checkpoint.name,
        "names": trilingual(checkpoint, "name"),
        "kind": checkpoint.kind,
        "policy": checkpoint.policy,
        "forum_id": checkpoint.forum_id,
        "forum_is_plenary": bool(forum and forum.kind == Forum.Kind.PLENARY),
        "day": checkpoint.day.isoformat() if checkpoint.day else None,
        "is_active": checkpoint.is_active,
    }


def guests_matching(summit: Summit, query: str, *, limit: int = 20) -> list[dict]:
    """Guests whose name, organisation or e-mail matches, for the door's search."""
    active_badge = Badge.objects.filter(
        registration_id=OuterRef("pk"), revoked_at__isnull=True
    ).values("pk")[:1]
    rows = (
        Registration.objects.filter(summit=summit)
        .filter(
            Q(name__icontains=query)
            | Q(name_latin__icontains=query)
            | Q(organisation__icontains=query)
            | Q(email__iexact=query)
        )
        .annotate(badge_id=Subquery(active_badge))
        .order_by("name_latin", "name", "pk")[:limit]
    )
    return [
        {
            "registration_id": registration.pk,
            "name": registration.name,
            "name_latin": registration.name_latin,
            "organisation": registration.organisation,
            "category": registration.category,
            "category_label": registration.get_category_display(),
            "status": registration.status,
            "status_label": registration.get_status_display(),
            "badge_id": registration.badge_id,
            "reprint_url": reprint_url(registration.pk),
        }
        for registration in rows
    ]


# --- Live attendance -------------------------------------------------------------------------


def attendance(summit: Summit, day: datetime.date) -> dict:
    """Who is inside (admitted), per checkpoint and forum; arrivals per 15 minutes on the day;
    no-shows; offline conflicts. A constant number of queries.

    No-shows are counted only once the summit has begun: before it, every guest is still to
    come (``totals.no_shows`` is None and ``totals.starts_in_days`` says when it begins).
    The main summit (a plenary forum) is attended by every confirmed guest.
    """
    tz = summit.tzinfo
    now = timezone.now()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    summit_begins = datetime.datetime.combine(summit.starts_on, datetime.time.min, tzinfo=tz)
    begun = now >= summit_begins
    checkpoints = list(
        checkpoints_of(summit)
        .filter(Q(day__isnull=True) | Q(day=day))
        .annotate(inside=Count("admissions", distinct=True))
    )
    refusals = Counter(
        dict(
            Scan.objects.filter(
                checkpoint__summit=summit, scanned_at__gte=start, scanned_at__lt=end
            )
            .exclude(result=Scan.Result.OK)
            .values_list("checkpoint_id")
            .annotate(count=Count("pk"))
            .values_list("checkpoint_id", "count")
        )
    )
    confirmed = Registration.objects.filter(summit=summit, status=Registration.Status.CONFIRMED)
    enrolled = dict(
        forum_places(summit)
        .order_by()
        .values("place_forum")
        .annotate(guests=Count("registration_id", distinct=True))
        .values_list("place_forum", "guests")
    )
    forums = list(
        Forum.objects.filter(summit=summit)
        .order_by("position", "pk")
        .annotate(
            inside=_count(
                Admission.objects.filter(checkpoint__forum_id=OuterRef("pk"))
                .values("checkpoint__forum_id")
                .annotate(n=Count("registration_id", distinct=True))
                .values("n"),
                counted=True,
            ),
        )
    )
    first_arrivals: dict[int, datetime.datetime] = {}
    for registration_id, admitted_at in Admission.objects.filter(
        checkpoint__summit=summit, admitted_at__gte=start, admitted_at__lt=end
    ).values_list("registration_id", "admitted_at"):
        if registration_id not in first_arrivals or admitted_at < first_arrivals[registration_id]:
            first_arrivals[registration_id] = admitted_at
    admitted = Admission.objects.filter(registration_id=OuterRef("pk"), checkpoint__summit=summit)
    no_shows = confirmed.exclude(Exists(admitted))
    arrived = confirmed.filter(Exists(admitted)).count()
    confirmed_count = confirmed.count()
    conflicts = (
        Scan.objects.filter(
            checkpoint__summit=summit, conflict=True, scanned_at__range=READABLE_TIMES
        )
        .select_related("checkpoint", "device", "scanned_by", "registration")
        .order_by("-received_at")[:50]
    )
    return {
        "day": day.isoformat(),
        "generated_at": timezone.now().astimezone(tz).isoformat(),
        "day_has_begun": now >= start,
        "totals": {
            "confirmed": confirmed_count,
            "arrived": arrived,
            "arrived_today": len(first_arrivals),
            "no_shows": no_shows.count() if begun else None,
            "starts_in_days": None
            if begun
            else (summit.starts_on - timezone.localdate(now, tz)).days,
            "conflicts": Scan.objects.filter(checkpoint__summit=summit, conflict=True).count(),
        },
        "checkpoints": [
            {
                "slug": checkpoint.slug,
                "name": checkpoint.name,
                "policy": checkpoint.get_policy_display(),
                "inside": checkpoint.inside,
                "refused": refusals.get(checkpoint.pk, 0),
                "is_active": checkpoint.is_active,
            }
            for checkpoint in checkpoints
        ],
        "forums": [
            {
                "id": forum.pk,
                "title": localized(forum, "title"),
                "enrolled": confirmed_count
                if forum.kind == Forum.Kind.PLENARY
                else enrolled.get(forum.pk, 0),
                "inside": forum.inside,
            }
            for forum in forums
        ],
        "arrivals": arrivals_per_bucket(first_arrivals.values(), start=start),
        "no_shows": [
            {
                "registration_id": registration.pk,
                "name": registration.display_name,
                "organisation": registration.organisation,
                "category": registration.get_category_display(),
            }
            for registration in (
                no_shows.order_by("name_latin", "name", "pk")[:50] if begun else []
            )
        ],
        "conflicts": [
            {
                "scan_id": str(scan.scan_id),
                "at": in_zone(scan.scanned_at, tz),
                "checkpoint": scan.checkpoint.name,
                "door": _door_of(scan),
                "place": " · ".join(filter(None, [scan.checkpoint.name, _door_of(scan)])),
                "guest": scan.registration.display_name if scan.registration else "",
                "result": scan.get_result_display(),
                "offline_result": scan.get_offline_result_display(),
            }
            for scan in conflicts
        ],
    }


def forum_places(summit: Summit) -> QuerySet[Enrolment]:
    """The confirmed places of the summit's confirmed guests, each with ``place_forum``: its
    forum, or the forum of its session.

    A place in one of a forum's sessions (a workshop) is a place in the forum: its door
    admits the guest (``not_enrolled`` otherwise, badges/checkin/sql.py), so the live
    attendance page and the report count them as enrolled in it too. A guest with places in
    the forum and its sessions has several rows: count distinct guests.
    """
    return Enrolment.objects.filter(
        registration__summit=summit,
        registration__status=Registration.Status.CONFIRMED,
        status=Enrolment.Status.CONFIRMED,
    ).annotate(place_forum=Coalesce("forum_id", "session__forum_id"))


def _door_of(scan: Scan) -> str:
    if scan.device:
        return scan.device.name
    return scan.scanned_by.get_username() if scan.scanned_by else ""


def _count(queryset, *, counted: bool = False):
    """A correlated COUNT subquery (cheaper than joining two multi-valued relations)."""
    if not counted:
        queryset = queryset.annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(queryset[:1], output_field=IntegerField()), 0)


def arrivals_per_bucket(moments, *, start: datetime.datetime) -> list[dict]:
    """Arrivals per 15 minutes of the day, from the first to the last busy quarter (at least
    08:00–10:00), as ``{"from": "08:15", "count": n}``."""
    size = datetime.timedelta(minutes=BUCKET_MINUTES)
    counts = Counter(int((moment - start) / size) for moment in moments)
    per_hour = 60 // BUCKET_MINUTES
    first = min([*counts, 8 * per_hour])
    last = max([*counts, 10 * per_hour - 1])
    return [
        {
            "from": f"{index // per_hour:02d}:{index % per_hour * BUCKET_MINUTES:02d}",
            "count": counts.get(index, 0),
        }
        for index in range(first, last + 1)
    ]
