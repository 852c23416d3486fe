"""The badges app's reactions to registration news, driven by sending the signals."""

from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse

from badges import receivers
from badges.models import Badge
from badges.signing import verify_code
from registration import signals
from registration.models import Registration
from registration.services import register_guest
from tests import factories
from tests.badges import pdfs


def send_status(registration, old_status, new_status):
    registration.status = new_status
    registration.save(update_fields=["status"])
    signals.registration_status_changed.send(
        sender=Registration, registration=registration, old_status=old_status, new_status=new_status
    )


@pytest.mark.django_db
def test_confirmed_registration_gets_a_badge():
    registration = factories.RegistrationFactory(status=Registration.Status.PENDING)

    send_status(registration, "pending", "confirmed")

    assert list(registration.badges.values_list("serial", "revoked_at")) == [(1, None)]


@pytest.mark.django_db
def test_confirmed_news_twice_still_gives_one_badge():
    registration = factories.RegistrationFactory(status=Registration.Status.PENDING)

    send_status(registration, "pending", "confirmed")
    send_status(registration, "confirmed", "confirmed")

    assert registration.badges.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "reason"),
    [("cancelled", Badge.RevokedReason.CANCELLED), ("rejected", Badge.RevokedReason.REJECTED)],
)
def test_cancelled_or_rejected_registration_loses_its_badge(status, reason):
    registration = factories.RegistrationFactory()
    send_status(registration, None, "confirmed")

    send_status(registration, "confirmed", status)

    badge = registration.badges.get()
    assert badge.revoked_at is not None
    assert badge.revoked_reason == reason


@pytest.mark.django_db
def test_stale_confirmed_news_of_a_since_cancelled_registration_issues_nothing():
    registration = factories.RegistrationFactory(status=Registration.Status.CANCELLED)

    signals.registration_status_changed.send(
        sender=Registration, registration=registration, old_status="pending", new_status="confirmed"
    )

    assert registration.badges.count() == 0


@pytest.mark.django_db
def test_stale_cancelled_news_of_a_reconfirmed_registration_keeps_its_badge():
    registration = factories.RegistrationFactory()
    send_status(registration, None, "confirmed")

    signals.registration_status_changed.send(
        sender=Registration,
        registration=registration,
        old_status="confirmed",
        new_status="cancelled",
    )

    assert list(registration.badges.values_list("serial", "revoked_at")) == [(1, None)]


@pytest.mark.django_db
def test_waitlisted_news_issues_nothing():
    registration = factories.RegistrationFactory(status=Registration.Status.WAITLISTED)

    send_status(registration, None, "waitlisted")

    assert registration.badges.count() == 0


@pytest.mark.django_db
def test_confirmation_email_gets_the_badge_pdf():
    registration = factories.RegistrationFactory()

    answers = signals.email_attachments.send(
        sender=Registration, registration=registration, kind="confirmation"
    )

    attachments = dict(answers)[receivers.email_attachments]
    assert [(name, mimetype) for name, _, mimetype in attachments] == [
        ("badge.pdf", "application/pdf")
    ]
    content = attachments[0][1]
    assert "陳大文" in pdfs.text(pdfs.pages(content)[0])
    assert verify_code(pdfs.qr_codes(content)[0]).badge_id == registration.badges.get().pk


@pytest.mark.django_db
def test_other_emails_and_unconfirmed_registrations_get_no_badge():
    confirmed = factories.RegistrationFactory()
    pending = factories.RegistrationFactory(status=Registration.Status.PENDING)

    reminder = signals.email_attachments.send(
        sender=Registration, registration=confirmed, kind="reminder"
    )
    unconfirmed = signals.email_attachments.send(
        sender=Registration, registration=pending, kind="confirmation"
    )

    assert dict(reminder)[receivers.email_attachments] == []
    assert dict(unconfirmed)[receivers.email_attachments] == []


@pytest.mark.django_db
def test_guest_page_section_links_a_confirmed_guest_to_the_badge(rf):
    registration = factories.RegistrationFactory()

    panels = receivers.guest_page_sections(
        sender=Registration, registration=registration, request=rf.get("/")
    )

    assert [(panel.template, panel.context["download_url"]) for panel in panels] == [
        ("badges/guest_badge_section.html", reverse("badges:my-badge"))
    ]


@pytest.mark.django_db
def test_guest_page_section_is_empty_before_confirmation(rf):
    registration = factories.RegistrationFactory(status=Registration.Status.PENDING)

    panels = receivers.guest_page_sections(
        sender=Registration, registration=registration, request=rf.get("/")
    )

    assert panels == []


@pytest.mark.django_db
def test_guest_page_section_answers_the_signal(rf):
    registration = factories.RegistrationFactory()

    answers = signals.guest_page_sections.send(
        sender=Registration, registration=registration, request=rf.get("/")
    )

    assert len(dict(answers)[receivers.guest_page_sections]) == 1


@pytest.mark.django_db
def test_confirmed_news_enqueues_the_issue_task_instead_of_issuing_in_the_request(monkeypatch):
    from types import SimpleNamespace

    enqueued = []
    fake_task = SimpleNamespace(enqueue=enqueued.append)
    monkeypatch.setattr(receivers.tasks, "issue_badge", fake_task)
    registration = factories.RegistrationFactory(status=Registration.Status.PENDING)

    send_status(registration, "pending", "confirmed")

    assert enqueued == [registration.pk]
    assert registration.badges.count() == 0


@pytest.mark.django_db
def test_issue_task_for_a_registration_cancelled_meanwhile_issues_nothing():
    from badges import services

    registration = factories.RegistrationFactory(status=Registration.Status.CANCELLED)

    assert services.issue_badge_if_confirmed(registration.pk) is None
    assert services.issue_badge_if_confirmed(999_999) is None
    assert not Badge.objects.exists()


@pytest.mark.django_db
def test_confirmed_news_with_a_confirmation_email_leaves_the_badge_to_that_email(monkeypatch):
    enqueued = []
    monkeypatch.setattr(receivers.tasks, "issue_badge", SimpleNamespace(enqueue=enqueued.append))
    registration = factories.RegistrationFactory(status=Registration.Status.CONFIRMED)

    signals.registration_status_changed.send(
        sender=Registration,
        registration=registration,
        old_status=None,
        new_status="confirmed",
        confirmation_email=True,
    )

    assert enqueued == []


@pytest.mark.django_db
def test_registering_issues_the_badge_once_through_the_confirmation_email(
    summit, monkeypatch, django_capture_on_commit_callbacks
):
    enqueued = []
    monkeypatch.setattr(receivers.tasks, "issue_badge", SimpleNamespace(enqueue=enqueued.append))
    user = factories.UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration, _created = register_guest(
            summit, user=user, email=user.email, details={"name_latin": "Ada Lovelace"}
        )

    assert (registration.status, enqueued) == ("confirmed", [])
    assert Badge.objects.filter(registration=registration, revoked_at__isnull=True).count() == 1
    assert "badge.pdf" in [name for name, _content, _type in mail.outbox[0].attachments]
