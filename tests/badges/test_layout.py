"""Text sizes that fit the badge, from the badge font's advance widths (read with fontTools)."""

from pathlib import Path

import pytest

from badges import layout
from badges.layout import BADGE_FONT_FILES, fit_text, text_width

FONT_INSTALLED = any(Path(path).exists() for path in BADGE_FONT_FILES)


@pytest.fixture
def without_the_font(monkeypatch):
    """As on a machine without Noto Sans CJK: the advances are estimated."""
    layout.font_advances.cache_clear()
    monkeypatch.setattr(layout, "BADGE_FONT_FILES", ("/nonexistent/NotoSansCJK-Bold.ttc",))
    yield
    layout.font_advances.cache_clear()


@pytest.mark.skipif(not FONT_INSTALLED, reason="Noto Sans CJK is not installed")
def test_text_width_reads_the_proportional_bold_face_of_the_collection():
    # The collection also holds Noto Sans Mono CJK, where every Latin letter is half an em.
    assert text_width("陳") == 1.0
    assert text_width("i") < 0.5 < text_width("W") < 1.0


def test_text_width_estimates_without_the_font(without_the_font):
    assert layout.font_advances() == {}
    assert text_width("陳a") == 1.62


def test_text_width_counts_chinese_characters_as_full_width():
    assert text_width("陳大文") == 3.0


def test_fit_text_keeps_a_short_name_on_one_line_at_the_largest_size():
    fitted = fit_text("陳大文", largest=32, smallest_single=18)

    assert (fitted.lines, fitted.size) == (("陳大文",), 32.0)


def test_fit_text_splits_a_forty_character_name_into_two_balanced_lines():
    fitted = fit_text("Maria Fernanda dos Santos Conceição Lima", largest=26, smallest_single=18)

    assert fitted.lines == ("Maria Fernanda dos", "Santos Conceição Lima")
    assert 18 <= fitted.size < 26


def test_fit_text_splits_a_long_word_in_the_middle_and_shrinks_it_to_fit():
    fitted = fit_text("W" * 60, largest=26, smallest_single=18)

    assert fitted.lines == ("W" * 30, "W" * 30)
    assert fitted.size * text_width("W" * 30) <= 89 * 72 / 25.4
