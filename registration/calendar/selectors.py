"""Reads for the guest's own calendar: which sessions are theirs, and the file itself.

A guest's calendar holds, for a **confirmed** registration only:

- the sessions they chose on their own (a confirmed session enrolment);
- the sessions of the forums they are confirmed in, except sessions that must be chosen
  separately (``requires_enrolment``) and that they did not choose;
- the sessions of the main summit (plenary forums) that need no separate choice.

Only published sessions appear. A cancelled session stays, marked ``STATUS:CANCELLED``, so
subscribed calendars drop it or show it struck through; that includes a chosen session whose
enrolment the registration services cancelled *because* the session was cancelled (the
enrolment changed at or after the session).

Registrations that are not confirmed (pending, waitlisted, cancelled, rejected) get a valid,
empty calendar rather than a 404: calendar clients keep their last copy of a feed that fails,
so an error would leave a cancelled guest with sessions they no longer attend, while an empty
calendar clears them (and fills again if a pending registration is confirmed). Unknown or
reset tokens are 404.
"""

from django.db.models import F, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from registration.models import Enrolment, Registration
from sessions.calendar import build_calendar, with_calendar_relations
from sessions.models import Forum, Session
from summit.i18n import localized, normalise_language


def registration_for_calendar_token(token: str) -> Registration | None:
    """The registration whose feed this secret token opens (its summit loaded), if any."""
    if not token:
        return None
    return Registration.objects.select_related("summit").filter(calendar_token=token).first()


def session_enrolments_in_calendar() -> Q:
    """Session enrolments whose session belongs in the guest's calendar (see module doc)."""
    return Q(status=Enrolment.Status.CONFIRMED) | Q(
        status=Enrolment.Status.CANCELLED,
        session__status=Session.Status.CANCELLED,
        updated_at__gte=F("session__changed_at"),
    )


def guest_sessions(registration: Registration) -> QuerySet[Session]:
    """The registration's sessions, ready for the calendar builder (three queries in all)."""
    if registration.status != Registration.Status.CONFIRMED:
        return Session.objects.none()
    chosen = Enrolment.objects.filter(
        session_enrolments_in_calendar(), registration=registration, session__isnull=False
    ).values("session_id")
    forums = Enrolment.objects.filter(
        registration=registration, forum__isnull=False, status=Enrolment.Status.CONFIRMED
    ).values("forum_id")
    open_to_forum = Q(requires_enrolment=False) & (
        Q(forum_id__in=forums) | Q(forum__kind=Forum.Kind.PLENARY)
    )
    sessions = Session.objects.filter(
        Q(pk__in=chosen) | open_to_forum,
        forum__summit_id=registration.summit_id,
        is_published=True,
    ).order_by("starts_at", "forum__position", "pk")
    return with_calendar_relations(sessions)


def guest_calendar(registration: Registration, *, feed: bool = True) -> bytes:
    """The guest's sessions as an ``.ics`` file in the guest's language.

    ``feed=True`` for the subscription (refresh hints); ``feed=False`` for a file attached to
    an e-mail. The confirmation e-mail gets it through ``registration.signals.email_attachments``
    (see ``registration/calendar/receivers.py``).
    """
    summit = registration.summit
    language = normalise_language(registration.language)
    with translation.override(language):
        name = _("My sessions: %(summit)s") % {"summit": localized(summit, "name", language)}
    return build_calendar(
        guest_sessions(registration), summit=summit, name=name, language=language, feed=feed
    )


def calendar_filename(registration: Registration) -> str:
    return f"{registration.summit.slug}-my-sessions.ics"


def registrations_with_session(session: Session) -> QuerySet[Registration]:
    """Confirmed registrations whose calendar holds this session (the same rules as above)."""
    confirmed = Registration.objects.filter(
        summit_id=session.forum.summit_id, status=Registration.Status.CONFIRMED
    )
    chosen = Enrolment.objects.filter(session_enrolments_in_calendar(), session=session)
    if session.requires_enrolment:
        return confirmed.filter(pk__in=chosen.values("registration_id"))
    if session.forum.kind == Forum.Kind.PLENARY:
        return confirmed
    in_forum = Enrolment.objects.filter(
        forum_id=session.forum_id, status=Enrolment.Status.CONFIRMED
    )
    return confirmed.filter(
        Q(pk__in=in_forum.values("registration_id")) | Q(pk__in=chosen.values("registration_id"))
    )
