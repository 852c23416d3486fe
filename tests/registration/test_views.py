import json
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from registration import changes
from registration.models import Enrolment, Registration
from registration.signals import guest_page_sections
from summit.dashboard import Panel
from summit.models import Summit
from tests import factories
from tests.registration.conftest import form_data, region_options

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_client(client, guest_user):
    client.force_login(guest_user)
    return client


def test_register_page_shows_forums_with_seats_left(guest_client, summit, small_forum):
    response = guest_client.get(reverse("registration:register"))

    assert response.status_code == 200
    assert small_forum.title_en in response.text
    assert "2 seats left" in response.text
    assert 'name="submission_key"' in response.text


def test_register_page_needs_login(client, summit):
    response = client.get(reverse("registration:register"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_register_creates_registration_and_enrolment(guest_client, guest_user, small_forum):
    response = guest_client.post(
        reverse("registration:register"), form_data(forums=[small_forum.pk])
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("registration:mine")
    registration = Registration.objects.get(user=guest_user)
    assert registration.email == guest_user.email
    assert registration.enrolments.get().forum == small_forum


def test_register_bad_input_shows_errors_and_keeps_what_was_typed(guest_client, small_forum):
    data = form_data(
        name="",
        name_latin="",
        organisation="澳門大學",
        phone="abc",
        consent="",
        forums=[small_forum.pk],
    )
    data.pop("consent")

    response = guest_client.post(reverse("registration:register"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "name_latin", "phone", "consent"}
    assert 'value="澳門大學"' in response.text
    assert f'value="{small_forum.pk}" checked' in response.text
    assert Registration.objects.count() == 0


def test_register_dietary_other_needs_details(guest_client, summit):
    response = guest_client.post(reverse("registration:register"), form_data(dietary="other"))

    assert list(response.context["form"].errors) == ["dietary_notes"]


def test_register_resubmitted_form_creates_one(guest_client, summit, small_forum):
    data = form_data(forums=[small_forum.pk])

    first = guest_client.post(reverse("registration:register"), data)
    second = guest_client.post(reverse("registration:register"), data)

    assert first.status_code == second.status_code == 302
    assert Registration.objects.count() == 1
    assert Summit.objects.get().seats_taken == 1


def test_register_is_rate_limited(guest_client, summit, monkeypatch):
    monkeypatch.setattr("registration.ratelimit.LIMIT", 3)
    bad = form_data(name="", name_latin="")

    codes = [guest_client.post(reverse("registration:register"), bad).status_code for _ in range(4)]

    assert codes == [200, 200, 200, 429]


def test_mine_shows_status_choices_and_other_apps_sections(
    guest_client, register, guest_user, small_forum
):
    register(user=guest_user, forums=[small_forum])

    def badge_section(sender, registration, request, **kwargs):
        return [Panel("Your badge", "registration/too_many.html", {}, order=1)]

    guest_page_sections.connect(badge_section)
    try:
        response = guest_client.get(reverse("registration:mine"))
    finally:
        guest_page_sections.disconnect(badge_section)

    assert response.status_code == 200
    assert "Confirmed" in response.text
    assert small_forum.title_en in response.text
    assert "Your badge" in response.text


def test_cancel_one_choice_from_my_page(guest_client, register, guest_user, small_forum):
    registration = register(user=guest_user, forums=[small_forum])
    enrolment = registration.enrolments.get()

    response = guest_client.post(reverse("registration:cancel-enrolment", args=[enrolment.pk]))

    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.CANCELLED


def test_cancel_someone_elses_choice_is_404(guest_client, register, guest_user, small_forum):
    register(user=guest_user)
    other = register(forums=[small_forum])

    response = guest_client.post(
        reverse("registration:cancel-enrolment", args=[other.enrolments.get().pk])
    )

    assert response.status_code == 404
    assert other.enrolments.get().status == Enrolment.Status.CONFIRMED


def test_change_choices_page(guest_client, register, guest_user, summit, small_forum):
    other = factories.ForumFactory(summit=summit, capacity=10)
    register(user=guest_user, forums=[small_forum])

    response = guest_client.post(reverse("registration:choices"), {"forums": [other.pk]})

    assert response.status_code == 302
    active = Enrolment.objects.filter(registration__user=guest_user, status="confirmed")
    assert list(active.values_list("forum_id", flat=True)) == [other.pk]


def test_cancel_whole_registration(guest_client, register, guest_user):
    register(user=guest_user)

    response = guest_client.post(reverse("registration:cancel"))

    assert response.status_code == 302
    assert Registration.objects.get(user=guest_user).status == "cancelled"
    assert Summit.objects.get().seats_taken == 0


def test_guest_cannot_see_organiser_pages(guest_client, register):
    other = register()

    assert guest_client.get(reverse("registration:organiser-guests")).status_code == 403
    detail = reverse("registration:organiser-guest", args=[other.pk])
    assert guest_client.get(detail).status_code == 403


def test_anonymous_is_sent_to_login_from_organiser_pages(client, summit):
    response = client.get(reverse("registration:organiser-guests"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_signup_puts_user_in_guests_group(client, summit, roles):
    client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": "Bayline-2026!x", "password2": "Bayline-2026!x"},
    )

    guests = Group.objects.get(name="Guests")
    assert list(guests.user_set.values_list("email", flat=True)) == ["new@example.org"]


def test_download_my_data_as_json(guest_client, register, guest_user, small_forum):
    register(user=guest_user, forums=[small_forum])

    response = guest_client.get(reverse("registration:my-data"))

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert data["account"]["email"] == guest_user.email
    [registration] = data["registrations"]
    assert registration["name"] == "陳大文"
    assert registration["consent_version"] == "2026-1"
    assert registration["choices"][0]["forum"] == small_forum.title_en


def test_delete_account_cancels_frees_seat_and_removes_personal_data(
    guest_client, register, guest_user, small_forum
):
    registration = register(user=guest_user, forums=[small_forum])
    waiting_holder = register(forums=[small_forum])
    waiting = register(forums=[small_forum])
    assert waiting_holder.enrolments.get().status == "confirmed"

    response = guest_client.post(reverse("registration:delete-account"), {"confirm": "yes"})

    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert registration.user is None
    assert (registration.name, registration.phone, registration.organisation) == ("", "", "")
    assert registration.name_latin == "Deleted guest"
    assert "@invalid" in registration.email
    assert not type(guest_user).objects.filter(pk=guest_user.pk).exists()
    assert waiting.enrolments.get().status == "confirmed"


def test_imported_registration_is_claimed_by_matching_account(client, summit, roles):
    from allauth.account.models import EmailAddress

    changes  # noqa: B018  (imported for symmetry with other tests)
    Registration.objects.create(
        summit=summit, email="delegate@example.org", name="王伟", organisation="国家数据局",
        region="mainland", consent_given_at="2026-10-01T00:00+08:00", consent_version="import",
    )  # fmt: skip
    user = factories.UserFactory(email="delegate@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)

    response = client.get(reverse("registration:mine"))

    assert response.status_code == 200
    assert Registration.objects.get().user == user


def test_signup_is_rate_limited_per_address(client, summit, roles):
    codes = [
        client.post(
            reverse("account_signup"),
            {"email": f"n{n}@example.org", "password1": "short", "password2": "short"},
        ).status_code
        for n in range(21)
    ]

    assert codes[:20] == [200] * 20
    assert codes[20] == 429


def test_login_is_rate_limited_after_failures(client, summit, guest_user):
    responses = [
        client.post(reverse("account_login"), {"login": guest_user.email, "password": "wrong"})
        for _ in range(6)
    ]

    blocked = ["Too many failed attempts. Wait a few minutes." in r.text for r in responses]
    assert blocked == [False] * 5 + [True]


def test_register_page_when_registration_closed(guest_client, summit):
    import datetime

    from django.utils import timezone

    Summit.objects.filter(pk=summit.pk).update(
        registration_opens_at=timezone.now() + datetime.timedelta(days=1),
        registration_closes_at=timezone.now() + datetime.timedelta(days=2),
    )

    response = guest_client.get(reverse("registration:register"))

    assert "Registration is not open at the moment." in response.text
    assert 'name="consent"' not in response.text


def visible_text(html: str) -> str:
    """The page's words, tags removed and white space folded."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


CANCELLING_IS_FINAL = {
    "en": (
        "Cancelling is final: you cannot register again yourself. "
        "To take part again, please write to the organisers at summit@example.org."
    ),
    "zh-hans": (
        "取消后不可恢复，您无法自行重新报名。 如需再次参加，请发邮件至主办方 summit@example.org。"
    ),
    "zh-hant": (
        "取消後不可恢復，您無法自行重新報名。 如需再次參加，請發電郵至主辦方 summit@example.org。"
    ),
}


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_cancel_page_says_cancelling_is_final_and_whom_to_write_to(
    guest_client, register, guest_user, summit, language
):
    summit.contact_email = "summit@example.org"
    summit.save()
    register(user=guest_user)

    response = guest_client.get(reverse("registration:cancel"), HTTP_ACCEPT_LANGUAGE=language)

    assert CANCELLING_IS_FINAL[language] in visible_text(response.text)
    assert '<a href="mailto:summit@example.org">summit@example.org</a>' in response.text
    assert "register again only" not in response.text
    assert "尚有名額" not in response.text and "尚有名额" not in response.text


def test_cancel_page_without_a_contact_address_says_write_to_the_organisers(
    guest_client, register, guest_user, summit
):
    summit.contact_email = ""
    summit.save()
    register(user=guest_user)

    response = guest_client.get(reverse("registration:cancel"))

    assert (
        "Cancelling is final: you cannot register again yourself. "
        "To take part again, please write to the organisers."
    ) in visible_text(response.text)
    assert "mailto:" not in response.text


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_cancelled_registration_cannot_register_again_and_its_page_says_so(
    guest_client, register, guest_user, summit, language
):
    summit.contact_email = "summit@example.org"
    summit.save()
    register(user=guest_user)
    guest_client.post(reverse("registration:cancel"))

    again = guest_client.post(reverse("registration:register"), form_data())
    page = guest_client.get(
        reverse("registration:register"), follow=True, HTTP_ACCEPT_LANGUAGE=language
    )

    assert again.status_code == 302
    assert again["Location"] == reverse("registration:mine")
    assert list(Registration.objects.values_list("status", flat=True)) == ["cancelled"]
    assert page.redirect_chain == [(reverse("registration:mine"), 302)]
    assert CANCELLING_IS_FINAL[language] in visible_text(page.text)


@pytest.mark.parametrize(
    ("language", "prompt"),
    [("en", "Choose your region"), ("zh-hans", "请选择您的地区"), ("zh-hant", "請選擇您的地區")],
)
def test_register_page_shows_no_region_chosen(guest_client, summit, language, prompt):
    response = guest_client.get(reverse("registration:register"), HTTP_ACCEPT_LANGUAGE=language)

    options = region_options(response.text)
    assert options[0] == ("", prompt, True)
    assert [value for value, _text, selected in options if selected] == [""]
    assert [value for value, _text, _selected in options[1:]] == [
        "guangdong",
        "hong_kong",
        "macao",
        "mainland",
        "overseas",
    ]


@pytest.mark.parametrize("region", ["", None])
def test_register_without_a_region_is_refused_with_its_field_error(guest_client, summit, region):
    data = form_data(region=region)
    if region is None:
        data.pop("region")

    response = guest_client.post(reverse("registration:register"), data)

    assert response.status_code == 200
    assert response.context["form"].errors == {"region": ["This field is required."]}
    assert region_options(response.text)[0] == ("", "Choose your region", True)
    assert Registration.objects.count() == 0


def test_register_keeps_the_region_chosen_when_another_field_is_wrong(guest_client, summit):
    response = guest_client.post(
        reverse("registration:register"), form_data(region="macao", phone="abc")
    )

    assert list(response.context["form"].errors) == ["phone"]
    assert [value for value, _text, selected in region_options(response.text) if selected] == [
        "macao"
    ]
