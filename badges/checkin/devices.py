"""Door devices: registration by organisers, bearer tokens, and who is scanning.

A device's token is shown once, when it is created; only its SHA-256 is stored. Requests carry
it as ``Authorization: Bearer <token>``. Lookups are remembered in the process for a few
seconds (the hot path of a scan must not pay a query for them), so revoking a device takes
effect everywhere within ``CACHE_SECONDS``.
"""

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from badges.checkin.models import Checkpoint, Device

TOKEN_PREFIX = "bld_"
CACHE_SECONDS = 10.0
SEEN_EVERY_SECONDS = 60.0

_devices: dict[str, tuple[float, "DeviceInfo | None"]] = {}
_seen: dict[int, float] = {}


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    name: str
    checkpoint_id: int | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def create_device(
    name: str, *, checkpoint: Checkpoint | None = None, created_by=None
) -> tuple[Device, str]:
    """Register a door device; returns it with its token, which is never shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = Device.objects.create(
        name=name.strip(),
        token_hash=hash_token(token),
        token_prefix=token[:8],
        checkpoint=checkpoint,
        created_by=created_by,
    )
    return device, token


@transaction.atomic
def rotate_device_token(device: Device) -> str:
    """Give a device a new token (the old one stops working); returns the new token."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device.token_hash = hash_token(token)
    device.token_prefix = token[:8]
    device.revoked_at = None
    device.save(update_fields=["token_hash", "token_prefix", "revoked_at"])
    forget_devices()
    return token


@transaction.atomic
def revoke_device(device: Device) -> None:
    if device.revoked_at is None:
        device.revoked_at = timezone.now()
        device.save(update_fields=["revoked_at"])
    forget_devices()


def forget_devices() -> None:
    """Drop this process's remembered lookups (other processes forget within seconds)."""
    _devices.clear()


def device_for_token(token: str) -> DeviceInfo | None:
    """The active device holding this token, or None."""
    if not token:
        return None
    digest = hash_token(token)
    now = time.monotonic()
    remembered = _devices.get(digest)
    if remembered is not None and remembered[0] > now:
        info = remembered[1]
    else:
        row = (
            Device.objects.filter(token_hash=digest, revoked_at__isnull=True)
            .values_list("id", "name", "checkpoint_id")
            .first()
        )
        info = DeviceInfo(*row) if row else None
        if len(_devices) > 10_000:
            _devices.clear()
        _devices[digest] = (now + CACHE_SECONDS, info)
    if info is not None and _seen.get(info.id, 0.0) < now:
        # Last seen is for the organisers' device list: a minute's precision is plenty.
        _seen[info.id] = now + SEEN_EVERY_SECONDS
        Device.objects.filter(pk=info.id).update(last_seen_at=timezone.now())
    return info


def bearer_token(request) -> str | None:
    """The token of an ``Authorization: Bearer …`` header; None without such a header."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()
