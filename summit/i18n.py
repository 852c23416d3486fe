"""Trilingual text stored in three columns: ``<base>_en``, ``<base>_zh_hans``, ``<base>_zh_hant``.

Models declare the columns and a :class:`Trilingual` attribute that reads the right one for
the active language, falling back to the other Chinese script and then to English, so a
title entered in one language only still shows everywhere.
"""

from django.utils.translation import get_language

LANGUAGE_SUFFIXES = {"en": "en", "zh-hans": "zh_hans", "zh-hant": "zh_hant"}

FALLBACKS = {
    "en": ("en", "zh_hans", "zh_hant"),
    "zh-hans": ("zh_hans", "zh_hant", "en"),
    "zh-hant": ("zh_hant", "zh_hans", "en"),
}


def normalise_language(language: str | None) -> str:
    """Map any language tag (``zh-CN``, ``zh-tw``, ``en-GB``…) onto one of ours."""
    tag = (language or "en").lower().replace("_", "-")
    if tag.startswith("zh"):
        traditional = ("hant", "tw", "hk", "mo")
        return "zh-hant" if any(part in tag for part in traditional) else "zh-hans"
    return "en"


def localized(obj: object, base: str, language: str | None = None) -> str:
    for suffix in FALLBACKS[normalise_language(language or get_language())]:
        value = getattr(obj, f"{base}_{suffix}", "")
        if value:
            return value
    return ""


def trilingual(obj: object, base: str) -> dict[str, str]:
    """All three versions, keyed by language code, as the API and calendars publish them."""
    return {
        code: getattr(obj, f"{base}_{suffix}", "") for code, suffix in LANGUAGE_SUFFIXES.items()
    }


class Trilingual:
    """Read-only attribute giving the active language's version of a trilingual text."""

    def __init__(self, base: str) -> None:
        self.base = base

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return localized(obj, self.base)
