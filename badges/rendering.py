"""Badge PDFs with WeasyPrint, from BadgeFace data (no database access here).

A document is made through WeasyPrint's public API, doing once what badges share:

- one :class:`Renderer` per thread (so per process in gunicorn and in the print pool) keeps
  WeasyPrint's ``FontConfiguration``, the parsed badge stylesheet, WeasyPrint's cache and
  the shared pages below, so that a document lays out only its badges' names;
- WeasyPrint subsets fonts with libharfbuzz-subset (the Debian package
  ``libharfbuzz-subset0``; without it, it falls back to fontTools, much slower, and logs a
  warning that the tests turn into a failure);
- the shared pages: the blank sheet of each layout (with its crop marks) and what badges of
  one category and script share (summit header, category band), laid out once per
  renderer and put into each document with ``Document.copy``, which takes pages from
  several documents;
- the badge pages hold the names blocks: laid out by WeasyPrint from
  ``badges/pdf/names.html``, or, with ``settings.BADGE_NAMES_ADAPTER``, drawn onto copies
  of the blank sheet by badges/weasyprint_adapter.py (the one module that uses WeasyPrint's
  internals, because laying names out costs most of a badge in bulk files);
- a finisher (``write_pdf``'s documented hook, working on pydyf's PDF objects) turns the
  shared pages into form XObjects that each badge page draws at its badge's place, takes
  them out of the page tree, and draws each QR code (badges/qr.py) into the square the
  template leaves empty: an SVG for WeasyPrint to parse would cost more than the rest of
  the badge.
"""

import threading
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import get_template, render_to_string

from badges import layout, qr
from badges.layout import MM, BadgeFace, Cell, SummitFace

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
            "names_height": layout.NAMES_HEIGHT,
            "latin_margin": layout.LATIN_MARGIN,
            "organisation_margin": layout.ORGANISATION_MARGIN,
            "job_title_margin": layout.JOB_TITLE_MARGIN,
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


# Laid-out sheets a renderer keeps (a few per summit and layout); past this, it starts over.
MAX_SHEETS = 64


@dataclass(frozen=True)
class NamesBlock:
    """A badge's names block on its sheet, as names.html places it (millimetres as text)."""

    cell: Cell
    left: str
    top: str


def _millimetres(value: float) -> str:
    # Written out by Python, not by the template engine, which would localise the decimal
    # separator.
    return f"{value:.4f}".rstrip("0").rstrip(".")


class Renderer:
    """WeasyPrint's reusable state: font configuration, stylesheet, templates, sheets.

    ``names_adapter`` chooses how names are drawn (default: ``settings.BADGE_NAMES_ADAPTER``).
    """

    def __init__(self, *, names_adapter: bool | None = None) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=stylesheet_text(), font_config=self.font_config)
        self.sheet_template = get_template("badges/pdf/sheet.html")
        self.names_template = get_template("badges/pdf/names.html")
        self.cache: dict = {}
        # Laid-out pages: the blank sheet of each layout, each background of each summit.
        self.sheets: dict = {}
        self.source = None  # a document the sheets came from, for Document.copy
        if names_adapter is None:
            names_adapter = settings.BADGE_NAMES_ADAPTER
        self.name_styles = None
        if names_adapter:
            from badges import weasyprint_adapter

            self.name_styles = weasyprint_adapter.NameStyles(self.font_config, self.stylesheet)

    def render(
        self, summit: SummitFace, badges: list[BadgeFace], *, layout_name: str, title: str = ""
    ) -> bytes:
        """One PDF holding ``badges`` in order, one per A6 page or four per A4 sheet."""
        document, finisher = self.document(summit, badges, layout_name=layout_name, title=title)
        return document.write_pdf(finisher=finisher)

    def document(
        self, summit: SummitFace, badges: list[BadgeFace], *, layout_name: str, title: str = ""
    ) -> tuple:
        """A WeasyPrint document of ``badges``, and the finisher that completes its PDF."""
        from weasyprint.document import DocumentMetadata

        per_page = layout.BADGES_PER_PAGE[layout_name]
        pages = [
            [
                layout.fit_cell(badge, summit, position)
                for position, badge in enumerate(badges[start : start + per_page])
            ]
            for start in range(0, len(badges), per_page)
        ]
        backgrounds = {cell.background: cell for page in pages for cell in page}
        shared = self.shared_sheets(summit, layout_name, list(backgrounds.values()))
        document = self.source.copy(shared + self.badge_pages(shared[0], pages, layout_name))
        document.metadata = DocumentMetadata(
            title=title or None, lang=pages[0][0].lang if pages else "zh-Hans"
        )
        return document, _Finisher(layout_name, list(backgrounds), pages)

    def badge_pages(self, blank, pages: list[list[Cell]], layout_name: str) -> list:
        """One page per sheet of badges, holding their names blocks."""
        if self.name_styles is not None:
            from badges import weasyprint_adapter

            return weasyprint_adapter.names_pages(blank, pages, layout_name, self.name_styles)
        from weasyprint import HTML

        origins = layout.cell_origins(layout_name)
        html = self.names_template.render(
            {
                "layout": layout_name,
                "pages": [
                    [
                        NamesBlock(
                            cell,
                            _millimetres(left + layout.SIDE_MARGIN),
                            _millimetres(top + layout.NAMES_TOP),
                        )
                        for cell, (left, top) in zip(cells, origins, strict=False)
                    ]
                    for cells in pages
                ],
            }
        )
        document = HTML(string=html).render(
            font_config=self.font_config, stylesheets=[self.stylesheet], cache=self.cache
        )
        if len(document.pages) != len(pages):
            raise RuntimeError("a names block overflowed its sheet")
        return document.pages

    def shared_sheets(self, summit: SummitFace, layout_name: str, cells: list) -> list:
        """The blank sheet of the layout, then the background of each cell's kind.

        Laid out once per renderer, in one document, when first needed.
        """
        from weasyprint import HTML

        keys = [(None, layout_name)] + [(summit, cell.background) for cell in cells]
        missing = {
            key: cell
            for key, cell in zip(keys, [None, *cells], strict=True)
            if key not in self.sheets
        }
        if missing:
            html = self.sheet_template.render(
                {
                    "sheets": [
                        {
                            "layout": layout_name if cell is None else layout.LAYOUT_A6,
                            "background": None if cell is None else cell.background_context,
                        }
                        for cell in missing.values()
                    ],
                    "summit": summit,
                }
            )
            document = HTML(string=html).render(
                font_config=self.font_config, stylesheets=[self.stylesheet], cache=self.cache
            )
            if len(self.sheets) + len(missing) > MAX_SHEETS:
                self.sheets.clear()
            self.sheets.update(zip(missing, document.pages, strict=True))
            self.source = document
        return [self.sheets[key] for key in keys]


def _referenced(pdf, value):
    """The object a pydyf reference (b"12 0 R") points to; any other value as it is."""
    if isinstance(value, (bytes, str)):
        return pdf.objects[int(value.split()[0])]
    return value


class _Finisher:
    """WeasyPrint finisher: puts each badge's sheet, background and QR code into its page.

    A document starts with the blank sheet of its layout (crop marks, on four-up sheets)
    and one page per background (what badges of one category and script share), each laid
    out once. Their drawings become form XObjects that each badge page draws (at the
    badge's place, for a background), and those pages are taken out of the page tree.
    Each QR code is drawn into its square.

    Everything added to a badge page is drawn in PDF's default user space (points, y up,
    from the page's lower-left corner): the page's own content is wrapped in q … Q first,
    so that nothing depends on how WeasyPrint set up its drawing.
    """

    def __init__(self, layout_name: str, backgrounds: list[tuple[str, str]], pages: list):
        self.layout_name = layout_name
        self.backgrounds = backgrounds
        self.pages = pages

    def __call__(self, document, pdf) -> None:
        import pydyf

        kids = pdf.pages["Kids"]  # pydyf's page references: number, 0, "R" for each page
        shared = 1 + len(self.backgrounds)
        if len(kids) != 3 * (shared + len(self.pages)):
            raise RuntimeError("badge pages and PDF pages differ")
        page_dicts = [pdf.objects[kids[index]] for index in range(0, len(kids), 3)]
        names = []
        for index, page in enumerate(page_dicts[:shared]):
            stream = _referenced(pdf, page["Contents"])
            form = pydyf.Stream(
                list(stream.stream),
                {
                    "Type": "/XObject",
                    "Subtype": "/Form",
                    "BBox": pydyf.Array(page["MediaBox"]),
                    "Resources": page["Resources"],
                },
                compress=stream.compress,
            )
            pdf.add_object(form)
            name = f"Badge{index}"
            names.append((name, form.reference, page["MediaBox"]))
        (sheet, *backgrounds) = names
        backgrounds = dict(zip(self.backgrounds, backgrounds, strict=True))
        origins = layout.cell_origins(self.layout_name)
        for cells, page in zip(self.pages, page_dicts[shared:], strict=True):
            resources = _referenced(pdf, page["Resources"])
            forms = resources.setdefault("XObject", pydyf.Dictionary())
            for name, reference, _ in (sheet, *backgrounds.values()):
                forms[name] = reference
            left, bottom, _, top = page["MediaBox"]
            stream = _referenced(pdf, page["Contents"])
            stream.stream.insert(0, b"q")
            stream.stream.append(b"Q")
            stream.stream.append(_draw_form(sheet, left, bottom))
            for cell, (cell_left, cell_top) in zip(cells, origins, strict=False):
                # A badge's corner on its sheet in thousandths of a point, as badge pages
                # have always been drawn (so that they stay the same to the pixel).
                corner_left, corner_top = round(cell_left * MM, 3), round(cell_top * MM, 3)
                badge_bottom = top - corner_top - layout.BADGE_HEIGHT * MM
                stream.stream.append(
                    _draw_form(backgrounds[cell.background], left + corner_left, badge_bottom)
                )
                stream.stream.append(
                    qr.pdf_operators(
                        cell.badge.code,
                        left + (cell_left + layout.QR_LEFT) * MM,
                        top - (cell_top + layout.QR_TOP) * MM,
                        layout.QR_SIZE * MM,
                    )
                )
        del kids[: 3 * shared]
        pdf.pages["Count"] -= shared


def _draw_form(form: tuple, left: float, bottom: float) -> bytes:
    """Operators drawing a form made from a page with its lower-left corner at (left, bottom)."""
    name, _, box = form
    return b"q 1 0 0 1 %.6f %.6f cm /%s Do Q" % (left - box[0], bottom - box[1], name.encode())


def renderer() -> Renderer:
    """This thread's renderer, for the configured way of drawing names (made on first use)."""
    key = bool(settings.BADGE_NAMES_ADAPTER)
    renderers = getattr(_local, "renderers", None)
    if renderers is None:
        renderers = _local.renderers = {}
    current = renderers.get(key)
    if current is None:
        current = renderers[key] = Renderer(names_adapter=key)
    return current


def render_badges(
    summit: SummitFace, badges: list[BadgeFace], *, layout_name: str = "a6", title: str = ""
) -> bytes:
    return renderer().render(summit, badges, layout_name=layout_name, title=title)
