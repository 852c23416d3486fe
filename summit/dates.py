"""Days and ranges of days in the reader's language, in the style of ``summit.formats``."""

import datetime
from importlib import import_module

from django.utils import formats
from django.utils.translation import get_language, to_locale

from summit.i18n import normalise_language


def _format(name: str) -> str:
    locale = to_locale(normalise_language(get_language()))
    return getattr(import_module(f"summit.formats.{locale}.formats"), name)


def day(value: datetime.date) -> str:
    """A day with its weekday, without the year: "Tue 8 Dec", "12月8日 星期二"."""
    return formats.date_format(value, _format("DAY_FORMAT"))


def long_day(value: datetime.date) -> str:
    """A day in full: "Tuesday 8 December 2026", "2026年12月8日 星期二"."""
    return formats.date_format(value, _format("LONG_DAY_FORMAT"))


def date_range(start: datetime.date, end: datetime.date) -> str:
    """Days from ``start`` to ``end``, the shared parts written once: "8–10 Dec 2026",
    "30 Nov – 2 Dec 2026", "2026年12月8日至10日", "2026年11月30日至12月2日"."""
    if normalise_language(get_language()) == "en":
        last = formats.date_format(end, "SHORT_DATE_FORMAT")
        if start == end:
            return last
        if start.year != end.year:
            return f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} – {last}"
        if start.month != end.month:
            return f"{formats.date_format(start, 'MONTH_DAY_FORMAT')} – {last}"
        return f"{start.day}–{last}"
    first = formats.date_format(start, "DATE_FORMAT")
    if start == end:
        return first
    if start.year != end.year:
        return f"{first}至{formats.date_format(end, 'DATE_FORMAT')}"
    if start.month != end.month:
        return f"{first}至{formats.date_format(end, 'MONTH_DAY_FORMAT')}"
    return f"{first}至{end.day}日"
