"""One date and time style per language (summit/formats), and no other in our templates."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import formats, translation

from summit import dates

ROOT = Path(__file__).resolve().parents[2]
MOMENT = datetime.datetime(2026, 12, 8, 14, 5)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            ["Tue 8 Dec 2026", "Tue 8 Dec 2026, 14:05", "8 Dec 2026, 14:05", "8 Dec", "14:05"],
        ),
        (
            "zh-hans",
            ["2026年12月8日", "2026年12月8日 14:05", "2026年12月8日 14:05", "12月8日", "14:05"],
        ),
        (
            "zh-hant",
            ["2026年12月8日", "2026年12月8日 14:05", "2026年12月8日 14:05", "12月8日", "14:05"],
        ),
    ],
)
def test_named_formats_per_language(language, expected):
    names = [
        "DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "MONTH_DAY_FORMAT",
        "TIME_FORMAT",
    ]
    with translation.override(language):
        assert [formats.date_format(MOMENT, name) for name in names] == expected


@pytest.mark.parametrize(
    ("language", "day", "long_day"),
    [
        ("en", "Tue 8 Dec", "Tuesday 8 December 2026"),
        ("zh-hans", "12月8日 星期二", "2026年12月8日 星期二"),
        ("zh-hant", "12月8日 星期二", "2026年12月8日 星期二"),
    ],
)
def test_days_with_their_weekday(language, day, long_day):
    with translation.override(language):
        assert (dates.day(MOMENT), dates.long_day(MOMENT)) == (day, long_day)


@pytest.mark.parametrize(
    ("language", "start", "end", "expected"),
    [
        ("en", (2026, 12, 8), (2026, 12, 10), "8–10 Dec 2026"),
        ("en", (2026, 11, 30), (2026, 12, 2), "30 Nov – 2 Dec 2026"),
        ("en", (2026, 12, 31), (2027, 1, 1), "31 Dec 2026 – 1 Jan 2027"),
        ("en", (2026, 12, 8), (2026, 12, 8), "8 Dec 2026"),
        ("zh-hans", (2026, 12, 8), (2026, 12, 10), "2026年12月8日至10日"),
        ("zh-hant", (2026, 11, 30), (2026, 12, 2), "2026年11月30日至12月2日"),
        ("zh-hans", (2026, 12, 31), (2027, 1, 1), "2026年12月31日至2027年1月1日"),
        ("zh-hant", (2026, 12, 8), (2026, 12, 8), "2026年12月8日"),
    ],
)
def test_date_ranges_write_shared_parts_once(language, start, end, expected):
    with translation.override(language):
        assert dates.date_range(datetime.date(*start), datetime.date(*end)) == expected


# Formats a template may name: the named ones of summit/formats, the weekday alone ("D",
# above a MONTH_DAY_FORMAT in the agenda's day tabs), and machine formats for attributes and
# URLs (ISO 8601 "c", "Y-m-d", "Ymd" in ids).
ALLOWED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "TIME_FORMAT",
    "D",
    "c",
    "Y-m-d",
    "Ymd",
}


def test_templates_use_only_the_named_formats():
    templates = [
        path
        for pattern in ("**/templates/**/*.html", "**/templates/**/*.txt")
        for path in ROOT.glob(pattern)
        if ".venv" not in path.parts
    ]
    ad_hoc = []
    for path in templates:
        text = path.read_text()
        for match in re.finditer(r"\|(date|time):(_\()?[\"']([^\"']*)[\"']", text):
            if match.group(2) or match.group(3) not in ALLOWED:
                ad_hoc.append(f"{path.relative_to(ROOT)}: {match.group(0)}")

    assert len(templates) > 50
    assert ad_hoc == []
