import pytest
from django.utils import translation

from sessions.models import Session
from tests import factories


@pytest.mark.django_db
def test_session_guest_seats_are_its_own_when_chosen_separately(summit):
    forum = factories.ForumFactory(summit=summit, capacity=200)
    forum.seats_taken = 150
    session = factories.SessionFactory(forum=forum, requires_enrolment=True, capacity=40)
    session.seats_taken = 38

    assert (session.guest_capacity, session.guest_seats_left) == (40, 2)


@pytest.mark.django_db
def test_session_guest_seats_are_the_forums_when_open_to_the_forum(summit):
    forum = factories.ForumFactory(summit=summit, capacity=200)
    forum.seats_taken = 150
    session = factories.SessionFactory(forum=forum, requires_enrolment=False, capacity=None)

    assert (session.guest_capacity, session.guest_seats_left) == (200, 50)


@pytest.mark.django_db
def test_session_seats_left_is_none_without_a_limit(summit):
    forum = factories.ForumFactory(summit=summit, capacity=None)
    session = factories.SessionFactory(forum=forum)

    assert (forum.seats_left, session.guest_seats_left) == (None, None)


@pytest.mark.django_db
def test_session_seats_left_never_negative(summit):
    session = factories.SessionFactory(forum__summit=summit, requires_enrolment=True, capacity=5)
    session.seats_taken = 7

    assert session.guest_seats_left == 0


@pytest.mark.django_db
def test_speaker_display_name_follows_the_language(summit):
    speaker = factories.SpeakerFactory(summit=summit, name="陳大文", name_latin="Chan Tai Man")
    latin_only = factories.SpeakerFactory(summit=summit, name="", name_latin="João Conceição")

    with translation.override("en"):
        english = (speaker.display_name, latin_only.display_name)
    with translation.override("zh-hant"):
        chinese = (speaker.display_name, latin_only.display_name)

    assert english == ("Chan Tai Man", "João Conceição")
    assert chinese == ("陳大文", "João Conceição")


@pytest.mark.django_db
def test_session_title_falls_back_to_other_languages(summit):
    session = factories.SessionFactory(
        forum__summit=summit, title_en="Opening", title_zh_hans="开幕式", title_zh_hant=""
    )

    with translation.override("zh-hant"):
        assert session.title == "开幕式"
    with translation.override("en"):
        assert session.title == "Opening"


@pytest.mark.django_db
def test_absolute_urls_use_slug_and_uid(summit):
    session = factories.SessionFactory(forum__summit=summit, forum__slug="digital-gba")
    speaker = factories.SpeakerFactory(summit=summit, slug="chan-tai-man")

    assert session.forum.get_absolute_url() == "/forums/digital-gba/"
    assert session.get_absolute_url() == f"/sessions/{session.uid}/"
    assert speaker.get_absolute_url() == "/speakers/chan-tai-man/"


@pytest.mark.django_db
def test_session_is_cancelled_follows_status(summit):
    session = factories.SessionFactory(forum__summit=summit, status=Session.Status.CANCELLED)

    assert session.is_cancelled is True


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "shown", "beside"),
    [
        ("en", "Chan Tai Man", "陳大文"),
        ("zh-hans", "陈大文", "Chan Tai Man"),
        ("zh-hant", "陳大文", "Chan Tai Man"),
    ],
)
def test_speaker_name_in_the_reader_script(summit, language, shown, beside):
    from django.utils import translation

    speaker = factories.SpeakerFactory(
        summit=summit, name="陳大文", name_latin="Chan Tai Man", name_zh_hans="陈大文"
    )

    with translation.override(language):
        assert (speaker.display_name, speaker.other_name) == (shown, beside)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # Only the name as written: every Chinese reader sees it.
        ({"name": "张伟", "name_latin": "Zhang Wei"}, ("Zhang Wei", "张伟", "张伟")),
        # Only the other script's form: better than nothing.
        (
            {"name": "", "name_latin": "Kim Min-jun", "name_zh_hant": "金敏俊"},
            ("Kim Min-jun", "金敏俊", "金敏俊"),
        ),
        # No Chinese name at all: the Latin one for everybody.
        ({"name": "", "name_latin": "Sarah Thompson"}, ("Sarah Thompson",) * 3),
        # No Latin name: English readers see the name as written.
        ({"name": "何雅婷", "name_latin": ""}, ("何雅婷",) * 3),
    ],
)
def test_speaker_name_falls_back_sensibly(summit, fields, expected):
    speaker = factories.SpeakerFactory(summit=summit, **fields)

    assert (
        tuple(speaker.name_for(language) for language in ("en", "zh-hans", "zh-hant")) == expected
    )
