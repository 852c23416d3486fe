"""Organiser pages under /organiser/guests/ (permission summit.manage_guests)."""

import io
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from registration import (
    changes,
    exports,
    guest_tokens,
    imports,
    invitations,
    selectors,
    services,
)
from registration.choosable import choosable_forums
from registration.forms import (
    BulkActionForm,
    BulkInvitationForm,
    GuestEditForm,
    GuestFilterForm,
    ImportForm,
    InvitationForm,
)
from registration.models import Invitation, Registration
from summit.selectors import summit_or_404

PAGE_SIZE = 50


def organiser_only(view):
    @login_required
    @permission_required("summit.manage_guests", raise_exception=True)
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, summit_or_404(), *args, **kwargs)

    return wrapper


def _filters(request, summit) -> tuple[GuestFilterForm, selectors.GuestFilters]:
    form = GuestFilterForm(request.GET or None, forums=choosable_forums(summit))
    return form, form.guest_filters()


@organiser_only
def guest_list(request, summit):
    form, filters = _filters(request, summit)
    page = Paginator(selectors.guests(summit, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter_form": form,
        "page": page,
        "query": query.urlencode(),
        "total": page.paginator.count,
    }
    return render(request, "registration/organiser/guest_list.html", context)


@organiser_only
def guest_detail(request, summit, pk: int):
    try:
        registration = selectors.guest_detail(summit, pk)
    except Registration.DoesNotExist:
        raise Http404 from None
    choices = {choice.enrolment.pk: choice for choice in selectors.choices_of(registration)}
    context = {
        "registration": registration,
        # Each choice with the state the guest reads (None once cancelled).
        "enrolments": [
            (enrolment, choices.get(enrolment.pk))
            for enrolment in selectors.enrolments_of(registration)
        ],
        "events": registration.events.all(),
        "app_sign_ins": registration.api_tokens.filter(revoked_at__isnull=True).count(),
    }
    return render(request, "registration/organiser/guest_detail.html", context)


@organiser_only
def guest_edit(request, summit, pk: int):
    registration = get_object_or_404(Registration, summit=summit, pk=pk)
    form = GuestEditForm(request.POST or None, initial=GuestEditForm.initial_of(registration))
    if request.method == "POST" and form.is_valid():
        changes.change_details(
            registration,
            details=form.details(),
            category=form.cleaned_data["category"],
            actor=request.user,
        )
        messages.success(request, _("Details saved."))
        return redirect("registration:organiser-guest", pk=pk)
    context = {"form": form, "registration": registration}
    return render(request, "registration/organiser/guest_edit.html", context)


@organiser_only
@require_POST
def guest_action(request, summit, pk: int, action: str):
    registration = get_object_or_404(Registration, summit=summit, pk=pk)
    if action == "revoke-app-sign-ins":
        revoked = guest_tokens.revoke_tokens_of(registration)
        messages.success(request, _("App sign-ins revoked: %(count)d.") % {"count": revoked})
        return redirect("registration:organiser-guest", pk=pk)
    service = changes.BULK_ACTIONS.get(action)
    if service is None:
        raise Http404
    try:
        service(registration, actor=request.user)
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect("registration:organiser-guest", pk=pk)


@organiser_only
@require_POST
def guest_bulk(request, summit):
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action and at least one guest."))
    else:
        ids = Registration.objects.filter(
            summit=summit, pk__in=form.cleaned_data["selected"]
        ).values_list("pk", flat=True)
        done, skipped = changes.decide_many(
            ids, action=form.cleaned_data["action"], actor=request.user
        )
        messages.success(
            request,
            _("%(done)s done, %(skipped)s skipped (not in a status that allows it).")
            % {"done": done, "skipped": skipped},
        )
    back = request.POST.get("next", "")
    if not back.startswith("/organiser/guests/"):  # only back to the list it came from
        back = "/organiser/guests/"
    return redirect(back)


@organiser_only
def guest_export(request, summit, fmt: str):
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    form, filters = _filters(request, summit)
    if form.errors:
        # A file holds no more guests than asked for: rather none than a wider list.
        ignored = ", ".join(str(form[name].label) for name in form.errors)
        return HttpResponseBadRequest(
            _(
                "Nothing was exported: these filters are not valid: %(filters)s. Correct "
                "them on the guest list, then export again."
            )
            % {"filters": ignored},
            content_type="text/plain; charset=utf-8",
        )
    registrations = selectors.guests_for_export(summit, filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_lines(registrations), content_type="text/csv; charset=utf-8"
        )
    else:
        buffer = io.BytesIO()
        exports.write_xlsx(registrations, buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="guests-{stamp}.{fmt}"'
    return response


@organiser_only
def guest_import(request, summit):
    result = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        result = imports.import_guests(summit, form.cleaned_data["file"].read(), actor=request.user)
        if result.ok:
            messages.success(request, _("%(n)s guests imported.") % {"n": len(result.created)})
            return redirect("registration:organiser-guests")
    context = {"form": form, "result": result, "columns": imports.REQUIRED + imports.OPTIONAL}
    return render(request, "registration/organiser/guest_import.html", context)


def _report_registered(request, made: invitations.InvitationsMade) -> None:
    if made.registered:
        messages.warning(
            request,
            ngettext(
                "%(n)s address is registered for the summit already and was not invited: "
                "%(addresses)s.",
                "%(n)s addresses are registered for the summit already and were not invited: "
                "%(addresses)s.",
                len(made.registered),
            )
            % {"n": len(made.registered), "addresses": ", ".join(made.registered)},
        )


@organiser_only
def invitation_list(request, summit):
    single = InvitationForm(prefix="one")
    bulk = BulkInvitationForm(prefix="many")
    if request.method == "POST" and "one-email" in request.POST:
        single = InvitationForm(request.POST, prefix="one")
        if single.is_valid():
            data = single.cleaned_data
            made = invitations.create_invitations(
                summit,
                [data],
                category=data["category"],
                language=data["language"],
                send=bool(request.POST.get("send")),
                actor=request.user,
            )
            if made.invitations:
                messages.success(request, _("Invitation created."))
            _report_registered(request, made)
            return redirect("registration:organiser-invitations")
    elif request.method == "POST" and "remind" in request.POST:
        count = invitations.remind_invitations(summit)
        messages.success(request, _("%(n)s reminders will be sent.") % {"n": count})
        return redirect("registration:organiser-invitations")
    elif request.method == "POST":
        bulk = BulkInvitationForm(request.POST, request.FILES, prefix="many")
        if bulk.is_valid():
            data = bulk.cleaned_data
            made = invitations.create_invitations(
                summit,
                data["entries"],
                category=data["category"],
                language=data["language"],
                send=data["send"],
                actor=request.user,
            )
            messages.success(request, _("%(n)s invitations ready.") % {"n": len(made.invitations)})
            _report_registered(request, made)
            return redirect("registration:organiser-invitations")
    page = Paginator(selectors.invitations(summit), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "single": single,
        "bulk": bulk,
        "page": page,
        "unanswered": invitations.unanswered(summit).count(),
    }
    return render(request, "registration/organiser/invitations.html", context)


@organiser_only
@require_POST
def invitation_action(request, summit, pk: int, action: str):
    invitation = get_object_or_404(Invitation, summit=summit, pk=pk)
    try:
        if action == "send":
            invitations.send_invitation(invitation)
            messages.success(request, _("The invitation will be sent in a moment."))
        elif action == "remind":
            if invitations.remind_invitation(invitation):
                messages.success(request, _("The reminder will be sent in a moment."))
            else:
                messages.error(
                    request,
                    _(
                        "No reminder was sent: the invitation has not been sent yet, was "
                        "declined, or registration is closed."
                    ),
                )
        elif action == "revoke":
            invitations.revoke_invitation(invitation)
            messages.success(request, _("Invitation withdrawn."))
        else:
            raise Http404
    except services.RegistrationError as error:
        messages.error(request, error.message)
    return redirect("registration:organiser-invitations")
