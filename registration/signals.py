"""News that leaves the registration app.

Dependencies point one way (summit ← sessions ← registration ← badges), so registration never
imports badges. When a registration changes in a way another app cares about, the service
sends one of these signals *after its transaction commits* (``transaction.on_commit``); the
other app reacts in its ``receivers.py`` by calling a service of its own.
"""

from django.dispatch import Signal

# Sent after commit whenever a registration's status changes.
# Keyword arguments: registration (Registration), old_status (str | None: None when it was
# just created), new_status (str).
# badges.receivers issues a badge on "confirmed" and revokes it on "cancelled"/"rejected".
registration_status_changed = Signal()

# Sent while building an e-mail to a guest, to collect attachments from other apps.
# Keyword arguments: registration (Registration), kind (str: "confirmation", …).
# Receivers return a list of (filename, content: bytes, mimetype) tuples.
# badges.receivers answers "confirmation" with the guest's badge PDF.
email_attachments = Signal()
