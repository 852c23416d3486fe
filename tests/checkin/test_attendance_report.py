"""The attendance report: figures from the scan log, the PDF parsed back, the XLSX read back.

One morning in Hall A (3 places, two doors; its forum's session runs 09:00–12:00 on day 1):

- guest 1 (Guangdong) enters at 09:00, leaves at 10:00, comes back by the other door at
  11:00, is scanned in again at 11:05 (a re-entry) and leaves at 11:30;
- guest 2 (Hong Kong) enters at 09:30 and never scans out: checked out at 12:30;
- guest 3 (Macao) is scanned out at 10:15 without ever having been scanned in;
- guest 4 (overseas) never comes.
"""

import io
import uuid

import pytest
from django.core.management import call_command

from badges.checkin import checkpoints, services
from badges.checkin.attendance_report import report
from badges.checkin.attendance_report.figures import attendance_figures
from tests import factories
from tests.checkin.conftest import code_of
from tests.checkin.occupancy_helpers import hall_with_doors, scan
from tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def morning(summit, clock):
    room, (north, south) = hall_with_doors(summit, capacity=3)
    forum = factories.ForumFactory(
        summit=summit, room=room, title_en="Digital economy", title_zh_hans="数字经济"
    )
    factories.SessionFactory(forum=forum, room=room, starts_at=at(1, 9), ends_at=at(1, 12))
    north.forum = south.forum = forum
    north.save()
    south.save()
    guests = [
        factories.BadgeFactory(registration__summit=summit, registration__region=region)
        for region in ("guangdong", "hong_kong", "macao", "overseas")
    ]
    for number in (0, 1, 3):
        factories.EnrolmentFactory(registration=guests[number].registration, forum=forum)
    scan(guests[0], north.slug, "entry", at=at(1, 9))
    scan(guests[1], north.slug, "entry", at=at(1, 9, 30))
    scan(guests[0], north.slug, "exit", at=at(1, 10))
    scan(guests[2], south.slug, "exit", at=at(1, 10, 15))
    scan(guests[0], south.slug, "entry", at=at(1, 11))
    scan(guests[0], north.slug, "entry", at=at(1, 11, 5))
    scan(guests[0], north.slug, "exit", at=at(1, 11, 30))
    clock.move_to(at(2, 9))
    return room, forum, guests


def test_figures_follow_the_rules_of_stays(summit, morning):
    _room, _forum, _guests = morning

    figures = attendance_figures(summit)

    counts = figures.counts
    assert (counts.entries, counts.exits, counts.re_entries) == (4, 3, 1)
    assert (counts.exits_without_entry, counts.automatic_exits, counts.still_inside) == (1, 1, 0)
    [hall] = figures.rooms
    assert (hall["peak"], hall["peak_at"], hall["capacity"], hall["peak_percent"]) == (
        2,
        at(1, 9, 30),
        3,
        67,
    )
    # (60 + 30 minutes for guest 1, 180 for guest 2) / 2 guests
    assert (hall["guests"], hall["minutes_per_guest"], hall["automatic_exits"]) == (2, 135, 1)
    [forum_row] = figures.forums
    assert (forum_row["enrolled"], forum_row["attended"], forum_row["no_show_rate"]) == (
        3,
        2,
        33.3,
    )
    assert figures.totals["confirmed"] == 4
    assert (figures.totals["attended"], figures.totals["no_show_rate"]) == (2, 50.0)
    assert [(row["key"], row["confirmed"], row["attended"]) for row in figures.regions] == [
        ("mainland", 1, 1),
        ("hong_kong", 1, 1),
        ("macao", 1, 0),
        ("abroad", 1, 0),
    ]
    assert dict(figures.arrivals[at(1, 0).date()])["09:00"] == 1
    assert dict(figures.arrivals[at(1, 0).date()])["09:30"] == 1


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_shows_the_databases_figures_and_its_charts(summit, morning):
    _room, _forum, _guests = morning

    content = report.render_pdf(summit, lang="en")

    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Attendance report" in text
    figures = attendance_figures(summit)
    [hall] = figures.rooms
    assert f"Hall A {hall['capacity']} {hall['peak']} ({hall['peak_percent']} %) 09:30" in text
    assert "Digital economy Hall A 3 2 33.3 % 2 / 3 09:30 135" in " ".join(text.split())
    assert "Exits without entry 1" in text
    assert "Automatic exits 1" in text
    assert "Re-entries 1" in text
    # The charts are drawn as vector graphics with their text kept as text: one occupancy
    # chart for the hall (its title and axis), one arrivals chart per day.
    assert text.count("Guests inside") == 1
    assert text.count("Capacity") >= 2
    assert text.count("Arrivals per 15 minutes") == 2 * len(summit.days)


def test_the_pdf_in_simplified_chinese_has_extractable_chinese_text(summit, morning):
    room, _forum, _guests = morning

    text = pdf_text(report.render_pdf(summit, lang="zh-hans"))

    assert "出席报告" in text
    assert room.name_zh_hans in text
    assert "数字经济" in text
    assert "馆内人数" in text  # the chart's axis, as text


def test_the_xlsx_holds_the_same_figures(summit, morning):
    from openpyxl import load_workbook

    content = report.render_xlsx(summit, lang="en")

    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [
        "Summary",
        "Forums",
        "Rooms",
        "By region",
        "By category",
        "Arrivals",
        "Occupancy",
        "Scans",
    ]
    rows = list(book["Rooms"].iter_rows(values_only=True))
    assert rows[1] == ("2026-12-08", "Hall A", 3, 2, 67, "09:30", 2, 135, 1)
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Confirmed guests"] == 4
    assert summary["Exits without entry"] == 1
    occupancy = list(book["Occupancy"].iter_rows(min_row=2, values_only=True))
    assert ("2026-12-08", "Hall A", "09:30", 2, 3) in occupancy
    scans = list(book["Scans"].iter_rows(min_row=2, values_only=True))
    assert [(row[0][11:16], row[3]) for row in scans] == [
        ("09:00", "Entry"),
        ("09:30", "Entry"),
        ("10:00", "Exit"),
        ("10:15", "Exit"),
        ("11:00", "Entry"),
        ("11:05", "Entry"),
        ("11:30", "Exit"),
    ]


def test_the_command_writes_both_files(summit, morning, tmp_path):
    pdf, xlsx = tmp_path / "report.pdf", tmp_path / "report.xlsx"

    call_command("attendance_report", "--out", str(pdf), "--xlsx", str(xlsx), "--lang", "zh-hant")

    assert pdf.read_bytes().startswith(b"%PDF")
    assert "出席報告" in pdf_text(pdf.read_bytes())
    assert xlsx.read_bytes().startswith(b"PK")


def test_an_exit_uploaded_late_takes_its_place_by_scan_time(summit, morning):
    """Guest 2's exit at 10:30 was scanned offline and uploaded the next morning: the stay
    ends at 10:30 (not automatically at 12:30)."""
    room, _forum, guests = morning
    [south] = [point for point in room.checkpoints.all() if point.slug.endswith("door-2")]

    services.record_batch(
        [
            services.BatchItem(
                code=code_of(guests[1]),
                checkpoint=checkpoints.checkpoint_info(south.slug),
                scan_id=uuid.uuid4(),
                scanned_at=at(1, 10, 30),
                offline_result="ok",
                direction="exit",
            )
        ],
        scanner=services.Scanner(),
    )

    figures = attendance_figures(summit)
    assert (figures.counts.automatic_exits, figures.counts.exits) == (0, 4)
    # (60 + 30 minutes for guest 1, 60 for guest 2) / 2 guests
    assert figures.rooms[0]["minutes_per_guest"] == 75
