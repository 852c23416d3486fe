"""The agenda on a phone, in each language, switched with the language switcher."""

import io

import pytest
from django.core.management import call_command

LANGUAGES = [
    # button label, lang attribute, page heading, first session and a forum of the demo agenda
    ("简体中文", "zh-hans", "议程", "开幕式", "分论坛一：数据要素"),
    ("繁體中文", "zh-hant", "議程", "開幕式", "分論壇一：數據要素"),
    ("English", "en", "Agenda", "Opening ceremony", "Forum 1: Data as a Factor of Production"),
]


def _scrolls_sideways(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agenda_on_a_phone_in_each_language(live_server, phone_page):
    # The real edition's dates, so that its first day is 8 December whatever the date.
    call_command("seed_demo", guests=0, real_dates=True, stdout=io.StringIO())
    page = phone_page

    page.goto(f"{live_server.url}/agenda/?day=2026-12-08")
    assert page.locator("h1").inner_text() == "Agenda"
    assert not _scrolls_sideways(page)

    for label, lang, heading, first_session, forum_title in LANGUAGES:
        page.locator("[data-nav-toggle]").click()
        with page.expect_navigation():
            page.get_by_role("button", name=label).click()

        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("h1").inner_text() == heading
        assert page.locator(".session-card__title").first.inner_text() == first_session
        assert page.locator(".session-card .forum-tag", has_text=forum_title).first.is_visible()
        assert page.url.endswith("/agenda/?day=2026-12-08")
        assert not _scrolls_sideways(page), lang


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_agenda_filters_work_by_keyboard_on_a_phone(live_server, phone_page):
    call_command("seed_demo", guests=0, stdout=io.StringIO())
    page = phone_page
    page.goto(f"{live_server.url}/agenda/?day=all")

    page.get_by_text("Search and filters").click()
    page.get_by_label("Search").fill("前海")
    with page.expect_navigation():
        page.get_by_label("Search").press("Enter")

    titles = page.locator(".session-card__title").all_inner_texts()
    assert titles == ["Qianhai and Hong Kong: cross-boundary services for young entrepreneurs"]
    assert not _scrolls_sideways(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_home_forum_descriptions_show_three_whole_lines_on_a_phone(live_server, phone_page):
    from sessions.models import Forum

    call_command("seed_demo", guests=0, stdout=io.StringIO())
    page = phone_page

    page.goto(f"{live_server.url}/")

    shown = page.locator(".forum-card p.clamp-3").evaluate_all(
        """paragraphs => paragraphs.map(p => ({
          text: p.textContent,
          lines: Math.round(p.clientHeight / parseFloat(getComputedStyle(p).lineHeight)),
        }))"""
    )
    descriptions = list(
        Forum.objects.order_by("position", "pk").values_list("description_en", flat=True)
    )
    assert [item["text"] for item in shown] == [d for d in descriptions if d]
    assert {item["lines"] for item in shown} <= {1, 2, 3}
    assert 3 in {item["lines"] for item in shown}
