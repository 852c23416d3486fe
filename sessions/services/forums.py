"""Forums: the main summit and the themed forums, each with its colour, room and seats."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sessions.models import Forum, Session
from sessions.selectors import has_active_choices
from sessions.services.errors import (
    CapacityBelowSeatsTaken,
    InUse,
    SlugTaken,
    WrongSummit,
    check_field_names,
)
from sessions.services.schedule import advance_many
from summit.models import Summit
from summit.signals import capacity_raised, capacity_was_raised

FORUM_FIELDS = frozenset(
    {
        "slug",
        "kind",
        "position",
        "title_en",
        "title_zh_hans",
        "title_zh_hant",
        "description_en",
        "description_zh_hans",
        "description_zh_hant",
        "colour",
        "room",
        "capacity",
    }
)

FORUM_GUEST_VISIBLE = frozenset({"title_en", "title_zh_hans", "title_zh_hant"})


def create_forum(summit: Summit, **fields: Any) -> Forum:
    check_field_names(fields, FORUM_FIELDS)
    with transaction.atomic():
        forum = Forum(summit=summit, **fields)
        _check_forum(forum)
        forum.save()
    return forum


def update_forum(forum: Forum, **changes: Any) -> Forum:
    check_field_names(changes, FORUM_FIELDS)
    with transaction.atomic():
        locked = Forum.objects.select_for_update().get(pk=forum.pk)
        old_capacity = locked.capacity
        # The forum's title is in every one of its sessions' calendar events.
        retitled = any(
            getattr(locked, name) != value
            for name, value in changes.items()
            if name in FORUM_GUEST_VISIBLE
        )
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_forum(locked)
        locked.save()
        if retitled:
            advance_many(Session.objects.filter(forum=locked), frozenset({"forum"}))
        if capacity_was_raised(old_capacity, locked.capacity):
            transaction.on_commit(
                lambda: capacity_raised.send(
                    sender=Forum, summit_id=locked.summit_id, forum_id=locked.pk, session_id=None
                )
            )
    for name in changes:
        setattr(forum, name, getattr(locked, name))
    forum.seats_taken = locked.seats_taken
    return forum


def delete_forum(forum: Forum) -> None:
    with transaction.atomic():
        # A guest adding this forum meanwhile waits for this lock, as in delete_session.
        locked = Forum.objects.select_for_update().get(pk=forum.pk)
        if locked.seats_taken or has_active_choices(locked):
            raise InUse(
                _(
                    "Guests hold or wait for seats in this forum: "
                    "keep it, and cancel its sessions to call it off."
                )
            )
        if locked.sessions.exists():
            raise InUse(_("This forum still has sessions: move or delete them first."))
        locked.delete()


def _check_forum(forum: Forum) -> None:
    taken = Forum.objects.filter(summit_id=forum.summit_id, slug=forum.slug).exclude(pk=forum.pk)
    if taken.exists():
        raise SlugTaken(_("Another forum already uses this address."))
    if forum.room is not None and forum.room.summit_id != forum.summit_id:
        raise WrongSummit(_("The room belongs to another summit."), field="room")
    if forum.capacity is not None and forum.capacity < forum.seats_taken:
        raise CapacityBelowSeatsTaken(
            _("Guests already hold %(taken)d seats: the capacity cannot be lower.")
            % {"taken": forum.seats_taken}
        )
