"""Speakers. A new name or affiliation changes what their sessions show."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sessions.models import Session, Speaker
from sessions.services.errors import AgendaError, SlugTaken, check_field_names
from sessions.services.schedule import advance_many
from summit.models import Summit

SPEAKER_FIELDS = frozenset(
    {
        "slug",
        "name",
        "name_latin",
        "name_zh_hans",
        "name_zh_hant",
        "affiliation_en",
        "affiliation_zh_hans",
        "affiliation_zh_hant",
        "bio_en",
        "bio_zh_hans",
        "bio_zh_hant",
        "email",
    }
)
SPEAKER_GUEST_VISIBLE = frozenset(
    {
        "name",
        "name_latin",
        "name_zh_hans",
        "name_zh_hant",
        "affiliation_en",
        "affiliation_zh_hans",
        "affiliation_zh_hant",
    }
)


def create_speaker(summit: Summit, **fields: Any) -> Speaker:
    check_field_names(fields, SPEAKER_FIELDS)
    with transaction.atomic():
        speaker = Speaker(summit=summit, **fields)
        _check_speaker(speaker)
        speaker.save()
    return speaker


def update_speaker(speaker: Speaker, **changes: Any) -> Speaker:
    """A new name or affiliation changes what the speaker's sessions show."""
    check_field_names(changes, SPEAKER_FIELDS)
    with transaction.atomic():
        locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
        visible = any(
            getattr(locked, name) != value
            for name, value in changes.items()
            if name in SPEAKER_GUEST_VISIBLE
        )
        for name, value in changes.items():
            setattr(locked, name, value)
        _check_speaker(locked)
        locked.save()
        if visible:
            advance_many(
                Session.objects.filter(appearances__speaker=locked), frozenset({"speakers"})
            )
    for name in changes:
        setattr(speaker, name, getattr(locked, name))
    return speaker


def delete_speaker(speaker: Speaker) -> None:
    with transaction.atomic():
        locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
        advance_many(Session.objects.filter(appearances__speaker=locked), frozenset({"speakers"}))
        locked.delete()


def _check_speaker(speaker: Speaker) -> None:
    if not speaker.name and not speaker.name_latin:
        raise AgendaError(_("Give the name in native script, in Latin letters, or both."))
    taken = Speaker.objects.filter(summit_id=speaker.summit_id, slug=speaker.slug).exclude(
        pk=speaker.pk
    )
    if taken.exists():
        raise SlugTaken(_("Another speaker already uses this address."))
