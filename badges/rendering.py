"""Badge PDFs with WeasyPrint, from BadgeFace data (no database access here).

Speed comes from these things:

- one :class:`Renderer` per thread (so per process in gunicorn and in the print pool) keeps
  WeasyPrint's ``FontConfiguration``, the parsed badge stylesheet, the names' text styles and
  WeasyPrint's cache, so a document costs layout of its shared parts and font subsetting;
- WeasyPrint subsets fonts with libharfbuzz-subset (the Debian package
  ``libharfbuzz-subset0``; without it, it falls back to fontTools, several times slower, and
  logs a warning that the tests turn into a failure);
- what badges of one category and script share (summit header, category band) is laid out
  once per document and its drawing copied onto each badge's page (see :class:`_Finisher`);
- a badge's page is a copy of one blank sheet laid out once per document, onto which its
  names are drawn without WeasyPrint's layout (badges/names.py), so a badge costs shaping
  and drawing its few lines of text;
- the QR code is not an SVG for WeasyPrint to parse (~26 ms a code), but PDF rectangles
  appended to the page's content stream by the finisher, one per run of dark modules, into
  the square the template leaves empty (well under 1 ms).
"""

import threading

from django.template.loader import get_template, render_to_string

from badges import layout
from badges.layout import MM, BadgeFace, SummitFace
from badges.names import NameStyles, draw_names
from badges.qr import pdf_operators, qr_matrix

_local = threading.local()


def stylesheet_text() -> str:
    """The badge stylesheet, with the geometry of badges/layout.py filled in."""
    return render_to_string(
        "badges/pdf/badge.css",
        {
            "badge_width": layout.BADGE_WIDTH,
            "badge_height": layout.BADGE_HEIGHT,
            "two_heights": 2 * layout.BADGE_HEIGHT,
            "a4_width": layout.A4_WIDTH,
            "a4_height": layout.A4_HEIGHT,
            "side": layout.SIDE_MARGIN,
            "text_width": layout.TEXT_WIDTH,
            "summit_top": layout.SUMMIT_TOP,
            "band_top": layout.BAND_TOP,
            "band_height": layout.BAND_HEIGHT,
            # Two lines (19 pt and 11 pt, line height 1.1, 0.6 mm apart) centred in the band.
            "band_padding": round((layout.BAND_HEIGHT - (30 * 1.1 * layout.PT + 0.6)) / 2, 2),
            "qr_top": layout.QR_TOP,
            "qr_left": layout.QR_LEFT,
            "qr_size": layout.QR_SIZE,
            "crop_centre_top": layout.BADGE_HEIGHT - 4,
            "crop_centre_left": layout.BADGE_WIDTH - 4,
            "category_colours": layout.CATEGORY_COLOURS,
            "font_sizes": layout.font_size_classes(),
        },
    )


class Renderer:
    """WeasyPrint's reusable state: font configuration, stylesheet, text styles, cache."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=stylesheet_text(), font_config=self.font_config)
        self.template = get_template("badges/pdf/sheet.html")
        self.name_styles = NameStyles(self.font_config, self.stylesheet)
        self.cache: dict = {}

    def render(
        self, summit: SummitFace, badges: list[BadgeFace], *, layout_name: str, title: str = ""
    ) -> bytes:
        """One PDF holding ``badges`` in order, one per A6 page or four per A4 sheet."""
        from weasyprint import HTML

        per_page = layout.BADGES_PER_PAGE[layout_name]
        pages = [
            [
                layout.fit_cell(badge, summit, position)
                for position, badge in enumerate(badges[start : start + per_page])
            ]
            for start in range(0, len(badges), per_page)
        ]
        backgrounds = {cell.background: cell for page in pages for cell in page}
        html = self.template.render(
            {
                "backgrounds": [cell.background_context for cell in backgrounds.values()],
                "layout": layout_name,
                "title": title,
                "summit": summit,
                "lang": pages[0][0].lang if pages else "zh-Hans",
            }
        )
        document = HTML(string=html).render(
            font_config=self.font_config, stylesheets=[self.stylesheet], cache=self.cache
        )
        # The backgrounds' pages, then one page per badge page, each a copy of the blank sheet.
        blank = document.pages.pop()
        styles = self.name_styles
        document.pages += [_BadgePage(blank, cells, layout_name, styles) for cells in pages]
        return document.write_pdf(finisher=_Finisher(layout_name, list(backgrounds), pages))


class _BadgePage:
    """A page of the document: the blank sheet, with the names of its badges drawn on it."""

    def __init__(self, blank, cells: list, layout_name: str, styles: NameStyles) -> None:
        self.blank = blank
        self.cells = cells
        self.layout_name = layout_name
        self.styles = styles

    def __getattr__(self, name: str):
        return getattr(self.blank, name)

    def paint(self, stream, scale: float = 1) -> None:
        self.blank.paint(stream, scale)
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            origins = layout.cell_origins(self.layout_name)
            for cell, origin in zip(self.cells, origins, strict=False):
                draw_names(stream, cell, origin, self.styles)


class _Finisher:
    """WeasyPrint finisher: puts each badge's background and QR code into its page.

    A document starts with one page per background (what badges of one category and script
    share: summit header, category band), laid out once. Their drawing operators are copied
    into each badge page's content stream at the badge's place, then those pages are taken
    out of the page tree (their streams emptied). Each QR code is drawn as rectangles.
    """

    def __init__(self, layout_name: str, backgrounds: list[tuple[str, str]], pages: list):
        self.layout_name = layout_name
        self.backgrounds = backgrounds
        self.pages = pages

    def __call__(self, document, pdf) -> None:
        kids = pdf.pages["Kids"]  # flat: number, 0, "R" for each page
        count = len(self.backgrounds) + len(self.pages)
        if len(kids) != 3 * count:
            raise RuntimeError("badge pages and PDF pages differ; did a badge overflow?")
        streams = [
            pdf.objects[int(pdf.objects[kids[3 * index]]["Contents"].split()[0])]
            for index in range(count)
        ]
        drawings = {}
        for key, stream in zip(self.backgrounds, streams, strict=False):
            # The first operator sets the page's own user space (points, y down); the badge
            # pages have set theirs already when the copy is appended.
            first, *operators = stream.stream
            if not first.endswith(b" cm"):
                raise RuntimeError("unexpected WeasyPrint page stream")
            drawings[key] = operators
            stream.stream = []
        origins = layout.cell_origins(self.layout_name)
        for cells, stream in zip(self.pages, streams[len(drawings) :], strict=True):
            for cell, (left, top) in zip(cells, origins, strict=False):
                stream.stream.append(b"q 1 0 0 1 %.3f %.3f cm" % (left * MM, top * MM))
                stream.stream.extend(drawings[cell.background])
                stream.stream.append(b"Q")
                stream.stream.append(
                    pdf_operators(
                        qr_matrix(cell.badge.code),
                        (left + layout.QR_LEFT) * MM,
                        (top + layout.QR_TOP) * MM,
                        layout.QR_SIZE * MM,
                    )
                )
        del kids[: 3 * len(drawings)]
        pdf.pages["Count"] -= len(drawings)


def renderer() -> Renderer:
    """This thread's renderer (created on first use: about 0.3 s)."""
    current = getattr(_local, "renderer", None)
    if current is None:
        current = _local.renderer = Renderer()
    return current


def render_badges(
    summit: SummitFace, badges: list[BadgeFace], *, layout_name: str = "a6", title: str = ""
) -> bytes:
    return renderer().render(summit, badges, layout_name=layout_name, title=title)
