"""Charts of the attendance report and page, drawn by matplotlib as SVG.

Text stays text (``svg.fonttype = "none"``): the PDF's Chinese labels can be selected,
searched and extracted, and WeasyPrint sets them in the Noto CJK fonts of the system (the
family chosen for the reader's script first). Figures are made with ``matplotlib.figure``,
not pyplot, so that no global figure state is shared between requests.
"""

import base64
import datetime
import io

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from badges.checkin.attendance_report.figures import Figures

FONTS = {
    "zh-hans": ["Noto Sans CJK SC", "DejaVu Sans"],
    "zh-hant": ["Noto Sans CJK TC", "DejaVu Sans"],
    "en": ["DejaVu Sans", "Noto Sans CJK SC"],
}
INK, BRAND, WARN, FULL = "#1f2937", "#0b5d8c", "#b45309", "#b91c1c"


def _rc(salt: str) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": salt,  # ids unique per chart in one document, the same on each run
        "font.family": "sans-serif",
        "font.sans-serif": FONTS.get(get_language() or "en", FONTS["en"]),
        "font.size": 8,
        "axes.edgecolor": "#9ca3af",
        "axes.labelcolor": INK,
        "xtick.color": INK,
        "ytick.color": INK,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def as_data_uri(svg: str) -> str:
    """An SVG as an image source: each chart keeps its own element ids inside a document."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(figure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    # The XML prolog and DOCTYPE would be text inside an HTML page.
    return text[text.index("<svg") :]


def occupancy_chart(figures: Figures, day: datetime.date, room_id: int) -> str:
    """Guests inside the room over the day, with its capacity as a line."""
    import matplotlib
    from matplotlib.dates import DateFormatter
    from matplotlib.figure import Figure

    points = figures.timelines.get((day, room_id), [])
    capacity = figures.capacities[room_id]
    tz = points[0][0].tzinfo if points else None
    with matplotlib.rc_context(_rc(f"occupancy-{day}-{room_id}")):
        # Fixed margins: a layout engine measuring every label again costs more than the chart.
        figure = Figure(figsize=(3.6, 2.1))
        figure.subplots_adjust(left=0.17, right=0.97, top=0.86, bottom=0.13)
        axes = figure.add_subplot()
        if points:
            axes.fill_between(
                [moment for moment, _level in points],
                [level for _moment, level in points],
                step="post",
                color=BRAND,
                alpha=0.25,
                linewidth=0,
            )
            axes.step(
                [moment for moment, _level in points],
                [level for _moment, level in points],
                where="post",
                color=BRAND,
                linewidth=1.2,
                label=_("Inside"),
            )
            axes.xaxis.set_major_formatter(DateFormatter("%H:%M", tz=tz))
        axes.axhline(capacity, color=FULL, linestyle="--", linewidth=1, label=_("Capacity"))
        axes.set_ylim(0, max(capacity, max((level for _m, level in points), default=0)) * 1.15)
        axes.set_title(figures.room_names[room_id], loc="left", fontsize=9, color=INK)
        axes.set_ylabel(_("Guests inside"))
        axes.legend(loc="lower right", bbox_to_anchor=(1, 1), ncols=2, fontsize=7, frameon=False)
        axes.tick_params(axis="x", labelrotation=0, labelsize=7)
        return _svg(figure)


def arrivals_chart(figures: Figures, day: datetime.date) -> str:
    """First arrivals of the day per 15 minutes."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    rows = figures.arrivals.get(day, [])
    with matplotlib.rc_context(_rc(f"arrivals-{day}")):
        figure = Figure(figsize=(7.2, 2.2))
        figure.subplots_adjust(left=0.09, right=0.99, top=0.95, bottom=0.13)
        axes = figure.add_subplot()
        positions = range(len(rows))
        axes.bar(positions, [count for _label, count in rows], color=BRAND, width=0.85)
        axes.set_xticks(
            [index for index in positions if index % 4 == 0],
            [label for index, (label, _count) in enumerate(rows) if index % 4 == 0],
        )
        axes.set_ylim(0, max([count for _label, count in rows] + [1]) * 1.15)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylabel(_("Arrivals per 15 minutes"))
        axes.tick_params(axis="x", labelsize=7)
        return _svg(figure)
