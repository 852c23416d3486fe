from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
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
