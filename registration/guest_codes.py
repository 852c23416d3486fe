"""Sign-in codes of the guest API, issued and e-mailed by a task (``tasks.send_guest_code``).

The request for a code only counts and queues (registration/guest_tokens.py), whatever the
address, so that its answer and its timing say nothing of whether the address is registered;
the task looks the registration up, replaces its code and mails the new one. The code exists
in clear only in that task's memory and in the e-mail: the database keeps its HMAC, and the
task's arguments are the summit and the address.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registration.models import GuestCode, Registration
from summit.infrastructure import mail as mail_parts

CODE_MINUTES = 10


def code_digest(registration_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode("utf-8")
    return hmac.new(key, f"{registration_id}:{code}".encode(), hashlib.sha256).hexdigest()


def send_code(summit_id: int, email: str) -> None:
    """E-mail a new code to the guest of the summit registered with ``email``, if there is
    one; the guest's earlier unused codes stop working."""
    registration = (
        Registration.objects.filter(summit_id=summit_id, email__iexact=email.strip())
        .select_related("summit")
        .first()
    )
    if registration is None:
        return
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        GuestCode.objects.filter(registration=registration, used_at__isnull=True).update(
            used_at=timezone.now()
        )
        GuestCode.objects.create(
            registration=registration,
            code_hash=code_digest(registration.pk, code),
            expires_at=timezone.now() + datetime.timedelta(minutes=CODE_MINUTES),
        )
    # Not an OutgoingEmail: those are stored to be retried, and the code must never be
    # written anywhere in clear. A failure is the task's; the guest asks again.
    with translation.override(registration.language):
        subject = _("Your sign-in code: %(code)s") % {"code": code}
        body = "\n\n".join(
            [
                _("Your code to sign in to the %(summit)s app is %(code)s.")
                % {"summit": registration.summit.name, "code": code},
                _("It works once, for %(minutes)d minutes. If you did not ask for it, ignore "
                  "this e-mail.") % {"minutes": CODE_MINUTES},
            ]
        )  # fmt: skip
        subject = f"{mail_parts.subject_prefix()}{subject}"
    EmailMultiAlternatives(subject, body, mail_parts.sender(), to=[registration.email]).send()
