"""What every e-mail shares (summit/infrastructure/mail.py), and development e-mails on the
console."""

import io

from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import translation

from summit.infrastructure import mail


def test_console_e_mails_are_short_and_name_their_attachments():
    stream = io.StringIO()
    connection = get_connection("summit.infrastructure.mail.ConsoleEmailBackend", stream=stream)
    message = EmailMultiAlternatives(
        "【数字湾区峰会】您的报名已确认",
        "感谢您报名。\n\nhttp://127.0.0.1:8000/register/me/\n",
        "数字湾区峰会 <noreply@bayline.test>",
        ["ana@example.org"],
        headers={"Message-ID": "<1@summit.example.org>"},
    )
    message.attach_alternative("<p>感谢您报名。</p>", "text/html")
    message.attach("badge.pdf", b"%PDF-" + b"x" * 40_000, "application/pdf")

    sent = connection.send_messages([message])

    assert sent == 1
    assert stream.getvalue() == (
        "----- E-mail to ana@example.org ------------------------------\n"
        "Subject: 【数字湾区峰会】您的报名已确认\n"
        "From: 数字湾区峰会 <noreply@bayline.test>\n"
        "Message-ID: <1@summit.example.org>\n"
        "\n"
        "感谢您报名。\n\nhttp://127.0.0.1:8000/register/me/\n"
        "\n"
        "Attached: badge.pdf (application/pdf, 40,005 bytes)\n"
        "Also as text/html (not shown).\n\n"
    )


def test_message_ids_are_at_the_site_host(settings):
    settings.SITE_URL = "https://summit.example.org:8443/"

    assert mail.site_host() == "summit.example.org"
    assert mail.new_message_id().endswith("@summit.example.org>")


def test_sender_and_subject_prefix_in_the_reader_language(settings):
    settings.DEFAULT_FROM_EMAIL = "Bayline <noreply@example.org>"

    with translation.override("zh-hant"):
        assert (mail.sender(), mail.subject_prefix()) == (
            "數字灣區峰會 <noreply@example.org>",
            "【數字灣區峰會】",
        )
    assert (mail.sender(), mail.subject_prefix()) == (
        "Digital GBA Summit <noreply@example.org>",
        "[Digital GBA Summit] ",
    )
