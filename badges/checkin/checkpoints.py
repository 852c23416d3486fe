"""Checkpoints as the hot path of a scan sees them: remembered per process for a few seconds.

A checkpoint edited by an organiser (``save_checkpoint``) is forgotten at once in the process
that saved it, and within ``CHECKPOINT_CACHE_SECONDS`` everywhere else.
"""

import time
import zoneinfo
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from badges.checkin.models import Checkpoint
from sessions.models import Forum
from summit.i18n import localized

CHECKPOINT_CACHE_SECONDS = 10.0

_checkpoints: dict[str, tuple[float, "CheckpointInfo | None"]] = {}


class CheckpointNotFound(Exception):
    pass


@dataclass(frozen=True)
class CheckpointInfo:
    """What answering a scan needs to know of a checkpoint, remembered for a few seconds."""

    id: int
    slug: str
    summit_id: int
    name_en: str
    name_zh_hans: str
    name_zh_hant: str
    kind: str
    policy: str
    forum_id: int | None
    forum_is_plenary: bool
    day: date | None
    is_active: bool
    time_zone: str
    summit_starts_on: date
    summit_ends_on: date

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def single_entry(self) -> bool:
        return self.policy == Checkpoint.Policy.SINGLE

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


# --- Checkpoints ------------------------------------------------------------------------------


def checkpoint_info(slug: str) -> CheckpointInfo:
    """The checkpoint with this slug, remembered for a few seconds; CheckpointNotFound."""
    now = time.monotonic()
    remembered = _checkpoints.get(slug)
    if remembered is not None and remembered[0] > now:
        info = remembered[1]
    else:
        checkpoint = Checkpoint.objects.filter(slug=slug).select_related("summit", "forum").first()
        info = _info_of(checkpoint) if checkpoint else None
        if len(_checkpoints) > 1000:
            _checkpoints.clear()
        _checkpoints[slug] = (now + CHECKPOINT_CACHE_SECONDS, info)
    if info is None:
        raise CheckpointNotFound(slug)
    return info


def checkpoint_info_by_id(checkpoint_id: int) -> CheckpointInfo:
    slug = Checkpoint.objects.filter(pk=checkpoint_id).values_list("slug", flat=True).first()
    if slug is None:
        raise CheckpointNotFound(str(checkpoint_id))
    return checkpoint_info(slug)


def forget_checkpoints() -> None:
    """Drop this process's remembered checkpoints (others forget within seconds)."""
    _checkpoints.clear()


def _info_of(checkpoint: Checkpoint) -> CheckpointInfo:
    forum = checkpoint.forum
    return CheckpointInfo(
        id=checkpoint.pk,
        slug=checkpoint.slug,
        summit_id=checkpoint.summit_id,
        name_en=checkpoint.name_en,
        name_zh_hans=checkpoint.name_zh_hans,
        name_zh_hant=checkpoint.name_zh_hant,
        kind=checkpoint.kind,
        policy=checkpoint.policy,
        forum_id=checkpoint.forum_id,
        forum_is_plenary=bool(forum and forum.kind == Forum.Kind.PLENARY),
        day=checkpoint.day,
        is_active=checkpoint.is_active,
        time_zone=checkpoint.summit.time_zone,
        summit_starts_on=checkpoint.summit.starts_on,
        summit_ends_on=checkpoint.summit.ends_on,
    )


@transaction.atomic
def save_checkpoint(checkpoint: Checkpoint) -> Checkpoint:
    """Create or update a checkpoint (from the organisers' form)."""
    checkpoint.full_clean()
    checkpoint.save()
    transaction.on_commit(forget_checkpoints)
    return checkpoint
