"""Guests hear about a changed session (sessions.signals.session_changed) by e-mail."""

import pytest
from django.core import mail

from registration.calendar import services as calendar_services
from registration.models import Enrolment, OutgoingEmail, Registration
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

    send_change(session, ["time", "room"])

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_recipient) == sorted([english.email, simplified.email])
    in_english = by_recipient[english.email]
    in_chinese = by_recipient[simplified.email]
    assert in_english.subject == "[Digital GBA Summit] Agenda change: Smart cities"
    assert in_english.body.startswith(
        "This session of Digital Government Summit and Forum on Digital GBA in your programme "
        "has changed (time, room):\n\n"
    )
    assert (
        "- Smart cities\n"
        "- Wed 9 Dec 2026, 11:00–12:00 (China Standard Time, UTC+8)\n"
        f"- {session.room.name_en}, Guangzhou Baiyun International Convention Center, Guangzhou\n"
    ) in in_english.body
    assert f"See the session:\nhttp://127.0.0.1:8000/sessions/{session.uid}/\n" in (in_english.body)
    html, _mimetype = in_english.alternatives[0]
    assert "has changed (time, room):" in html
    assert in_chinese.subject == "【数字湾区峰会】议程变更：智慧城市"
    assert "以下议程有变更（时间、会场）：" in in_chinese.body
    assert "- 2026年12月9日 11:00–12:00（北京时间，UTC+8）\n" in in_chinese.body
    assert f"- {session.room.name_zh_hans}，广州白云国际会议中心，广州\n" in in_chinese.body


def test_each_guest_gets_one_recorded_email_sent_once(summit, forum, session, send_change):
    registration = guest(summit, forum)

    send_change(session, ["room"])

    [email] = OutgoingEmail.objects.all()
    assert (email.registration, email.kind, email.status) == (
        registration,
        "session_changed",
        "sent",
    )
    assert email.context == {"session": session.pk, "changed": ["room"]}
    assert email.language == "en"
    from registration.emails import send_outgoing_email

    assert send_outgoing_email(email.pk) == "sent"  # already sent: nothing goes out again
    assert len(mail.outbox) == 1


def test_email_carries_the_updated_event(summit, forum, session, send_change):
    guest(summit, forum, language="zh-hant")
    publish_change(session, starts_at=factories.at(2, 11), ends_at=factories.at(2, 12))

    send_change(session, ["time"])

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
    assert message.subject == "[Digital GBA Summit] Session cancelled: Smart cities"
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


def test_email_about_a_session_deleted_since_still_makes_sense(summit, forum, session):
    registration = guest(summit, forum, language="en")
    count = calendar_services.notify_guests_of_session_change(session, changed_fields=["room"])
    session.delete()

    from registration.emails import send_outgoing_email

    assert count == 1
    assert send_outgoing_email(OutgoingEmail.objects.get(registration=registration).pk) == "sent"
    [message] = mail.outbox
    assert message.subject == "[Digital GBA Summit] Agenda change"
    assert "A session in your programme has been removed from the agenda." in message.body
    assert message.attachments == []


def test_emails_wait_for_the_commit(summit, forum, session, django_capture_on_commit_callbacks):
    guest(summit, forum)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        count = calendar_services.notify_guests_of_session_change(session, changed_fields=["room"])

    assert count == 1
    assert len(callbacks) == 1
    assert OutgoingEmail.objects.get().status == "queued"
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
    assert message.subject == "[Digital GBA Summit] Session cancelled: Smart cities"
    event = events_by_uid(message.attachments[0][1].encode())[f"{session.uid}@127.0.0.1"]
    assert str(event["STATUS"]) == "CANCELLED"


def test_change_names_of_the_agenda_signal_are_spelled_out(summit, forum, session, send_change):
    guest(summit, forum)

    send_change(session, frozenset({"time", "speakers", "not-a-field"}))

    [message] = mail.outbox
    assert "has changed (time, speakers):" in message.body


def test_organiser_change_through_the_agenda_service_reaches_the_guest(
    summit, forum, session, django_capture_on_commit_callbacks
):
    from sessions.services import update_session

    registration = guest(summit, forum, language="en")
    new_room = factories.RoomFactory(summit=summit, name_en="Hall Z")

    with django_capture_on_commit_callbacks(execute=True):
        update_session(session, room=new_room, notify_guests=True)

    [message] = mail.outbox
    assert message.to == [registration.email]
    assert "has changed (room):" in message.body
    assert "- Hall Z, Guangzhou Baiyun International Convention Center, Guangzhou\n" in (
        message.body
    )
    event = events_by_uid(message.attachments[0][1].encode())[f"{session.uid}@127.0.0.1"]
    assert event.decoded("SEQUENCE") == 1


def test_organiser_change_without_notify_sends_nothing(
    summit, forum, session, django_capture_on_commit_callbacks
):
    from sessions.services import update_session

    guest(summit, forum)

    with django_capture_on_commit_callbacks(execute=True):
        update_session(session, title_en="Smarter cities")

    assert mail.outbox == []
    assert OutgoingEmail.objects.count() == 0
