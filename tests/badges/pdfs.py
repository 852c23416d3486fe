"""Reading badge PDFs back: pages, sizes, text, QR codes (decoded from rendered images)."""

import io
import logging
from contextlib import contextmanager

MM_PER_POINT = 25.4 / 72


def pages(content: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(content)).pages


def title(content: bytes) -> str | None:
    """The document's title (its information dictionary's /Title)."""
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(content)).metadata.title


def page_size_mm(page) -> tuple[int, int]:
    box = page.mediabox
    return round(float(box.width) * MM_PER_POINT), round(float(box.height) * MM_PER_POINT)


def text(page) -> str:
    """The page's text layer, whitespace collapsed to single spaces."""
    return " ".join(page.extract_text().split())


def qr_codes(content: bytes, page_index: int = 0, scale: float = 4) -> list[str]:
    """The texts of the QR codes on a page, decoded by zxing-cpp from a rendered image."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(content)
    try:
        image = document[page_index].render(scale=scale).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]


def character_boxes(content: bytes, page_index: int = 0) -> list[tuple[str, tuple]]:
    """Each character of the page with its box (left, bottom, right, top) in points."""
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    try:
        text_page = document[page_index].get_textpage()
        count = text_page.count_chars()
        return [
            (text_page.get_text_range(index, 1), text_page.get_charbox(index))
            for index in range(count)
        ]
    finally:
        document.close()


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def weasyprint_log():
    """Collect what WeasyPrint logs at WARNING or above (missing glyphs, CSS errors…)."""
    handler = _Records()
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)
