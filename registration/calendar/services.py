"""Writes for the guest's calendar: resetting the secret feed address, and telling guests
by e-mail when a session in their calendar changes.

Change e-mails go through the registration app's outgoing e-mail records
(:class:`~registration.models.OutgoingEmail`, kind ``session_changed``): one record per
guest, written in one transaction, each sent once by ``registration.tasks.send_email`` in the
guest's language and retried with backoff (``registration/emails.py``).
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language, pgettext, pgettext_lazy
from django.utils.translation import gettext as _

from registration.calendar.selectors import registrations_with_session
from registration.emails import Message
from registration.models import OutgoingEmail, Registration, new_calendar_token
from registration.tasks import queue_sending
from sessions.calendar import (
    event_location,
    session_calendar,
    session_page_url,
    with_calendar_relations,
)
from sessions.models import Session
from summit.i18n import localized

SESSION_CHANGED = "session_changed"

# Keys: the names sessions.signals.session_changed reports (and model field names, for
# senders that report those), in the order e-mails list them.
CHANGE_LABELS = {
    "time": pgettext_lazy("changed part of a session", "time"),
    "starts_at": pgettext_lazy("changed part of a session", "time"),
    "ends_at": pgettext_lazy("changed part of a session", "time"),
    "room": pgettext_lazy("changed part of a session", "room"),
    "title": pgettext_lazy("changed part of a session", "title"),
    "description": pgettext_lazy("changed part of a session", "description"),
    "speakers": pgettext_lazy("changed part of a session", "speakers"),
    "appearances": pgettext_lazy("changed part of a session", "speakers"),
    "status": pgettext_lazy("changed part of a session", "status"),
    "format": pgettext_lazy("changed part of a session", "format"),
    "forum": pgettext_lazy("changed part of a session", "forum"),
    "published": pgettext_lazy("changed part of a session", "publication"),
}


@transaction.atomic
def reset_calendar_token(registration: Registration) -> str:
    """Give the registration a new secret feed address; the old one answers 404 at once."""
    registration.calendar_token = new_calendar_token()
    registration.save(update_fields=["calendar_token", "updated_at"])
    return registration.calendar_token


@transaction.atomic
def notify_guests_of_session_change(session: Session, *, changed_fields: Iterable[str]) -> int:
    """Record an e-mail to every confirmed guest whose calendar holds the session and queue
    them (registration.tasks.queue_sending); returns how many guests will be written to."""
    session = Session.objects.select_related("forum").get(pk=session.pk)
    context = {"session": session.pk, "changed": sorted(set(changed_fields))}
    guests = registrations_with_session(session).order_by("pk").only("pk", "email", "language")
    emails = OutgoingEmail.objects.bulk_create(
        (
            OutgoingEmail(
                registration=guest,
                kind=SESSION_CHANGED,
                context=context,
                recipient=guest.email,
                language=guest.language,
            )
            for guest in guests.iterator(chunk_size=1000)
        ),
        batch_size=500,
    )
    queue_sending([email.pk for email in emails])
    return len(emails)


def session_change_message(email: OutgoingEmail) -> Message:
    """The e-mail of one recorded change, in the active language (registration.emails.build
    activates the guest's), with the session's updated ``.ics``: same UID, higher SEQUENCE,
    so opening it updates an event imported earlier."""
    language = get_language()
    session = (
        with_calendar_relations(Session.objects.filter(pk=email.context["session"]))
        .select_related("forum__summit")
        .first()
    )
    if session is None:  # deleted since: nothing left to describe or to attach
        return Message(
            _("Agenda change"),
            [_("A session in your programme has been removed from the agenda.")],
            settings.SITE_URL + reverse("agenda:agenda"),
            _("See the agenda"),
        )
    summit = session.forum.summit
    zone = summit.tzinfo
    starts_at, ends_at = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    title = localized(session, "title", language)
    names = {"summit": localized(summit, "name", language)}
    # Taken back to draft: off the agenda, as far as the guest is concerned.
    if session.is_cancelled or not session.is_published:
        subject = _("Session cancelled: %(title)s") % {"title": title}
        opening = _("This session of %(summit)s in your programme has been cancelled:") % names
    else:
        subject = _("Agenda change: %(title)s") % {"title": title}
        changed = set(email.context.get("changed", []))
        labels = list(
            dict.fromkeys(str(label) for key, label in CHANGE_LABELS.items() if key in changed)
        )
        if labels:
            changes = pgettext("between the items of a list of changes", ", ").join(labels)
            opening = _(
                "This session of %(summit)s in your programme has changed (%(changes)s):"
            ) % {**names, "changes": changes}
        else:
            opening = _("This session of %(summit)s in your programme has changed:") % names
    when = _("%(day)s, %(start)s–%(end)s (China Standard Time, UTC+8)") % {
        "day": formats.date_format(starts_at, "DATE_FORMAT"),
        "start": formats.time_format(starts_at, "TIME_FORMAT"),
        "end": formats.time_format(ends_at, "TIME_FORMAT"),
    }
    return Message(
        subject,
        [
            opening,
            _(
                "Calendars subscribed to your personal feed update by themselves. If you added "
                "the session from a file, open the attached file to update it."
            ),
        ],
        settings.SITE_URL + session_page_url(zone)(session),
        _("See the session"),
        items=[title, when, event_location(session, summit, language)],
        attachments=[
            (
                f"session-{session.pk}.ics",
                session_calendar(session, summit=summit, language=language),
                "text/calendar",
            )
        ],
    )
