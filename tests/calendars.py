"""Helpers for tests of calendar files: parse them back, and change sessions the way organisers
do (through the agenda services, which advance SEQUENCE and LAST-MODIFIED)."""

import datetime

from tests.factories import SHANGHAI

LONG_AGO = datetime.datetime(2026, 10, 1, 10, 0, tzinfo=SHANGHAI)


def parse(body: bytes):
    """The file parsed back with icalendar (strictly: a broken file raises)."""
    import icalendar

    return icalendar.Calendar.from_ical(body)


def events_by_uid(body: bytes) -> dict:
    return {str(event["UID"]): event for event in parse(body).walk("VEVENT")}


def written_long_ago(*sessions) -> None:
    """Date the sessions' creation and last change back to 1 October: LAST-MODIFIED has whole
    seconds, so a change made in the same second as the creation would not show in it."""
    from sessions.models import Session

    Session.objects.filter(pk__in=[s.pk for s in sessions]).update(
        created_at=LONG_AGO, changed_at=LONG_AGO
    )
    for session in sessions:
        session.created_at = session.changed_at = LONG_AGO


def publish_change(session, **changes):
    """Change a published session as an organiser does (without e-mailing guests)."""
    from sessions.services import update_session

    return update_session(session, **changes)
