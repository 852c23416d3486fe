import datetime

import pytest
from django.core import mail
from django.utils import timezone

from registration import changes, emails
from registration.models import OutgoingEmail
from registration.signals import email_attachments
from registration.tasks import send_email
from summit.models import Summit
from tests import factories

pytestmark = pytest.mark.django_db


def test_confirmation_is_sent_in_guest_language_text_and_html(
    register, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(details={"language": "zh-hant"})

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [registration.email]
    assert "您的報名已確認" in message.subject
    assert "數字政府建設峰會暨數字灣區發展論壇" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "您的報名已確認" in html
    assert OutgoingEmail.objects.get().status == "sent"


def test_confirmation_in_english_and_simplified(register, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(details={"language": "en"})
        register(details={"language": "zh-hans"})

    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "[Digital GBA Summit] Your registration is confirmed",
        "【数字湾区峰会】您的报名已确认",
    ]


def test_confirmation_collects_attachments_from_other_apps(
    register, django_capture_on_commit_callbacks
):
    def badge(sender, registration, kind, reason, **kwargs):
        return (
            [("badge.pdf", b"%PDF-1.7 test", "application/pdf")] if kind == "confirmation" else []
        )

    email_attachments.connect(badge)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            register()
    finally:
        email_attachments.disconnect(badge)

    # The calendar's own receiver adds the guest's .ics (tests/registration/test_calendar_*),
    # the badges app's the real badge (tests/badges/test_receivers.py).
    attachments = [tuple(attachment) for attachment in mail.outbox[0].attachments]
    assert attachments[-1] == ("badge.pdf", b"%PDF-1.7 test", "application/pdf")
    assert [attachment[0] for attachment in attachments[:-1]] == [
        "digital-gba-2026-my-sessions.ics",
        "badge.pdf",
    ]


def test_each_status_change_sends_its_email(
    summit, register, organiser, django_capture_on_commit_callbacks
):
    Summit.objects.filter(pk=summit.pk).update(approval_required=True)
    summit.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        approved = register(details={"language": "en"})
        rejected = register(details={"language": "en"})
        changes.approve_registration(approved, actor=organiser)
        changes.reject_registration(rejected, actor=organiser)
        changes.cancel_registration(approved, actor=approved.user)

    kinds = list(OutgoingEmail.objects.order_by("pk").values_list("kind", "status"))
    assert kinds == [
        ("received", "sent"),
        ("received", "sent"),
        ("confirmation", "sent"),
        ("rejection", "sent"),
        ("cancellation", "sent"),
    ]
    assert len(mail.outbox) == 5


def test_promotion_from_forum_waiting_list_sends_email(
    register, small_forum, django_capture_on_commit_callbacks
):
    holder = register(forums=[small_forum])
    register(forums=[small_forum])
    waiting = register(forums=[small_forum], details={"language": "en"})
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        changes.cancel_enrolment(holder, holder.enrolments.get().pk, actor=None)

    assert [m.to for m in mail.outbox] == [[waiting.email]]
    assert mail.outbox[0].subject.startswith("[Digital GBA Summit] A seat is now yours:")


def test_email_is_never_sent_twice(register, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register()
    email = OutgoingEmail.objects.get()

    again = emails.send_outgoing_email(email.pk)

    assert again == "sent"
    assert len(mail.outbox) == 1


def test_failed_email_is_retried_later_with_backoff(
    register, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "email", "badges"],
        }
    }
    register()
    email = OutgoingEmail.objects.get()

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", broken)
    from django_tasks import default_task_backend

    default_task_backend.clear()
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        result = send_email.call(email.pk)
    email.refresh_from_db()

    assert result == "failed"
    assert (email.status, email.attempts) == ("queued", 1)
    assert "smtp down" in email.last_error
    # (Issuing the badge for the attachment also queues its rendering; only the retry counts.)
    [retry] = [r for r in default_task_backend.results if r.task.name == "send_email"]
    assert retry.task.run_after >= before + datetime.timedelta(seconds=30)
    assert retry.args == [email.pk]


def test_email_gives_up_after_max_attempts(register, monkeypatch):
    register()
    email = OutgoingEmail.objects.get()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status="queued", attempts=emails.MAX_ATTEMPTS - 1
    )
    monkeypatch.setattr(
        "django.core.mail.EmailMultiAlternatives.send",
        lambda self, fail_silently=False: (_ for _ in ()).throw(OSError("down")),
    )

    emails.send_outgoing_email(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", emails.MAX_ATTEMPTS)


def test_invitation_email_carries_link_in_its_language(
    summit, organiser, django_capture_on_commit_callbacks
):
    from registration.invitations import create_invitations

    with django_capture_on_commit_callbacks(execute=True):
        [invitation] = create_invitations(
            summit,
            [{"email": "vip@example.org", "name": "李小龍"}],
            category="vip",
            language="zh-hans",
            send=True,
            actor=organiser,
        ).invitations

    invitation.refresh_from_db()
    assert mail.outbox[0].to == ["vip@example.org"]
    assert f"/register/invitation/{invitation.code}/" in mail.outbox[0].body
    assert "邀请" in mail.outbox[0].subject
    assert invitation.sent_at is not None
    # The summit's days and place as Chinese readers write them.
    assert "2026年12月8日至10日，广州 · 广州白云国际会议中心" in mail.outbox[0].body


def test_retry_delay_doubles():
    assert [emails.retry_delay(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]


def test_waitlisted_registration_gets_waiting_list_email(
    summit, register, django_capture_on_commit_callbacks
):
    Summit.objects.filter(pk=summit.pk).update(capacity=0)
    summit.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        register(details={"language": "en"})

    assert mail.outbox[0].subject == "[Digital GBA Summit] You are on the waiting list"
    assert factories.UserFactory  # factories stay importable for other tests
