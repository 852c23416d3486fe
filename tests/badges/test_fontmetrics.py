"""The badge font's advance widths, read with struct, against fontTools' reading."""

from pathlib import Path

import pytest

from badges.fontmetrics import advances
from badges.layout import BADGE_FONT_FILES, BADGE_FONT_NAME

FONT = next((path for path in BADGE_FONT_FILES if Path(path).exists()), None)


def fonttools_advances(path: str, full_name: str) -> dict[int, float]:
    from fontTools.ttLib import TTFont

    for number in range(16):
        with TTFont(path, fontNumber=number, lazy=True) as font:
            if font["name"].getDebugName(4) == full_name:
                metrics, units = font["hmtx"].metrics, font["head"].unitsPerEm
                return {
                    point: metrics[glyph][0] / units for point, glyph in font.getBestCmap().items()
                }
    raise LookupError(full_name)


@pytest.mark.skipif(FONT is None, reason="Noto Sans CJK is not installed")
def test_advances_equal_fonttools_for_every_code_point():
    assert advances(FONT, BADGE_FONT_NAME) == fonttools_advances(FONT, BADGE_FONT_NAME)


@pytest.mark.skipif(FONT is None, reason="Noto Sans CJK is not installed")
def test_advances_of_a_face_not_in_the_file_are_none():
    assert advances(FONT, "No Such Face") is None
