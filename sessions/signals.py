"""News that leaves the agenda app.

Dependencies point one way (summit ← sessions ← registration ← badges), so the agenda never
imports registration. The agenda services send these signals *after their transaction
commits* (``transaction.on_commit``); other apps react in their receivers by calling a
service of their own.
"""

from django.dispatch import Signal

# Sent after commit when an organiser changes a published session in a way guests can see
# (the service has advanced ``Session.sequence`` and ``changed_at``).
# Keyword arguments: session (Session), changed_fields (list[str]: model field names, e.g.
# ["starts_at", "ends_at", "room"]; "status" when it was cancelled; "speakers" for the
# speaker list), notify_guests (bool: the organiser asked to e-mail the guests concerned).
# registration.calendar_receivers e-mails the guests whose calendar holds the session.
session_changed = Signal()
