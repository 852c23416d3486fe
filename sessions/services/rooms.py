"""Rooms of the venue. Renaming one changes where its sessions take place."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sessions.models import Session
from sessions.services.errors import InUse, SlugTaken, check_field_names
from sessions.services.schedule import advance_many
from summit.models import Room, Summit

ROOM_FIELDS = frozenset(
    {"slug", "name_en", "name_zh_hans", "name_zh_hant", "capacity", "floor", "position"}
)
ROOM_GUEST_VISIBLE = frozenset({"name_en", "name_zh_hans", "name_zh_hant", "floor"})


def create_room(summit: Summit, **fields: Any) -> Room:
    check_field_names(fields, ROOM_FIELDS)
    with transaction.atomic():
        room = Room(summit=summit, **fields)
        _check_room_slug(room)
        room.save()
    return room


def update_room(room: Room, **changes: Any) -> Room:
    """Renaming a room (or moving it to another floor) changes where its sessions are."""
    check_field_names(changes, ROOM_FIELDS)
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        visible = any(
            getattr(locked, name) != value
            for name, value in changes.items()
            if name in ROOM_GUEST_VISIBLE
        )
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_room_slug(locked)
        locked.save()
        if visible:
            advance_many(Session.objects.filter(room=locked), frozenset({"room"}))
    for name in changes:
        setattr(room, name, getattr(locked, name))
    return room


def delete_room(room: Room) -> None:
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        if Session.objects.filter(room=locked).exists():
            raise InUse(_("Sessions take place in this room: move them to another room first."))
        locked.delete()


def _check_room_slug(room: Room) -> None:
    taken = Room.objects.filter(summit_id=room.summit_id, slug=room.slug).exclude(pk=room.pk)
    if taken.exists():
        raise SlugTaken(_("Another room already uses this address."))
