"""WeasyPrint's internals, in one place: badge names drawn without WeasyPrint's layout.

Why: the names block (name, Latin name, organisation, job title) is all that differs from
one badge to the next, and its geometry is already decided in badges/layout.py: sizes,
lines, vertical offset. Laying it out with WeasyPrint (a page box with its margin boxes,
styles, line boxes) costs most of a badge in a bulk print file, enough to keep a file of
every guest's badge far from its time target. Here each line is shaped by Pango and written
by WeasyPrint's own text drawing (so the same glyphs, fonts, subsets and text layer), at the
place WeasyPrint's layout puts it: centred in the block, each line box as high as its line
height, the glyphs' baseline half a leading below its top. The text styles (font, colour,
line height, language) come from the badge stylesheet, through a names block WeasyPrint lays
out once per renderer (:class:`NameStyles`).

What it relies on, none of it WeasyPrint's public API: a page's box tree
(``Page._page_box``), computed styles (``weasyprint.css.properties``,
``weasyprint.formatting_structure.boxes``), Pango layouts and text drawing
(``weasyprint.text``, ``weasyprint.draw.text``, ``weasyprint.matrix``), and the way
``write_pdf`` paints a page (``paint(stream, scale)``), which :class:`_NamesPage` imitates.
It was written for WeasyPrint :data:`WEASYPRINT_VERSION` only: badges/checks.py refuses to
start with another version while ``settings.BADGE_NAMES_ADAPTER`` is on. With the setting
off, badges/rendering.py lays the names out with WeasyPrint's public API instead (the
reference), and tests/badges/test_weasyprint_adapter.py renders badges both ways and
compares their pixels.
"""

import re
from types import SimpleNamespace

from badges import layout
from badges.layout import Cell

# The version of WeasyPrint this module was written and tested for.
WEASYPRINT_VERSION = "70.0"

PX = 96 / 25.4  # CSS pixels per millimetre, WeasyPrint's unit
KINDS = ("name", "organisation", "job-title")
LANGS = ("zh-Hans", "zh-Hant")
# HTML collapses runs of these to one space (white-space: nowrap), and drops them at the ends.
_COLLAPSIBLE = re.compile("[ \t\n\r\f]+")

PROBE = (
    "<!DOCTYPE html><html><body>"
    + "".join(
        # In the flow (not absolutely placed as on a badge), where the page's box tree has
        # the text boxes.
        f'<div class="names" lang="{lang}" style="position: static">'
        + "".join(f'<p class="{kind}">{kind}</p>' for kind in KINDS)
        + "</div>"
        for lang in LANGS
    )
    + "</body></html>"
)


class NameStyles:
    """Computed text styles of the names block, by kind of text, language and size.

    Read from a names block laid out once, then resized for each text (see badge.css).
    """

    def __init__(self, font_config, stylesheet) -> None:
        from weasyprint import HTML
        from weasyprint.css.properties import INITIAL_VALUES
        from weasyprint.formatting_structure.boxes import TextBox

        document = HTML(string=PROBE).render(font_config=font_config, stylesheets=[stylesheet])
        self._base = {}
        for box in document.pages[0]._page_box.descendants():
            if isinstance(box, TextBox):
                style = _Style(font_config)
                # Every property computed now, so that a copy at another size is complete
                # (but for logical ones, which WeasyPrint computes through their physical
                # counterparts, and text drawing does not read).
                for key in INITIAL_VALUES:
                    try:
                        style[key] = box.style[key]
                    except KeyError:
                        continue
                # Copies at other sizes keep what was computed at this one: nothing here may
                # depend on the font size but the line height (a number, times the size).
                spacing = style["letter_spacing"], style["word_spacing"]
                if spacing != ("normal", 0) or not isinstance(style["line_height"], float):
                    raise ValueError(f"names: unsupported {box.text} style in badge.css")
                self._base[box.text, style["lang"]] = style
        self._sized: dict = {}

    def get(self, kind: str, lang: str, size: float) -> "_Style":
        """The style of a ``kind`` text in ``lang`` at ``size`` points."""
        key = kind, lang, size
        style = self._sized.get(key)
        if style is None:
            style = self._sized[key] = self._base[kind, lang].sized(size * 4 / 3)
        return style


class _Style(dict):
    """A computed WeasyPrint style (plain values), with the font configuration it needs."""

    def __init__(self, font_config) -> None:
        super().__init__()
        self.font_config = font_config
        self._layout = None

    def sized(self, font_size: float) -> "_Style":
        copy = _Style(self.font_config)
        copy.update(self)
        copy["font_size"] = font_size
        return copy

    def layout(self):
        """A Pango layout of this style, made once: each line only sets its text."""
        if self._layout is None:
            from weasyprint.text.line_break import Layout

            self._layout = Layout(self)
        return self._layout


def names_pages(blank, pages: list[list[Cell]], layout_name: str, styles: NameStyles) -> list:
    """Pages to give ``Document.copy``: copies of ``blank`` with the names of ``pages``."""
    return [_NamesPage(blank, cells, layout_name, styles) for cells in pages]


class _NamesPage:
    """A page for WeasyPrint to paint: the blank sheet's size, with names drawn on it."""

    def __init__(self, blank, cells: list, layout_name: str, styles: NameStyles) -> None:
        self.blank = blank
        self.cells = cells
        self.layout_name = layout_name
        self.styles = styles

    def __getattr__(self, name: str):
        return getattr(self.blank, name)

    def paint(self, stream, scale: float = 1) -> None:
        # The blank sheet's own drawing (crop marks) is drawn by the renderer's finisher.
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            origins = layout.cell_origins(self.layout_name)
            for cell, origin in zip(self.cells, origins, strict=False):
                draw_names(stream, cell, origin, self.styles)


def draw_names(stream, cell: Cell, origin: tuple[float, float], styles: NameStyles) -> None:
    """Draw ``cell``'s names block on a page whose user space is CSS pixels, y down.

    ``origin`` is the badge's top-left corner on the page, in millimetres.
    """
    left = (origin[0] + layout.SIDE_MARGIN) * PX
    top = (origin[1] + layout.NAMES_TOP) * PX
    width = layout.TEXT_WIDTH * PX
    with stream.stacked():
        # The block clips what overflows it (overflow: hidden).
        stream.rectangle(left, top, width, layout.NAMES_HEIGHT * PX)
        stream.clip()
        stream.end()
        y = top + cell.names_padding * PX
        texts = (
            ("name", 0.0, cell.primary),
            ("name", layout.LATIN_MARGIN, cell.secondary),
            ("organisation", layout.ORGANISATION_MARGIN, cell.organisation),
            ("job-title", layout.JOB_TITLE_MARGIN, cell.job_title),
        )
        for kind, margin, fitted in texts:
            if fitted is None:
                continue
            style = styles.get(kind, cell.lang, fitted.size)
            line_height = style["line_height"] * style["font_size"]
            y += margin * PX
            # A job title keeps to one line (layout.fit_text gives it one).
            lines = fitted.lines[:1] if kind == "job-title" else fitted.lines
            stream.set_color(style["color"])
            stream.begin_text()
            emojis = []
            for line in lines:
                emojis.append(_draw_line(stream, line, style, left, y, width, line_height))
                y += line_height
            stream.end_text()
            _draw_emojis(stream, style, emojis)


def _draw_line(stream, text, style, left, top, width, line_height) -> tuple:
    from weasyprint.draw.text import draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.text.ffi import FROM_UNITS, pango
    from weasyprint.text.line_break import line_size

    text = _COLLAPSIBLE.sub(" ", text).strip(" ")
    if not text:
        return left, top, []
    pango_layout = style.layout()
    pango_layout.set_text(text)
    line, _ = pango_layout.get_first_line()
    line_width, height = line_size(line, style)
    baseline = pango.pango_layout_get_baseline(pango_layout.layout) * FROM_UNITS
    # text-align: center, unless the line is too wide (then it starts at the left).
    x = left + (width - line_width) / 2 if line_width < width else left
    y = top + (line_height - height) / 2 + baseline
    box = SimpleNamespace(text=text, style=style, pango_layout=pango_layout)
    return x, y, draw_first_line(stream, box, "clip", "none", Matrix(d=-1, e=x, f=y))


def _draw_emojis(stream, style, lines: list) -> None:
    """Colour glyphs (emoji fonts) are images, drawn after the text, as WeasyPrint does."""
    from weasyprint.draw.text import draw_emojis

    for x, y, emojis in lines:
        if emojis:
            draw_emojis(stream, style, x, y, emojis)
