"""An invitation's personal link: ``/register/invitation/<code>/<key>/``.

The code finds the row; the key is an HMAC of the code under the site's secret
(``SECRET_KEY``, or one of ``SECRET_KEY_FALLBACKS`` while a key is being rotated), compared in
constant time and never stored. The e-mails and the invitation pages both use it, so it lives
apart from the organiser's and invitee's actions.
"""

import base64
import hmac

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from registration import prepared_reads
from registration.models import Invitation
from summit.selectors import is_current_summit

KEY_SALT = "bayline.registration.invitation"


def _key(code: str, secret: str) -> str:
    digest = salted_hmac(KEY_SALT, code, secret=secret, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def invitation_key(invitation: Invitation) -> str:
    return _key(invitation.code, settings.SECRET_KEY)


def invitation_path(invitation: Invitation) -> str:
    return reverse("registration:invitation", args=[invitation.code, invitation_key(invitation)])


def find_invitation(code: str, key: str) -> Invitation | None:
    """The invitation of the current summit this link opens, else None (unknown code, wrong
    key or another summit's alike). Its summit is read with it, once."""
    invitation = prepared_reads.invitation(code)
    # The key is checked even for an unknown code, so that both take the same time.
    expected_code = invitation.code if invitation is not None else "-"
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    matches = False
    for secret in secrets:
        matches |= hmac.compare_digest(_key(expected_code, secret), key)
    if invitation is None or not matches or not is_current_summit(invitation.summit_id):
        return None
    return invitation
