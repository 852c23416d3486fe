"""Pages of door check-in: the scanner (/door/), organisers' set-up and live attendance."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from badges.checkin.checkpoints import save_checkpoint
from badges.checkin.devices import create_device, revoke_device
from badges.checkin.forms import CheckpointForm, DeviceForm
from badges.checkin.models import Checkpoint, Device
from badges.checkin.selectors import attendance, checkpoints_of
from summit.selectors import summit_or_404

NEW_TOKEN_SESSION_KEY = "checkin:new-device-token"


@login_required
@permission_required("summit.scan_badges", raise_exception=True)
def door(request):
    summit = summit_or_404()
    checkpoints = checkpoints_of(summit).filter(is_active=True)
    return render(
        request,
        "checkin/door.html",
        {"checkpoints": checkpoints, "chosen": request.GET.get("checkpoint", "")},
    )


@login_required
@permission_required("summit.manage_devices", raise_exception=True)
def setup(request):
    """Checkpoints and door devices; registering a device shows its token once."""
    summit = summit_or_404()
    form = DeviceForm(request.POST or None, summit=summit)
    if request.method == "POST" and form.is_valid():
        device, token = create_device(
            form.cleaned_data["name"],
            checkpoint=form.cleaned_data["checkpoint"],
            created_by=request.user,
            direction=form.cleaned_data["direction"],
        )
        # Shown on the next page only (then forgotten): the token is never stored in clear.
        request.session[NEW_TOKEN_SESSION_KEY] = {"device": device.name, "token": token}
        return redirect("checkin:checkin-setup")
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    devices = Device.objects.select_related("checkpoint").order_by("revoked_at", "name")
    return render(
        request,
        "checkin/setup.html",
        {
            "checkpoints": checkpoints_of(summit),
            "devices": devices,
            "form": form,
            "new_token": new_token,
        },
    )


@login_required
@permission_required("summit.manage_devices", raise_exception=True)
def checkpoint_edit(request, pk: int | None = None):
    summit = summit_or_404()
    checkpoint = get_object_or_404(Checkpoint, pk=pk, summit=summit) if pk else None
    form = CheckpointForm(request.POST or None, instance=checkpoint, summit=summit)
    if request.method == "POST" and form.is_valid():
        save_checkpoint(form.instance)
        messages.success(request, _("Checkpoint saved."))
        return redirect("checkin:checkin-setup")
    return render(request, "checkin/checkpoint_form.html", {"form": form, "checkpoint": checkpoint})


@require_POST
@login_required
@permission_required("summit.manage_devices", raise_exception=True)
def device_revoke(request, pk: int):
    device = get_object_or_404(Device, pk=pk)
    revoke_device(device)
    messages.success(request, _("%(device)s can no longer scan.") % {"device": device.name})
    return redirect("checkin:checkin-setup")


def attendance_day(request, summit) -> datetime.date:
    """The summit day the attendance pages show: ``?day=`` if it is one, else today, else the
    first day."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate(timezone.now(), summit.tzinfo)
    return day if day in summit.days else summit.days[0]


@login_required
@permission_required("summit.view_attendance", raise_exception=True)
def attendance_page(request):
    summit = summit_or_404()
    day = attendance_day(request, summit)
    figures = attendance(summit, day)
    peak = max([bucket["count"] for bucket in figures["arrivals"]] + [1])
    return render(
        request,
        "checkin/attendance.html",
        {"figures": figures, "days": summit.days, "day": day, "peak": peak},
    )


@login_required
@permission_required("summit.view_attendance", raise_exception=True)
def attendance_data(request):
    summit = summit_or_404()
    response = JsonResponse(
        attendance(summit, attendance_day(request, summit)),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "private, no-store"
    return response
