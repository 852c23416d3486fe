"""Every page in headless Chromium, in three languages, on a 360 px phone and a 1280 px
laptop: no serious or critical accessibility violation (axe-core, tests/a11y.py), and on
the phone nothing wider than the screen.

"Every page" is every HTML page of the permission matrix (tests/summit/test_permission_matrix.py,
as the first role that may open it), plus the states a route alone does not reach: the error
pages, a pending registration, a form sent with mistakes. The clocks of the server and of the
browser stand three days before the summit.
"""

import pytest
from django.conf import settings
from django.test import Client

from registration.models import Enrolment, Registration
from sessions.models import Forum
from tests import a11y, factories
from tests.factories import at
from tests.summit.test_permission_matrix import ROUTES
from tests.world import ROLES, build_world, finish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = at(-2, 18)  # Saturday 5 December 2026, 18:00 in Guangzhou


class Clock:
    def __call__(self):
        return NOW


@pytest.fixture
def world(week_before_the_summit, roles, media_root, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", Clock())
    world = build_world()
    # Titles as long as the real ones, which widen tables and cards.
    Forum.objects.filter(pk=world.forum.pk).update(
        title_en="Forum 1: Data as a Factor of Production",
        title_zh_hans="分论坛一：数据要素市场化配置改革",
        title_zh_hant="分論壇一：數據要素市場化配置改革",
    )
    factories.ForumFactory(
        summit=world.summit,
        slug="governance",
        title_en="Forum 3: Governmental Governance",
        title_zh_hans="分论坛三：政府治理数字化转型",
        title_zh_hant="分論壇三：政府治理數字化轉型",
    )
    # Guest B waits for an organiser: "my registration" while pending.
    Registration.objects.filter(pk=world.other_guest.pk).update(status="pending")
    Enrolment.objects.filter(pk=world.other_enrolment.pk).update(status="waitlisted")
    return world


def pages(world) -> list[tuple[str, str]]:
    """(role, path) of every HTML page to look at."""
    found = []
    for _name, route in sorted(ROUTES.items()):
        for role, outcome in zip(ROLES, route.get, strict=True):
            if outcome == 200:
                response = world.client(role).get(route.url(world))
                finish(response)
                if "text/html" in response.get("Content-Type", ""):
                    found.append((role, route.url(world)))
                break
    found += [
        ("anonymous", "/no-such-page/"),  # 404
        ("door", "/organiser/"),  # 403
        ("anonymous", "/test-failure/"),  # 500
        ("other_guest", "/register/me/"),  # pending
    ]
    return found


@pytest.mark.urls("tests.summit.error_urls")
@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
def test_every_page_passes_axe_and_fits_the_screen(browser, live_server, world, language, width):
    contexts = {}

    def context_of(role):
        if role not in contexts:
            context = browser.new_context(viewport={"width": width, "height": 800})
            context.clock.set_fixed_time(NOW)
            cookies = [
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}
            ]
            if world.users.get(role) is not None:
                client = Client()
                client.force_login(world.users[role])
                value = client.cookies[settings.SESSION_COOKIE_NAME].value
                cookies.append(
                    {"name": settings.SESSION_COOKIE_NAME, "value": value, "url": live_server.url}
                )
            context.add_cookies(cookies)
            contexts[role] = context.new_page()
        return contexts[role]

    problems, looked_at = [], 0
    try:
        for role, path in pages(world):
            page = context_of(role)
            page.goto(live_server.url + path)
            looked_at += 1
            label = f"{path} as {role}"
            problems += [f"{label}: {found}" for found in a11y.violations(page)]
            if page.evaluate("document.documentElement.lang") != language:
                problems.append(f"{label}: the page is not in {language}")
            if width == 360:
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{label}: {scroll - width} px wider than the screen")
            else:
                # On a laptop every table fits its card: no column cut off behind a scroll.
                clipped = page.evaluate(
                    "[...document.querySelectorAll('.table-wrap')]"
                    ".filter(w => w.scrollWidth > w.clientWidth + 1).length"
                )
                if clipped:
                    problems.append(f"{label}: {clipped} table(s) wider than their card")
        # A form sent with mistakes (the login error).
        page = context_of("anonymous")
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=login]", "nobody@example.org")
        page.fill("input[name=password]", "wrong")
        page.click("form.auth-form button[type=submit]")
        page.wait_for_selector(".form-errors")
        problems += [f"login error: {found}" for found in a11y.violations(page)]
    finally:
        for page in contexts.values():
            page.context.close()

    assert looked_at > 45
    assert problems == [], "\n".join(problems)


def test_organiser_menu_folds_behind_one_button_on_a_phone(browser, live_server, world):
    from playwright.sync_api import expect

    client = Client()
    client.force_login(world.users["organiser"])
    context = browser.new_context(viewport={"width": 360, "height": 800})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/organiser/guests/")
    toggle = page.get_by_role("button", name="Organiser menu")
    menu = page.locator("#organiser-menu")

    expect(menu).to_be_hidden()
    assert page.locator("h1").bounding_box()["y"] < 250  # the page's own heading comes first
    toggle.click()
    expect(menu).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(menu.get_by_role("link", name="Live attendance")).to_be_visible()
    context.close()

    wide = browser.new_context(viewport={"width": 1280, "height": 800})
    wide.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = wide.new_page()
    page.goto(f"{live_server.url}/organiser/guests/")
    expect(page.locator("#organiser-menu")).to_be_visible()
    expect(page.get_by_role("button", name="Organiser menu")).to_be_hidden()
    wide.close()
