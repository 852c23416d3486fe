"""Who may fetch which badge, print in bulk and reissue; every view's permissions."""

import pytest
from django.urls import reverse

from badges.models import Badge, PrintJob
from badges.services import issue_badge
from badges.signing import verify_code
from registration.models import Registration
from tests import factories
from tests.badges import pdfs


@pytest.fixture
def confirmed(summit):
    return factories.RegistrationFactory(summit=summit)


@pytest.fixture
def finished_job(summit, media_root):
    from django.core.files.base import ContentFile

    job = factories.PrintJobFactory(summit=summit, status=PrintJob.Status.DONE, total=1, done=1)
    job.file.save("badges-test.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return job


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# --- /me/badge.pdf ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_my_badge_is_the_guests_own_pdf(client, summit, guest_user):
    registration = factories.RegistrationFactory(summit=summit, user=guest_user)
    client.force_login(guest_user)

    response = client.get(reverse("badges:my-badge"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    code = verify_code(pdfs.qr_codes(response.content)[0])
    assert code.badge_id == registration.badges.get(revoked_at=None).pk


@pytest.mark.django_db
def test_my_badge_asks_anonymous_visitors_to_log_in(client, summit):
    response = client.get(reverse("badges:my-badge"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["pending", "waitlisted", "cancelled", "rejected"])
def test_my_badge_is_404_until_the_registration_is_confirmed(client, summit, guest_user, status):
    factories.RegistrationFactory(summit=summit, user=guest_user, status=status)
    client.force_login(guest_user)

    response = client.get(reverse("badges:my-badge"))

    assert response.status_code == 404


@pytest.mark.django_db
def test_my_badge_is_404_without_a_registration_even_if_others_have_one(
    client, summit, confirmed, guest_user
):
    client.force_login(guest_user)

    response = client.get(reverse("badges:my-badge"))

    assert response.status_code == 404


# --- /badges/registration/<id>.pdf -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status_code"),
    [(None, 302), ("guest_user", 403), ("door_staff", 200), ("organiser", 200)],
)
def test_desk_reprint_needs_print_badges(request, client, confirmed, who, status_code):
    login(client, request.getfixturevalue(who) if who else None)

    response = client.get(reverse("badges:registration-badge", args=[confirmed.pk]))

    assert response.status_code == status_code


@pytest.mark.django_db
def test_desk_reprint_issues_a_badge_for_a_confirmed_registration_without_one(
    client, door_staff, confirmed
):
    client.force_login(door_staff)

    response = client.get(reverse("badges:registration-badge", args=[confirmed.pk]))

    badge = confirmed.badges.get()
    assert verify_code(pdfs.qr_codes(response.content)[0]).badge_id == badge.pk


@pytest.mark.django_db
def test_desk_reprint_renders_the_active_badge(client, door_staff, confirmed):
    badge = issue_badge(confirmed)
    client.force_login(door_staff)

    response = client.get(reverse("badges:registration-badge", args=[confirmed.pk]))

    code = verify_code(pdfs.qr_codes(response.content)[0])
    assert (code.badge_id, code.serial) == (badge.pk, 1)
    assert confirmed.badges.count() == 1


@pytest.mark.django_db
def test_desk_reprint_is_404_for_a_cancelled_registration(client, door_staff, summit):
    cancelled = factories.RegistrationFactory(summit=summit, status="cancelled")
    client.force_login(door_staff)

    response = client.get(reverse("badges:registration-badge", args=[cancelled.pk]))

    assert response.status_code == 404


# --- reissue -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status_code"),
    [(None, 302), ("guest_user", 403), ("door_staff", 403), ("organiser", 302)],
)
def test_reissue_needs_manage_guests(request, client, confirmed, who, status_code):
    issue_badge(confirmed)
    login(client, request.getfixturevalue(who) if who else None)

    response = client.post(reverse("badges:reissue", args=[confirmed.pk]))

    assert response.status_code == status_code
    expected_serials = [2, 1] if who == "organiser" else [1]
    assert list(confirmed.badges.order_by("-serial").values_list("serial", flat=True)) == (
        expected_serials
    )


@pytest.mark.django_db
def test_reissue_is_post_only(organiser_client, confirmed):
    response = organiser_client.get(reverse("badges:reissue", args=[confirmed.pk]))

    assert response.status_code == 405


@pytest.mark.django_db
def test_reissue_returns_to_the_page_it_came_from_and_says_so(organiser_client, confirmed):
    old = issue_badge(confirmed)
    back = reverse("badges:print-jobs") + "?q=Chan"

    response = organiser_client.post(
        reverse("badges:reissue", args=[confirmed.pk]), {"next": back}, follow=True
    )

    old.refresh_from_db()
    assert response.redirect_chain == [(back, 302)]
    assert old.revoked_reason == Badge.RevokedReason.REISSUED
    assert "no. 2" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    # Off site, and what is no address at all (it was taken for a view's name: a 500).
    ["https://evil.example/", "//evil.example/", "0", "badges:print-jobs", "x" * 3000],
)
def test_reissue_ignores_a_foreign_next_url(organiser_client, confirmed, next_url):
    response = organiser_client.post(
        reverse("badges:reissue", args=[confirmed.pk]), {"next": next_url}
    )

    assert response["Location"] == reverse("badges:print-jobs")


@pytest.mark.django_db
def test_reissue_of_a_pending_registration_is_refused_with_a_message(organiser_client, summit):
    pending = factories.RegistrationFactory(summit=summit, status=Registration.Status.PENDING)

    response = organiser_client.post(reverse("badges:reissue", args=[pending.pk]), follow=True)

    assert pending.badges.count() == 0
    assert "Only a confirmed registration" in response.text


# --- organiser pages -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status_code"),
    [(None, 302), ("guest_user", 403), ("door_staff", 200), ("organiser", 200)],
)
def test_bulk_print_page_needs_print_badges(request, client, summit, who, status_code):
    login(client, request.getfixturevalue(who) if who else None)

    response = client.get(reverse("badges:print-jobs"))

    assert response.status_code == status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status_code"),
    [(None, 302), ("guest_user", 403), ("door_staff", 200), ("organiser", 200)],
)
def test_print_job_status_needs_print_badges(request, client, finished_job, who, status_code):
    login(client, request.getfixturevalue(who) if who else None)

    response = client.get(reverse("badges:print-job-status", args=[finished_job.pk]))

    assert response.status_code == status_code


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "status_code"),
    [(None, 302), ("guest_user", 403), ("door_staff", 200), ("organiser", 200)],
)
def test_print_job_download_needs_print_badges(request, client, finished_job, who, status_code):
    login(client, request.getfixturevalue(who) if who else None)

    response = client.get(reverse("badges:print-job-download", args=[finished_job.pk]))
    response.close()

    assert response.status_code == status_code


@pytest.mark.django_db
def test_print_job_download_is_404_until_the_file_is_ready(organiser_client, summit):
    job = factories.PrintJobFactory(summit=summit, status=PrintJob.Status.RUNNING)

    response = organiser_client.get(reverse("badges:print-job-download", args=[job.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_desk_search_lists_matching_guests_with_their_badge(organiser_client, confirmed):
    issue_badge(confirmed)

    response = organiser_client.get(reverse("badges:print-jobs"), {"q": "Chan Tai"})

    assert reverse("badges:registration-badge", args=[confirmed.pk]) in response.text
    assert reverse("badges:reissue", args=[confirmed.pk]) in response.text


@pytest.mark.django_db
def test_desk_search_hides_reissue_from_door_staff(client, door_staff, confirmed):
    client.force_login(door_staff)

    response = client.get(reverse("badges:print-jobs"), {"q": "Chan Tai"})

    assert reverse("badges:registration-badge", args=[confirmed.pk]) in response.text
    assert reverse("badges:reissue", args=[confirmed.pk]) not in response.text


@pytest.mark.django_db
def test_organiser_navigation_links_the_badges_page(organiser_client, summit):
    response = organiser_client.get(reverse("organiser-dashboard"))

    assert reverse("badges:print-jobs") in response.text


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(organiser_client, confirmed, finished_job):
    response = organiser_client.get(reverse("badges:print-jobs"), {"q": "Chan"})

    assert "<script>" not in response.text
    assert "style=" not in response.text


@pytest.mark.django_db
def test_desk_search_finds_a_guest_by_one_chinese_character(organiser_client, confirmed):
    single_latin = organiser_client.get(reverse("badges:print-jobs"), {"q": "C"})
    single_chinese = organiser_client.get(reverse("badges:print-jobs"), {"q": "陳"})

    link = reverse("badges:registration-badge", args=[confirmed.pk])
    assert link not in single_latin.text
    assert link in single_chinese.text


def test_bulk_print_forum_filter_says_what_it_counts_and_leaves_out_the_main_summit(
    organiser_client, summit
):
    import re

    factories.ForumFactory(summit=summit, slug="main", kind="plenary", capacity=None)
    factories.ForumFactory(summit=summit, slug="security", title_en="Security")

    response = organiser_client.get(reverse("badges:print-jobs"))

    select = response.text.split('name="forum"')[1].split("</select>")[0]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "security"]
    assert (
        '<span class="help" id="id_forum_helptext">Confirmed guests with a seat in the forum '
        "or in one of its own sessions (workshops, visits); each guest once.</span>"
    ) in response.text
    assert 'aria-describedby="id_forum_helptext"' in response.text
