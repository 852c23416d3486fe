"""When a scan may have been made: the times a door device can send, and how they are shown.

Apart from the check-in service so that the selectors and the API can use the rule too.
"""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

from badges.checkin.checkpoints import CheckpointInfo

# Offline scans come in late; a device clock running ahead is refused past this margin.
FUTURE_MARGIN = timedelta(minutes=10)
# How far from the summit's days (in its time zone), or before now, a scan may have been made.
SCAN_TIME_SLACK = timedelta(days=2)
# Times every database driver reads back and every time zone can express: a time outside
# (stored before scan times were checked) is left out of what devices download.
READABLE_TIMES = (datetime(1, 1, 2, tzinfo=UTC), datetime(9999, 12, 30, tzinfo=UTC))


class ScanTimeRefused(ValueError):
    """A scan time no door could have scanned at.

    Accepted: from 2 days before the summit's first day to 2 days after its last (in the
    summit's time zone: a late upload of offline scans), or in the 2 days before now (a
    rehearsal or a test scan before or after the summit); and never more than
    ``FUTURE_MARGIN`` ahead of the server's clock. Anything else comes from a broken clock or
    a hostile device: year 1 or 9999 would overflow in the answer's time zone, and a time
    before year 1 in UTC (year 1 with an offset east of it) is stored as 1 BC by PostgreSQL,
    which psycopg cannot read back. ``reason`` is "future" or "outside".
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def check_scan_time(
    scanned_at: datetime, checkpoint: CheckpointInfo, *, now: datetime | None = None
) -> None:
    """Raise ScanTimeRefused unless a door could have scanned at ``scanned_at``.

    Only comparisons of aware times: they never overflow, whatever the year and offset.
    """
    now = now or timezone.now()
    if scanned_at > now + FUTURE_MARGIN:
        raise ScanTimeRefused("future")
    if scanned_at >= now - SCAN_TIME_SLACK:
        return
    tz = checkpoint.tzinfo
    days = SCAN_TIME_SLACK.days
    first = _midnight(checkpoint.summit_starts_on, -days, tz)
    end = _midnight(checkpoint.summit_ends_on, days + 1, tz)
    if not first <= scanned_at < end:
        raise ScanTimeRefused("outside")


def _midnight(day: date, offset_days: int, tz: tzinfo) -> datetime:
    try:
        return datetime.combine(day + timedelta(days=offset_days), time.min, tzinfo=tz)
    except OverflowError:  # a summit at the very end of the calendar
        return (datetime.min if offset_days < 0 else datetime.max).replace(tzinfo=UTC)


def in_zone(moment: datetime, tz: tzinfo) -> str:
    """ISO 8601 in the time zone ``tz``; a time ``tz`` cannot express (near year 1 or 9999)
    with its own offset, so that an answer about it never fails."""
    try:
        return moment.astimezone(tz).isoformat()
    except (OverflowError, ValueError):
        return moment.isoformat()
