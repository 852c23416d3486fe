"""News that leaves the registration app.

Dependencies point one way (summit ← sessions ← registration ← badges), so registration never
imports badges. When a registration changes in a way another app cares about, the service
sends one of these signals *after its transaction commits* (``transaction.on_commit``); the
other app reacts in its ``receivers.py`` by calling a service of its own.
"""

from django.dispatch import Signal

# Sent after commit whenever a registration's status changes.
# Keyword arguments: registration (Registration), old_status (str | None: None when it was
# just created), new_status (str), confirmation_email (bool: a "confirmation" e-mail to the
# guest was queued in the same transaction; its attachments are collected when it is sent,
# see email_attachments).
# badges.receivers issues a badge on "confirmed" (through the confirmation e-mail when one is
# on its way) and revokes it on "cancelled"/"rejected".
registration_status_changed = Signal()

# Sent while building an e-mail to a guest, to collect attachments from other apps.
# Keyword arguments: registration (Registration), kind (str), reason (str).
# kind is "confirmation" for every e-mail that tells a guest their place is confirmed, with
# reason "registered", "approved", "promoted" (from the waiting list) or "imported"; other kinds
# ("enrolment_promoted", "waitlisted", "received", "rejection", "cancellation") carry no badge.
# Receivers return a list of (filename, content: bytes, mimetype) tuples.
# badges.receivers answers "confirmation" with the guest's badge PDF; the calendar adds an .ics.
email_attachments = Signal()

# Sent while rendering a guest's "my registration" page, to collect sections from other apps
# (badges adds "download your badge") without registration importing them.
# Keyword arguments: registration (Registration), request (HttpRequest).
# Receivers return a list of summit.dashboard.Panel; each is rendered with
# ``{% include panel.template with panel=panel.context %}``. Panel.permission is ignored here:
# the page is the guest's own, and receivers decide what the guest may see.
guest_page_sections = Signal()
