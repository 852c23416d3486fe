"""Account pages and e-mails (django-allauth) read like the rest of Bayline, in three languages."""

import re
from email.header import decode_header, make_header
from email.utils import parseaddr

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "Bayline-2026!x"


def sign_up(client, email="ana@example.org", language="en"):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize(
    ("language", "subject", "sender", "words"),
    [
        (
            "en",
            "[Digital GBA Summit] Confirm your e-mail address",
            "Digital GBA Summit",
            "Thank you for signing up for Digital Government Summit and Forum on Digital GBA.",
        ),
        (
            "zh-hans",
            "【数字湾区峰会】确认您的邮箱",
            "数字湾区峰会",
            "感谢您注册数字政府建设峰会暨数字湾区发展论坛。",
        ),
        (
            "zh-hant",
            "【數字灣區峰會】確認您的電郵地址",
            "數字灣區峰會",
            "感謝您註冊數字政府建設峰會暨數字灣區發展論壇。",
        ),
    ],
)
def test_sign_up_e_mail_speaks_for_the_summit_in_the_reader_language(
    client, summit, settings, language, subject, sender, words
):
    settings.SITE_URL = "https://summit.example.org"

    response = sign_up(client, language=language)

    assert response.status_code == 302
    [message] = mail.outbox
    assert message.subject == subject
    assert parseaddr(message.from_email) == (sender, "noreply@bayline.test")
    assert sender in str(make_header(decode_header(message.message()["From"])))
    assert re.fullmatch(r"<[^@>]+@summit\.example\.org>", message.extra_headers["Message-ID"])
    assert message.message()["Message-ID"] == message.extra_headers["Message-ID"]
    assert message.body.startswith(words + "\n\n")
    link = re.search(r"http://testserver/accounts/confirm-email/\S+/", message.body).group(0)
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{link}"' in html
    assert (
        summit.name_en in message.body
        or summit.name_zh_hans in message.body
        or (summit.name_zh_hant in message.body)
    )
    for text in (message.body, html):
        assert "Hello from" not in text
        assert "testserver!" not in text
        assert "127.0.0.1" not in text


def test_sign_up_with_an_address_in_use_sends_our_e_mail_not_allauth_s(client, summit):
    factories.UserFactory(username="ana", email="ana@example.org")
    EmailAddress.objects.create(
        user_id=factories.UserFactory._meta.model.objects.get(username="ana").pk,
        email="ana@example.org",
        verified=True,
        primary=True,
    )

    sign_up(client, language="zh-hant")

    [message] = mail.outbox
    assert message.subject == "【數字灣區峰會】您已有帳戶"
    assert "已有帳戶使用此電郵地址" in message.body
    assert "/accounts/password/reset/" in message.body


def test_password_reset_e_mail_in_traditional_chinese(client, summit):
    user = factories.UserFactory(email="ana@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    client.post(
        reverse("account_reset_password"),
        {"email": "ana@example.org"},
        HTTP_ACCEPT_LANGUAGE="zh-hant",
    )

    [message] = mail.outbox
    assert message.subject == "【數字灣區峰會】設定新密碼"
    assert "請打開以下連結設定：\nhttp://testserver/accounts/password/reset/key/" in message.body
    assert message.body.endswith(
        "數字政府建設峰會暨數字灣區發展論壇\n2026年12月8日至10日 · 廣州 · 廣州白雲國際會議中心"
    )


def test_password_reset_for_an_unknown_address_says_so_kindly(client, summit):
    client.post(
        reverse("account_reset_password"),
        {"email": "nobody@example.org"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    [message] = mail.outbox
    assert message.subject == "【数字湾区峰会】没有账号使用此邮箱"
    assert "http://testserver/accounts/signup/" in message.body


@pytest.mark.parametrize(
    ("role", "landing"),
    [("door_staff", "/door/"), ("organiser", "/organiser/"), ("guest_user", "/register/me/")],
)
def test_each_role_lands_where_its_work_is(client, summit, request, role, landing):
    user = request.getfixturevalue(role)
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == landing


def test_an_explicit_next_address_still_wins_after_login(client, summit, door_staff):
    door_staff.set_password(PASSWORD)
    door_staff.save()
    EmailAddress.objects.create(
        user=door_staff, email=door_staff.email, verified=True, primary=True
    )

    response = client.post(
        reverse("account_login") + "?next=/agenda/",
        {"login": door_staff.email, "password": PASSWORD},
    )

    assert response["Location"] == "/agenda/"


def test_login_message_does_not_show_the_login_name(client, summit, guest_user):
    guest_user.set_password(PASSWORD)
    guest_user.save()
    EmailAddress.objects.create(
        user=guest_user, email=guest_user.email, verified=True, primary=True
    )

    response = client.post(
        reverse("account_login"),
        {"login": guest_user.email, "password": PASSWORD},
        HTTP_ACCEPT_LANGUAGE="zh-hant",
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == ["您已登入。"]


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Log in"), ("zh-hans", "登录"), ("zh-hant", "登入")],
)
def test_login_page_in_three_languages(client, summit, language, heading):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.text
    assert 'placeholder="' not in response.text


def test_login_error_is_one_alert_around_a_plain_list(client, summit):
    response = client.post(
        reverse("account_login"), {"login": "nobody@example.org", "password": "wrong"}
    )

    assert (
        '<div class="form-errors" role="alert"><ul class="errorlist nonfield">'
        "<li>The e-mail address or the password is not right.</li></ul></div>"
    ) in response.text
    assert '<ul class="errorlist nonfield" role="alert">' not in response.text
