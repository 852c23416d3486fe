"""The guest API through the test client, every answer checked against the served OpenAPI
document: the e-mail code flow, the guest's own data, changes through the same services,
revocation, limits and CORS."""

import json
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from badges.signing import sign_badge
from registration import guest_codes, guest_tokens
from registration.models import Enrolment, GuestCode, GuestToken, Registration
from registration.tasks import send_guest_code
from tests import factories
from tests.openapi import validate_answer
from tests.registration.conftest import API, code_from_mail

pytestmark = pytest.mark.django_db


def post(client, path, body, **extra):
    return client.post(f"{API}/{path}", json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def guest(summit):
    return factories.RegistrationFactory(
        summit=summit, email="chan@example.hk", language="zh-hant", name="陳大文"
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_code_is_mailed_in_the_guests_language_and_exchanged_for_a_token(
    client, guest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asked = post(client, "code", {"email": "CHAN@example.hk"})
    code = code_from_mail()
    answer = post(client, "token", {"email": "chan@example.hk", "code": code})

    assert asked.status_code == 202
    validate_answer(asked)
    assert mail.outbox[-1].to == ["chan@example.hk"]
    assert "登入" in mail.outbox[-1].subject or "代碼" in mail.outbox[-1].subject
    assert answer.status_code == 201
    validate_answer(answer)
    token = answer.json()["token"]
    stored = GuestToken.objects.get()
    assert stored.token_hash == guest_tokens.digest(token)
    assert token not in json.dumps(list(GuestToken.objects.values()), default=str)


def test_unknown_address_gets_the_same_answer_and_no_mail(
    client, guest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = post(client, "code", {"email": "chan@example.hk"})
        unknown = post(client, "code", {"email": "nobody@example.org"})

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)
    assert len(mail.outbox) == 1


def test_code_requests_do_the_same_work_for_known_and_unknown_addresses(client, guest, settings):
    # With the production task backend the request only counts and queues; the worker looks
    # the address up and mails the code. Statements are compared with their values blanked.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "email", "badges"],
        }
    }
    post(client, "code", {"email": "warm-up@example.org"})  # caches the current summit
    DBTaskResult.objects.all().delete()

    def statements(email):
        with CaptureQueriesContext(connection) as queries:
            assert post(client, "code", {"email": email}).status_code == 202
        return [re.sub(r"'[^']*'|\d+", "?", query["sql"]) for query in queries]

    known, unknown = statements("chan@example.hk"), statements("nobody@example.org")
    queued = [row.args_kwargs["args"] for row in DBTaskResult.objects.order_by("enqueued_at")]
    nothing_sent = (len(mail.outbox), GuestCode.objects.count())
    for arguments in queued:  # as the worker runs them
        send_guest_code.call(*arguments)

    assert known == unknown
    assert queued == [[guest.summit_id, "chan@example.hk"], [guest.summit_id, "nobody@example.org"]]
    assert nothing_sent == (0, 0)
    assert [message.to for message in mail.outbox] == [["chan@example.hk"]]
    tasks = json.dumps(list(DBTaskResult.objects.values()), default=str)
    assert code_from_mail() not in tasks


def test_a_code_works_once_and_a_wrong_one_is_refused(client, guest, sign_in):
    sign_in()
    code = "000000"
    again = post(client, "token", {"email": "chan@example.hk", "code": code})

    assert again.status_code == 400
    assert again.json()["error"] == "invalid_code"
    assert list(again.json()["fields"]) == ["code"]
    validate_answer(again)


def test_a_code_takes_five_tries(client, guest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "code", {"email": "chan@example.hk"})
    code = code_from_mail()
    wrong = "111111" if code != "111111" else "222222"

    for _ in range(guest_tokens.CODE_ATTEMPTS):
        post(client, "token", {"email": "chan@example.hk", "code": wrong})
    late = post(client, "token", {"email": "chan@example.hk", "code": code})

    assert late.status_code == 400


def test_an_expired_code_is_refused(
    client, guest, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "code", {"email": "chan@example.hk"})
    time_machine.shift(guest_codes.CODE_MINUTES * 60 + 1)

    answer = post(client, "token", {"email": "chan@example.hk", "code": code_from_mail()})

    assert answer.status_code == 400


def test_code_requests_are_limited_per_address_whether_or_not_it_exists(client, guest):
    for email in ("chan@example.hk", "nobody@example.org"):
        answers = [
            post(client, "code", {"email": email}).status_code
            for _ in range(guest_tokens.CODES_PER_ADDRESS + 1)
        ]
        assert answers == [202] * guest_tokens.CODES_PER_ADDRESS + [429]


def test_code_requests_are_limited_per_client(client, guest, monkeypatch):
    monkeypatch.setattr(guest_tokens, "CODES_PER_CLIENT", 3)

    answers = [post(client, "code", {"email": f"g{n}@example.org"}) for n in range(4)]

    assert [a.status_code for a in answers] == [202, 202, 202, 429]
    assert int(answers[-1]["Retry-After"]) >= 1
    validate_answer(answers[-1])


def test_code_requests_from_one_ipv6_network_share_the_client_limit(monkeypatch):
    monkeypatch.setattr(guest_tokens, "CODES_PER_CLIENT", 2)

    def ask(address, n):
        return post(Client(REMOTE_ADDR=address), "code", {"email": f"g{n}@example.org"})

    answers = [ask(f"2001:db8:1:2::{n}", n).status_code for n in range(3)]
    next_network = ask("2001:db8:1:3::1", 3)

    assert answers == [202, 202, 429]
    assert next_network.status_code == 202


def test_wrong_codes_are_limited_and_a_success_does_not_reset_the_count(
    client, guest, sign_in, monkeypatch
):
    monkeypatch.setattr(guest_tokens, "WRONG_CODES_PER_ADDRESS", 2)
    for _ in range(2):
        post(client, "token", {"email": "chan@example.hk", "code": "999999"})

    answer = post(client, "token", {"email": "chan@example.hk", "code": "999999"})

    assert answer.status_code == 429


# Addresses the database takes for sign-in@example.org (PostgreSQL's UPPER() makes "ſ" an S
# and "ı" an I), which Python's lower() does not.
LOOK_ALIKES = ["ſign-in@example.org", "sign-ın@example.org"]


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_code_requests_of_look_alike_addresses_share_one_limit(client, summit, look_alike):
    factories.RegistrationFactory(summit=summit, email="sign-in@example.org")
    for _ in range(guest_tokens.CODES_PER_ADDRESS):
        post(client, "code", {"email": "sign-in@example.org"})

    answer = post(client, "code", {"email": look_alike})

    assert answer.status_code == 429


@pytest.mark.parametrize("look_alike", LOOK_ALIKES)
def test_wrong_codes_of_look_alike_addresses_share_one_limit(
    client, summit, look_alike, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(guest_tokens, "WRONG_CODES_PER_ADDRESS", 2)
    factories.RegistrationFactory(summit=summit, email="sign-in@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "code", {"email": "sign-in@example.org"})
    code = code_from_mail()
    wrong = "111111" if code != "111111" else "222222"
    for _ in range(2):
        post(client, "token", {"email": "sign-in@example.org", "code": wrong})

    answer = post(client, "token", {"email": look_alike, "code": code})

    assert answer.status_code == 429
    assert GuestToken.objects.count() == 0


def test_bad_bodies_are_field_errors(client):
    answer = post(client, "code", {"email": "not an address"})

    assert answer.status_code == 400
    assert list(answer.json()["fields"]) == ["email"]
    validate_answer(answer)


def test_my_registration_has_my_choices_seats_and_feed(client, guest, sign_in, summit):
    forum = factories.ForumFactory(summit=summit)
    factories.EnrolmentFactory(registration=guest, forum=forum)
    token = sign_in()

    answer = client.get(f"{API}/registration", **bearer(token))

    assert answer.status_code == 200
    validate_answer(answer)
    body = answer.json()
    assert (body["id"], body["status"], body["name"]) == (guest.pk, "confirmed", "陳大文")
    assert [(c["kind"], c["id"], c["state"]) for c in body["choices"]] == [
        ("forum", forum.pk, "confirmed")
    ]
    assert body["calendar_feed_url"].endswith(f"/calendar/feed/{guest.calendar_token}.ics")


def test_a_guest_sees_nothing_of_anyone_else(client, guest, sign_in, summit):
    other = factories.RegistrationFactory(summit=summit, email="other@example.org")
    token = sign_in()

    body = client.get(f"{API}/registration", **bearer(token)).json()

    assert body["id"] == guest.pk
    assert other.email not in json.dumps(body)


def test_change_and_cancel_choices_through_the_services(client, guest, sign_in, summit):
    first, second = factories.ForumFactory.create_batch(2, summit=summit, capacity=10)
    token = sign_in()

    changed = client.put(
        f"{API}/choices",
        json.dumps({"forums": [first.pk, second.pk]}),
        content_type="application/json",
        **bearer(token),
    )
    enrolment = Enrolment.objects.get(registration=guest, forum=first)
    cancelled = client.delete(f"{API}/choices/{enrolment.pk}", **bearer(token))

    assert changed.status_code == 200
    validate_answer(changed)
    assert {c["id"] for c in changed.json()["choices"]} == {first.pk, second.pk}
    assert cancelled.status_code == 200
    validate_answer(cancelled)
    assert [c["id"] for c in cancelled.json()["choices"]] == [second.pk]
    assert Enrolment.objects.get(pk=enrolment.pk).status == Enrolment.Status.CANCELLED


def test_a_choice_that_cannot_be_chosen_is_refused(client, guest, sign_in, summit):
    token = sign_in()

    answer = client.put(
        f"{API}/choices",
        json.dumps({"forums": [987654]}),
        content_type="application/json",
        **bearer(token),
    )

    assert answer.status_code == 400
    validate_answer(answer)


def test_cancelling_a_choice_that_is_not_a_number_is_a_documented_400(client, guest, sign_in):
    token = sign_in()

    answer = client.delete(f"{API}/choices/abc", **bearer(token))

    assert answer.status_code == 400
    assert (answer.json()["error"], list(answer.json()["fields"])) == ("invalid", ["enrolment_id"])
    validate_answer(answer)


@pytest.mark.parametrize(
    ("method", "path", "body", "fields"),
    [
        ("put", "choices", {"forums": "1"}, {"forums": ["請輸入一個列表的值。"]}),
        ("put", "choices", {"forums": ["one"]}, {"forums": {"0": ["輸入整數"]}}),
        ("put", "choices", {"sessions": [1.5]}, {"sessions": {"0": ["輸入整數"]}}),
        ("delete", "choices/abc", None, {"enrolment_id": ["輸入整數"]}),
        ("post", "token", {"email": "chan@example.hk"}, {"code": ["這個欄位是必須的。"]}),
    ],
)
def test_field_errors_of_the_common_kinds_are_translated(
    client, guest, sign_in, method, path, body, fields
):
    token = sign_in()

    answer = getattr(client, method)(
        f"{API}/{path}",
        json.dumps(body) if body is not None else None,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hant",
        **bearer(token),
    )

    assert (answer.status_code, answer.json()["fields"]) == (400, fields)


def test_cancelled_registration_cannot_change_choices(client, guest, sign_in, summit):
    token = sign_in()
    Registration.objects.filter(pk=guest.pk).update(status=Registration.Status.CANCELLED)

    answer = client.put(
        f"{API}/choices", json.dumps({"forums": []}), content_type="application/json",
        **bearer(token),
    )  # fmt: skip

    assert answer.status_code == 409
    validate_answer(answer)


def test_my_badge_code_is_the_one_the_door_admits(client, guest, sign_in):
    badge = factories.BadgeFactory(registration=guest)
    token = sign_in()

    answer = client.get(f"{API}/badge", **bearer(token))

    assert answer.status_code == 200
    validate_answer(answer)
    assert answer.json()["code"] == sign_badge(badge.pk, badge.serial)


def test_my_badge_before_it_is_issued_is_a_404(client, guest, sign_in):
    answer = client.get(f"{API}/badge", **bearer(sign_in()))

    assert answer.status_code == 404
    validate_answer(answer)


def test_my_agenda_lists_my_sessions(client, guest, sign_in, summit):
    forum = factories.ForumFactory(summit=summit)
    factories.EnrolmentFactory(registration=guest, forum=forum)
    session = factories.SessionFactory(forum=forum)
    token = sign_in()

    answer = client.get(f"{API}/agenda", **bearer(token))

    assert answer.status_code == 200
    validate_answer(answer)
    assert [s["uid"] for s in answer.json()["sessions"]] == [str(session.uid)]


@pytest.mark.parametrize("path", ["registration", "badge", "agenda"])
def test_reads_load_no_field_of_my_registration_or_summit_on_their_own(
    client, guest, sign_in, summit, path
):
    # The token's query reads only the fields the guest API uses (prepared_reads.HOLDER);
    # one more used would be a query of its own on every request.
    forum = factories.ForumFactory(summit=summit)
    factories.EnrolmentFactory(registration=guest, forum=forum)
    factories.SessionFactory(forum=forum)
    factories.BadgeFactory(registration=guest)
    token = sign_in()
    client.get(f"{API}/{path}", **bearer(token))  # notes the token's first use

    with CaptureQueriesContext(connection) as queries:
        answer = client.get(f"{API}/{path}", **bearer(token))

    assert answer.status_code == 200
    validate_answer(answer)
    one_row = [
        query["sql"]
        for query in queries.captured_queries
        if re.search(r'FROM "(registration_registration|summit_summit)" WHERE', query["sql"])
    ]
    assert one_row == []


NEVER_STORED = "max-age=0, no-cache, no-store, must-revalidate, private"


def test_a_token_is_answered_for_no_cache_to_keep(
    client, guest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "code", {"email": "chan@example.hk"})

    answer = post(client, "token", {"email": "chan@example.hk", "code": code_from_mail()})

    assert answer.status_code == 201
    assert answer["Cache-Control"] == NEVER_STORED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "registration"),
        ("get", "badge"),
        ("get", "agenda"),
        ("put", "choices"),
        ("delete", "choices/{enrolment}"),
    ],
)
def test_personal_answers_are_for_no_cache_to_keep(client, guest, sign_in, summit, method, path):
    forum = factories.ForumFactory(summit=summit)
    enrolment = factories.EnrolmentFactory(registration=guest, forum=forum)
    factories.BadgeFactory(registration=guest)
    token = sign_in()
    body = json.dumps({"forums": [forum.pk]}) if method == "put" else None

    answer = getattr(client, method)(
        f"{API}/{path.format(enrolment=enrolment.pk)}",
        body,
        content_type="application/json",
        **bearer(token),
    )

    assert answer.status_code == 200
    assert answer["Cache-Control"] == NEVER_STORED


def test_revoked_tokens_stop_working(client, guest, sign_in):
    mine, organisers = sign_in(), sign_in()

    revoked = client.delete(f"{API}/token", **bearer(mine))
    guest_tokens.revoke_tokens_of(guest)

    assert revoked.status_code == 204
    for token in (mine, organisers):
        refused = client.get(f"{API}/registration", **bearer(token))
        assert refused.status_code == 401
        validate_answer(refused)


def test_deleting_the_account_revokes_its_tokens_and_codes(
    client, guest, sign_in, django_capture_on_commit_callbacks
):
    token = sign_in()
    with django_capture_on_commit_callbacks(execute=True):
        post(client, "code", {"email": "chan@example.hk"})  # a code not used yet
    page = Client()
    page.force_login(guest.user)

    deleted = page.post(reverse("registration:delete-account"), {"confirm": "yes"})
    answer = client.get(f"{API}/registration", **bearer(token))

    assert deleted.status_code == 302
    assert answer.status_code == 401
    validate_answer(answer)
    assert GuestToken.objects.filter(revoked_at__isnull=True).count() == 0
    assert GuestCode.objects.filter(used_at__isnull=True).count() == 0


def test_without_a_token_is_401(client):
    answer = client.get(f"{API}/registration")

    assert answer.status_code == 401
    assert answer.json()["error"] == "unauthorized"
    assert answer["WWW-Authenticate"] == 'Bearer realm="guest"'
    validate_answer(answer)


def test_a_mail_server_failure_answers_the_same(
    client, guest, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "tests.registration.test_guest_api.FailingBackend"

    with django_capture_on_commit_callbacks(execute=True):
        known = post(client, "code", {"email": "chan@example.hk"})
    unknown = post(client, "code", {"email": "nobody@example.org"})

    assert (known.status_code, known.content) == (unknown.status_code, unknown.content)


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")


def test_other_methods_are_json_405(client):
    answer = client.post(f"{API}/registration")

    assert answer.status_code == 405
    validate_answer(answer)


def test_cors_only_for_configured_origins(client, guest, sign_in, settings):
    settings.GUEST_API_CORS_ORIGINS = ["https://app.example.cn"]
    token = sign_in()

    allowed = client.get(
        f"{API}/registration", HTTP_ORIGIN="https://app.example.cn", **bearer(token)
    )
    other = client.get(f"{API}/registration", HTTP_ORIGIN="https://evil.example", **bearer(token))
    refused = Client().get(f"{API}/registration", HTTP_ORIGIN="https://app.example.cn")
    preflight = client.options(
        f"{API}/choices",
        HTTP_ORIGIN="https://app.example.cn",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PUT",
    )

    assert allowed["Access-Control-Allow-Origin"] == "https://app.example.cn"
    assert "Origin" in allowed["Vary"]
    assert "Access-Control-Allow-Origin" not in other
    assert refused.status_code == 401
    assert refused["Access-Control-Allow-Origin"] == "https://app.example.cn"
    assert preflight.status_code == 204
    assert "PUT" in preflight["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in allowed


def test_organisers_revoke_a_guests_app_sign_ins(client, guest, sign_in, organiser):
    token = sign_in()
    staff = Client()
    staff.force_login(organiser)

    page = staff.get(f"/organiser/guests/{guest.pk}/")
    staff.post(f"/organiser/guests/{guest.pk}/revoke-app-sign-ins/")

    assert "Revoke 1 app sign-in" in page.content.decode()
    assert client.get(f"{API}/registration", **bearer(token)).status_code == 401
    assert "app sign-in" not in staff.get(f"/organiser/guests/{guest.pk}/").content.decode()
