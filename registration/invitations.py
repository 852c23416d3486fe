"""Invitations: organisers create them (one or many) and send them by e-mail."""

from django.db import transaction
from django.utils import timezone

from registration.models import Invitation, OutgoingEmail
from registration.tasks import queue_sending
from summit.models import Summit


def _queue(invitations: list[Invitation]) -> None:
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(
            invitation=invitation,
            kind="invitation",
            recipient=invitation.email,
            language=invitation.language,
        )
        for invitation in invitations
    )
    queue_sending([email.pk for email in emails])


@transaction.atomic
def create_invitations(
    summit: Summit, entries: list[dict], *, category: str, language: str, send: bool, actor
) -> list[Invitation]:
    """Create one invitation per entry (e-mail and optional names, organisation).

    An address that already has an open invitation keeps it (it is sent again if asked),
    so pasting the same list twice creates nothing twice.
    """
    invitations = []
    for entry in entries:
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
    return invitations


@transaction.atomic
def send_invitation(invitation: Invitation) -> None:
    _queue([invitation])


@transaction.atomic
def revoke_invitation(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
