"""The attendance report as files: a PDF (WeasyPrint, SVG charts) and an XLSX with the same
figures, in the organiser's language (en, zh-hans, zh-hant)."""

import io

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from badges.checkin.attendance_report import charts
from badges.checkin.attendance_report.figures import Figures, attendance_figures
from badges.checkin.models import Scan
from summit import dates

LANGUAGES = ("en", "zh-hans", "zh-hant")
HTML_LANG = {"en": "en", "zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}
CSS_FONTS = {
    "en": '"DejaVu Sans", "Noto Sans CJK SC", sans-serif',
    "zh-hans": '"Noto Sans CJK SC", "DejaVu Sans", sans-serif',
    "zh-hant": '"Noto Sans CJK TC", "DejaVu Sans", sans-serif',
}


class UnknownLanguage(ValueError):
    pass


def _language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UnknownLanguage(lang)
    return lang


def report_html(figures: Figures) -> str:
    lang = translation.get_language() or "en"
    days = []
    for day in figures.days:
        rooms = [row for row in figures.rooms if row["day"] == day]
        days.append(
            {
                "day": day,
                "label": dates.long_day(day),
                "forums": [row for row in figures.forums if row["day"] == day],
                "rooms": rooms,
                "arrivals_chart": charts.as_data_uri(charts.arrivals_chart(figures, day)),
                "charts": [
                    (
                        row["room"],
                        charts.as_data_uri(charts.occupancy_chart(figures, day, row["room_id"])),
                    )
                    for row in rooms
                ],
            }
        )
    return render_to_string(
        "checkin/attendance_report/report.html",
        {
            "figures": figures,
            "days": days,
            "generated": figures.generated_at.strftime("%Y-%m-%d %H:%M"),
            "html_lang": HTML_LANG.get(lang, "en"),
            "fonts": CSS_FONTS.get(lang, CSS_FONTS["en"]),
        },
    )


def render_pdf(summit, *, lang: str, figures: Figures | None = None) -> bytes:
    """The attendance report as a PDF in ``lang``."""
    from weasyprint import HTML

    with translation.override(_language(lang)):
        figures = figures or attendance_figures(summit)
        html = report_html(figures)
        return HTML(string=html).write_pdf()


def render_xlsx(summit, *, lang: str, figures: Figures | None = None) -> bytes:
    """The same figures as the PDF, one sheet per table, in ``lang``."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    with translation.override(_language(lang)):
        figures = figures or attendance_figures(summit)
        # Write-only: rows are streamed to the file (the scans sheet holds every scan).
        book = Workbook(write_only=True)
        bold = Font(bold=True)

        def sheet(title, header, rows):
            page = book.create_sheet(title[:31])
            heading = []
            for text in header:
                cell = WriteOnlyCell(page, value=text)
                cell.font = bold
                heading.append(cell)
            page.append(heading)
            for row in rows:
                page.append(list(row))
            return page

        totals = figures.totals
        counts = figures.counts
        sheet(
            _("Summary"),
            [_("Figure"), _("Number")],
            [
                (_("Confirmed guests"), totals["confirmed"]),
                (_("Attended"), totals["attended"]),
                (_("No-shows"), totals["no_shows"]),
                (_("No-show rate (%)"), totals["no_show_rate"]),
                (_("Scans"), totals["scans"]),
                (_("Entries"), counts.entries),
                (_("Exits"), counts.exits),
                (_("Re-entries"), counts.re_entries),
                (_("Moved to another room"), counts.moves),
                (_("Automatic exits"), counts.automatic_exits),
                (_("Exits without entry"), counts.exits_without_entry),
                (_("Still inside"), counts.still_inside),
                (_("Refused: room full"), counts.room_full),
                (_("Staff overrides"), counts.overrides),
            ],
        )
        sheet(
            _("Forums"),
            [
                _("Day"),
                _("Forum"),
                _("Room"),
                _("Enrolled"),
                _("Attended"),
                _("No-show rate (%)"),
                _("Peak"),
                _("Capacity"),
                _("Peak at"),
                _("Minutes per guest"),
            ],
            [
                (
                    row["day"].isoformat(),
                    row["forum"],
                    row["room"],
                    row["enrolled"],
                    row["attended"],
                    row["no_show_rate"],
                    row["peak"],
                    row["capacity"],
                    row["peak_at"].strftime("%H:%M") if row["peak_at"] else "",
                    row["minutes_per_guest"],
                )
                for row in figures.forums
            ],
        )
        sheet(
            _("Rooms"),
            [
                _("Day"),
                _("Room"),
                _("Capacity"),
                _("Peak"),
                _("Peak (%)"),
                _("Peak at"),
                _("Guests"),
                _("Minutes per guest"),
                _("Automatic exits"),
            ],
            [
                (
                    row["day"].isoformat(),
                    row["room"],
                    row["capacity"],
                    row["peak"],
                    row["peak_percent"],
                    row["peak_at"].strftime("%H:%M") if row["peak_at"] else "",
                    row["guests"],
                    row["minutes_per_guest"],
                    row["automatic_exits"],
                )
                for row in figures.rooms
            ],
        )
        for title, rows in (
            (_("By region"), figures.regions),
            (_("By category"), figures.categories),
        ):
            sheet(
                title,
                [title, _("Confirmed"), _("Attended"), _("No-show rate (%)")],
                [
                    (row["label"], row["confirmed"], row["attended"], row["no_show_rate"])
                    for row in rows
                ],
            )
        sheet(
            _("Arrivals"),
            [_("Day"), _("From"), _("Arrivals")],
            [
                (day.isoformat(), label, count)
                for day in figures.days
                for label, count in figures.arrivals[day]
            ],
        )
        sheet(
            _("Occupancy"),
            [_("Day"), _("Room"), _("Time"), _("Inside"), _("Capacity")],
            [
                (
                    day.isoformat(),
                    figures.room_names[room_id],
                    moment.strftime("%H:%M"),
                    level,
                    figures.capacities[room_id],
                )
                for (day, room_id), points in sorted(figures.timelines.items())
                for moment, level in points
            ],
        )
        sheet(
            _("Scans"),
            [
                _("Scanned"),
                _("Checkpoint"),
                _("Guest"),
                _("Direction"),
                _("Result"),
                _("Automatic"),
                _("Staff override"),
                _("Scanned offline"),
                _("Conflict"),
            ],
            _scan_rows(summit),
        )
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()


def _scan_rows(summit):
    """Every scan of the summit, each saying whether it was an entry or an exit."""
    tz = summit.tzinfo
    directions = dict(Scan.Direction.choices)
    results = dict(Scan.Result.choices)
    yes, no = _("yes"), ""
    rows = (
        Scan.objects.filter(checkpoint__summit=summit)
        .order_by("scanned_at", "pk")
        .values_list(
            "scanned_at",
            "checkpoint__name_en",
            "registration__name",
            "registration__name_latin",
            "direction",
            "result",
            "automatic",
            "override",
            "offline",
            "conflict",
        )
    )
    for (
        at,
        checkpoint,
        name,
        latin,
        direction,
        result,
        automatic,
        override,
        offline,
        conflict,
    ) in rows.iterator(chunk_size=5000):
        yield (
            at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            checkpoint,
            " / ".join(filter(None, [name, latin])),
            str(directions[direction]),
            str(results[result]),
            yes if automatic else no,
            yes if override else no,
            yes if offline else no,
            yes if conflict else no,
        )
