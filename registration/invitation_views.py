"""The invitee's page: the personal link of an invitation e-mail (registration/invitations.py).

One page answers the invitation: the registration form filled in with what the organiser
knows (register: account made and logged in, no password), decline in one tap, or, for an
address that has an account, log in first. Someone else logged in on this browser is logged
out when the invitee answers (Django's ``login`` starts a fresh session for another user).
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import get_language

from registration import invitation_links, invitations, ratelimit, services
from registration.forms import RegistrationForm
from registration.models import Invitation
from registration.selectors import choice_options
from registration.views import (
    INVITATION_SESSION_KEY,
    STATUS_MESSAGES,
    too_many_guesses,
)
from summit.i18n import normalise_language

# Answers to one invitation (registering, declining) per minute: more than any person sends.
ANSWERS_PER_MINUTE = 10
LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def _closed(request, invitation: Invitation):
    if hasattr(invitation, "registration"):
        reason = "used"
    elif not invitation.summit.registration_is_open(timezone.now()):
        reason = "closed"
    else:
        reason = "withdrawn"
    return render(request, "registration/invitation_invalid.html", {"reason": reason}, status=410)


def invitation(request, code: str, key: str):
    if wait := ratelimit.guessing_blocked("invitation", request):
        return too_many_guesses(request, wait)
    found = invitation_links.find_invitation(code, key)
    if found is None:
        ratelimit.wrong_guess("invitation", request)
        return render(request, "registration/invitation_invalid.html", status=404)
    if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
        # Nobody chose a language on this browser yet: the invitation's, as its e-mail was.
        translation.activate(found.language)
        request.LANGUAGE_CODE = translation.get_language()
    if request.method != "POST" and not invitations.open_for_answer(found):
        return _closed(request, found)
    user = request.user
    if user.is_authenticated and invitations.owns_address(user, found.email):
        # The invitee is logged in already: their own registration page, invitation applied.
        request.session[INVITATION_SESSION_KEY] = found.code
        return redirect("registration:register")
    if request.method == "POST":
        if not ratelimit.allow(
            "invitation-answer", str(found.pk), limit=ANSWERS_PER_MINUTE, window=60
        ):
            return too_many_guesses(request, 60)
        answer = request.POST.get("answer", "")
        if answer in {"decline", "login"} and not invitations.open_for_answer(found):
            return _closed(request, found)
        if answer == "decline":
            invitations.decline_invitation(found)
            return render(request, "registration/invitation_declined.html")
        if answer == "login":
            return _log_in_first(request, found)
        form = RegistrationForm(request.POST)
        if form.is_valid():
            return _accept(request, found, form)
    else:
        form = RegistrationForm(
            initial={
                "submission_key": uuid.uuid4(),
                "language": found.language or normalise_language(get_language()),
                "name": found.name,
                "name_latin": found.name_latin,
                "organisation": found.organisation,
            }
        )
    return _page(request, found, form)


def _page(request, found: Invitation, form: RegistrationForm, *, status: int = 200):
    form.set_options(choice_options(found.summit))
    user = request.user
    context = {
        "invitation": found,
        "form": form,
        "answer_url": request.path,
        "has_account": invitations.account_exists(found.email),
        "other_user": user if user.is_authenticated else None,
        "consent_version": services.CONSENT_VERSION,
    }
    return render(request, "registration/invitation.html", context, status=status)


def _accept(request, found: Invitation, form: RegistrationForm):
    try:
        registration = invitations.accept_invitation(
            found,
            details=form.details(),
            forum_ids=form.cleaned_data["forums"],
            session_ids=form.cleaned_data["sessions"],
            submission_key=form.cleaned_data["submission_key"],
        )
    except invitations.AccountExists:
        if not invitations.open_for_answer(found):  # registered already, say so first
            return _closed(request, found)
        return _page(request, found, form, status=409)
    except (services.InvitationNotValid, services.RegistrationClosed):
        found.refresh_from_db()
        return _closed(request, found)
    except services.RegistrationError as error:
        form.add_error(None, error.message)
        return _page(request, found, form)
    login(request, registration.user, backend=LOGIN_BACKEND)
    messages.success(request, STATUS_MESSAGES[registration.status])
    response = redirect("registration:mine")
    # The guest's pages from now on in the language they chose on the form.
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        registration.language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _log_in_first(request, found: Invitation):
    """An invitee with an account: log out whoever else is here, keep the invitation for
    the registration page, and log in (a code by e-mail, or the password)."""
    if request.user.is_authenticated:
        logout(request)
    request.session[INVITATION_SESSION_KEY] = found.code
    query = urlencode({"next": reverse("registration:register")})
    return redirect(f"{reverse('account_request_login_code')}?{query}")
