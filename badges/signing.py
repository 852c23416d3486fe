"""Signed badge codes: what the QR code on a badge says.

A code is 72 bytes, base32 without padding (116 characters of A–Z and 2–7, which QR encodes
in its compact alphanumeric mode: version 5 at error correction M):

    byte 0      format version (1)
    byte 1      key id (which signing key; keys rotate)
    bytes 2–5   badge id, unsigned big-endian
    bytes 6–7   badge serial, unsigned big-endian
    bytes 8–71  Ed25519 signature of b"bayline-badge" + bytes 0–7

No personal data is in the code. A scanner holding the public keys verifies it offline; the
server also checks that the badge is still the registration's active one (revocation).

Keys come from the setting ``BADGE_SIGNING_KEYS`` (the environment variable of that name),
comma-separated ``<id>:<base64 of a 32-byte Ed25519 private key>``; the first signs and all
verify, so a key is rotated by putting a new one first and keeping the old one until the
badges signed with it are reprinted. Without it (development, tests), one key is derived from
SECRET_KEY, which production sets from its own secret. Generate a key with
``python manage.py badge_key``.
"""

import base64
import functools
import hashlib
import struct
from dataclasses import dataclass

from django.conf import settings

FORMAT_VERSION = 1
CONTEXT = b"bayline-badge"
HEADER = struct.Struct(">BBIH")
SIGNATURE_LENGTH = 64
CODE_LENGTH = HEADER.size + SIGNATURE_LENGTH
MAX_BADGE_ID = 2**32 - 1
MAX_SERIAL = 2**16 - 1


class InvalidCode(Exception):
    """The text is not a badge code this summit signed."""


@dataclass(frozen=True)
class BadgeCode:
    badge_id: int
    serial: int
    key_id: int


@functools.cache
def _load_keys(configured: str, secret_key: str) -> dict:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    keys = {}
    if configured:
        for item in configured.split(","):
            key_id, _, encoded = item.strip().partition(":")
            raw = base64.b64decode(encoded)
            keys[int(key_id)] = Ed25519PrivateKey.from_private_bytes(raw)
    else:
        seed = hashlib.sha256(b"bayline-badge-key:" + secret_key.encode()).digest()
        keys[1] = Ed25519PrivateKey.from_private_bytes(seed)
    return keys


def signing_keys() -> dict:
    """Private keys by id, in configured order (the first one signs)."""
    return _load_keys(settings.BADGE_SIGNING_KEYS, settings.SECRET_KEY)


@functools.cache
def _verifying_keys(configured: str, secret_key: str) -> dict:
    # Public key objects are derived once per process: deriving one costs about as much as
    # a verification, and a door scan verifies every code.
    return {key_id: key.public_key() for key_id, key in _load_keys(configured, secret_key).items()}


def verifying_keys() -> dict:
    """Public key objects by id."""
    return _verifying_keys(settings.BADGE_SIGNING_KEYS, settings.SECRET_KEY)


def public_keys() -> dict[int, bytes]:
    """Raw 32-byte public keys by id, for offline scanners."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return {
        key_id: key.public_bytes(Encoding.Raw, PublicFormat.Raw)
        for key_id, key in verifying_keys().items()
    }


def sign_badge(badge_id: int, serial: int) -> str:
    if not 0 < badge_id <= MAX_BADGE_ID or not 0 < serial <= MAX_SERIAL:
        raise ValueError("badge id or serial out of range")
    key_id, key = next(iter(signing_keys().items()))
    header = HEADER.pack(FORMAT_VERSION, key_id, badge_id, serial)
    signature = key.sign(CONTEXT + header)
    return base64.b32encode(header + signature).decode("ascii").rstrip("=")


def verify_code(text: str) -> BadgeCode:
    """Decode and verify a scanned code; raise InvalidCode for anything not signed by us."""
    from cryptography.exceptions import InvalidSignature

    cleaned = (text or "").strip().upper()
    if len(cleaned) != 116:
        raise InvalidCode("wrong length")
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError as error:
        raise InvalidCode("not base32") from error
    if len(raw) != CODE_LENGTH:
        raise InvalidCode("wrong length")
    header, signature = raw[: HEADER.size], raw[HEADER.size :]
    version, key_id, badge_id, serial = HEADER.unpack(header)
    if version != FORMAT_VERSION:
        raise InvalidCode("unknown format version")
    key = verifying_keys().get(key_id)
    if key is None:
        raise InvalidCode("unknown key")
    try:
        key.verify(signature, CONTEXT + header)
    except InvalidSignature as error:
        raise InvalidCode("bad signature") from error
    return BadgeCode(badge_id=badge_id, serial=serial, key_id=key_id)
