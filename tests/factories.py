"""Factories for every model, in one place (factory_boy). Defaults describe a plausible guest."""

import datetime
import zoneinfo

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from badges.checkin.models import Checkpoint, Device
from badges.models import Badge, PrintJob
from registration.models import Category, Enrolment, Invitation, Region, Registration
from sessions.models import Forum, Session, SessionSpeaker, Speaker
from summit.models import Room, Summit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SUMMIT_START = datetime.date(2026, 12, 8)


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment of the summit: day 1 is 8 December, in Asia/Shanghai."""
    date = SUMMIT_START + datetime.timedelta(days=day - 1)
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=SHANGHAI)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class SummitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Summit
        django_get_or_create = ("slug",)

    slug = "digital-gba-2026"
    name_en = "Digital Government Summit and Forum on Digital GBA"
    name_zh_hans = "数字政府建设峰会暨数字湾区发展论坛"
    name_zh_hant = "數字政府建設峰會暨數字灣區發展論壇"
    venue_en = "Guangzhou Baiyun International Convention Center"
    venue_zh_hans = "广州白云国际会议中心"
    venue_zh_hant = "廣州白雲國際會議中心"
    city_en = "Guangzhou"
    city_zh_hans = "广州"
    city_zh_hant = "廣州"
    starts_on = SUMMIT_START
    ends_on = SUMMIT_START + datetime.timedelta(days=2)
    registration_opens_at = factory.LazyFunction(
        lambda: timezone.now() - datetime.timedelta(days=30)
    )
    registration_closes_at = factory.LazyFunction(
        lambda: timezone.now() + datetime.timedelta(days=30)
    )
    capacity = 3200
    approval_required = False


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    summit = factory.SubFactory(SummitFactory)
    # Not "room-<n>": the demo summit has rooms "room-301"… that a test may seed next to these.
    slug = factory.Sequence(lambda n: f"test-room-{n}")
    name_en = factory.Sequence(lambda n: f"Hall {n}")
    name_zh_hans = factory.Sequence(lambda n: f"{n}号厅")
    name_zh_hant = factory.Sequence(lambda n: f"{n}號廳")
    capacity = 300


class ForumFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Forum

    summit = factory.SubFactory(SummitFactory)
    slug = factory.Sequence(lambda n: f"forum-{n}")
    position = factory.Sequence(lambda n: n)
    title_en = factory.Sequence(lambda n: f"Forum {n}")
    title_zh_hans = factory.Sequence(lambda n: f"第{n}分论坛")
    title_zh_hant = factory.Sequence(lambda n: f"第{n}分論壇")
    colour = "#0b6e99"
    room = factory.SubFactory(RoomFactory, summit=factory.SelfAttribute("..summit"))
    capacity = 200


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker

    summit = factory.SubFactory(SummitFactory)
    slug = factory.Sequence(lambda n: f"speaker-{n}")
    name = "陳大文"
    name_latin = factory.Sequence(lambda n: f"Chan Tai Man {n}")
    affiliation_en = "Digital Policy Office"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    forum = factory.SubFactory(ForumFactory)
    title_en = factory.Sequence(lambda n: f"Session {n}")
    title_zh_hans = factory.Sequence(lambda n: f"议程{n}")
    title_zh_hant = factory.Sequence(lambda n: f"議程{n}")
    starts_at = factory.LazyFunction(lambda: at(1, 9))
    ends_at = factory.LazyAttribute(lambda session: session.starts_at + datetime.timedelta(hours=1))
    room = factory.LazyAttribute(lambda session: session.forum.room)


class SessionSpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionSpeaker

    session = factory.SubFactory(SessionFactory)
    speaker = factory.SubFactory(
        SpeakerFactory, summit=factory.SelfAttribute("..session.forum.summit")
    )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    summit = factory.SubFactory(SummitFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    name_latin = factory.Sequence(lambda n: f"Invited Guest {n}")
    category = Category.VIP


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A confirmed registration with an account. Seat counters are NOT touched: tests of
    capacity go through the registration services, which keep them."""

    class Meta:
        model = Registration

    summit = factory.SubFactory(SummitFactory)
    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(
        lambda registration: registration.user.email if registration.user else "guest@example.org"
    )
    status = Registration.Status.CONFIRMED
    category = Category.DELEGATE
    name = "陳大文"
    name_latin = "Chan Tai Man"
    organisation = "Digital Policy Office"
    job_title = "Director"
    region = Region.HONG_KONG
    language = "zh-hant"
    consent_given_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-1"


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    registration = factory.SubFactory(RegistrationFactory)
    forum = factory.SubFactory(ForumFactory, summit=factory.SelfAttribute("..registration.summit"))
    status = Enrolment.Status.CONFIRMED


class BadgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Badge

    registration = factory.SubFactory(RegistrationFactory)
    serial = 1


class CheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Checkpoint

    summit = factory.SubFactory(SummitFactory)
    slug = factory.Sequence(lambda n: f"checkpoint-{n}")
    name_en = factory.Sequence(lambda n: f"Entrance {n}")
    name_zh_hans = factory.Sequence(lambda n: f"{n}号入口")
    name_zh_hant = factory.Sequence(lambda n: f"{n}號入口")
    kind = Checkpoint.Kind.ENTRANCE


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    name = factory.Sequence(lambda n: f"Door phone {n}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    token_prefix = factory.Sequence(lambda n: f"{n:08x}")


class PrintJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrintJob

    summit = factory.SubFactory(SummitFactory)
    layout = PrintJob.Layout.A6
    order = PrintJob.Order.NAME


def agenda_with(summit, *, sessions: int, speakers_per_session: int = 2) -> list[Session]:
    """An agenda of ``sessions`` published sessions over the summit's three days, spread over
    two forums, each with its own speakers: for tests that must not grow with the data."""
    forums = [ForumFactory(summit=summit), ForumFactory(summit=summit)]
    created = []
    for index in range(sessions):
        forum = forums[index % 2]
        starts_at = at(index % 3 + 1, 9 + index % 8)
        session = SessionFactory(
            forum=forum,
            starts_at=starts_at,
            requires_enrolment=index % 4 == 0,
            capacity=30 if index % 4 == 0 else None,
        )
        for position in range(speakers_per_session):
            SessionSpeakerFactory(session=session, position=position)
        created.append(session)
    return created
