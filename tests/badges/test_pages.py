"""The organiser's bulk-print page in a real browser: progress followed, download offered."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from badges.models import PrintJob
from tests import factories
from tests.conftest import logged_in_context

SHOTS = Path(os.environ.get("BADGES_SHOTS", "/work/shots/badges"))


def screenshot(page, name: str) -> None:
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bulk_print_page_follows_a_running_job_until_it_can_be_downloaded(
    browser, live_server, organiser, media_root
):
    summit = factories.SummitFactory()
    factories.ForumFactory(summit=summit, title_en="Digital GBA")
    job = factories.PrintJobFactory(summit=summit, status="running", done=900, total=3000)
    context = logged_in_context(
        browser, live_server, organiser, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + reverse("badges:print-jobs"))
    page.wait_for_selector("text=Rendering: 900 of 3000 badges")
    assert not page.locator("[data-download]").is_visible()
    screenshot(page, "organiser-bulk-print-running.png")
    PrintJob.objects.filter(pk=job.pk).update(status="done", done=3000, file="print-jobs/x.pdf")
    download = page.locator("[data-download]")
    download.wait_for(state="visible", timeout=10_000)

    assert download.get_attribute("href") == reverse("badges:print-job-download", args=[job.pk])
    assert page.locator("[data-label]").inner_text() == "Ready: 3000 badges"
    assert page.locator("progress").evaluate("element => element.value") == 100
    assert errors == []
    screenshot(page, "organiser-bulk-print-desktop.png")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_bulk_print_page_on_a_phone_renders_a_file_from_the_form(
    browser, live_server, organiser, media_root
):
    summit = factories.SummitFactory()
    factories.RegistrationFactory(summit=summit)
    factories.RegistrationFactory(summit=summit, name="", name_latin="João Conceição")
    context = logged_in_context(
        browser,
        live_server,
        organiser,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()

    page.goto(live_server.url + reverse("badges:print-jobs"))
    page.check("input[name=layout][value=a4-4up]")
    page.click("text=Render the print file")
    page.locator("[data-download]").first.wait_for(state="visible", timeout=20_000)
    screenshot(page, "organiser-bulk-print-phone.png")
    page.fill("input[name=q]", "João")
    page.click("button:has-text('Find')")
    page.wait_for_selector(".desk-results >> text=Print badge")

    job = PrintJob.objects.get()
    assert (job.status, job.total, job.layout) == ("done", 2, "a4-4up")
    # Nothing makes the page wider than the phone (wide tables scroll in their box).
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    screenshot(page, "organiser-desk-search-phone.png")
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_guest_downloads_the_badge_from_my_registration_on_a_phone(
    browser, live_server, guest_user
):
    summit = factories.SummitFactory()
    registration = factories.RegistrationFactory(summit=summit, user=guest_user)
    context = logged_in_context(
        browser,
        live_server,
        guest_user,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()

    page.goto(live_server.url + reverse("registration:mine"))
    link = page.locator(f"a[href='{reverse('badges:my-badge')}']")
    response = page.request.get(live_server.url + link.get_attribute("href"))

    assert link.is_visible()
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert registration.badges.count() == 1
    screenshot(page, "guest-my-registration-phone.png")
    context.close()
