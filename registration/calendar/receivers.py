"""The guest's calendar reacting to news: an agenda change (sessions.signals) and an e-mail
being put together (registration.signals). Each receiver calls a service or selector."""

from django.dispatch import receiver

from registration.calendar.selectors import calendar_filename, guest_calendar
from registration.calendar.services import notify_guests_of_session_change
from registration.signals import email_attachments
from sessions.signals import session_changed

# E-mails that carry the guest's .ics (kinds of registration.signals.email_attachments).
KINDS_WITH_CALENDAR = {"confirmation"}


@receiver(session_changed, dispatch_uid="registration.calendar.session_changed")
def email_guests_about_session_change(
    sender, *, session, changed_fields, notify_guests, **kwargs
) -> None:
    if notify_guests:
        notify_guests_of_session_change(session, changed_fields=changed_fields)


@receiver(email_attachments, dispatch_uid="registration.calendar.email_attachments")
def attach_guest_calendar(sender, *, registration, kind, **kwargs) -> list:
    if kind not in KINDS_WITH_CALENDAR:
        return []
    body = guest_calendar(registration, feed=False)
    return [(calendar_filename(registration), body, "text/calendar")]
