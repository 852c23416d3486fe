"""What goes where on a badge: geometry, text sizes that fit, and the data a badge shows.

Everything here is plain Python (no database, no WeasyPrint), so that the processes that
render bulk files receive picklable :class:`BadgeFace` objects and compute the layout
themselves.

Long names shrink to fit: each line's width is measured from the badge font's advance
widths (Noto Sans CJK SC Bold, Latin letters included), and the largest size that fits is
chosen; a name too long for one line at a readable size is split
into two balanced lines at a space.
"""

import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4  # PDF points per millimetre

# A6 portrait, in millimetres. The QR code is drawn straight into the page (see rendering.py)
# into the square the template leaves empty at the same place.
BADGE_WIDTH, BADGE_HEIGHT = 105.0, 148.0
A4_WIDTH, A4_HEIGHT = 210.0, 297.0
SIDE_MARGIN = 8.0
TEXT_WIDTH = BADGE_WIDTH - 2 * SIDE_MARGIN
SUMMIT_TOP = 7.0
NAMES_TOP, NAMES_HEIGHT = 30.0, 45.0
QR_SIZE = 34.0
QR_LEFT = (BADGE_WIDTH - QR_SIZE) / 2
QR_TOP = 79.0
BAND_TOP, BAND_HEIGHT = 118.0, 23.0
PT = 25.4 / 72  # millimetres per point
# Line heights (in em, as in badge.css) and top margins (mm) of the name block's texts.
NAME_LINE_HEIGHT, LATIN_MARGIN = 1.15, 1.0
ORGANISATION_LINE_HEIGHT, ORGANISATION_MARGIN = 1.25, 2.5
JOB_TITLE_LINE_HEIGHT, JOB_TITLE_MARGIN = 1.2, 0.8
# Where each badge of a four-up A4 sheet starts (left, top), in reading order.
FOUR_UP_CELLS = ((0.0, 0.0), (BADGE_WIDTH, 0.0), (0.0, BADGE_HEIGHT), (BADGE_WIDTH, BADGE_HEIGHT))

LAYOUT_A6 = "a6"
LAYOUT_A4_4UP = "a4-4up"
BADGES_PER_PAGE = {LAYOUT_A6: 1, LAYOUT_A4_4UP: 4}

# Category colours (band background, band text): distinct hues and lightness, and the word
# is printed in the band too, for colour-blind readers.
CATEGORY_COLOURS = {
    "vip": ("#c8102e", "#ffffff"),
    "speaker": ("#6b2e9e", "#ffffff"),
    "media": ("#f08a24", "#111111"),
    "delegate": ("#005eb8", "#ffffff"),
    "staff": ("#2f2f2f", "#ffffff"),
}

# The one face every badge text is set in (see badge.css), and where Debian installs it.
BADGE_FONT_NAME = "Noto Sans CJK SC Bold"
BADGE_FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
)


@dataclass(frozen=True)
class SummitFace:
    """The summit as badges show it: its name and dates in each Chinese script and English."""

    name_zh_hans: str
    name_zh_hant: str
    name_en: str
    dates_zh_hans: str
    dates_zh_hant: str
    dates_en: str

    def name_zh(self, script: str) -> str:
        return self.name_zh_hant if script == "zh-hant" else self.name_zh_hans

    def dates(self, script: str) -> str:
        return self.dates_zh_hant if script == "zh-hant" else self.dates_zh_hans


@dataclass(frozen=True)
class BadgeFace:
    """One badge's printed content. ``script`` is "zh-hans" or "zh-hant"."""

    badge_id: int
    serial: int
    code: str
    name: str
    name_latin: str
    organisation: str
    job_title: str
    category: str
    category_zh: str
    category_en: str
    script: str = "zh-hans"


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    size: float  # points, a multiple of 0.5

    @property
    def size_class(self) -> str:
        return f"fs-{round(self.size * 10)}"


@dataclass
class Cell:
    badge: BadgeFace
    summit_zh: str
    dates: FittedText
    primary: FittedText
    secondary: FittedText | None
    organisation: FittedText | None
    job_title: FittedText | None
    position: int = 0

    @property
    def background(self) -> tuple[str, str]:
        """What this badge shares with others: (category, script)."""
        return self.badge.category, self.badge.script

    @property
    def background_context(self) -> dict:
        return {
            "category": self.badge.category,
            "lang": self.lang,
            "summit_zh": self.summit_zh,
            "dates": self.dates,
            "category_zh": self.badge.category_zh,
            "category_en": self.badge.category_en,
        }

    @property
    def lang(self) -> str:
        return "zh-Hant" if self.badge.script == "zh-hant" else "zh-Hans"

    @property
    def names_height(self) -> float:
        """Estimated height (mm) of the name block's texts."""
        height = len(self.primary.lines) * self.primary.size * NAME_LINE_HEIGHT * PT
        if self.secondary:
            lines = len(self.secondary.lines)
            height += LATIN_MARGIN + lines * self.secondary.size * NAME_LINE_HEIGHT * PT
        if self.organisation:
            lines = len(self.organisation.lines)
            height += (
                ORGANISATION_MARGIN + lines * self.organisation.size * ORGANISATION_LINE_HEIGHT * PT
            )
        if self.job_title:
            height += JOB_TITLE_MARGIN + self.job_title.size * JOB_TITLE_LINE_HEIGHT * PT
        return height

    @property
    def names_padding(self) -> float:
        """Top padding (mm, in 0.5 mm steps) that centres the name block vertically."""
        offset = max(0.0, (NAMES_HEIGHT - self.names_height) / 2)
        return int(offset * 2) / 2


@functools.cache
def font_advances() -> dict[int, float]:
    """Advance widths in em of the badge font (Noto Sans CJK SC Bold), by code point.

    Read with fontTools once per process; empty if the font is not installed, in which case
    text_width estimates.
    """
    for path in BADGE_FONT_FILES:
        if Path(path).exists():
            found = _advances_of_face(path, BADGE_FONT_NAME)
            if found:
                return found
    return {}


def _advances_of_face(path: str, full_name: str) -> dict[int, float]:
    """Advances by code point of the face named ``full_name`` in a font file or collection."""
    from fontTools.ttLib import TTCollection, TTFont

    collection = TTCollection(path, lazy=True) if path.endswith(".ttc") else None
    fonts = collection.fonts if collection is not None else [TTFont(path, lazy=True)]
    try:
        for font in fonts:
            if font["name"].getDebugName(4) != full_name:
                continue
            units = font["head"].unitsPerEm
            metrics = font["hmtx"].metrics
            # Few distinct widths (most CJK glyphs are 1 em): one float object each.
            ems: dict[int, float] = {}
            return {
                point: ems.setdefault(metrics[glyph][0], metrics[glyph][0] / units)
                for point, glyph in font.getBestCmap().items()
            }
        return {}
    finally:
        for font in fonts:
            font.close()


def text_width(text: str) -> float:
    """Width of ``text`` in em, as the badge font sets it."""
    advances = font_advances()
    width = 0.0
    for character in text:
        advance = advances.get(ord(character))
        if advance is None:
            wide = unicodedata.east_asian_width(character) in ("W", "F")
            advance = 1.0 if wide else 0.62
        width += advance
    return width


def _round_down(size: float) -> float:
    return max(int(size * 2) / 2, 4.0)


def _best_split(text: str) -> tuple[str, str] | None:
    """Split at the space (or middle dot) that balances the two lines best.

    A text without one (a long Chinese name, a very long word) is split in the middle.
    """
    candidates = [i for i, character in enumerate(text) if character in " ·・"]
    if not candidates:
        middle = len(text) // 2
        return (text[:middle], text[middle:]) if middle else None

    def halves(i: int) -> tuple[str, str]:
        # A space disappears at the break; a middle dot stays at the end of the first line.
        return text[: i + (text[i] != " ")].strip(), text[i + 1 :].strip()

    return halves(min(candidates, key=lambda i: max(map(text_width, halves(i)))))


def fit_text(
    text: str,
    *,
    largest: float,
    smallest_single: float,
    width_mm: float = TEXT_WIDTH,
    two_lines: bool = True,
) -> FittedText:
    """The largest size (points) at which ``text`` fits ``width_mm``, on one line or two.

    One line if it fits at ``smallest_single`` or more; otherwise two balanced lines (when
    allowed), unless two lines would not be larger. Never larger than what fits, so a text
    does not overflow the badge (down to 4 pt, beyond any name the registration form takes).
    """
    width_pt = width_mm * MM
    em = max(text_width(text), 0.01)
    single = min(largest, width_pt / em)
    if single >= smallest_single or not two_lines:
        return FittedText((text,), _round_down(single))
    split = _best_split(text)
    if split is None:
        return FittedText((text,), _round_down(single))
    em = max(text_width(split[0]), text_width(split[1]), 0.01)
    double = min(largest, width_pt / em)
    if single >= double:
        return FittedText((text,), _round_down(single))
    return FittedText(split, _round_down(double))


def has_chinese(text: str) -> bool:
    return any(unicodedata.east_asian_width(character) in ("W", "F") for character in text)


@functools.lru_cache(maxsize=64)
def fit_dates(summit: SummitFace, script: str) -> FittedText:
    lines = (summit.dates(script), summit.dates_en)
    size = min(fit_text(line, largest=7, smallest_single=4).size for line in lines)
    return FittedText(lines, size)


def fit_cell(badge: BadgeFace, summit: SummitFace, position: int = 0) -> Cell:
    """Sizes for each text of a badge."""
    native, latin = badge.name.strip(), badge.name_latin.strip()
    if native and latin and native != latin:
        primary_text, secondary_text = native, latin
    else:
        primary_text, secondary_text = native or latin, ""
    chinese = has_chinese(primary_text)
    primary = fit_text(
        primary_text,
        largest=32 if chinese else 26,
        smallest_single=18,
    )
    secondary = fit_text(secondary_text, largest=16, smallest_single=11) if secondary_text else None
    organisation = (
        fit_text(badge.organisation.strip(), largest=11, smallest_single=9)
        if badge.organisation.strip()
        else None
    )
    job_title = (
        fit_text(badge.job_title.strip(), largest=9, smallest_single=7, two_lines=False)
        if badge.job_title.strip()
        else None
    )
    return Cell(
        badge,
        summit.name_zh(badge.script),
        fit_dates(summit, badge.script),
        primary,
        secondary,
        organisation,
        job_title,
        position,
    )


def cell_origins(layout: str) -> tuple[tuple[float, float], ...]:
    """Top-left corners (mm, from the page's top-left) of the badges of a page."""
    return FOUR_UP_CELLS if layout == LAYOUT_A4_4UP else ((0.0, 0.0),)


def font_size_classes() -> list[tuple[str, float]]:
    """Every size fit_text can return, as (class name, points), for the CSS."""
    return [(f"fs-{tenths}", tenths / 10) for tenths in range(40, 321, 5)]
