"""Concatenate many PDFs into one file, page by page, in constant memory.

Bulk badge files are rendered in chunks (one WeasyPrint document each, in a process pool).
Each chunk is turned, where it was rendered, into :class:`RelocatablePages`: its pages and
every object they reach, already serialised, with object references left as holes. The
process writing the file fills the holes with final object numbers and writes the chunk
straight out, so it only ever holds a chunk or two, and the offsets of what it wrote.

A chunk is serialised from WeasyPrint's PDF objects (pydyf's) before WeasyPrint writes
them (:func:`relocatable`): writing the chunk as a PDF and reading it back with pypdf cost
about a fifth of a badge's rendering. Only our own WeasyPrint output goes through here
(pages carry their own resources and media boxes; no outlines, forms or named destinations
to carry over).
"""

import re
import zlib
from array import array
from dataclasses import dataclass

PARENT = 0  # hole for the page tree's object number (local references start at 1)
CATALOG, PAGE_TREE = 1, 2
HEADER = b"%PDF-1.7\n%\xb5\xed\xae\xfb\n"
# How pydyf holds a reference to an object: its number, generation 0.
_REFERENCE = re.compile(rb"(\d+) 0 R")


@dataclass
class RelocatablePages:
    """Serialised objects of some pages: bytes, with ints for references (local numbers)."""

    objects: list[list]
    pages: list[int]


def relocatable(pdf) -> RelocatablePages:
    """The pages of a pydyf PDF (WeasyPrint's, before it is written) as RelocatablePages.

    Serialised as pydyf writes them, except references, and streams compressed at zlib's
    default level rather than pydyf's 9: within 1 % as small here, and up to four times
    less CPU on the longer content streams of four-up sheets (0.33 ms a badge).
    """
    import pydyf

    numbers: dict[int, int] = {}  # pydyf object number -> local number
    queue: list[int] = []

    def local(number: int) -> int:
        if number not in numbers:
            numbers[number] = len(numbers) + 1
            queue.append(number)
        return numbers[number]

    def emit(value, parts: list) -> None:
        if isinstance(value, bytes) and (reference := _REFERENCE.fullmatch(value)):
            parts += [local(int(reference[1])), b" 0 R"]
        elif isinstance(value, pydyf.Stream):
            content = b"\n".join(pydyf._to_bytes(item) for item in value.stream)
            extra = dict(value.extra)
            if value.compress:
                content = zlib.compress(content)
                extra["Filter"] = "/FlateDecode"
            extra["Length"] = len(content)
            emit_dictionary(extra, parts)
            parts += [b"\nstream\n", content, b"\nendstream"]
        elif isinstance(value, dict):
            emit_dictionary(value, parts)
        elif isinstance(value, list):
            parts.append(b"[")
            for index, item in enumerate(value):
                if index:
                    parts.append(b" ")
                emit(item, parts)
            parts.append(b"]")
        else:
            parts.append(pydyf._to_bytes(value))

    def emit_dictionary(value: dict, parts: list, *, page: bool = False) -> None:
        parts.append(b"<<")
        for key, item in value.items():
            parts += [b"/", pydyf._to_bytes(key), b" "]
            if page and key == "Parent":
                parts += [PARENT, b" 0 R"]
            else:
                emit(item, parts)
        parts.append(b">>")

    kids = pdf.pages["Kids"]  # flat: number, 0, "R" for each page
    pages = [local(number) for number in kids[::3]]
    page_numbers = set(kids[::3])
    objects = []
    while len(objects) < len(queue):
        number = queue[len(objects)]
        parts: list = []
        if number in page_numbers:
            emit_dictionary(pdf.objects[number], parts, page=True)
        else:
            emit(pdf.objects[number], parts)
        objects.append(_joined(parts))
    return RelocatablePages(objects, pages)


def _joined(parts: list) -> list:
    """Merge neighbouring bytes, so that filling the holes later is a short join."""
    joined, run = [], []
    for part in parts:
        if isinstance(part, int):
            if run:
                joined.append(b"".join(run))
                run = []
            joined.append(part)
        else:
            run.append(part)
    if run:
        joined.append(b"".join(run))
    return joined


class PdfConcatenation:
    """Writes a PDF to a binary file from RelocatablePages added in page order."""

    def __init__(self, file) -> None:
        self.file = file
        self.position = 0
        # Offsets by object number - 1; the catalogue and page tree are written last.
        self.offsets = array("q", [0, 0])
        self.kids = array("q")
        self._write(HEADER)

    def _write(self, data: bytes) -> None:
        self.file.write(data)
        self.position += len(data)

    def _object(self, number: int, body: bytes) -> None:
        self.offsets[number - 1] = self.position
        self._write(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    def add(self, chunk: RelocatablePages) -> None:
        base = len(self.offsets)  # local number n becomes base + n
        self.offsets.extend([0] * len(chunk.objects))
        for local_number, parts in enumerate(chunk.objects, start=1):
            body = b"".join(
                part
                if isinstance(part, bytes)
                else b"%d" % (PAGE_TREE if part == PARENT else base + part)
                for part in parts
            )
            self._object(base + local_number, body)
        self.kids.extend(base + page for page in chunk.pages)

    @property
    def page_count(self) -> int:
        return len(self.kids)

    def close(self, *, title: str = "") -> None:
        """Write the page tree, catalogue, information dictionary, xref table and trailer."""
        kids = b" ".join(b"%d 0 R" % kid for kid in self.kids)
        self._object(PAGE_TREE, b"<</Type /Pages /Count %d /Kids [%s]>>" % (len(self.kids), kids))
        self._object(CATALOG, b"<</Type /Catalog /Pages %d 0 R>>" % PAGE_TREE)
        info_number = len(self.offsets) + 1
        self.offsets.append(0)
        info = b"<</Producer (Bayline, WeasyPrint)"
        if title:
            info += b" /Title <feff%s>" % title.encode("utf-16-be").hex().encode()
        self._object(info_number, info + b">>")
        xref = self.position
        self._write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.offsets) + 1))
        for start in range(0, len(self.offsets), 1024):
            batch = self.offsets[start : start + 1024]
            self._write(b"".join(b"%010d 00000 n \n" % offset for offset in batch))
        self._write(
            b"trailer\n<</Size %d /Root %d 0 R /Info %d 0 R>>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self.offsets) + 1, CATALOG, info_number, xref)
        )
