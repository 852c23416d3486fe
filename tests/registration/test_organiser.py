import csv
import datetime
import io

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from registration.models import Invitation, Registration
from summit.models import Summit
from tests import factories
from tests.registration.conftest import guest_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(summit, register, small_forum):
    """Guests in several scripts, regions and statuses."""
    register(details={"name": "陳大文", "name_latin": "Chan Tai Man", "region": "hong_kong"})
    macao = {"name": "", "name_latin": "João Conceição", "region": "macao"}
    register(details={**macao, "organisation": "Universidade de São José"}, forums=[small_forum])
    guangdong = {"name": "王伟", "name_latin": "", "region": "guangdong"}
    register(details={**guangdong, "organisation": "广东省政务服务数据管理局"}, category="vip")
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    register(details={"name": "李小龍", "name_latin": "Lee Siu Lung", "region": "overseas"})


def names(response) -> list[str]:
    return [guest.display_name for guest in response.context["page"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("陳大文", ["陳大文 / Chan Tai Man"]),
        ("chan tai", ["陳大文 / Chan Tai Man"]),
        ("joao", ["João Conceição"]),
        ("São José", ["João Conceição"]),
        ("数据管理局", ["王伟"]),
        ("LEE", ["李小龍 / Lee Siu Lung"]),
    ],
)
def test_guest_list_search_in_any_script(organiser_client, crowd, query, expected):
    response = organiser_client.get(reverse("registration:organiser-guests"), {"q": query})

    assert names(response) == expected


def test_guest_list_search_by_email(organiser_client, crowd):
    email = Registration.objects.get(name="王伟").email

    response = organiser_client.get(reverse("registration:organiser-guests"), {"q": email})

    assert names(response) == ["王伟"]


def test_guest_list_filters(organiser_client, crowd, small_forum):
    url = reverse("registration:organiser-guests")

    assert names(organiser_client.get(url, {"status": "pending"})) == ["李小龍 / Lee Siu Lung"]
    assert names(organiser_client.get(url, {"category": "vip"})) == ["王伟"]
    assert names(organiser_client.get(url, {"region": "macao"})) == ["João Conceição"]
    assert names(organiser_client.get(url, {"forum": small_forum.pk})) == ["João Conceição"]


@pytest.mark.parametrize(
    ("params", "expected", "field", "value"),
    [
        ({"status": "pending", "forum": "999"}, ["李小龍 / Lee Siu Lung"], "forum", "999"),
        ({"status": "confirmd", "region": "macao"}, ["João Conceição"], "status", "confirmd"),
        ({"forum": "abc", "category": "vip"}, ["王伟"], "forum", "abc"),
    ],
)
def test_guest_list_invalid_filter_is_dropped_alone_and_shown(
    organiser_client, crowd, params, expected, field, value
):
    response = organiser_client.get(reverse("registration:organiser-guests"), params)

    error = f"“{value}” is not one of the choices, so this filter is not applied."
    assert response.status_code == 200
    assert names(response) == expected
    assert response.context["filter_form"].errors == {field: [error]}
    assert error in response.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_guest_export_invalid_filter_exports_nothing(organiser_client, crowd, fmt):
    response = organiser_client.get(
        reverse("registration:organiser-guests-export", args=[fmt]),
        {"status": "confirmed", "forum": "999"},
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "Nothing was exported: these filters are not valid: Forum. Correct them on the guest "
        "list, then export again."
    )


def test_guest_list_paginates_with_few_queries(
    organiser_client, summit, django_assert_max_num_queries
):
    for number in range(120):
        factories.RegistrationFactory(summit=summit, email=f"g{number}@example.org", user=None)

    with django_assert_max_num_queries(12):
        response = organiser_client.get(reverse("registration:organiser-guests"), {"page": 3})

    assert response.status_code == 200
    assert response.context["total"] == 120
    assert len(response.context["page"]) == 20
    assert "Page 3 of 3" in response.text


def test_guest_detail_shows_enrolments_and_history(organiser_client, register, small_forum):
    registration = register(forums=[small_forum])

    response = organiser_client.get(reverse("registration:organiser-guest", args=[registration.pk]))

    assert response.status_code == 200
    assert small_forum.title_en in response.text
    assert "→ Confirmed" in response.text


def test_approve_one_from_detail_page_emails_guest(
    organiser_client, summit, register, django_capture_on_commit_callbacks
):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    pending = register(details={"language": "en"})

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("registration:organiser-guest-action", args=[pending.pk, "approve"])
        )

    pending.refresh_from_db()
    assert response.status_code == 302
    assert pending.status == "confirmed"
    assert mail.outbox[-1].subject == "[Digital GBA Summit] Your registration is confirmed"


def edit_url(registration) -> str:
    return reverse("registration:organiser-guest-edit", args=[registration.pk])


def edit_data(**overrides) -> dict:
    return {**guest_details(), "category": "delegate", **overrides}


def test_guest_edit_form_is_filled_with_the_registration(organiser_client, register):
    registration = register(category="vip")

    response = organiser_client.get(edit_url(registration))

    assert response.status_code == 200
    assert response.context["form"].initial == edit_data(category="vip")
    assert 'value="Chan Tai Man"' in response.text
    assert 'name="csrfmiddlewaretoken"' in response.text


def test_guest_page_links_to_the_edit_page(organiser_client, register):
    registration = register()

    response = organiser_client.get(reverse("registration:organiser-guest", args=[registration.pk]))

    assert f'href="{edit_url(registration)}">Edit details</a>' in response.text


def test_guest_edit_saves_and_the_guest_page_shows_the_new_values(organiser_client, register):
    registration = register()

    response = organiser_client.post(
        edit_url(registration),
        edit_data(name_latin="Chan Siu Man", organisation="Macao Polytechnic", category="speaker"),
        follow=True,
    )

    assert response.redirect_chain == [
        (reverse("registration:organiser-guest", args=[registration.pk]), 302)
    ]
    assert [str(m) for m in response.context["messages"]] == ["Details saved."]
    assert response.context["registration"].display_name == "陳大文 / Chan Siu Man"
    assert "<h1>陳大文 / Chan Siu Man</h1>" in response.text
    assert "<dd>Macao Polytechnic</dd>" in response.text
    assert '<span class="pill">Speaker</span>' in response.text
    registration.refresh_from_db()
    assert (registration.name_latin, registration.organisation, registration.category) == (
        "Chan Siu Man",
        "Macao Polytechnic",
        "speaker",
    )


def test_guest_edit_is_found_by_its_new_name(organiser_client, register):
    registration = register()
    organiser_client.post(edit_url(registration), edit_data(name="", name_latin="João Conceição"))

    response = organiser_client.get(reverse("registration:organiser-guests"), {"q": "joao"})

    assert names(response) == ["João Conceição"]


def test_guest_edit_errors_are_shown_by_their_fields_and_nothing_is_lost(
    organiser_client, register
):
    registration = register()
    submitted = edit_data(
        name="",
        name_latin="",
        organisation="Digital\x1b Office",
        job_title="Chief Data Officer",
        phone="call me",
        dietary="other",
        dietary_notes="",
        category="speaker",
    )

    response = organiser_client.post(edit_url(registration), submitted)

    assert response.status_code == 200
    either = "Give your name in Chinese characters, in Latin letters, or both."
    assert response.context["form"].errors == {
        "name": [either],
        "name_latin": [either],
        "organisation": ["Remove the invisible control characters (such as escape) here."],
        "phone": ["Enter a phone number, for example +853 6123 4567."],
        "dietary_notes": ["Please tell us your dietary requirements."],
    }
    assert '<ul class="errorlist" id="id_phone_error"><li>Enter a phone number' in response.text
    assert 'value="Chief Data Officer"' in response.text
    assert '<option value="speaker" selected>' in response.text
    registration.refresh_from_db()
    assert (registration.name_latin, registration.job_title, registration.category) == (
        "Chan Tai Man",
        "Director",
        "delegate",
    )
    assert registration.events.filter(kind="details").count() == 0


@pytest.mark.parametrize("who", ["door_staff", "guest_user"])
def test_guest_edit_is_forbidden_to_door_staff_and_guests(client, register, request, who):
    registration = register()
    client.force_login(request.getfixturevalue(who))

    page = client.get(edit_url(registration))
    post = client.post(edit_url(registration), edit_data(category="vip"))

    assert (page.status_code, post.status_code) == (403, 403)
    registration.refresh_from_db()
    assert registration.category == "delegate"


def test_guest_edit_needs_the_csrf_token(organiser, register):
    registration = register()
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)

    response = client.post(edit_url(registration), edit_data(category="vip"))

    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.category == "delegate"


def test_guest_edit_of_an_earlier_summits_guest_is_not_found(organiser_client, summit):
    earlier = factories.SummitFactory(
        slug="digital-gba-2025", starts_on=summit.starts_on - datetime.timedelta(365)
    )
    other = factories.RegistrationFactory(summit=earlier)

    assert organiser_client.get(edit_url(other)).status_code == 404


def test_bulk_reject(organiser_client, crowd):
    pending = Registration.objects.filter(status="pending")
    ids = list(pending.values_list("pk", flat=True))

    response = organiser_client.post(
        reverse("registration:organiser-guests-bulk"),
        {"action": "reject", "selected": ids, "next": "/organiser/guests/?status=pending"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/organiser/guests/?status=pending"
    assert Registration.objects.filter(status="rejected").count() == len(ids) == 1


def test_export_csv_of_filtered_list(organiser_client, crowd, small_forum):
    response = organiser_client.get(
        reverse("registration:organiser-guests-export", args=["csv"]), {"region": "macao"}
    )

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(row["name_latin"], row["forums"]) for row in rows] == [
        ("João Conceição", small_forum.slug)
    ]


def test_export_xlsx(organiser_client, crowd):
    from openpyxl import load_workbook

    response = organiser_client.get(reverse("registration:organiser-guests-export", args=["xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("email", "name", "name_latin")
    assert len(rows) == 5
    assert {row[1] for row in rows[1:]} >= {"陳大文", "王伟", "李小龍"}


def exported_rows(response, fmt: str) -> list[dict]:
    if fmt == "csv":
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))
    from openpyxl import load_workbook

    header, *rows = load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_registered_at_is_in_the_sites_time_zone(organiser_client, summit, fmt):
    registration = factories.RegistrationFactory(summit=summit, user=None)
    utc_evening = datetime.datetime(2026, 5, 1, 16, 30, 5, tzinfo=datetime.UTC)
    Registration.objects.filter(pk=registration.pk).update(created_at=utc_evening)

    response = organiser_client.get(reverse("registration:organiser-guests-export", args=[fmt]))

    [row] = exported_rows(response, fmt)
    assert row["registered_at"] == "2026-05-02T00:30:05+08:00"


def test_create_single_invitation_and_send(
    organiser_client, summit, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("registration:organiser-invitations"),
            {
                "one-email": "speaker@example.org",
                "one-name_latin": "Ana Sofia",
                "one-category": "speaker",
                "one-language": "en",
                "send": "1",
            },
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.category) == ("speaker@example.org", "speaker")
    assert mail.outbox[0].to == ["speaker@example.org"]


def test_create_invitations_in_bulk_from_pasted_csv(organiser_client, summit):
    pasted = (
        "\ufeffemail,name,name_latin,organisation\na@example.org,李明,,澳門大學\nb@example.org\n"
    )

    organiser_client.post(
        reverse("registration:organiser-invitations"),
        {"many-entries": pasted, "many-category": "media", "many-language": "zh-hant"},
    )
    organiser_client.post(
        reverse("registration:organiser-invitations"),
        {"many-entries": pasted, "many-category": "media", "many-language": "zh-hant"},
    )

    invitations = Invitation.objects.order_by("email")
    assert [(i.email, i.name, i.category) for i in invitations] == [
        ("a@example.org", "李明", "media"),
        ("b@example.org", "", "media"),
    ]


def test_bulk_invitations_report_bad_lines(organiser_client, summit):
    response = organiser_client.post(
        reverse("registration:organiser-invitations"),
        {"many-entries": "ok@example.org\nnot-an-email\n", "many-category": "vip",
         "many-language": "en"},
    )  # fmt: skip

    assert response.status_code == 200
    assert "Line 2: “not-an-email” is not an e-mail address." in response.text
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("line", "error"),
    [
        # Longer than the columns hold: a 500 on PostgreSQL ("value too long").
        (
            "a@example.org," + "名" * 121,
            "Line 2: the name (native script) is longer than 120 characters.",
        ),
        ("a@example.org,,," + "o" * 201, "Line 2: the organisation is longer than 200 characters."),
        (
            "a@example.org,,Chan\x1bTai",
            "Line 2: the name (Latin letters) contains control characters.",
        ),
        (
            "a@example.org," + "x" * 140_000,
            "This text cannot be read as CSV (field larger than field limit (131072)).",
        ),
    ],
)
def test_bulk_invitations_refuse_overlong_and_control_characters(
    organiser_client, summit, line, error
):
    response = organiser_client.post(
        reverse("registration:organiser-invitations"),
        {"many-entries": f"ok@example.org\n{line}\n", "many-category": "vip",
         "many-language": "en"},
    )  # fmt: skip

    assert response.status_code == 200
    assert response.context["bulk"].errors["entries"] == [error]
    assert Invitation.objects.count() == 0


def test_dashboard_shows_registration_panels(organiser_client, crowd, small_forum):
    response = organiser_client.get(reverse("organiser-dashboard"))

    assert response.status_code == 200
    assert "Registrations by status" in response.text
    assert "Forums: seats and waiting lists" in response.text
    assert "Guests by region" in response.text
    panels = {panel.title: panel for panel in response.context["panels"]}
    figures = panels["Registrations by status"].context
    assert figures["by_status"] == {"confirmed": 3, "pending": 1}


def test_dashboard_figures_tell_waiting_list_from_awaiting_approval(summit, register, small_forum):
    from registration.selectors import figures

    for _ in range(3):
        register(forums=[small_forum])  # two seats, then one in line
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    register(forums=[small_forum])  # pending: waits for an organiser, not for a seat

    forum = next(f for f in figures(summit)["forums"] if f.pk == small_forum.pk)

    assert (forum.seats_taken, forum.waiting, forum.awaiting_approval) == (2, 1, 1)
