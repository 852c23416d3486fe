"""What guests may choose: themed forums, and published, scheduled sessions that need enrolment
and have not started yet.

Every registration and every change of choices checks the ids it was sent against these. The
ids are kept in the shared cache, stamped with a version that any save or deletion of a forum
or a session replaces (``registration.receivers``), at once and again after its transaction
commits, so a change is seen by the very next request. Without a shared cache
(``CACHE_IS_SHARED`` off: a per-process memory cache, which another process's change could not
reach) they are read from the database every time.

A session stops being choosable when it starts, with nothing saved: so the cache keeps each
session's start, and the clock is read with every check, never stored with the ids. (Forums
have no time of their own: they stay choosable while registration lasts.)
"""

import datetime
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from sessions.models import Forum, Session
from summit.models import Summit

VERSION_KEY = "registration:choosable:version"
# Whatever was missed (a queryset update() sends no signal) is read afresh this often.
TIMEOUT = 300


def choosable_forums(summit: Summit):
    return Forum.objects.filter(summit=summit, kind=Forum.Kind.THEMED)


def choosable_sessions(summit: Summit, *, now: datetime.datetime | None = None):
    """The sessions guests may choose at ``now`` (default: the current time)."""
    return _sessions_of(summit).filter(starts_at__gt=now or timezone.now())


def _sessions_of(summit: Summit):
    # Whatever the time: what the cache keeps, with each session's start.
    return Session.objects.filter(
        forum__summit=summit,
        requires_enrolment=True,
        is_published=True,
        status=Session.Status.SCHEDULED,
    )


def choosable_ids(
    summit: Summit, forum_ids: set[int], session_ids: set[int]
) -> tuple[set[int], set[int]]:
    """Those of ``forum_ids`` and ``session_ids`` that guests may choose now."""
    now = timezone.now()
    if not getattr(settings, "CACHE_IS_SHARED", False):
        forums = sessions = set()
        if forum_ids:
            forums = set(
                choosable_forums(summit).filter(pk__in=forum_ids).values_list("pk", flat=True)
            )
        if session_ids:
            sessions = set(
                choosable_sessions(summit, now=now)
                .filter(pk__in=session_ids)
                .values_list("pk", flat=True)
            )
        return forums, sessions
    forums, starts = _cached_ids(summit)
    return forum_ids & forums, {pk for pk in session_ids if pk in starts and now < starts[pk]}


def cache_key(summit_id: int) -> str:
    # "starts": the entry holds the sessions' starts since they stop being choosable when they
    # start; a new name, so that no process reads an entry of the older shape.
    return f"registration:choosable:starts:{summit_id}"


def _cached_ids(summit: Summit) -> tuple[frozenset[int], dict[int, datetime.datetime]]:
    """The choosable forums' ids, and each choosable session's start by its id (whether it has
    started is for the caller to say, at the time it asks)."""
    key = cache_key(summit.pk)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    cached = found.get(key)
    if version is not None and cached is not None and cached[0] == version:
        return cached[1], cached[2]
    # The version was read before the database: what a change commits meanwhile replaces the
    # version after this is stored, so it is never served as current.
    forums = frozenset(choosable_forums(summit).values_list("pk", flat=True))
    sessions = dict(_sessions_of(summit).values_list("pk", "starts_at"))
    if version is not None:
        cache.set(key, (version, forums, sessions), TIMEOUT)
    return forums, sessions


def forget_choosable() -> None:
    """A forum or session changed: every summit's choosable ids are read afresh.

    Now, for the rest of this transaction, and after commit, for a request that read the old
    rows before the commit and stored them meanwhile.
    """
    if not getattr(settings, "CACHE_IS_SHARED", False):
        return
    _new_version()
    transaction.on_commit(_new_version)


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def _ids(queryset) -> set[int]:
    return set() if queryset is None else set(queryset.values_list("pk", flat=True))
