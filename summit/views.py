from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from summit.dashboard import panels_for
from summit.forms import SummitForm
from summit.roles import ORGANISER_PERMISSIONS
from summit.selectors import current_summit
from summit.services import SummitError, update_summit


@login_required
def dashboard(request):
    if not any(request.user.has_perm(permission) for permission in ORGANISER_PERMISSIONS):
        raise PermissionDenied
    summit = current_summit()
    if summit is None:
        raise Http404("No summit is set up yet; run `python manage.py seed_demo`.")
    panels = panels_for(summit, request)
    return render(request, "summit/dashboard.html", {"panels": panels})


def health(request):
    """For load balancers and the process supervisor: 200 when the database and the cache
    answer, 503 with the failing part named otherwise. No personal data, no secrets."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except DatabaseError:
        checks["database"] = "unavailable"
    try:
        cache.set("health:probe", "1", 10)
        checks["cache"] = "ok" if cache.get("health:probe") == "1" else "unavailable"
    except Exception:  # any cache backend error means the cache is unusable
        checks["cache"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse({"status": "ok" if healthy else "unavailable", **checks})
    response.status_code = 200 if healthy else 503
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required(["summit.manage_agenda", "summit.manage_guests"], raise_exception=True)
def summit_settings(request):
    summit = current_summit()
    if summit is None:
        raise Http404("No summit is set up yet; run `python manage.py seed_demo`.")
    form = SummitForm(request.POST or None, instance=summit)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            update_summit(summit, **changes)
        except SummitError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("The summit's settings are saved."))
            return redirect("summit-settings")
    return render(request, "summit/settings.html", {"form": form})
