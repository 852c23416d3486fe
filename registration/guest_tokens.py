"""Tokens of the guest API: an e-mailed code exchanged for a bearer token.

A guest asks for a code with their e-mail address; if the current summit has a registration
with that address, a six-digit code is e-mailed in the guest's language, by a task
(registration/guest_codes.py). The answer, and the work the request does, are the same
whether or not it exists. A code lasts ``guest_codes.CODE_MINUTES``, takes ``CODE_ATTEMPTS`` tries
and is used once; asking again replaces it. Requests and wrong codes are limited per address
and per client (summit/infrastructure/ratelimit.py, behind the configured proxies), and a
success does not reset the counts. Codes are stored as HMAC-SHA-256 digests only, tokens as
SHA-256 digests.
"""

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from registration import prepared_reads
from registration.guest_codes import code_digest
from registration.models import GuestCode, GuestToken, Registration
from registration.tasks import queue_guest_code
from summit.infrastructure import ratelimit
from summit.selectors import current_summit

TOKEN_PREFIX = "blg_"
CODE_ATTEMPTS = 5
WINDOW = 15 * 60
CODES_PER_ADDRESS = 5
CODES_PER_CLIENT = 30
WRONG_CODES_PER_ADDRESS = 10
WRONG_CODES_PER_CLIENT = 30
# Organisers see when a token was last used, to the hour: one write an hour, not one a read.
LAST_USED_EVERY = datetime.timedelta(hours=1)


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


class CodeRefused(Exception):
    """A wrong, expired or used code, or an address without a registration: the same to the
    client."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _address(email: str) -> str:
    """The key of an address's limits: one for every spelling the database finds the same
    registration by (``email__iexact``, PostgreSQL's UPPER(), to which "ſ" is an S and "ı" an
    I). Upper case first, then folded: a key shared by a few more spellings than the
    database's is harmless, one shared by fewer lets them count apart."""
    return digest(email.strip().upper().casefold())


def _check(scope: str, who: str, *, limit: int, count: bool = True) -> None:
    check = ratelimit.hit if count else ratelimit.exceeded
    if wait := check(scope, who, limit=limit, window=WINDOW):
        raise TooManyAttempts(wait)


def request_code(email: str, *, client: str) -> None:
    """Queue the e-mail of a new code to the guest registered with ``email``, if there is one
    (``guest_codes.send_code``). The same work whatever the address: the limits, then the
    task, which looks the address up."""
    _check("guest-code-client", client, limit=CODES_PER_CLIENT)
    _check("guest-code-address", _address(email), limit=CODES_PER_ADDRESS)
    summit = current_summit()
    if summit is not None:
        queue_guest_code(summit.pk, email)


def exchange_code(email: str, code: str, *, client: str) -> str:
    """A new token for the guest whose current code this is; raises CodeRefused otherwise."""
    address = _address(email)
    _check("guest-token-client", client, limit=WRONG_CODES_PER_CLIENT, count=False)
    _check("guest-token-address", address, limit=WRONG_CODES_PER_ADDRESS, count=False)
    with transaction.atomic():
        summit = current_summit()
        latest = (
            GuestCode.objects.select_for_update()
            .filter(
                registration__summit=summit,
                registration__email__iexact=email.strip(),
                used_at__isnull=True,
                expires_at__gt=timezone.now(),
                attempts__lt=CODE_ATTEMPTS,
            )
            .order_by("-created_at")
            .first()
        )
        good = latest is not None and hmac.compare_digest(
            latest.code_hash, code_digest(latest.registration_id, code.strip())
        )
        if not good:
            if latest is not None:
                GuestCode.objects.filter(pk=latest.pk).update(attempts=F("attempts") + 1)
        else:
            latest.used_at = timezone.now()
            latest.save(update_fields=["used_at"])
            token = TOKEN_PREFIX + secrets.token_urlsafe(32)
            GuestToken.objects.create(
                registration_id=latest.registration_id,
                token_hash=digest(token),
                token_prefix=token[:8],
            )
            return token
    ratelimit.hit("guest-token-client", client, limit=WRONG_CODES_PER_CLIENT, window=WINDOW)
    ratelimit.hit("guest-token-address", address, limit=WRONG_CODES_PER_ADDRESS, window=WINDOW)
    raise CodeRefused


def token_holder(token: str) -> tuple[int, Registration] | None:
    """The active token's id and its registration (with its summit), or None: one query.

    The registration has the fields the guest API answers with and its changes need first
    (``prepared_reads.HOLDER``); any other is read with a query of its own when used."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = prepared_reads.token(digest(token))
    if found is None:
        return None
    now = timezone.now()
    if found.last_used_at is None or found.last_used_at < now - LAST_USED_EVERY:
        GuestToken.objects.filter(pk=found.pk).update(last_used_at=now)
    return found.pk, found.registration


def revoke_token(token_id: int) -> None:
    GuestToken.objects.filter(pk=token_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def revoke_sign_ins_of(registration: Registration) -> None:
    """Close the guest API to the guest: every token revoked, every unused code void (their
    account is deleted)."""
    revoke_tokens_of(registration)
    GuestCode.objects.filter(registration=registration, used_at__isnull=True).update(
        used_at=timezone.now()
    )


def revoke_tokens_of(registration: Registration) -> int:
    """Revoke every token of the guest (an organiser's action); returns how many."""
    revoked = GuestToken.objects.filter(registration=registration, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return revoked
