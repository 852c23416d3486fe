"""Exceptions the agenda's services raise, and a helper they share."""

from collections.abc import Iterable
from typing import Any


class AgendaError(Exception):
    """A change the agenda's rules refuse. ``field`` names the form field to blame, if any."""

    field: str | None = None

    def __init__(self, message, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


class CapacityBelowSeatsTaken(AgendaError):
    field = "capacity"


class InvalidTimes(AgendaError):
    field = "ends_at"


class SlugTaken(AgendaError):
    field = "slug"


class WrongSummit(AgendaError):
    pass


class InUse(AgendaError):
    """The record is still needed (sessions in a room, guests holding seats…)."""


def check_field_names(values: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
