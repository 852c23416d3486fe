"""Badge PDFs with WeasyPrint, from BadgeFace data (no database access here).

Speed comes from these things:

- one :class:`Renderer` per thread (so per process in gunicorn and in the print pool) keeps
  WeasyPrint's ``FontConfiguration``, the parsed badge stylesheet, the names' text styles,
  WeasyPrint's cache and the laid-out sheets below, so a document lays nothing out: it costs
  drawing, font subsetting and writing;
- WeasyPrint subsets fonts with libharfbuzz-subset (the Debian package
  ``libharfbuzz-subset0``; without it, it falls back to fontTools, several times slower, and
  logs a warning that the tests turn into a failure);
- what badges of one category and script share (summit header, category band), and the
  blank sheet of each layout (with its crop marks), are laid out once per renderer; each
  document draws them once, as form XObjects that its badge pages use (see
  :class:`_Finisher`);
- a badge's names are drawn onto its page without WeasyPrint's layout (badges/names.py), so
  a badge costs shaping and drawing its few lines of text;
- the QR code is not an SVG for WeasyPrint to parse (~26 ms a code), but PDF rectangles
  appended to the page's content stream by the finisher, one per run of dark modules, into
  the square the template leaves empty (well under 1 ms).
"""

import threading

from django.template.loader import get_template, render_to_string

from badges import layout
from badges.layout import MM, BadgeFace, SummitFace
from badges.names import NameStyles, draw_names
from badges.pdfmerge import RelocatablePages, relocatable
from badges.qr import pdf_operators

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


# Laid-out sheets a renderer keeps (a few per summit and layout); past this, it starts over.
MAX_SHEETS = 64


class Renderer:
    """WeasyPrint's reusable state: font configuration, stylesheet, text styles, sheets."""

    def __init__(self) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=stylesheet_text(), font_config=self.font_config)
        self.template = get_template("badges/pdf/sheet.html")
        self.name_styles = NameStyles(self.font_config, self.stylesheet)
        self.cache: dict = {}
        # Laid-out pages: the blank sheet of each layout, each background of each summit.
        self.sheets: dict = {}
        self.source = None  # a document the sheets came from, for Document.copy

    def render(
        self, summit: SummitFace, badges: list[BadgeFace], *, layout_name: str, title: str = ""
    ) -> bytes:
        """One PDF holding ``badges`` in order, one per A6 page or four per A4 sheet."""
        document, finisher = self.document(summit, badges, layout_name=layout_name, title=title)
        return document.write_pdf(finisher=finisher)

    def render_pages(
        self, summit: SummitFace, badges: list[BadgeFace], *, layout_name: str
    ) -> RelocatablePages:
        """The pages :meth:`render` would write, ready to append to a bulk file."""
        from weasyprint import DEFAULT_OPTIONS
        from weasyprint.pdf import generate_pdf  # what write_pdf does, but for the writing

        document, finisher = self.document(summit, badges, layout_name=layout_name)
        pdf = generate_pdf(document, None, 1, **DEFAULT_OPTIONS)
        finisher(document, pdf)
        return relocatable(pdf)

    def document(
        self, summit: SummitFace, badges: list[BadgeFace], *, layout_name: str, title: str = ""
    ) -> tuple:
        """A WeasyPrint document of ``badges``, and the finisher that completes its PDF."""
        from weasyprint.pdf.metadata import DocumentMetadata

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
        styles = self.name_styles
        # Pages may come from several documents (WeasyPrint's Document.copy allows it).
        document = self.source.copy(
            shared + [_BadgePage(shared[0], cells, layout_name, styles) for cells in pages]
        )
        document.metadata = DocumentMetadata(
            title=title or None, lang=pages[0][0].lang if pages else "zh-Hans"
        )
        return document, _Finisher(layout_name, list(backgrounds), pages)

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
            html = self.template.render(
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


class _BadgePage:
    """A badge page: the blank sheet's size, with the names of its badges drawn on it."""

    def __init__(self, blank, cells: list, layout_name: str, styles: NameStyles) -> None:
        self.blank = blank
        self.cells = cells
        self.layout_name = layout_name
        self.styles = styles

    def __getattr__(self, name: str):
        return getattr(self.blank, name)

    def paint(self, stream, scale: float = 1) -> None:
        # The blank sheet's own drawing (crop marks) is copied in by the finisher.
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            origins = layout.cell_origins(self.layout_name)
            for cell, origin in zip(self.cells, origins, strict=False):
                draw_names(stream, cell, origin, self.styles)


class _Finisher:
    """WeasyPrint finisher: puts each badge's sheet, background and QR code into its page.

    A document starts with the blank sheet of its layout (crop marks, on four-up sheets)
    and one page per background (what badges of one category and script share: summit
    header, category band), each laid out once. Their drawings become form XObjects that
    each badge page draws (at the badge's place, for a background), and those pages are
    taken out of the page tree. Each QR code is drawn as rectangles.
    """

    def __init__(self, layout_name: str, backgrounds: list[tuple[str, str]], pages: list):
        self.layout_name = layout_name
        self.backgrounds = backgrounds
        self.pages = pages

    def __call__(self, document, pdf) -> None:
        import pydyf

        kids = pdf.pages["Kids"]  # flat: number, 0, "R" for each page
        shared = 1 + len(self.backgrounds)
        if len(kids) != 3 * (shared + len(self.pages)):
            raise RuntimeError("badge pages and PDF pages differ")
        page_dicts = [pdf.objects[kids[3 * index]] for index in range(len(kids) // 3)]
        streams = [pdf.objects[int(page["Contents"].split()[0])] for page in page_dicts]
        resources_reference = page_dicts[0]["Resources"]
        resources = pdf.objects[int(resources_reference.split()[0])]
        forms = resources.setdefault("XObject", pydyf.Dictionary())
        names = []
        for index, (page, stream) in enumerate(zip(page_dicts, streams[:shared], strict=False)):
            # The first operator sets the page's own user space (points, y down); the badge
            # pages have set theirs already when they draw the form.
            first, *operators = stream.stream
            if not first.endswith(b" cm"):
                raise RuntimeError("unexpected WeasyPrint page stream")
            stream.stream = []
            box = page["MediaBox"]
            form = pydyf.Stream(
                operators,
                {
                    "Type": "/XObject",
                    "Subtype": "/Form",
                    "BBox": pydyf.Array([0, 0, box[2] - box[0], box[3] - box[1]]),
                    "Resources": resources_reference,
                },
                compress=stream.compress,
            )
            pdf.add_object(form)
            name = f"Badge{index}"
            forms[name] = form.reference
            names.append(b"/%s Do" % name.encode())
        sheet, backgrounds = names[0], dict(zip(self.backgrounds, names[1:], strict=True))
        origins = layout.cell_origins(self.layout_name)
        for cells, stream in zip(self.pages, streams[shared:], strict=True):
            stream.stream.append(sheet)
            for cell, (left, top) in zip(cells, origins, strict=False):
                stream.stream.append(
                    b"q 1 0 0 1 %.3f %.3f cm %s Q"
                    % (left * MM, top * MM, backgrounds[cell.background])
                )
                stream.stream.append(
                    pdf_operators(
                        cell.badge.code,
                        (left + layout.QR_LEFT) * MM,
                        (top + layout.QR_TOP) * MM,
                        layout.QR_SIZE * MM,
                    )
                )
        del kids[: 3 * shared]
        pdf.pages["Count"] -= shared


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
