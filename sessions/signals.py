"""News that leaves the agenda app.

Dependencies point one way (summit ← sessions ← registration ← badges), so the agenda never
imports the registration app. When an organiser changes the agenda in a way guests care about,
the agenda service sends one of these signals *after its transaction commits*
(``transaction.on_commit``); other apps react in their ``receivers.py`` by calling a service of
their own.
"""

from django.dispatch import Signal

# Sent after commit when a *published* session changes in a way guests see: its time, room,
# title, description, speakers, status (cancelled or scheduled again) or forum, or when it is
# taken back to draft. The session's ``sequence`` has advanced and ``changed_at`` moved, so
# calendars (stable ``uid``, SEQUENCE, LAST-MODIFIED) pick the change up.
# Keyword arguments:
#   session (Session): the session as saved (read it again for anything you rely on).
#   changed_fields (frozenset[str]): some of GUEST_VISIBLE_FIELDS below.
#   notify_guests (bool): the organiser asked for enrolled guests to be e-mailed about it.
# Not sent for drafts, for first publication, or for changes guests do not see (format,
# capacity, position).
# registration.receivers e-mails the session's enrolled guests when notify_guests is true.
session_changed = Signal()

GUEST_VISIBLE_FIELDS = frozenset(
    {"time", "room", "title", "description", "speakers", "status", "forum", "published"}
)
