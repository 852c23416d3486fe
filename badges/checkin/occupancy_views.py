"""Pages and data of room occupancy: the organiser's rule, the attendance page's live panel
and charts, and the report files. (The door's live figure is in the check-in API.)"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from badges.checkin import occupancy
from badges.checkin.models import OccupancyRule
from badges.checkin.views import attendance_day
from registration.models import Category
from summit.selectors import summit_or_404


class OccupancyRuleForm(forms.Form):
    warn_at_percent = forms.IntegerField(
        # xgettext:no-python-format
        label=gettext_lazy("Warn at (% of capacity)"),
        min_value=1,
        max_value=100,
    )
    over_capacity_categories = forms.MultipleChoiceField(
        label=gettext_lazy("Categories admitted to a full room"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@login_required
@permission_required("summit.manage_devices", raise_exception=True)
def occupancy_rule(request):
    summit = summit_or_404()
    rule = OccupancyRule.objects.filter(summit=summit).first()
    initial = {
        "warn_at_percent": rule.warn_at_percent if rule else occupancy.DEFAULT_WARN_PERCENT,
        "over_capacity_categories": rule.over_capacity_categories if rule else [],
    }
    form = OccupancyRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        occupancy.save_occupancy_rule(summit.pk, **form.cleaned_data)
        messages.success(request, _("Room capacity rules saved."))
        return redirect("checkin:attendance")
    return render(request, "checkin/occupancy/rule.html", {"form": form})


def attendance_panel(summit, day) -> dict:
    """What the attendance page's occupancy panel starts with (it then refreshes itself)."""
    return {"rooms": _rooms_now(summit), "charts": _charts(summit, day)}


def _charts(summit, day) -> dict:
    """The day's charts as image sources: arrivals, then each room's occupancy."""
    from badges.checkin.attendance_report import charts
    from badges.checkin.attendance_report.figures import attendance_figures

    figures = attendance_figures(summit)
    rooms = [row for row in figures.rooms if row["day"] == day]
    return {
        "arrivals": charts.as_data_uri(charts.arrivals_chart(figures, day)),
        "rooms": [
            {
                "room": row["room"],
                "peak": row["peak"],
                "capacity": row["capacity"],
                "src": charts.as_data_uri(charts.occupancy_chart(figures, day, row["room_id"])),
            }
            for row in rooms
        ],
    }


def _rooms_now(summit) -> list[dict]:
    return [figure.as_json() for figure in occupancy.rooms_occupancy(summit)]


@login_required
@permission_required("summit.view_attendance", raise_exception=True)
def attendance_occupancy(request):
    """The live part of the attendance page: rooms nearest full first, and (``charts=1``)
    the day's charts."""
    summit = summit_or_404()
    body = {"rooms": _rooms_now(summit)}
    if request.GET.get("charts"):
        body["charts"] = _charts(summit, attendance_day(request, summit))
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@permission_required("summit.view_attendance", raise_exception=True)
def attendance_report_file(request, kind: str):
    """The attendance report to download: PDF or XLSX, in the reader's language."""
    from badges.checkin.attendance_report import report

    if kind not in ("pdf", "xlsx"):
        raise Http404(kind)
    summit = summit_or_404()
    lang = request.GET.get("lang") or get_language()
    if lang not in report.LANGUAGES:
        lang = "en"
    if kind == "pdf":
        content = report.render_pdf(summit, lang=lang)
        content_type = "application/pdf"
    else:
        content = report.render_xlsx(summit, lang=lang)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    name = f"attendance-{summit.slug}-{lang}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
