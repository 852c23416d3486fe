"""Changes to the summit edition itself."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from summit.models import MAX_SUMMIT_DAYS, Summit, validate_plausible_date
from summit.signals import (
    SUMMIT_GUEST_VISIBLE,
    SUMMIT_PRINTED,
    capacity_raised,
    capacity_was_raised,
    summit_changed,
)

SUMMIT_FIELDS = frozenset(
    {
        "name_en",
        "name_zh_hans",
        "name_zh_hant",
        "venue_en",
        "venue_zh_hans",
        "venue_zh_hant",
        "city_en",
        "city_zh_hans",
        "city_zh_hant",
        "starts_on",
        "ends_on",
        "registration_opens_at",
        "registration_closes_at",
        "capacity",
        "approval_required",
        "contact_email",
    }
)


class SummitError(Exception):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def too_long() -> str:
    return _("A summit lasts at most %(days)d days.") % {"days": MAX_SUMMIT_DAYS}


def update_summit(summit: Summit, **changes: Any) -> Summit:
    """Apply ``changes``; a raised capacity lets the waiting list move at once."""
    unknown = set(changes) - SUMMIT_FIELDS
    if unknown:
        raise ValueError(f"Not summit fields: {sorted(unknown)}")
    with transaction.atomic():
        # Locked, so that seats_taken cannot grow past the new capacity meanwhile.
        locked = Summit.objects.select_for_update(no_key=True).get(pk=summit.pk)
        old_capacity = locked.capacity
        visible = frozenset(
            name
            for name, value in changes.items()
            if name in SUMMIT_GUEST_VISIBLE | SUMMIT_PRINTED and getattr(locked, name) != value
        )
        for name, value in changes.items():
            setattr(locked, name, value)
        if locked.capacity < locked.seats_taken:
            raise SummitError(
                _("Guests already hold %(taken)d places: the capacity cannot be lower.")
                % {"taken": locked.seats_taken},
                field="capacity",
            )
        for name in ("starts_on", "ends_on", "registration_opens_at", "registration_closes_at"):
            try:
                validate_plausible_date(getattr(locked, name))
            except ValidationError as error:
                raise SummitError(error.messages[0], field=name) from error
        if locked.ends_on < locked.starts_on:
            raise SummitError(_("The last day cannot come before the first."), field="ends_on")
        if (locked.ends_on - locked.starts_on).days >= MAX_SUMMIT_DAYS:
            raise SummitError(too_long(), field="ends_on")
        if locked.registration_closes_at <= locked.registration_opens_at:
            raise SummitError(
                _("Registration must close after it opens."), field="registration_closes_at"
            )
        locked.save()
        if capacity_was_raised(old_capacity, locked.capacity):
            transaction.on_commit(
                lambda: capacity_raised.send(
                    sender=Summit, summit_id=locked.pk, forum_id=None, session_id=None
                )
            )
        if visible:
            transaction.on_commit(
                lambda: summit_changed.send(sender=Summit, summit=locked, changed_fields=visible)
            )
    for name in changes:
        setattr(summit, name, getattr(locked, name))
    summit.seats_taken = locked.seats_taken
    return summit
