"""What guests may choose: themed forums, and published, scheduled sessions that need enrolment.

Every registration and every change of choices checks the ids it was sent against these. The
ids are kept in the shared cache, stamped with a version that any save or deletion of a forum
or a session replaces (``registration.receivers``), at once and again after its transaction
commits, so a change is seen by the very next request. Without a shared cache
(``CACHE_IS_SHARED`` off: a per-process memory cache, which another process's change could not
reach) they are read from the database every time.
"""

import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from sessions.models import Forum, Session
from summit.models import Summit

VERSION_KEY = "registration:choosable:version"
# Whatever was missed (a queryset update() sends no signal) is read afresh this often.
TIMEOUT = 300


def choosable_forums(summit: Summit):
    return Forum.objects.filter(summit=summit, kind=Forum.Kind.THEMED)


def choosable_sessions(summit: Summit):
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
    if not getattr(settings, "CACHE_IS_SHARED", False):
        forums = sessions = set()
        if forum_ids:
            forums = set(
                choosable_forums(summit).filter(pk__in=forum_ids).values_list("pk", flat=True)
            )
        if session_ids:
            sessions = set(
                choosable_sessions(summit).filter(pk__in=session_ids).values_list("pk", flat=True)
            )
        return forums, sessions
    forums, sessions = _cached_ids(summit)
    return forum_ids & forums, session_ids & sessions


def _cached_ids(summit: Summit) -> tuple[frozenset[int], frozenset[int]]:
    key = f"registration:choosable:{summit.pk}"
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
    sessions = frozenset(choosable_sessions(summit).values_list("pk", flat=True))
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
