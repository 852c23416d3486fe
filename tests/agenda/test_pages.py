import datetime

import pytest
from django.urls import reverse

from sessions.models import Forum, Session
from tests import factories
from tests.factories import at

UTC = datetime.UTC


@pytest.fixture
def forum(summit):
    return factories.ForumFactory(
        summit=summit,
        slug="security",
        title_en="Network and Information Security",
        title_zh_hans="网络与信息安全",
        title_zh_hant="網絡與信息安全",
        description_en="Threats to government systems.",
        capacity=300,
    )


@pytest.fixture
def keynote(forum):
    session = factories.SessionFactory(
        forum=forum,
        title_en="Zero trust for government networks",
        title_zh_hans="政务网络的零信任架构",
        title_zh_hant="政務網絡的零信任架構",
        description_en="From perimeter defence to zero trust.",
        starts_at=at(2, 10, 45),
        ends_at=at(2, 11, 15),
    )
    speaker = factories.SpeakerFactory(
        summit=forum.summit,
        slug="kim-min-jun",
        name="김민준",
        name_latin="Kim Min-jun",
        affiliation_en="National Information Society Agency, Korea",
        affiliation_zh_hans="韩国智能信息社会振兴院",
    )
    factories.SessionSpeakerFactory(session=session, speaker=speaker)
    return session


def _agenda(client, language="en", **params):
    return client.get(reverse("agenda:agenda"), params, HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.django_db
def test_home_shows_forums_and_days(client, keynote):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Network and Information Security" in response.text
    assert 'href="/forums/security/"' in response.text
    assert "Wednesday 9 December 2026" in response.text
    assert "Sessions: 1" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "today",
    [
        datetime.datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        datetime.datetime(2027, 1, 15, tzinfo=UTC),
    ],
    ids=["before-the-summit", "after-the-summit"],
)
def test_agenda_shows_the_first_day_by_default(client, keynote, time_machine, today):
    time_machine.move_to(today, tick=False)
    first_day = factories.SessionFactory(forum=keynote.forum, title_en="Day one talk")

    response = _agenda(client)

    assert "Day one talk" in response.text
    assert keynote.title_en not in response.text
    assert response.context["day"] == first_day.starts_at.date()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "params", "today"),
    [
        (at(2, 8), {}, "2026-12-09"),
        (at(3, 0, 30), {}, "2026-12-10"),  # still the 9th in UTC: the summit's day counts
        (at(2, 8), {"day": "not-a-day"}, "2026-12-09"),
    ],
    ids=["day-2", "day-3-just-after-midnight", "unreadable-day"],
)
def test_agenda_shows_today_during_the_summit(client, keynote, time_machine, now, params, today):
    time_machine.move_to(now.astimezone(UTC), tick=False)
    factories.SessionFactory(forum=keynote.forum, title_en="Day one talk")
    factories.SessionFactory(forum=keynote.forum, title_en="Day three talk", starts_at=at(3, 9))

    response = _agenda(client, **params)

    assert response.context["day"].isoformat() == today
    assert "Day one talk" not in response.text
    assert (keynote.title_en in response.text) == (today == "2026-12-09")
    assert ("Day three talk" in response.text) == (today == "2026-12-10")


@pytest.mark.django_db
def test_agenda_for_a_day_in_each_language(client, keynote):
    english = _agenda(client, "en", day="2026-12-09")
    simplified = _agenda(client, "zh-hans", day="2026-12-09")
    traditional = _agenda(client, "zh-hant", day="2026-12-09")

    assert "Zero trust for government networks" in english.text
    assert "Kim Min-jun" in english.text
    assert "政务网络的零信任架构" in simplified.text
    assert "김민준" in simplified.text
    assert "政務網絡的零信任架構" in traditional.text
    assert "議程" in traditional.text


@pytest.mark.django_db
def test_agenda_unknown_day_falls_back_to_the_first(client, keynote):
    response = _agenda(client, day="2031-01-01")

    assert response.status_code == 200
    assert response.context["day"].isoformat() == "2026-12-08"


@pytest.mark.django_db
def test_agenda_all_days(client, keynote):
    factories.SessionFactory(forum=keynote.forum, title_en="Day one talk")

    response = _agenda(client, day="all")

    assert "Day one talk" in response.text
    assert keynote.title_en in response.text
    assert response.context["session_count"] == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "text",
    ["zero TRUST", "零信任架构", "零信任架構", "perimeter", "Min-jun", "김민준"],
    ids=["english", "simplified", "traditional", "description", "latin-name", "native-name"],
)
def test_agenda_text_search_in_any_language(client, keynote, text):
    factories.SessionFactory(forum=keynote.forum, title_en="Unrelated", starts_at=at(2, 9))

    response = _agenda(client, day="all", q=text)

    titles = [s.title_en for d in response.context["agenda_days"] for s in d.sessions]
    assert titles == ["Zero trust for government networks"]


@pytest.mark.django_db
def test_agenda_filters_by_forum_format_and_room(client, keynote, summit):
    other_forum = factories.ForumFactory(summit=summit, slug="digital-gba")
    panel = factories.SessionFactory(
        forum=other_forum, format=Session.Format.PANEL, starts_at=at(2, 14)
    )

    by_forum = _agenda(client, day="all", forum="digital-gba")
    by_format = _agenda(client, day="all", format="panel")
    by_room = _agenda(client, day="all", room=keynote.room.slug)

    def pks(response):
        return [s.pk for d in response.context["agenda_days"] for s in d.sessions]

    assert pks(by_forum) == [panel.pk]
    assert pks(by_format) == [panel.pk]
    assert pks(by_room) == [keynote.pk]


@pytest.mark.django_db
def test_agenda_hides_cancelled_sessions_unless_asked(client, keynote):
    keynote.status = Session.Status.CANCELLED
    keynote.save()

    hidden = _agenda(client, day="2026-12-09")
    shown = _agenda(client, day="2026-12-09", cancelled="on")

    assert keynote.title_en not in hidden.text
    assert keynote.title_en in shown.text
    assert "session-card--cancelled" in shown.text


@pytest.mark.django_db
def test_agenda_never_shows_drafts(client, keynote):
    factories.SessionFactory(forum=keynote.forum, title_en="Secret draft", is_published=False)

    response = _agenda(client, day="all")

    assert "Secret draft" not in response.text


@pytest.mark.django_db
def test_agenda_shows_seats_left_and_full(client, forum):
    Forum.objects.filter(pk=forum.pk).update(seats_taken=290)
    factories.SessionFactory(forum=forum, title_en="Open talk")
    workshop = factories.SessionFactory(
        forum=forum, title_en="Workshop", requires_enrolment=True, capacity=20
    )
    Session.objects.filter(pk=workshop.pk).update(seats_taken=20)

    response = _agenda(client, day="2026-12-08")

    assert "Seats left: 10" in response.text
    assert "Full" in response.text


@pytest.mark.django_db
def test_forum_page_lists_its_sessions_across_days(client, keynote):
    day_one = factories.SessionFactory(forum=keynote.forum, title_en="Day one talk")
    factories.SessionFactory(title_en="Other forum's talk", forum__summit=keynote.forum.summit)

    response = client.get(reverse("agenda:forum", args=["security"]))

    assert response.status_code == 200
    days = response.context["agenda_days"]
    assert [(d.day.isoformat(), [s.pk for s in d.sessions]) for d in days] == [
        ("2026-12-08", [day_one.pk]),
        ("2026-12-09", [keynote.pk]),
    ]
    assert "Threats to government systems." in response.text
    assert "Seats left: 300" in response.text
    assert "Other forum" not in response.text


@pytest.mark.django_db
def test_forum_page_unknown_slug_is_404(client, summit):
    assert client.get(reverse("agenda:forum", args=["nowhere"])).status_code == 404


@pytest.mark.django_db
def test_session_page_shows_time_room_speakers_and_seats(client, keynote):
    response = client.get(keynote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Wednesday 9 December 2026" in response.text
    assert ">10:45</time>–<time" in response.text
    assert ">11:15</time>" in response.text
    assert keynote.room.name_en in response.text
    assert "김민준" in response.text
    assert "Kim Min-jun" in response.text
    assert "National Information Society Agency, Korea" in response.text
    assert "From perimeter defence to zero trust." in response.text
    assert "Seats left: 300" in response.text
    assert f"forum-{keynote.forum_id}" in response.text


@pytest.mark.django_db
def test_session_page_in_chinese_shows_date_and_affiliation(client, keynote):
    response = client.get(keynote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "2026年12月9日" in response.text
    assert "韩国智能信息社会振兴院" in response.text


@pytest.mark.django_db
def test_session_page_of_a_cancelled_session_says_so(client, keynote):
    Session.objects.filter(pk=keynote.pk).update(status=Session.Status.CANCELLED)

    response = client.get(keynote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en")

    assert "This session is cancelled." in response.text
    assert "Seats left" not in response.text


@pytest.mark.django_db
def test_session_page_of_a_draft_is_for_organisers_only(client, organiser, keynote):
    Session.objects.filter(pk=keynote.pk).update(is_published=False)

    anonymous = client.get(keynote.get_absolute_url())
    client.force_login(organiser)
    as_organiser = client.get(keynote.get_absolute_url())

    assert (anonymous.status_code, as_organiser.status_code) == (404, 200)
    assert "Draft: only organisers see this session." in as_organiser.text


@pytest.mark.django_db
def test_speakers_page_lists_speakers_of_published_sessions(client, keynote):
    factories.SpeakerFactory(summit=keynote.forum.summit, name_latin="Nobody Yet", name="")

    response = client.get(reverse("agenda:speakers"), HTTP_ACCEPT_LANGUAGE="en")

    assert "Kim Min-jun" in response.text
    assert "Nobody Yet" not in response.text


@pytest.mark.django_db
def test_speaker_page_lists_their_sessions(client, keynote):
    response = client.get(reverse("agenda:speaker", args=["kim-min-jun"]))

    assert response.status_code == 200
    assert keynote.title_en in response.text
    assert client.get(reverse("agenda:speaker", args=["nobody"])).status_code == 404


@pytest.mark.django_db
def test_forum_colours_are_css_classes_readable_on_white(client, summit):
    light = factories.ForumFactory(summit=summit, colour="#f5c518")

    response = client.get(reverse("agenda:forum-colours"))

    assert response["Content-Type"] == "text/css"
    line = next(line for line in response.text.splitlines() if f".forum-{light.pk} " in line)
    assert "--forum-colour: #f5c518;" in line
    ink = line.split("--forum-ink: ")[1][:7]
    from sessions.colours import contrast_ratio

    assert contrast_ratio(ink, "#ffffff") >= 4.5


@pytest.mark.django_db
def test_pages_have_one_h1_and_no_inline_styles_or_scripts(client, keynote):
    urls = [
        reverse("home"),
        reverse("agenda:agenda"),
        reverse("agenda:forums"),
        reverse("agenda:forum", args=["security"]),
        keynote.get_absolute_url(),
        reverse("agenda:speakers"),
        reverse("agenda:speaker", args=["kim-min-jun"]),
    ]

    for url in urls:
        text = client.get(url).text
        assert text.count("<h1") == 1, url
        assert "style=" not in text, url
        assert "<script>" not in text and "<script >" not in text, url


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["home", "session"])
def test_home_and_session_pages_invite_visitors_to_register(client, keynote, page):
    address = reverse("home") if page == "home" else keynote.get_absolute_url()

    response = client.get(address, HTTP_ACCEPT_LANGUAGE="zh-hant")

    assert '<a class="button' in response.text
    assert 'href="/accounts/signup/?next=/register/">報名參加峰會</a>' in response.text
    assert 'href="/accounts/login/?next=/register/me/">登入</a>' in response.text


@pytest.mark.django_db
def test_signed_in_visitors_are_sent_to_their_registration(client, keynote, guest_user):
    client.force_login(guest_user)

    response = client.get(reverse("home"))

    assert 'href="/register/me/">Register or see my registration</a>' in response.text


@pytest.mark.django_db
def test_no_invitation_to_register_once_registration_has_closed(client, keynote, summit):
    import datetime

    from django.utils import timezone

    summit.registration_closes_at = timezone.now() - datetime.timedelta(minutes=1)
    summit.registration_opens_at = summit.registration_closes_at - datetime.timedelta(days=9)
    summit.save()

    response = client.get(reverse("home"))

    assert "/accounts/signup/?next=/register/" not in response.text.split("<main")[1]


@pytest.mark.django_db
def test_home_gives_each_forum_its_whole_description_for_three_lines(client, summit):
    text = (
        "Data as a factor of production: how markets for public data are governed, priced and "
        "audited, and how cities share it without losing control of what matters. " * 3
    )
    factories.ForumFactory(summit=summit, description_en=text)

    response = client.get(reverse("home"))

    assert f'<p class="muted clamp-3">{text}</p>' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "name"), [("zh-hans", "陈大文"), ("zh-hant", "陳大文")])
def test_session_page_shows_speakers_in_the_reader_script(client, keynote, language, name):
    speaker = factories.SpeakerFactory(
        summit=keynote.forum.summit,
        slug="chan-tai-man",
        name="陳大文",
        name_zh_hans="陈大文",
        name_latin="Chan Tai Man",
    )
    factories.SessionSpeakerFactory(session=keynote, speaker=speaker)

    response = client.get(keynote.get_absolute_url(), HTTP_ACCEPT_LANGUAGE=language)
    speakers = client.get(reverse("agenda:speakers"), HTTP_ACCEPT_LANGUAGE=language)

    other = "陳大文" if name == "陈大文" else "陈大文"
    for text in (response.text, speakers.text):
        assert f'href="/speakers/chan-tai-man/">{name}</a>' in text
        assert other not in text
