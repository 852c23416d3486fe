"""Invitations through the doors invitees and organisers use: the link, the form, the e-mail."""

import datetime
import re
import uuid

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registration import invitation_links, invitations
from registration.invitation_links import invitation_path
from registration.models import Invitation, OutgoingEmail, Registration
from summit.models import Summit
from tests import factories
from tests.registration.conftest import form_data, region_options

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def invitation(summit):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    return factories.InvitationFactory(
        summit=summit,
        email="Chan.TM@example.org",
        name="陳大文",
        name_latin="Chan Tai Man",
        organisation="Digital Policy Office",
        category="vip",
        language="zh-hant",
    )


@pytest.fixture(autouse=True)
def _english(client, settings):
    # The invitation page speaks the invitation's language unless the browser chose one.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def accept(client, invitation, **overrides):
    return client.post(invitation_path(invitation), form_data(**overrides))


def login_code(message) -> str:
    return re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", message.body, re.M).group(1)


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the e-mail tasks queued in the block when it ends (as after a commit)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def session_user_id(client):
    return client.session.get("_auth_user_id")


def test_link_shows_the_form_filled_with_what_the_organiser_knows(client, invitation):
    response = client.get(invitation_path(invitation))

    assert response.status_code == 200
    form = response.context["form"]
    assert (form["name"].value(), form["name_latin"].value()) == ("陳大文", "Chan Tai Man")
    assert form["organisation"].value() == "Digital Policy Office"
    assert form["language"].value() == "zh-hant"
    assert "Chan.TM@example.org" in response.text
    assert 'name="password' not in response.text


def test_registering_makes_a_verified_account_without_a_password_and_logs_in(
    client, invitation, monkeypatch
):
    def no_hashing(*args, **kwargs):
        raise AssertionError("a password was hashed")

    monkeypatch.setattr(MD5PasswordHasher, "encode", no_hashing)

    response = accept(client, invitation, organisation="Digital Policy Office (HK)")

    assert response.status_code == 302
    assert response["Location"] == reverse("registration:mine")
    registration = Registration.objects.get(invitation=invitation)
    assert (registration.status, registration.category) == ("confirmed", "vip")
    assert registration.email == "Chan.TM@example.org"
    assert registration.organisation == "Digital Policy Office (HK)"
    user = registration.user
    assert user.has_usable_password() is False
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("chan.tm@example.org", True)
    ]
    assert session_user_id(client) == str(user.pk)
    assert client.get(reverse("registration:mine")).status_code == 200


def test_accepting_writes_the_accounts_last_login_with_it(client, invitation):
    with CaptureQueriesContext(connection) as queries:
        accept(client, invitation)

    user = Registration.objects.get(invitation=invitation).user
    assert user.last_login == user.date_joined
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "auth_user"')]
    assert updates == []  # written by the INSERT, not updated after the login


def test_a_later_login_updates_last_login(client, invitation, time_machine):
    accept(client, invitation)
    user = Registration.objects.get(invitation=invitation).user
    time_machine.move_to(user.date_joined + datetime.timedelta(days=1), tick=False)

    Client().force_login(user)  # django.contrib.auth.login, as every login form

    user.refresh_from_db()
    assert user.last_login == user.date_joined + datetime.timedelta(days=1)


def test_an_invitation_registers_once(client, invitation):
    key = str(uuid.uuid4())
    first = accept(client, invitation, submission_key=key)
    user_id = session_user_id(client)

    stranger = Client()
    stranger.cookies["bayline_language"] = "en"
    again = stranger.get(invitation_path(invitation))
    second = stranger.post(invitation_path(invitation), form_data())
    double_tap = Client().post(invitation_path(invitation), form_data(submission_key=key))

    assert first.status_code == 302
    assert again.status_code == 410
    assert "used to register already" in again.text
    assert second.status_code == 410
    assert session_user_id(stranger) is None
    # The same submission sent twice (a double tap) is the same registration, not a refusal.
    assert double_tap.status_code == 302
    assert Registration.objects.filter(invitation=invitation).count() == 1
    assert User.objects.filter(email__iexact=invitation.email).count() == 1
    assert str(Registration.objects.get(invitation=invitation).user_id) == user_id


def test_an_invitation_lasts_until_registration_closes(client, invitation, summit, time_machine):
    time_machine.move_to(summit.registration_closes_at - datetime.timedelta(minutes=1))
    assert client.get(invitation_path(invitation)).status_code == 200

    time_machine.move_to(summit.registration_closes_at + datetime.timedelta(seconds=1))
    page = client.get(invitation_path(invitation))
    submitted = accept(client, invitation)

    assert page.status_code == 410
    assert "Registration for the summit is closed" in page.text
    assert submitted.status_code == 410
    assert not Registration.objects.exists()
    assert not User.objects.filter(email__iexact=invitation.email).exists()


def test_a_withdrawn_invitation_opens_nothing(client, invitation):
    invitations.revoke_invitation(invitation)

    page = client.get(invitation_path(invitation))
    submitted = accept(client, invitation)

    assert page.status_code == 410
    assert submitted.status_code == 410
    assert not Registration.objects.exists()
    assert not User.objects.filter(email__iexact=invitation.email).exists()


def test_a_wrong_key_is_an_unknown_invitation(client, invitation):
    right = invitation_path(invitation)
    wrong_key = re.sub(r"/[^/]+/$", "/" + "A" * 43 + "/", right)
    other_code = right.replace(invitation.code, "ABCDEFGHJK")

    assert client.get(wrong_key).status_code == 404
    assert client.get(other_code).status_code == 404
    assert client.post(wrong_key, form_data()).status_code == 404
    assert not Registration.objects.exists()


def test_the_page_speaks_the_invitations_language_unless_one_was_chosen(invitation):
    fresh = Client().get(invitation_path(invitation))
    chosen = Client(HTTP_COOKIE="bayline_language=en").get(invitation_path(invitation))

    assert "報名參加峰會" in fresh.text
    assert "Register for the summit" in chosen.text


def test_the_key_is_long_and_never_stored(invitation):
    key = invitation_links.invitation_key(invitation)

    assert len(key) == 43  # 256 bits
    stored = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert key not in " ".join(str(value) for value in stored.values())


def test_links_sent_before_a_secret_key_rotation_still_open(client, invitation, settings):
    old = invitation_path(invitation)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-for-the-rotation-test-0123456789"

    assert client.get(old).status_code == 200
    assert invitation_path(invitation) != old


def test_an_existing_account_is_asked_to_log_in_never_given_a_second(client, invitation, summit):
    existing = factories.UserFactory(username="chan", email="chan.tm@example.org")
    EmailAddress.objects.create(user=existing, email=existing.email, verified=True, primary=True)

    page = client.get(invitation_path(invitation))
    refused = accept(client, invitation)
    to_login = client.post(invitation_path(invitation), {"answer": "login"})

    assert page.status_code == 200
    assert "exists already" in page.text
    assert 'name="consent"' not in page.text
    assert refused.status_code == 409
    assert User.objects.filter(email__iexact=invitation.email).count() == 1
    assert to_login.status_code == 302
    assert to_login["Location"] == "/accounts/login/code/?next=%2Fregister%2F"

    # Log in by a code sent by e-mail; the registration page then uses the invitation.
    client.post(to_login["Location"], {"email": "chan.tm@example.org", "next": "/register/"})
    [message] = mail.outbox
    code = login_code(message)
    logged_in = client.post(
        reverse("account_confirm_login_code"), {"code": code, "next": "/register/"}
    )
    assert logged_in.status_code == 302
    assert logged_in["Location"] == "/register/"
    form = client.get("/register/").context["form"]
    assert form["name_latin"].value() == "Chan Tai Man"
    client.post("/register/", form_data())
    registration = Registration.objects.get(email__iexact="chan.tm@example.org")
    assert (registration.user, registration.invitation, registration.status) == (
        existing,
        invitation,
        "confirmed",
    )


def test_the_invitee_answers_when_someone_else_is_logged_in(client, invitation, guest_user):
    client.force_login(guest_user)

    page = client.get(invitation_path(invitation))
    response = accept(client, invitation)

    assert page.status_code == 200
    assert f"You are logged in as {guest_user.email}" in page.text
    assert response.status_code == 302
    invitee = Registration.objects.get(invitation=invitation).user
    assert session_user_id(client) == str(invitee.pk)
    assert not Registration.objects.filter(user=guest_user).exists()


def test_the_invitee_logged_in_already_goes_to_the_registration_page(client, invitation):
    user = factories.UserFactory(username="chan", email=invitation.email)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)

    response = client.get(invitation_path(invitation))

    assert response.status_code == 302
    assert response["Location"] == reverse("registration:register")
    assert client.get(response["Location"]).context["invitation"] == invitation


def test_another_account_cannot_use_an_invitation_kept_in_its_session(client, invitation):
    other = factories.UserFactory(username="other")
    client.force_login(other)
    session = client.session
    session["registration_invitation"] = invitation.code
    session.save()

    client.post("/register/", form_data())

    registration = Registration.objects.get(user=other)
    assert (registration.invitation, registration.status) == (None, "pending")


def test_decline_in_one_tap(client, invitation):
    response = client.post(invitation_path(invitation), {"answer": "decline"})

    invitation.refresh_from_db()
    assert response.status_code == 200
    assert "You have declined the invitation" in response.text
    assert invitation.declined_at is not None
    assert invitations.unanswered(invitation.summit).count() == 0
    # Changing one's mind: the link still registers.
    assert accept(client, invitation).status_code == 302


def test_answers_to_one_invitation_are_limited(client, invitation):
    codes = [
        client.post(invitation_path(invitation), {"consent": ""}).status_code for _ in range(11)
    ]

    assert codes == [200] * 10 + [429]


# --- E-mails -------------------------------------------------------------------------------


def test_invitation_email_in_the_invitees_language_carries_the_link(invitation, sent):
    with sent():
        invitations.send_invitation(invitation)
        invitations.send_invitation(invitation)  # sent again: the same link

    first, again = mail.outbox
    assert first.to == ["Chan.TM@example.org"]
    assert first.subject.endswith("邀請函：數字政府建設峰會暨數字灣區發展論壇")
    link = re.search(r"https?://\S+/register/invitation/\S+/", first.body).group(0)
    assert link.endswith(invitation_path(invitation))
    assert link in again.body
    assert invitation_path(invitation) in first.alternatives[0][0]


def test_reminders_go_to_those_who_have_not_answered(summit, invitation, sent):
    declined = factories.InvitationFactory(summit=summit, email="no@example.org")
    registered = factories.InvitationFactory(summit=summit, email="yes@example.org")
    with sent():
        for one in (invitation, declined, registered):
            invitations.send_invitation(one)
    invitations.decline_invitation(declined)
    factories.RegistrationFactory(summit=summit, email=registered.email, invitation=registered)
    mail.outbox.clear()

    with sent():
        count = invitations.remind_invitations(summit)

    assert count == 1
    [reminder] = mail.outbox
    assert reminder.to == ["Chan.TM@example.org"]
    assert invitation_path(invitation) in reminder.body
    assert OutgoingEmail.objects.filter(kind="invitation_reminder").count() == 1


def test_reminders_skip_an_address_registered_by_other_means(summit, invitation, sent):
    with sent():
        invitations.send_invitation(invitation)
    # The invitee signed up by themselves instead, with the address in another case.
    factories.RegistrationFactory(summit=summit, email="chan.tm@EXAMPLE.org", user=None)
    mail.outbox.clear()

    with sent():
        count = invitations.remind_invitations(summit)

    assert count == 0
    assert mail.outbox == []
    assert list(invitations.unanswered(summit)) == []


def test_inviting_many_skips_addresses_registered_already(organiser_client, summit, sent):
    factories.RegistrationFactory(summit=summit, email="guest@example.org", user=None)
    factories.RegistrationFactory(
        summit=summit, email="gone@example.org", user=None, status="cancelled"
    )

    with sent():
        response = organiser_client.post(
            reverse("registration:organiser-invitations"),
            {"many-entries": "GUEST@example.org\nnew@example.org\ngone@example.org\n",
             "many-category": "vip", "many-language": "en", "many-send": "on"},
            follow=True,
        )  # fmt: skip

    assert list(Invitation.objects.values_list("email", flat=True)) == ["new@example.org"]
    assert [message.to for message in mail.outbox] == [["new@example.org"]]
    assert [str(message) for message in response.context["messages"]] == [
        "1 invitations ready.",
        "2 addresses are registered for the summit already and were not invited: "
        "GUEST@example.org, gone@example.org.",
    ]


def test_inviting_one_registered_already_creates_nothing(organiser_client, summit, sent):
    factories.RegistrationFactory(summit=summit, email="guest@example.org", user=None)

    with sent():
        response = organiser_client.post(
            reverse("registration:organiser-invitations"),
            {"one-email": "Guest@Example.org", "one-category": "vip", "one-language": "en",
             "send": "1"},
            follow=True,
        )  # fmt: skip

    assert not Invitation.objects.exists()
    assert mail.outbox == []
    assert [str(message) for message in response.context["messages"]] == [
        "1 address is registered for the summit already and was not invited: Guest@Example.org."
    ]


def test_the_invitation_list_shows_an_address_registered_by_other_means(
    organiser_client, summit, invitation, sent
):
    with sent():
        invitations.send_invitation(invitation)
    factories.RegistrationFactory(summit=summit, email="chan.tm@example.org", user=None)

    response = organiser_client.get(reverse("registration:organiser-invitations"))

    [shown] = response.context["page"]
    assert shown.address_registered is True
    assert response.context["unanswered"] == 0
    remind = reverse("registration:organiser-invitation-action", args=[invitation.pk, "remind"])
    assert remind not in response.text


def test_inviting_many_counts_an_address_given_twice_once(organiser_client, summit, sent):
    with sent():
        response = organiser_client.post(
            reverse("registration:organiser-invitations"),
            {"many-entries": "inv1@x.test,First\nINV1@x.test,Second\ninv2@x.test\n",
             "many-category": "vip", "many-language": "en", "many-send": "on"},
            follow=True,
        )  # fmt: skip

    made = Invitation.objects.order_by("email").values_list("email", "name")
    assert list(made) == [("inv1@x.test", "First"), ("inv2@x.test", "")]
    assert sorted(message.to[0] for message in mail.outbox) == ["inv1@x.test", "inv2@x.test"]
    assert OutgoingEmail.objects.count() == 2
    assert [str(message) for message in response.context["messages"]] == ["2 invitations ready."]


def test_organiser_invites_from_a_csv_file_with_category_and_language(
    organiser_client, summit, sent
):
    rows = (
        "email,name,name_latin,organisation,category,language\n"
        "li.ming@example.org,李明,Li Ming,广东省政务服务数据管理局,speaker,zh-hans\n"
        "joao@example.org,,João Conceição,Universidade de Macau,media,English\n"
        "plain@example.org\n"
    )
    upload = SimpleUploadedFile("invitees.csv", rows.encode(), content_type="text/csv")

    with sent():
        response = organiser_client.post(
            reverse("registration:organiser-invitations"),
            {"many-file": upload, "many-category": "delegate", "many-language": "zh-hant",
             "many-send": "on"},
        )  # fmt: skip

    assert response.status_code == 302
    made = Invitation.objects.order_by("email").values_list("email", "category", "language")
    assert list(made) == [
        ("joao@example.org", "media", "en"),
        ("li.ming@example.org", "speaker", "zh-hans"),
        ("plain@example.org", "delegate", "zh-hant"),
    ]
    subjects = sorted(message.subject for message in mail.outbox)
    assert len(subjects) == 3
    assert any("Invitation:" in subject for subject in subjects)
    assert any("邀请函" in subject for subject in subjects)


def test_a_csv_with_an_unknown_category_reports_its_line(organiser_client, summit):
    rows = "a@example.org,,A,Org,astronaut,en\n"
    upload = SimpleUploadedFile("invitees.csv", rows.encode(), content_type="text/csv")

    response = organiser_client.post(
        reverse("registration:organiser-invitations"),
        {"many-file": upload, "many-category": "vip", "many-language": "en"},
    )

    assert response.status_code == 200
    assert "Line 1: “astronaut” is not a category we know." in response.text
    assert not Invitation.objects.exists()


def invite_from_file(organiser_client, rows: str):
    upload = SimpleUploadedFile("invitees.csv", rows.encode(), content_type="text/csv")
    return organiser_client.post(
        reverse("registration:organiser-invitations"),
        {"many-file": upload, "many-category": "delegate", "many-language": "en"},
    )


def test_a_csv_header_maps_columns_by_name(organiser_client, summit):
    rows = "email,category,language\ninv3@x.test,media,zh-hant\ninv4@x.test,,\n"

    response = invite_from_file(organiser_client, rows)

    assert response.status_code == 302
    made = Invitation.objects.order_by("email").values_list(
        "email", "name", "name_latin", "organisation", "category", "language"
    )
    assert list(made) == [
        ("inv3@x.test", "", "", "", "media", "zh-hant"),
        ("inv4@x.test", "", "", "", "delegate", "en"),
    ]


def test_a_csv_header_in_any_order_and_case_maps_columns_by_name(organiser_client, summit):
    rows = (
        "Language,Organisation,E-mail,Name_Latin,,category\n"
        "zh-hans,澳門大學,joao@x.test,João Conceição,,speaker\n"
    )

    response = invite_from_file(organiser_client, rows)

    assert response.status_code == 302
    made = Invitation.objects.values_list(
        "email", "name", "name_latin", "organisation", "category", "language"
    )
    assert list(made) == [("joao@x.test", "", "João Conceição", "澳門大學", "speaker", "zh-hans")]


@pytest.mark.parametrize(
    ("header", "errors"),
    [
        (
            "email,nom,category",
            [
                "Line 1: unknown column names: “nom” (the columns are email, name, name_latin, "
                "organisation, category, language)."
            ],
        ),
        ("email,name,NAME,e-mail", ["Line 1: columns named more than once: email, name."]),
        ("name,category", ["Line 1: no email column."]),
    ],
)
def test_a_csv_header_with_unknown_duplicate_or_missing_columns_creates_nothing(
    organiser_client, summit, header, errors
):
    response = invite_from_file(organiser_client, f"{header}\na@x.test,A,vip,a@x.test\n")

    assert response.status_code == 200
    assert response.context["bulk"].errors["entries"] == errors
    assert not Invitation.objects.exists()


def test_a_csv_with_a_header_reports_every_bad_row_and_creates_nothing(organiser_client, summit):
    rows = (
        "email,category,language\n"
        "good@x.test,media,zh-hant\n"
        "bad@x.test,astronaut,en\n"
        "worse@x.test,vip,klingon\n"
        "not-an-email,vip,en\n"
        "extra@x.test,vip,en,surplus\n"
    )

    response = invite_from_file(organiser_client, rows)

    assert response.status_code == 200
    assert response.context["bulk"].errors["entries"] == [
        "Line 3: “astronaut” is not a category we know.",
        "Line 4: “klingon” is not a language we know.",
        "Line 5: “not-an-email” is not an e-mail address.",
        "Line 6: a value is outside the named columns.",
    ]
    assert not Invitation.objects.exists()


def test_organiser_reminds_and_withdraws(organiser_client, invitation, sent):
    with sent():
        invitations.send_invitation(invitation)
    mail.outbox.clear()
    action = "registration:organiser-invitation-action"

    with sent():
        organiser_client.post(reverse(action, args=[invitation.pk, "remind"]))
    organiser_client.post(reverse(action, args=[invitation.pk, "revoke"]))

    invitation.refresh_from_db()
    assert len(mail.outbox) == 1
    assert invitation.reminded_at is not None
    assert invitation.revoked_at is not None
    assert Client().get(invitation_path(invitation)).status_code == 410


def invitation_action(client, invitation, action: str):
    url = reverse("registration:organiser-invitation-action", args=[invitation.pk, action])
    response = client.post(url, follow=True)
    return [str(message) for message in response.context["messages"]]


@pytest.mark.parametrize("action", ["send", "remind"])
def test_a_withdrawn_invitation_is_not_sent_or_reminded(organiser_client, invitation, sent, action):
    with sent():
        invitations.send_invitation(invitation)
    invitation_action(organiser_client, invitation, "revoke")
    mail.outbox.clear()

    with sent():
        said = invitation_action(organiser_client, invitation, action)

    assert said == ["This invitation was withdrawn: it is not sent."]
    assert mail.outbox == []
    assert OutgoingEmail.objects.filter(invitation=invitation).count() == 1  # the first one


@pytest.mark.parametrize("action", ["send", "remind"])
def test_a_used_invitation_is_not_sent_or_reminded(organiser_client, invitation, sent, action):
    with sent():
        invitations.send_invitation(invitation)
    assert accept(Client(), invitation).status_code == 302
    mail.outbox.clear()
    emails_before = OutgoingEmail.objects.count()

    with sent():
        said = invitation_action(organiser_client, invitation, action)

    assert said == ["This invitation has been used: the guest is registered, so it is not sent."]
    assert mail.outbox == []
    assert OutgoingEmail.objects.count() == emails_before


def test_reminding_an_invitation_never_sent_says_nothing_was_sent(
    organiser_client, invitation, sent
):
    with sent():
        said = invitation_action(organiser_client, invitation, "remind")

    assert said == [
        "No reminder was sent: the invitation has not been sent yet, was declined, or "
        "registration is closed."
    ]
    assert mail.outbox == []


def test_an_open_invitation_is_sent_again_with_its_message(organiser_client, invitation, sent):
    with sent():
        said = invitation_action(organiser_client, invitation, "send")

    assert said == ["The invitation will be sent in a moment."]
    assert [message.to for message in mail.outbox] == [["Chan.TM@example.org"]]


# --- Login by code -------------------------------------------------------------------------


def test_login_code_answers_alike_for_known_and_unknown_addresses(client, invitation):
    accept(Client(), invitation)
    mail.outbox.clear()

    known = Client().post("/accounts/login/code/", {"email": invitation.email})
    unknown = Client().post("/accounts/login/code/", {"email": "nobody@example.org"})

    assert (known.status_code, known["Location"]) == (302, "/accounts/login/code/confirm/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/accounts/login/code/confirm/")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "chan.tm@example.org",
        "nobody@example.org",
    ]


def test_login_codes_are_limited_per_address_and_not_reset_by_success(invitation):
    accept(Client(), invitation)
    mail.outbox.clear()

    def ask(address, email):
        return Client(REMOTE_ADDR=address).post("/accounts/login/code/", {"email": email})

    first = ask("198.51.100.1", invitation.email)
    answers = [ask(f"198.51.100.{n}", invitation.email).status_code for n in (2, 3, 4)]
    unknown = [ask(f"198.51.100.{n}", "nobody@example.org").status_code for n in (5, 6, 7, 8)]

    assert first.status_code == 302
    # Three requests in five minutes per address, whichever client asks, known or not: the
    # fourth gets the form again with the same refusal either way.
    assert answers == [302, 302, 200]
    assert unknown == [302, 302, 302, 200]


def test_a_successful_login_by_code_does_not_reset_the_limit(invitation):
    accept(Client(), invitation)
    mail.outbox.clear()
    guest = Client(REMOTE_ADDR="198.51.100.1")

    guest.post("/accounts/login/code/", {"email": invitation.email})
    logged_in = guest.post(
        reverse("account_confirm_login_code"), {"code": login_code(mail.outbox[-1])}
    )
    answers = [
        Client(REMOTE_ADDR="198.51.100.2")
        .post("/accounts/login/code/", {"email": invitation.email})
        .status_code
        for _ in range(3)
    ]

    assert logged_in.status_code == 302
    assert session_user_id(guest) is not None
    assert answers == [302, 302, 200]


def test_login_codes_are_limited_per_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    def ask(email, client_address):
        # A new session each time, as a script would (one session waits for its code).
        proxy = Client(REMOTE_ADDR="10.0.0.1")
        return proxy.post(
            "/accounts/login/code/", {"email": email}, HTTP_X_FORWARDED_FOR=client_address
        ).status_code

    answers = [ask(f"guess{n}@example.org", "203.0.113.9") for n in range(21)]
    neighbour = ask("me@example.org", "203.0.113.10")

    assert answers == [302] * 20 + [200]
    assert neighbour == 302


def test_a_guest_invited_may_add_a_password(client, invitation):
    accept(client, invitation)

    page = client.get(reverse("registration:mine"))
    response = client.post(
        reverse("account_set_password"),
        {"password1": "Bayline-2026!x", "password2": "Bayline-2026!x"},
    )

    assert reverse("account_set_password") in page.text
    assert response.status_code == 302
    assert Registration.objects.get().user.check_password("Bayline-2026!x")


def test_remind_does_nothing_once_registration_closed(summit, invitation):
    invitations.send_invitation(invitation)
    Summit.objects.filter(pk=summit.pk).update(registration_closes_at=timezone.now())
    summit.refresh_from_db()

    assert invitations.remind_invitations(summit) == 0


def test_link_of_an_earlier_summit_opens_nothing(client, invitation):
    earlier = factories.SummitFactory(
        slug="digital-gba-2025", starts_on=invitation.summit.starts_on - datetime.timedelta(365)
    )
    old = Invitation.objects.create(summit=earlier, email="old@example.com")
    for cached in (False, True):  # the current summit's id read from the cache, or not yet
        assert client.get(invitation_path(old)).status_code == 404
        assert client.get(invitation_path(invitation)).status_code == 200, cached
    assert invitation_links.find_invitation(old.code, invitation_links.invitation_key(old)) is None


def test_link_with_a_wrong_key_opens_nothing_and_counts_a_guess(client, invitation):
    response = client.get(invitation_path(invitation)[:-3] + "xyz/")
    assert response.status_code == 404
    wrong = invitation_links.invitation_key(invitation)[::-1]
    assert invitation_links.find_invitation(invitation.code, wrong) is None


def test_link_shows_no_region_chosen_and_registers_none_without_one(client, invitation):
    page = client.get(invitation_path(invitation))
    refused = accept(client, invitation, region="")

    assert [(value, selected) for value, _text, selected in region_options(page.text)][:2] == [
        ("", True),
        ("guangdong", False),
    ]
    assert refused.status_code == 200
    assert refused.context["form"].errors == {"region": ["This field is required."]}
    assert Registration.objects.count() == 0
    assert session_user_id(client) is None
