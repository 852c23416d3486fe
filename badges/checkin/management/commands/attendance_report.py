"""python manage.py attendance_report --out FILE.pdf [--xlsx FILE.xlsx] [--lang zh-hans]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from badges.checkin.attendance_report import report
from badges.checkin.attendance_report.figures import attendance_figures
from summit.selectors import current_summit


class Command(BaseCommand):
    help = "Write the attendance report (PDF, and optionally the XLSX of the same figures)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="The PDF file to write.")
        parser.add_argument("--xlsx", help="Also write the figures as an XLSX file.")
        parser.add_argument(
            "--lang", default="en", choices=report.LANGUAGES, help="Language (default: en)."
        )

    def handle(self, *args, out: str, xlsx: str | None, lang: str, **options):
        summit = current_summit()
        if summit is None:
            raise CommandError("No summit is set up yet; run `python manage.py seed_demo`.")
        with translation.override(lang):
            figures = attendance_figures(summit)
            Path(out).write_bytes(report.render_pdf(summit, lang=lang, figures=figures))
            self.stdout.write(f"Attendance report: {out}")
            if xlsx:
                Path(xlsx).write_bytes(report.render_xlsx(summit, lang=lang, figures=figures))
                self.stdout.write(f"Figures: {xlsx}")
