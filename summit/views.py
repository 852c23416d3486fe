from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from summit.dashboard import panels_for
from summit.selectors import current_summit

ORGANISER_PERMISSIONS = ("summit.view_attendance", "summit.manage_agenda", "summit.manage_guests")


@login_required
def dashboard(request):
    if not any(request.user.has_perm(permission) for permission in ORGANISER_PERMISSIONS):
        raise PermissionDenied
    summit = current_summit()
    if summit is None:
        raise Http404("No summit is set up yet; run `python manage.py seed_demo`.")
    panels = panels_for(summit, request)
    return render(request, "summit/dashboard.html", {"panels": panels})
