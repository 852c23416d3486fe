"""The guest's pages: register, see and change the registration, privacy."""

import json
import uuid

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from registration import changes, invitations, privacy, ratelimit, services
from registration.forms import ChoicesForm, RegistrationForm, current_choices
from registration.models import Enrolment, Invitation, Registration
from registration.selectors import (
    choice_options,
    choices_of,
    registration_of,
    summit_waiting_position,
)
from registration.signals import guest_page_sections
from summit.i18n import normalise_language
from summit.selectors import summit_or_404

INVITATION_SESSION_KEY = "registration_invitation"

STATUS_MESSAGES = {
    Registration.Status.CONFIRMED: gettext_lazy("Thank you: your place is confirmed."),
    Registration.Status.PENDING: gettext_lazy(
        "Thank you: an organiser will review your registration."
    ),
    Registration.Status.WAITLISTED: gettext_lazy(
        "The summit is full: you are on the waiting list."
    ),
}


def own_registration(request, summit) -> Registration | None:
    registration = registration_of(request.user, summit)
    if registration is not None and registration.user_id is None:
        # Made for this address by an import: linked once the address is a verified one.
        registration = services.claim_registration(request.user, registration)
    return registration


def too_many(request) -> HttpResponse | None:
    if ratelimit.allow("registration", str(request.user.pk)):
        return None
    response = render(request, "registration/too_many.html", status=429)
    response["Retry-After"] = str(ratelimit.WINDOW)
    return response


def too_many_guesses(request, retry_after: int) -> HttpResponse:
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


def pending_invitation(request, summit) -> Invitation | None:
    code = request.session.get(INVITATION_SESSION_KEY)
    if not code:
        return None
    invitation = Invitation.objects.filter(summit=summit, code=code).first()
    if (
        invitation is None
        or not invitations.open_for_answer(invitation)
        or not invitations.owns_address(request.user, invitation.email)
    ):
        request.session.pop(INVITATION_SESSION_KEY, None)
        return None
    return invitation


@login_required
def register(request):
    summit = summit_or_404()
    # On a submission the service itself refuses a second registration (one query less on
    # the busiest request of the summit); the page is only shown to guests without one.
    if request.method != "POST" and own_registration(request, summit) is not None:
        return redirect("registration:mine")
    invited = pending_invitation(request, summit)
    if request.method == "POST":
        if limited := too_many(request):
            return limited
        form = RegistrationForm(request.POST)
        if form.is_valid():
            try:
                registration, _created = services.register_guest(
                    summit,
                    user=request.user,
                    email=request.user.email,
                    details=form.details(),
                    forum_ids=form.cleaned_data["forums"],
                    session_ids=form.cleaned_data["sessions"],
                    submission_key=form.cleaned_data["submission_key"],
                    invitation=invited,
                )
            except (services.AlreadyRegistered, services.EmailAlreadyRegistered):
                if own_registration(request, summit) is not None:
                    return redirect("registration:mine")
                form.add_error(None, services.EmailAlreadyRegistered.message)
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                request.session.pop(INVITATION_SESSION_KEY, None)
                messages.success(request, STATUS_MESSAGES[registration.status])
                return redirect("registration:mine")
    else:
        initial = {
            "submission_key": uuid.uuid4(),
            "language": normalise_language(get_language()),
        }
        if invited is not None:
            initial.update(
                name=invited.name, name_latin=invited.name_latin, organisation=invited.organisation
            )
        form = RegistrationForm(initial=initial)
    form.set_options(choice_options(summit))
    context = {
        "form": form,
        "email": request.user.email,
        "invitation": invited,
        "is_open": summit.registration_is_open(timezone.now()),
        "consent_version": services.CONSENT_VERSION,
    }
    return render(request, "registration/register.html", context)


@login_required
def mine(request):
    summit = summit_or_404()
    registration = own_registration(request, summit)
    if registration is None:
        return redirect("registration:register")
    sections = [
        panel
        for _receiver, answer in guest_page_sections.send(
            sender=Registration, registration=registration, request=request
        )
        for panel in answer or []
    ]
    now = timezone.now()
    context = {
        "registration": registration,
        "now": now,
        # The summit is over: the page is a record, with nothing left to change or cancel.
        "summit_over": summit.is_over(now),
        "choices": choices_of(registration) if registration.is_active else [],
        "waiting_position": summit_waiting_position(registration),
        "sections": sorted(sections, key=lambda panel: (panel.order, panel.title)),
    }
    return render(request, "registration/mine.html", context)


@login_required
def choices(request):
    summit = summit_or_404()
    registration = own_registration(request, summit)
    if registration is None:
        return redirect("registration:register")
    if not registration.is_active:
        return redirect("registration:mine")
    if summit.is_over(timezone.now()):
        messages.error(request, services.SummitOver.message)
        return redirect("registration:mine")
    if request.method == "POST":
        if limited := too_many(request):
            return limited
        form = ChoicesForm(request.POST)
        if form.is_valid():
            try:
                changes.change_choices(
                    registration,
                    forum_ids=form.cleaned_data["forums"],
                    session_ids=form.cleaned_data["sessions"],
                    actor=request.user,
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your choices are saved."))
                return redirect("registration:mine")
    else:
        form = ChoicesForm(initial=current_choices(registration))
    options = choice_options(summit)
    # Each option the guest holds carries its state (``my_choice``) for the template.
    held = {
        (
            "forum" if c.enrolment.forum_id else "session",
            c.enrolment.forum_id or c.enrolment.session_id,
        ): c
        for c in choices_of(registration)
    }
    for kind in ("forum", "session"):
        for item in options[f"{kind}s"]:
            item.my_choice = held.get((kind, item.pk))
    form.set_options(options)
    context = {"form": form, "registration": registration}
    return render(request, "registration/choices.html", context)


@login_required
@require_POST
def cancel_enrolment(request, pk: int):
    summit = summit_or_404()
    registration = own_registration(request, summit)
    if registration is None:
        raise Http404
    try:
        changes.cancel_enrolment(registration, pk, actor=request.user)
    except Enrolment.DoesNotExist:
        raise Http404 from None
    except services.RegistrationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("That choice is cancelled; its seat went to the next in line."))
    return redirect("registration:mine")


@login_required
def cancel(request):
    summit = summit_or_404()
    registration = own_registration(request, summit)
    if registration is None or not registration.is_active:
        return redirect("registration:mine")
    if summit.is_over(timezone.now()):
        messages.error(request, services.SummitOver.message)
        return redirect("registration:mine")
    if request.method == "POST":
        try:
            changes.cancel_registration(registration, actor=request.user, by_guest=True)
        except services.RegistrationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect("registration:mine")
    return render(request, "registration/cancel.html", {"registration": registration})


@login_required
def my_data(request):
    data = privacy.personal_data(request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-bayline-data.json"'
    return response


@login_required
def delete_account(request):
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Tick the box to confirm."))
            return redirect("registration:delete-account")
        privacy.delete_account(request.user)
        logout(request)
        messages.success(request, _("Your account and personal data are deleted."))
        return redirect("home")
    registration = registration_of(request.user, summit_or_404())
    return render(request, "registration/delete_account.html", {"registration": registration})
