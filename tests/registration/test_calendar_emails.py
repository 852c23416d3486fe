"""Guests hear about a changed session (sessions.signals.session_changed) by e-mail."""

import pytest
from django.core import mail

from registration import calendar_services
from registration.models import Enrolment, Registration
from sessions.models import Forum, Session
from sessions.signals import session_changed
from tests import factories
from tests.calendars import events_by_uid, publish_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def forum(summit):
    return factories.ForumFactory(summit=summit, title_en="Digital society")


@pytest.fixture
def session(forum):
    return factories.SessionFactory(
        forum=forum,
        title_en="Smart cities",
        title_zh_hans="智慧城市",
        title_zh_hant="智慧城市論壇",
        starts_at=factories.at(2, 9),
        ends_at=factories.at(2, 10),
    )


def guest(summit, forum, *, language="en", email=None, status=Registration.Status.CONFIRMED):
    registration = factories.RegistrationFactory(
        summit=summit,
        language=language,
        status=status,
        **({"email": email} if email else {}),
    )
    factories.EnrolmentFactory(registration=registration, forum=forum)
    return registration


@pytest.fixture
def send_change(django_capture_on_commit_callbacks):
    """Send the agenda's news as its service does (after commit), running queued work."""

    def send(session, changed_fields, *, notify_guests=True):
        with django_capture_on_commit_callbacks(execute=True):
            session_changed.send(
                sender=Session,
                session=session,
                changed_fields=changed_fields,
                notify_guests=notify_guests,
            )

    return send


def test_guests_of_a_changed_session_get_an_email_in_their_language(
    summit, forum, session, send_change
):
    english = guest(summit, forum, language="en")
    simplified = guest(summit, forum, language="zh-hans")
    publish_change(session, starts_at=factories.at(2, 11), ends_at=factories.at(2, 12))

    send_change(session, ["starts_at", "ends_at", "room"])

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == sorted([english.email, simplified.email])
    in_english = by_recipient[english.email]
    in_chinese = by_recipient[simplified.email]
    assert in_english.subject == "Agenda change: Smart cities"
    assert "Dear Chan Tai Man," in in_english.body
    assert "has changed (time, room):" in in_english.body
    assert "Dec. 9, 2026, 11:00–12:00 (China Standard Time, UTC+8)" in in_english.body
    assert f"Details: http://127.0.0.1:8000/sessions/{session.uid}/" in in_english.body
    assert in_chinese.subject == "议程变更：智慧城市"
    assert "尊敬的陳大文：" in in_chinese.body
    assert "有变更（时间、会场）：" in in_chinese.body
    assert "2026年12月9日 11:00–12:00（北京时间，UTC+8）" in in_chinese.body
    assert f"{session.room.name_zh_hans}，广州白云国际会议中心，广州" in in_chinese.body


def test_email_carries_the_updated_event(summit, forum, session, send_change):
    guest(summit, forum, language="zh-hant")
    publish_change(session, starts_at=factories.at(2, 11), ends_at=factories.at(2, 12))

    send_change(session, ["starts_at", "ends_at"])

    [message] = mail.outbox
    [(filename, body, mimetype)] = message.attachments
    assert filename == f"session-{session.pk}.ics"
    assert mimetype == "text/calendar"
    event = events_by_uid(body.encode())[f"{session.uid}@127.0.0.1"]
    assert event.decoded("SEQUENCE") == 1
    assert str(event["SUMMARY"]) == "智慧城市論壇"
    assert event.decoded("DTSTART").hour == 11


def test_cancelled_session_email_says_so(summit, forum, session, send_change):
    guest(summit, forum)
    publish_change(session, status=Session.Status.CANCELLED)

    send_change(session, ["status"])

    [message] = mail.outbox
    assert message.subject == "Session cancelled: Smart cities"
    assert "in your programme has been cancelled:" in message.body


def test_nothing_is_sent_unless_the_organiser_asked(summit, forum, session, send_change):
    guest(summit, forum)

    send_change(session, ["room"], notify_guests=False)

    assert mail.outbox == []


def test_only_confirmed_guests_who_hold_the_session_are_written_to(
    summit, forum, session, send_change
):
    holder = guest(summit, forum, email="holder@example.org")
    guest(summit, forum, email="cancelled@example.org", status=Registration.Status.CANCELLED)
    guest(summit, forum, email="pending@example.org", status=Registration.Status.PENDING)
    guest(summit, factories.ForumFactory(summit=summit), email="elsewhere@example.org")
    waitlisted = factories.RegistrationFactory(summit=summit, email="waiting@example.org")
    factories.EnrolmentFactory(registration=waitlisted, forum=forum, status="waitlisted")

    send_change(session, ["room"])

    assert [message.to for message in mail.outbox] == [[holder.email]]


def test_session_chosen_separately_reaches_only_those_who_chose_it(
    summit, forum, session, send_change
):
    Session.objects.filter(pk=session.pk).update(requires_enrolment=True)
    session.refresh_from_db()
    guest(summit, forum, email="forum-only@example.org")
    chooser = guest(summit, forum, email="chooser@example.org")
    factories.EnrolmentFactory(registration=chooser, forum=None, session=session)

    send_change(session, ["room"])

    assert [message.to for message in mail.outbox] == [[chooser.email]]


def test_plenary_session_reaches_every_confirmed_guest(summit, send_change):
    plenary = factories.ForumFactory(summit=summit, kind=Forum.Kind.PLENARY)
    opening = factories.SessionFactory(forum=plenary)
    first = factories.RegistrationFactory(summit=summit)
    second = factories.RegistrationFactory(summit=summit)
    factories.RegistrationFactory(summit=summit, status=Registration.Status.REJECTED)

    send_change(opening, ["starts_at"])

    assert sorted(message.to[0] for message in mail.outbox) == sorted([first.email, second.email])


def test_guests_are_written_to_in_batches(summit, forum, session, send_change, monkeypatch):
    monkeypatch.setattr(calendar_services, "EMAIL_BATCH_SIZE", 2)
    guests = [guest(summit, forum) for _ in range(5)]
    enqueued = []
    real_enqueue = calendar_services.email_session_change
    monkeypatch.setattr(
        calendar_services,
        "email_session_change",
        lambda *args, **kwargs: (
            enqueued.append(kwargs["registration_ids"]) or real_enqueue(*args, **kwargs)
        ),
    )

    send_change(session, ["room"])

    assert enqueued == [[g.pk for g in guests[:2]], [g.pk for g in guests[2:4]], [guests[4].pk]]
    assert len(mail.outbox) == 5


def test_guest_who_cancelled_before_the_task_ran_is_skipped(summit, forum, session):
    leaving = guest(summit, forum)
    staying = guest(summit, forum)
    Registration.objects.filter(pk=leaving.pk).update(status=Registration.Status.CANCELLED)

    sent = calendar_services.email_session_change(
        session.pk, registration_ids=[leaving.pk, staying.pk], changed_fields=["room"]
    )

    assert sent == 1
    assert [message.to for message in mail.outbox] == [[staying.email]]


def test_emails_wait_for_the_commit(summit, forum, session, django_capture_on_commit_callbacks):
    guest(summit, forum)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = calendar_services.notify_guests_of_session_change(session, changed_fields=["room"])

    assert count == 1
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_dropped_session_enrolment_is_not_written_to(summit, forum, session, send_change):
    Session.objects.filter(pk=session.pk).update(requires_enrolment=True)
    session.refresh_from_db()
    dropped = guest(summit, forum)
    factories.EnrolmentFactory(
        registration=dropped, forum=None, session=session, status=Enrolment.Status.CANCELLED
    )

    send_change(session, ["room"])

    assert mail.outbox == []


def test_session_taken_back_to_draft_is_announced_as_cancelled(summit, forum, session, send_change):
    guest(summit, forum)
    publish_change(session, is_published=False)

    send_change(session, ["published"])

    [message] = mail.outbox
    assert message.subject == "Session cancelled: Smart cities"
    event = events_by_uid(message.attachments[0][1].encode())[f"{session.uid}@127.0.0.1"]
    assert str(event["STATUS"]) == "CANCELLED"


def test_change_names_of_the_agenda_signal_are_spelled_out(summit, forum, session, send_change):
    guest(summit, forum)

    send_change(session, frozenset({"time", "speakers"}))

    [message] = mail.outbox
    assert "has changed (speakers, time):" in message.body
