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


# Sent after commit when the summit's name, venue, city or dates change: texts that every
# calendar event (SUMMIT_GUEST_VISIBLE) or every badge (SUMMIT_PRINTED) of the summit carries.
# Keyword arguments: summit (Summit), changed_fields (frozenset).
# sessions.receivers advances every published session so calendars pick the change up;
# badges.receivers renders the stored badge PDFs again.
summit_changed = Signal()

SUMMIT_GUEST_VISIBLE = frozenset(
    {
        "name_en", "name_zh_hans", "name_zh_hant",
        "venue_en", "venue_zh_hans", "venue_zh_hant",
        "city_en", "city_zh_hans", "city_zh_hant",
    }
)  # fmt: skip

SUMMIT_PRINTED = frozenset(
    {
        "name_en", "name_zh_hans", "name_zh_hant",
        "city_en", "city_zh_hans", "city_zh_hant",
        "starts_on", "ends_on",
    }
)  # fmt: skip
