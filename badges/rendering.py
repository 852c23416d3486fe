"""Badge PDFs with WeasyPrint, from BadgeFace data (no database access here).

Speed comes from three things:

- one :class:`Renderer` per thread (so per process in gunicorn and in the print pool) keeps
  WeasyPrint's ``FontConfiguration``, the parsed badge stylesheet and WeasyPrint's cache, so
  a badge costs layout and font subsetting only;
- WeasyPrint subsets fonts with libharfbuzz-subset (the Debian package
  ``libharfbuzz-subset0``; without it, it falls back to fontTools, several times slower, and
  logs a warning that the tests turn into a failure);
- the QR code is not an SVG for WeasyPrint to parse (~30 ms a code), but PDF rectangles
  appended to the page's content stream by a WeasyPrint *finisher*, one per run of dark
  modules, into the square the template leaves empty (about 0.3 ms).
"""

import threading

from django.template.loader import get_template, render_to_string

from badges import layout
from badges.layout import MM, BadgeFace, SummitFace
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
            "names_top": layout.NAMES_TOP,
            "names_height": layout.NAMES_HEIGHT,
            "band_top": layout.BAND_TOP,
            "band_height": layout.BAND_HEIGHT,
            # Two lines (19 pt and 11 pt, line height 1.1, 0.6 mm apart) centred in the band.
            "band_padding": round((layout.BAND_HEIGHT - (30 * 1.1 * layout.PT + 0.6)) / 2, 2),
            "offsets": layout.offset_classes(),
            "qr_top": layout.QR_TOP,
            "qr_left": layout.QR_LEFT,
            "qr_size": layout.QR_SIZE,
            "cells": layout.FOUR_UP_CELLS,
            "crop_centre_top": layout.BADGE_HEIGHT - 4,
            "crop_centre_left": layout.BADGE_WIDTH - 4,
            "category_colours": layout.CATEGORY_COLOURS,
            "font_sizes": layout.font_size_classes(),
        },
    )


class Renderer:
    """WeasyPrint's reusable state: font configuration, stylesheet, template, cache."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=stylesheet_text(), font_config=self.font_config)
        self.template = get_template("badges/pdf/sheet.html")
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
        html = self.template.render(
            {
                "pages": pages,
                "layout": layout_name,
                "title": title,
                "summit": summit,
                "lang": "zh-Hant" if badges and badges[0].script == "zh-hant" else "zh-Hans",
            }
        )
        return HTML(string=html).write_pdf(
            finisher=_QrCodes(layout_name, pages),
            font_config=self.font_config,
            stylesheets=[self.stylesheet],
            cache=self.cache,
        )


class _QrCodes:
    """WeasyPrint finisher drawing each badge's QR code into its page's content stream."""

    def __init__(self, layout_name: str, pages: list) -> None:
        self.layout_name = layout_name
        self.pages = pages

    def __call__(self, document, pdf) -> None:
        kids = pdf.pages["Kids"]  # flat: number, 0, "R" for each page
        if len(kids) != 3 * len(self.pages):
            raise RuntimeError("badge pages and PDF pages differ; did a badge overflow?")
        for index, cells in enumerate(self.pages):
            page = pdf.objects[kids[3 * index]]
            contents = pdf.objects[int(page["Contents"].split()[0])]
            squares = layout.qr_squares(self.layout_name, len(cells))
            # After WeasyPrint's drawing, the user space is in points, origin at the top
            # left, y pointing down.
            operators = [
                pdf_operators(qr_matrix(cell.badge.code), left * MM, top * MM, layout.QR_SIZE * MM)
                for cell, (left, top) in zip(cells, squares, strict=True)
            ]
            contents.stream.extend(operators)


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
