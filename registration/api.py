"""The guest API (``/api/v1/guest/…``), for the summit's mini program and apps.

A guest obtains a token by the e-mail code flow (registration/guest_tokens.py), then reads
their registration, choices and seats, calendar feed address and personal agenda, and changes
or cancels choices through the same services, rules and limits as the web pages. The guest's
badge code is read from the badges app's part of this API (badges/guest_api.py). Answers carry CORS
headers for the origins configured in ``GUEST_API_CORS_ORIGINS``; those holding a token or the
guest's data are kept by no cache (``never_cache``).
"""

from typing import Annotated, Literal

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import BaseModel, Field

from registration import changes, guest_tokens, ratelimit, services
from registration.calendar.selectors import guest_sessions
from registration.models import Enrolment, Registration
from registration.selectors import choices_of
from sessions.api import Session, session_data
from summit.api import configured_cors, private_paths
from summit.api_errors import ApiError, cleaned_by, json_response, responses, unauthorized
from summit.infrastructure.ratelimit import client_key

router = Router(tags=["guest"])


class GuestAuth(HttpBearer):
    """A guest's token from ``POST /api/v1/guest/token`` (only its SHA-256 is stored)."""

    openapi_description = __doc__

    def __call__(self, request: HttpRequest):
        holder = super().__call__(request)
        if holder is None:  # no bearer token at all
            raise unauthorized(_("Sign in with a code sent by e-mail first."), realm="guest")
        return holder

    def authenticate(self, request: HttpRequest, token: str):
        holder = guest_tokens.token_holder(token.strip())
        if holder is None:
            raise unauthorized(_("This token is not valid; ask for a new code."), realm="guest")
        return holder


GUEST = [GuestAuth()]


def _guest(request) -> tuple[int, Registration]:
    return request.auth


# --- Schemas ----------------------------------------------------------------------------------


Email = Annotated[
    str, cleaned_by(forms.EmailField(max_length=254)), Field(json_schema_extra={"format": "email"})
]


class CodeRequest(BaseModel):
    email: Email


class TokenRequest(BaseModel):
    email: Email
    code: Annotated[str, cleaned_by(forms.CharField(max_length=12))] = Field(
        description="The six digits of the e-mail."
    )


class Accepted(Schema):
    message: str


class TokenOut(Schema):
    token: str = Field(description="Send it as Authorization: Bearer <token>.")
    token_type: Literal["Bearer"]


class ChoiceOut(Schema):
    enrolment_id: int
    kind: Literal["forum", "session"]
    id: int
    title: str = Field(description="In the language of the request.")
    state: Literal["confirmed", "awaiting_approval", "waiting", "awaiting_summit_place"]
    label: str
    position: int | None = Field(description="Place in line (1 = next) when waiting.")


class GuestRegistration(Schema):
    id: int
    summit: str
    status: Literal["pending", "confirmed", "waitlisted", "cancelled", "rejected"]
    status_label: str
    name: str
    name_latin: str
    organisation: str
    category: str
    language: str
    choices: list[ChoiceOut]
    calendar_feed_url: str = Field(
        description="The guest's private calendar feed (subscribe as webcal://…)."
    )


class ChoicesIn(BaseModel):
    forums: list[int] = Field(default_factory=list, description="Forum ids, all of them.")
    sessions: list[int] = Field(default_factory=list, description="Session ids, all of them.")


class PersonalAgenda(Schema):
    sessions: list[Session] = Field(description="The guest's sessions, by start time.")


# --- Endpoints --------------------------------------------------------------------------------

private_paths(router, "/guest/code", ["POST"], url_name="guest-code")
private_paths(router, "/guest/token", ["POST", "DELETE"], url_name="guest-token")
private_paths(router, "/guest/registration", ["GET"], url_name="guest-registration")
private_paths(router, "/guest/choices", ["PUT"], url_name="guest-choices")
private_paths(router, "/guest/choices/{enrolment_id}", ["DELETE"], url_name="guest-choice")
private_paths(router, "/guest/agenda", ["GET"], url_name="guest-agenda")

CODE_SENT = gettext_lazy(
    "If this address is registered for the summit, a code is on its way to it."
)


@router.post(
    "/guest/code",
    url_name="guest-code",
    operation_id="guestRequestCode",
    summary="E-mail a sign-in code",
    description="The answer is the same whether or not the address is registered. Limited per "
    "address and per client.",
    auth=None,
    response=responses(400, 405, 415, 429, success={202: Accepted}),
)
@configured_cors
def request_code(request: HttpRequest, payload: CodeRequest):
    try:
        guest_tokens.request_code(payload.email, client=client_key(request))
    except guest_tokens.TooManyAttempts as refused:
        raise _too_many(refused) from refused
    return json_response({"message": str(CODE_SENT)}, status=202)


@router.post(
    "/guest/token",
    url_name="guest-token",
    operation_id="guestToken",
    summary="Exchange an e-mailed code for a token",
    description="A code works once, for 10 minutes and 5 tries. Wrong codes are limited per "
    "address and per client.",
    auth=None,
    response=responses(400, 405, 415, 429, success={201: TokenOut}),
)
@configured_cors
@never_cache
def token(request: HttpRequest, payload: TokenRequest):
    try:
        value = guest_tokens.exchange_code(payload.email, payload.code, client=client_key(request))
    except guest_tokens.TooManyAttempts as refused:
        raise _too_many(refused) from refused
    except guest_tokens.CodeRefused as refused:
        message = _("This code is wrong, used or expired; ask for a new one.")
        raise ApiError(400, "invalid_code", message, fields={"code": [message]}) from refused
    return json_response({"token": value, "token_type": "Bearer"}, status=201)


@router.delete(
    "/guest/token",
    url_name="guest-token",
    operation_id="guestRevokeToken",
    summary="Revoke this token (sign out)",
    auth=GUEST,
    response=responses(401, 405, success={204: None}),
)
@configured_cors
def revoke(request: HttpRequest):
    guest_tokens.revoke_token(_guest(request)[0])
    return HttpResponse(status=204)


@router.get(
    "/guest/registration",
    url_name="guest-registration",
    operation_id="guestRegistration",
    summary="My registration, choices and seats",
    auth=GUEST,
    response=responses(401, 405, success={200: GuestRegistration}),
)
@configured_cors
@never_cache
def my_registration(request: HttpRequest):
    return json_response(registration_data(_guest(request)[1]))


@router.put(
    "/guest/choices",
    url_name="guest-choices",
    operation_id="guestChangeChoices",
    summary="Make my forums and sessions exactly these",
    description="The same rules as the registration pages: freed seats go to the waiting "
    "list at once; a session that has started is refused as a new choice (400 `invalid`) and "
    "the guest's choice of one stays as it is, sent or not; 409 `summit_over` once the "
    "summit's last day has ended.",
    auth=GUEST,
    response=responses(400, 401, 405, 409, 415, 429, success={200: GuestRegistration}),
)
@configured_cors
@never_cache
def change_choices(request: HttpRequest, payload: ChoicesIn):
    registration = _guest(request)[1]
    _within_limit(registration)
    try:
        changes.change_choices(
            registration,
            forum_ids=payload.forums,
            session_ids=payload.sessions,
            actor=registration.user,
        )
    except services.NotActive as error:
        raise ApiError(409, "not_active", str(error.message)) from error
    except services.SummitOver as error:
        raise _summit_over(error) from error
    except services.RegistrationError as error:
        raise ApiError(400, "invalid", str(error.message)) from error
    registration.refresh_from_db()
    return json_response(registration_data(registration))


@router.delete(
    "/guest/choices/{enrolment_id}",
    url_name="guest-choice",
    operation_id="guestCancelChoice",
    summary="Cancel one of my choices",
    description="Its seat goes to the next in line at once. 409 `session_started` for a "
    "session that has started, 409 `summit_over` once the summit's last day has ended.",
    auth=GUEST,
    response=responses(400, 401, 404, 405, 409, 429, success={200: GuestRegistration}),
)
@configured_cors
@never_cache
def cancel_choice(request: HttpRequest, enrolment_id: int):
    registration = _guest(request)[1]
    _within_limit(registration)
    try:
        changes.cancel_enrolment(registration, enrolment_id, actor=registration.user)
    except Enrolment.DoesNotExist as error:
        raise ApiError(404, "not_found", _("You have no such choice.")) from error
    except services.SummitOver as error:
        raise _summit_over(error) from error
    except services.SessionStarted as error:
        raise ApiError(409, "session_started", str(error.message)) from error
    registration.refresh_from_db()
    return json_response(registration_data(registration))


@router.get(
    "/guest/agenda",
    url_name="guest-agenda",
    operation_id="guestAgenda",
    summary="My personal agenda",
    description="The sessions in the guest's calendar: chosen sessions and those open to "
    "their confirmed forums (none until the registration is confirmed).",
    auth=GUEST,
    response=responses(401, 405, success={200: PersonalAgenda}),
)
@configured_cors
@never_cache
def my_agenda(request: HttpRequest):
    registration = _guest(request)[1]
    sessions = guest_sessions(registration)
    return json_response(
        {"sessions": [session_data(session, registration.summit) for session in sessions]}
    )


# --- Helpers ----------------------------------------------------------------------------------


def registration_data(registration: Registration) -> dict:
    return {
        "id": registration.pk,
        "summit": registration.summit.slug,
        "status": registration.status,
        "status_label": str(Registration.Status(registration.status).label),
        "name": registration.name,
        "name_latin": registration.name_latin,
        "organisation": registration.organisation,
        "category": registration.category,
        "language": registration.language,
        "choices": [
            {
                "enrolment_id": choice.enrolment.pk,
                "kind": "forum" if choice.enrolment.forum_id else "session",
                "id": choice.enrolment.forum_id or choice.enrolment.session_id,
                "title": str(choice.title),
                "state": choice.state,
                "label": str(choice.label),
                "position": choice.position,
            }
            for choice in choices_of(registration)
        ],
        "calendar_feed_url": _absolute(
            reverse("registration:calendar-feed", args=[registration.calendar_token])
        ),
    }


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def _within_limit(registration: Registration) -> None:
    # The pages' limit of changes, counted for the same guest.
    who = str(registration.user_id) if registration.user_id else f"r{registration.pk}"
    if not ratelimit.allow("registration", who):
        raise ApiError(
            429,
            "too_many_requests",
            _("Too many changes; wait a moment."),
            headers={"Retry-After": str(ratelimit.WINDOW)},
        )


def _summit_over(error: services.SummitOver) -> ApiError:
    return ApiError(409, "summit_over", str(error.message))


def _too_many(refused: guest_tokens.TooManyAttempts) -> ApiError:
    return ApiError(
        429,
        "too_many_requests",
        _("Too many attempts; wait a moment."),
        headers={"Retry-After": str(refused.retry_after)},
    )
