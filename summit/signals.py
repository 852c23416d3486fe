"""News that leaves the summit app (see registration/signals.py for the pattern)."""

from django.dispatch import Signal

# Sent after commit when an organiser raises a capacity or removes a limit, so that waiting
# lists move at once. Sent by summit.services (the summit's capacity) and by the agenda
# services (a forum's or a session's).
# Keyword arguments: summit_id (int), forum_id (int | None), session_id (int | None); both
# None means the summit's own capacity.
# registration.receivers promotes waiting guests into the new seats.
capacity_raised = Signal()


def capacity_was_raised(old: int | None, new: int | None) -> bool:
    """True when ``new`` admits more than ``old`` (None means no limit)."""
    if new is None:
        return old is not None
    return old is not None and new > old
