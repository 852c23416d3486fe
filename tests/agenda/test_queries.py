"""The agenda's pages and API run a fixed number of queries, whatever the amount of data."""

import pytest
from django.urls import reverse

from tests import factories

SIZES = [(6, 1), (36, 3)]  # (sessions, speakers per session)


def _forum_slug(sessions):
    return sessions[0].forum.slug


@pytest.mark.django_db
@pytest.mark.parametrize(("sessions", "speakers"), SIZES)
def test_agenda_page_queries_are_constant(
    client, summit, sessions, speakers, django_assert_num_queries
):
    factories.agenda_with(summit, sessions=sessions, speakers_per_session=speakers)

    # summit, forums, rooms (filter choices), sessions, speakers
    with django_assert_num_queries(5):
        response = client.get(reverse("agenda:agenda"), {"day": "all"})

    assert response.context["session_count"] == sessions


@pytest.mark.django_db
@pytest.mark.parametrize(("sessions", "speakers"), SIZES)
def test_filtered_agenda_page_queries_are_constant(
    client, summit, sessions, speakers, django_assert_num_queries
):
    factories.agenda_with(summit, sessions=sessions, speakers_per_session=speakers)

    with django_assert_num_queries(5):
        client.get(
            reverse("agenda:agenda"), {"day": "2026-12-09", "q": "Session", "cancelled": "on"}
        )


@pytest.mark.django_db
@pytest.mark.parametrize(("sessions", "speakers"), SIZES)
def test_forum_page_queries_are_constant(
    client, summit, sessions, speakers, django_assert_num_queries
):
    created = factories.agenda_with(summit, sessions=sessions, speakers_per_session=speakers)

    # summit, forum, sessions, speakers
    with django_assert_num_queries(4):
        response = client.get(reverse("agenda:forum", args=[_forum_slug(created)]))

    assert sum(len(day.sessions) for day in response.context["agenda_days"]) == sessions // 2


@pytest.mark.django_db
@pytest.mark.parametrize("speakers", [1, 12])
def test_session_page_queries_are_constant(client, summit, speakers, django_assert_num_queries):
    session = factories.agenda_with(summit, sessions=1, speakers_per_session=speakers)[0]

    # session with forum, summit and room; speakers
    with django_assert_num_queries(2):
        response = client.get(session.get_absolute_url())

    assert len(response.context["appearances"]) == speakers


@pytest.mark.django_db
@pytest.mark.parametrize(("sessions", "speakers"), SIZES)
def test_home_and_speaker_pages_queries_are_constant(
    client, summit, sessions, speakers, django_assert_num_queries
):
    created = factories.agenda_with(summit, sessions=sessions, speakers_per_session=speakers)
    speaker = created[0].appearances.first().speaker

    with django_assert_num_queries(4):  # summit, forums, forum days, sessions per day
        client.get(reverse("home"))
    with django_assert_num_queries(2):  # summit, speakers
        client.get(reverse("agenda:speakers"))
    with django_assert_num_queries(4):  # summit, speaker, sessions, speakers
        client.get(speaker.get_absolute_url())


@pytest.mark.django_db
@pytest.mark.parametrize(("sessions", "speakers"), SIZES)
def test_api_queries_are_constant(client, summit, sessions, speakers, django_assert_num_queries):
    factories.agenda_with(summit, sessions=sessions, speakers_per_session=speakers)

    # summit, forums, sessions, speakers
    with django_assert_num_queries(4):
        response = client.get(reverse("api:agenda"))

    assert len(response.json()["sessions"]) == sessions
