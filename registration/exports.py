"""CSV and XLSX exports of a (filtered) guest list, streamed row by row."""

from collections.abc import Iterator
from typing import BinaryIO

from django.db.models import QuerySet
from django.utils import timezone

from registration import cells
from registration.models import Registration

# The first columns are those of the import (registration/imports.py), so an export of one
# summit can be edited and imported into another.
COLUMNS = [
    "email",
    "name",
    "name_latin",
    "organisation",
    "job_title",
    "region",
    "category",
    "language",
    "phone",
    "dietary",
    "dietary_notes",
    "accessibility_needs",
    "forums",
    "sessions",
    "status",
    "registered_at",
    "id",
]


def rows(registrations: QuerySet[Registration]) -> Iterator[list[str]]:
    # Times in the site's time zone (TIME_ZONE), as the pages show them, with its offset.
    site_zone = timezone.get_default_timezone()
    yield COLUMNS
    for registration in registrations.iterator(chunk_size=500):
        enrolments = list(registration.enrolments.all())  # prefetched: active ones only
        forums = ";".join(e.forum.slug for e in enrolments if e.forum_id)
        sessions = ";".join(str(e.session.uid) for e in enrolments if e.session_id)
        yield [
            registration.email,
            registration.name,
            registration.name_latin,
            registration.organisation,
            registration.job_title,
            registration.region,
            registration.category,
            registration.language,
            registration.phone,
            registration.dietary,
            registration.dietary_notes,
            registration.accessibility_needs,
            forums,
            sessions,
            registration.status,
            timezone.localtime(registration.created_at, site_zone).isoformat(timespec="seconds"),
            str(registration.pk),
        ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(registrations: QuerySet[Registration]) -> Iterator[str]:
    """CSV lines for a streaming response; starts with a BOM so Excel reads UTF-8."""
    import csv

    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows(registrations):
        yield writer.writerow([cells.neutralise(value) for value in row])


def write_csv(registrations: QuerySet[Registration], stream: BinaryIO) -> int:
    count = -1
    for count, line in enumerate(csv_lines(registrations)):  # noqa: B007
        stream.write(line.encode("utf-8"))
    return max(count - 1, 0)


def write_xlsx(registrations: QuerySet[Registration], stream: BinaryIO) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Guests")

    def cell(value: str) -> WriteOnlyCell:
        # XLSX cannot hold control characters; a formula-like value is stored as text, with
        # the quote prefix, so that it stays text when someone edits the cell.
        written = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        if cells.looks_like_formula(written.value):
            written.data_type = "s"
            written.quotePrefix = True
        return written

    count = -1
    for count, row in enumerate(rows(registrations)):  # noqa: B007
        sheet.append([cell(value) for value in row])
    workbook.save(stream)
    return max(count, 0)
