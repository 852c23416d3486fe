"""Our own 400, 403, 404 and 500 pages: in the visitor's language, with a way back."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def heading(response) -> str:
    return re.search(r"<h1>(.*?)</h1>", response.content.decode()).group(1)


def links(response) -> list[str]:
    return re.findall(r'<a class="button[^"]*" href="([^"]+)"', response.content.decode())


@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Page not found"), ("zh-hans", "找不到页面"), ("zh-hant", "找不到頁面")],
)
def test_404_page_in_the_visitor_language_with_a_way_back(client, summit, language, title):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert heading(response) == title
    assert links(response) == ["/", "/agenda/"]
    assert f'<html lang="{language}"' in response.content.decode()


def test_403_for_door_staff_points_to_the_door_and_hides_the_dashboard(client, summit, door_staff):
    client.force_login(door_staff)

    response = client.get("/organiser/", HTTP_ACCEPT_LANGUAGE="zh-hant")

    assert response.status_code == 403
    assert heading(response) == "您的帳戶無權開啟此頁"
    assert links(response) == ["/", "/agenda/", "/door/"]
    assert 'href="/organiser/"' not in response.content.decode()


def test_door_staff_see_no_dashboard_link_on_the_pages_they_may_open(client, summit, door_staff):
    client.force_login(door_staff)

    response = client.get("/organiser/badges/")

    assert response.status_code == 200
    assert 'href="/organiser/"' not in response.content.decode()
    assert 'href="/door/"' in response.content.decode()


def test_organisers_see_the_dashboard_link(organiser_client, summit):
    response = organiser_client.get("/organiser/badges/")

    assert 'href="/organiser/" aria-current' in response.content.decode() or (
        'href="/organiser/">' in response.content.decode()
    )


def test_400_page(client, summit):
    response = client.get("/", HTTP_HOST="not-our-host.example", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    assert heading(response) == "无法理解此请求"


def test_csrf_failure_page_in_the_visitor_language(summit):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/accounts/login/", {"login": "a@example.org"}, HTTP_ACCEPT_LANGUAGE="zh-hant"
    )

    assert response.status_code == 403
    assert heading(response) == "表單已過期"


@pytest.mark.urls("tests.summit.error_urls")
@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Something went wrong"), ("zh-hans", "出错了"), ("zh-hant", "出錯了")],
)
def test_500_page_renders_without_a_request_context(client, summit, language, title):
    client.raise_request_exception = False

    response = client.get("/test-failure/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 500
    assert heading(response) == title
    assert links(response) == ["/"]
