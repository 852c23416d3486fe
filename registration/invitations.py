"""Invitations: organisers create, send, remind and withdraw them; invitees accept or decline.

An invitation's link is ``/register/invitation/<code>/<key>/``. The code finds the row; the key
is an HMAC of the code under the site's secret (``SECRET_KEY``, or one of
``SECRET_KEY_FALLBACKS`` while a key is being rotated), compared in constant time. The key is
never stored: a copy of the database alone opens no invitation, while the same link can be
sent again and again (a reminder carries the link of the first e-mail). 256 bits of key
cannot be guessed; wrong guesses are counted per client (registration/ratelimit.py).

Accepting registers the guest and makes their account in one transaction, with the address
verified (the link reached it) and no password (``set_unusable_password``: nothing to hash on
the busiest request of the summit). They log in again with a code sent by e-mail
(``ACCOUNT_LOGIN_BY_CODE_ENABLED``) and may choose a password later.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registration import services
from registration.models import Invitation, OutgoingEmail, Registration
from registration.tasks import queue_sending
from summit.models import Summit
from summit.roles import GUEST, add_to_role


class AccountExists(services.RegistrationError):
    """The invitee has an account already: they log in with it, never get a second one."""

    message = _("An account with this e-mail address exists already. Log in to register.")


class InvitationWithdrawn(services.RegistrationError):
    message = _("This invitation was withdrawn: it is not sent.")


class InvitationUsed(services.RegistrationError):
    message = _("This invitation has been used: the guest is registered, so it is not sent.")


def open_for_answer(invitation: Invitation, now=None) -> bool:
    """Whether the invitation can still register someone: not withdrawn, not used, and the
    summit's registration not closed (an invitation lasts as long as registration does)."""
    now = now or timezone.now()
    return services.invitation_is_usable(invitation, now) and now < (
        invitation.summit.registration_closes_at
    )


# --- Organisers ----------------------------------------------------------------------------


def _queue(invitations: list[Invitation], *, kind: str = "invitation") -> None:
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            invitation=invitation,
            kind=kind,
            recipient=invitation.email,
            language=invitation.language,
        )
        for invitation in invitations
    )
    queue_sending([email.pk for email in emails])


@dataclass
class InvitationsMade:
    invitations: list[Invitation]
    # Addresses registered for the summit already (as the organiser wrote them): not invited.
    registered: list[str]


def _registered(summit: Summit) -> QuerySet[Registration]:
    """Registrations of the summit, of any status: an address with one cannot register again
    (one registration per address and summit)."""
    return Registration.objects.filter(summit=summit)


def _registered_addresses(summit: Summit, emails: list[str]) -> set[str]:
    """Which of ``emails`` are registered for the summit, in lower case (as typed by hand, an
    address's case says nothing)."""
    wanted = {email.lower() for email in emails}
    found = (
        _registered(summit)
        .annotate(address=Lower("email"))
        .filter(address__in=wanted)
        .values_list("address", flat=True)
    )
    return set(found)


@transaction.atomic
def create_invitations(
    summit: Summit, entries: list[dict], *, category: str, language: str, send: bool, actor
) -> InvitationsMade:
    """Create one invitation per entry (e-mail and optional names, organisation, category,
    language; the form's category and language for those not given).

    An address that already has an open invitation keeps it (it is sent again if asked),
    so pasting the same list twice creates nothing twice; an address given twice in one list
    (in any case of letters) counts once, with the first entry's details. An address
    registered for the summit already (by any means) is not invited: it is returned in
    ``registered``.
    """
    registered = _registered_addresses(summit, [entry["email"] for entry in entries])
    invitations, skipped, seen = [], [], set()
    for entry in entries:
        address = entry["email"].lower()
        if address in seen:
            continue
        seen.add(address)
        if address in registered:
            skipped.append(entry["email"])
            continue
        existing = Invitation.objects.filter(
            summit=summit, email__iexact=entry["email"], revoked_at__isnull=True
        ).first()
        if existing is not None:
            invitations.append(existing)
            continue
        invitations.append(
            Invitation.objects.create(
                summit=summit,
                email=entry["email"],
                name=entry.get("name", ""),
                name_latin=entry.get("name_latin", ""),
                organisation=entry.get("organisation", ""),
                category=entry.get("category") or category,
                language=entry.get("language") or language,
                created_by=actor,
            )
        )
    if send:
        _queue([i for i in invitations if not hasattr(i, "registration")])
    return InvitationsMade(invitations=invitations, registered=skipped)


def _sendable(invitation: Invitation) -> Invitation:
    """The invitation, locked against a withdrawal meanwhile; raises InvitationWithdrawn or
    InvitationUsed, since its link would only answer 410 (Gone)."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.revoked_at is not None:
        raise InvitationWithdrawn
    if Registration.objects.filter(invitation=invitation).exists():
        raise InvitationUsed
    return invitation


@transaction.atomic
def send_invitation(invitation: Invitation) -> None:
    """Send the invitation (again): the same link as before. Raises InvitationWithdrawn or
    InvitationUsed."""
    _queue([_sendable(invitation)])


def unanswered(summit: Summit) -> QuerySet[Invitation]:
    """Invitations sent, neither accepted, declined nor withdrawn, to an address that has not
    registered meanwhile by other means (signing up, an import)."""
    return Invitation.objects.filter(
        ~Exists(_registered(summit).filter(email__iexact=OuterRef("email"))),
        summit=summit,
        sent_at__isnull=False,
        revoked_at__isnull=True,
        declined_at__isnull=True,
        registration__isnull=True,
    )


@transaction.atomic
def remind_invitations(summit: Summit, *, ids: Iterable[int] | None = None) -> int:
    """Send a reminder to every unanswered invitation (or to those of ``ids``)."""
    if not summit.registration_is_open(timezone.now()):
        return 0
    found = unanswered(summit)
    if ids is not None:
        found = found.filter(pk__in=list(ids))
    invitations = list(found.select_for_update(of=("self",)))
    _queue(invitations, kind="invitation_reminder")
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(reminded_at=timezone.now())
    return len(invitations)


@transaction.atomic
def remind_invitation(invitation: Invitation) -> bool:
    """Remind one invitee; returns whether a reminder was queued (not for an invitation never
    sent or declined, nor once registration closed). Raises InvitationWithdrawn or
    InvitationUsed."""
    _sendable(invitation)
    return remind_invitations(invitation.summit, ids=[invitation.pk]) == 1


@transaction.atomic
def revoke_invitation(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


# --- Invitees ------------------------------------------------------------------------------


def account_exists(email: str) -> bool:
    """Whether an account uses this address (allauth sets it as the account's e-mail; a
    verified address of another account is refused by allauth's unique constraint)."""
    return get_user_model().objects.filter(email__iexact=email).exists()


def owns_address(user, email: str) -> bool:
    """Whether ``user`` has verified ``email`` (the invitation is theirs)."""
    from allauth.account.models import EmailAddress

    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _new_account(email: str):
    from allauth.account.models import EmailAddress

    User = get_user_model()
    # In lower case, as allauth keeps addresses and looks them up (a login code finds it).
    email = email.lower()
    user = User(username=f"guest-{uuid.uuid4().hex}", email=email)
    user.set_unusable_password()
    # Logged in as soon as registered: its last login is written with it, not updated after.
    user.last_login = user.date_joined
    user.last_login_written = True  # for receivers.update_last_login
    user.save(force_insert=True)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    add_to_role(user, GUEST)  # as everyone who signs up
    return user


def accept_invitation(
    invitation: Invitation,
    *,
    details: dict[str, Any],
    forum_ids: Iterable[int] = (),
    session_ids: Iterable[int] = (),
    submission_key: uuid.UUID | None = None,
) -> Registration:
    """Register the invitee and make their account (address verified, no password).

    The same submission sent twice (a double tap) returns the registration it made. Raises
    AccountExists if the address has an account (the invitee logs in and registers from
    there), InvitationNotValid if it was used, withdrawn or registration closed, or another
    RegistrationError of ``register_guest``.
    """
    summit = invitation.summit
    try:
        with transaction.atomic():
            # Nothing is asked first whether the invitation is still open: register_guest
            # checks that (withdrawn, used, registration closed) and its error undoes the
            # account made here.
            if account_exists(invitation.email):
                raise AccountExists
            user = _new_account(invitation.email)
            registration, _created = services.register_guest(
                summit,
                user=user,
                email=invitation.email,
                details=details,
                forum_ids=forum_ids,
                session_ids=session_ids,
                submission_key=submission_key,
                invitation=invitation,
            )
    except (IntegrityError, services.RegistrationError) as error:
        # This very submission went through before (a double tap): its registration.
        earlier = _made_by(invitation, submission_key)
        if earlier is not None:
            return earlier
        if isinstance(error, IntegrityError):
            # The account's username is random and its address verified nowhere else: the
            # address came first (another tab, an account made meanwhile).
            raise AccountExists from None
        raise
    return registration


def _made_by(invitation: Invitation, submission_key: uuid.UUID | None) -> Registration | None:
    if submission_key is None:
        return None
    return (
        Registration.objects.select_related("user")
        .filter(Q(invitation=invitation) & Q(submission_key=submission_key))
        .first()
    )


@transaction.atomic
def decline_invitation(invitation: Invitation) -> None:
    """The invitee says no (the link still registers them if they change their mind)."""
    Invitation.objects.filter(pk=invitation.pk, declined_at__isnull=True).update(
        declined_at=timezone.now()
    )
