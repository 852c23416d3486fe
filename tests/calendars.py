"""Helpers for tests of calendar files: parse them back, and change a session the way the
agenda services do (advance SEQUENCE and LAST-MODIFIED)."""

import datetime

from django.utils import timezone


def parse(body: bytes):
    """The file parsed back with icalendar (strictly: a broken file raises)."""
    import icalendar

    return icalendar.Calendar.from_ical(body)


def events_by_uid(body: bytes) -> dict:
    return {str(event["UID"]): event for event in parse(body).walk("VEVENT")}


def publish_change(session, **fields):
    """Change a published session as the agenda services do: the fields, then sequence + 1
    and changed_at = now (a little later than before, so the change is visible)."""
    for name, value in fields.items():
        setattr(session, name, value)
    session.sequence += 1
    session.changed_at = max(
        timezone.now(), session.changed_at + datetime.timedelta(seconds=1)
    ).replace(microsecond=0)
    session.save()
    return session
