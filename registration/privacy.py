"""A guest's rights over their data: download it, and delete the account.

Deleting cancels every active registration first (through the service, so the seats go to the
waiting lists and other apps hear of it), then blanks the personal data of the registration
rows (kept, anonymous, so that figures and seat counts stay true), revokes the guest API's
tokens and codes and deletes the account.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from registration import guest_tokens
from registration.changes import cancel_registration
from registration.models import OutgoingEmail, Registration, new_calendar_token
from registration.services import DETAIL_FIELDS


def personal_data(user) -> dict[str, Any]:
    """Everything Bayline holds about this person, as JSON-ready data."""
    from allauth.account.models import EmailAddress

    registrations = []
    for registration in Registration.objects.filter(user=user).select_related("summit"):
        enrolments = registration.enrolments.select_related("forum", "session")
        registrations.append(
            {
                "summit": registration.summit.name_en,
                "status": registration.status,
                "category": registration.category,
                "email": registration.email,
                **{name: getattr(registration, name) for name in DETAIL_FIELDS},
                "consent_given_at": registration.consent_given_at.isoformat(),
                "consent_version": registration.consent_version,
                "registered_at": registration.created_at.isoformat(),
                "cancelled_at": registration.cancelled_at.isoformat()
                if registration.cancelled_at
                else None,
                "choices": [
                    {
                        "forum": e.forum.title_en if e.forum else None,
                        "session": e.session.title_en if e.session else None,
                        "status": e.status,
                        "chosen_at": e.created_at.isoformat(),
                    }
                    for e in enrolments
                ],
                "history": [
                    {"at": event.at.isoformat(), "what": event.kind, "detail": event.detail}
                    for event in registration.events.all()
                ],
                "emails": [
                    {
                        "kind": email.kind,
                        "to": email.recipient,
                        "sent_at": email.sent_at.isoformat(),
                    }
                    for email in registration.emails.filter(sent_at__isnull=False)
                ],
            }
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": list(
                EmailAddress.objects.filter(user=user).values("email", "verified", "primary")
            ),
        },
        "registrations": registrations,
    }


def delete_account(user) -> None:
    for registration in Registration.objects.filter(user=user):
        cancel_registration(registration, actor=user, detail="account deleted")
    with transaction.atomic():
        for registration in Registration.objects.select_for_update(no_key=True).filter(user=user):
            # Unsent e-mails (the cancellation) would go to an address we no longer hold.
            OutgoingEmail.objects.filter(registration=registration).delete()
            guest_tokens.revoke_sign_ins_of(registration)
            registration.events.update(detail="", actor=None)
            for name in DETAIL_FIELDS:
                field = Registration._meta.get_field(name)
                setattr(registration, name, field.get_default() if field.has_default() else "")
            registration.name_latin = "Deleted guest"
            registration.email = f"deleted-{registration.pk}@invalid.bayline"
            registration.search_text = ""
            registration.organiser_notes = ""
            registration.calendar_token = new_calendar_token()
            registration.submission_key = None
            registration.user = None
            registration.save()
        user.delete()
