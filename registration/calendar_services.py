"""Writes for the guest's calendar: resetting the secret feed address, and telling guests
by e-mail when a session in their calendar changes."""

from collections.abc import Iterable
from functools import partial

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from registration.calendar_selectors import registrations_with_session
from registration.models import Registration, new_calendar_token
from sessions.calendar import (
    event_location,
    session_calendar,
    session_page_url,
    with_calendar_relations,
)
from sessions.models import Session
from summit.i18n import localized, normalise_language

# Guests per background task: a plenary change reaches every confirmed guest (3,000+).
EMAIL_BATCH_SIZE = 200

# Keys: the names sessions.signals.session_changed reports (and model field names, for
# senders that report those).
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


def notify_guests_of_session_change(session: Session, *, changed_fields: Iterable[str]) -> int:
    """Queue an e-mail (after commit) to every confirmed guest whose calendar holds the
    session, in batches; returns how many guests will be written to."""
    from registration import calendar_tasks

    session = Session.objects.select_related("forum").get(pk=session.pk)
    fields = sorted(set(changed_fields))
    guest_ids = list(
        registrations_with_session(session).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(guest_ids), EMAIL_BATCH_SIZE):
        batch = guest_ids[start : start + EMAIL_BATCH_SIZE]
        transaction.on_commit(
            partial(calendar_tasks.email_session_change.enqueue, session.pk, batch, fields)
        )
    return len(guest_ids)


def email_session_change(
    session_id: int, *, registration_ids: list[int], changed_fields: list[str]
) -> int:
    """Send each guest (still confirmed) the news in their language, with the session's
    updated ``.ics`` (same UID, higher SEQUENCE) so an imported event can be updated.
    Returns how many e-mails were sent."""
    session = (
        with_calendar_relations(Session.objects.filter(pk=session_id))
        .select_related("forum__summit")
        .first()
    )
    if session is None:
        return 0
    registrations = Registration.objects.filter(
        pk__in=registration_ids, status=Registration.Status.CONFIRMED
    ).order_by("pk")
    files: dict[str, bytes] = {}
    messages = []
    for registration in registrations:
        language = normalise_language(registration.language)
        if language not in files:
            files[language] = session_calendar(
                session, summit=session.forum.summit, language=language
            )
        with translation.override(language):
            messages.append(_session_change_message(session, registration, changed_fields))
        messages[-1].attach(f"session-{session.pk}.ics", files[language], "text/calendar")
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    return len(messages)


def _session_change_message(
    session: Session, registration: Registration, changed_fields: list[str]
) -> EmailMessage:
    """The e-mail in the active language."""
    from django.conf import settings

    summit = session.forum.summit
    language = translation.get_language()
    zone = summit.tzinfo
    starts_at, ends_at = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
    labels = []
    for field in changed_fields:
        label = CHANGE_LABELS.get(field.split("_zh_")[0].removesuffix("_en"))
        if label is not None and str(label) not in labels:
            labels.append(str(label))
    if language == "en":
        name = registration.name_latin or registration.name
    else:
        name = registration.name or registration.name_latin
    title = localized(session, "title", language)
    context = {
        "name": name,
        "summit_name": localized(summit, "name", language),
        "title": title,
        # Taken back to draft: off the agenda, as far as the guest is concerned.
        "cancelled": session.is_cancelled or not session.is_published,
        "changes": pgettext("between the items of a list of changes", ", ").join(labels),
        "when": _("%(day)s, %(start)s–%(end)s (China Standard Time, UTC+8)")
        % {
            "day": formats.date_format(starts_at, "DATE_FORMAT"),
            "start": formats.time_format(starts_at, "H:i"),
            "end": formats.time_format(ends_at, "H:i"),
        },
        "where": event_location(session, summit, language),
        "url": settings.SITE_URL + session_page_url(zone)(session),
    }
    if context["cancelled"]:
        subject = _("Session cancelled: %(title)s") % {"title": title}
    else:
        subject = _("Agenda change: %(title)s") % {"title": title}
    with timezone.override(zone):
        body = render_to_string("registration/email/session_changed.txt", context)
    return EmailMessage(subject=subject, body=body, to=[registration.email])
