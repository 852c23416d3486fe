"""Pages and data of room occupancy: the door's live figure and the organiser's rule."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt

from badges import api, checkpoints, occupancy
from badges.checkin_views import _summit_or_404
from badges.models import OccupancyRule
from registration.models import Category
from summit.models import Room


@csrf_exempt
def door_occupancy(request):
    """GET /api/v1/checkin/occupancy?checkpoint=…: the room's occupancy now, for the door."""
    if request.method != "GET":
        return api._error(405, "method_not_allowed", _("Use GET."))
    _who, refused = api._scanner(request)
    if refused:
        return refused
    try:
        checkpoint = checkpoints.checkpoint_info(request.GET.get("checkpoint", ""))
    except checkpoints.CheckpointNotFound:
        return api._error(404, "unknown_checkpoint", _("There is no such checkpoint."))
    body = {"checkpoint": checkpoint.slug, "direction": checkpoint.direction, "occupancy": None}
    room = Room.objects.filter(pk=checkpoint.room_id).first() if checkpoint.room_id else None
    if room is not None:
        figure = occupancy.room_occupancy(room, summit_id=checkpoint.summit_id)
        body["occupancy"] = figure.as_json()
    response = api._json(body)
    response["Cache-Control"] = "private, no-store"
    return response


class OccupancyRuleForm(forms.Form):
    warn_at_percent = forms.IntegerField(
        label=gettext_lazy("Warn at (% of capacity)"), min_value=1, max_value=100
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
    summit = _summit_or_404()
    rule = OccupancyRule.objects.filter(summit=summit).first()
    initial = {
        "warn_at_percent": rule.warn_at_percent if rule else occupancy.DEFAULT_WARN_PERCENT,
        "over_capacity_categories": rule.over_capacity_categories if rule else [],
    }
    form = OccupancyRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        occupancy.save_occupancy_rule(summit.pk, **form.cleaned_data)
        messages.success(request, _("Room capacity rules saved."))
        return redirect("badges:attendance")
    return render(request, "badges/occupancy/rule.html", {"form": form})
