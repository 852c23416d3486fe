"""A guest's choices as every page, e-mail and the guest API read them: in the agenda's order,
in one query however many there are."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from registration import guest_tokens, selectors
from registration.models import GuestToken
from tests import factories
from tests.factories import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_with_choices(summit, guest_user):
    """A guest holding two forums and two sessions, each chosen in an order unlike the
    agenda's (so that the creation order cannot pass for it)."""
    guest = factories.RegistrationFactory(summit=summit, user=guest_user, email=guest_user.email)
    second = factories.ForumFactory(summit=summit, position=2, title_zh_hant="第二論壇")
    first = factories.ForumFactory(summit=summit, position=1, title_zh_hant="第一論壇")
    later = factories.SessionFactory(forum=first, starts_at=at(2, 9), title_zh_hant="後場")
    sooner = factories.SessionFactory(forum=second, starts_at=at(1, 14), title_zh_hant="先場")
    for target in (later, second, sooner, first):
        if target in (later, sooner):
            factories.EnrolmentFactory(registration=guest, forum=None, session=target)
        else:
            factories.EnrolmentFactory(registration=guest, forum=target)
    return guest, [first, second, sooner, later]


def _loads_one_row(query: str) -> bool:
    """A query reading one forum or session by its id: a deferred field being loaded."""
    return any(f'WHERE "{table}"."id" = ' in query for table in ("agenda_forum", "agenda_session"))


def test_choices_are_forums_by_position_then_sessions_by_time(guest_with_choices):
    guest, in_agenda_order = guest_with_choices

    enrolments = selectors.enrolments_of(guest)

    assert [e.forum or e.session for e in enrolments] == in_agenda_order


def test_choice_titles_need_no_query_of_their_own(guest_with_choices):
    guest, in_agenda_order = guest_with_choices

    with translation.override("zh-hant"), CaptureQueriesContext(connection) as queries:
        titles = [str(choice.title) for choice in selectors.choices_of(guest)]
        times = [e.session.starts_at for e in selectors.enrolments_of(guest) if e.session]
        forums = [e.session.forum_id for e in selectors.enrolments_of(guest) if e.session]

    assert titles == ["第一論壇", "第二論壇", "先場", "後場"]
    assert times == [at(1, 14), at(2, 9)]
    assert forums == [in_agenda_order[1].pk, in_agenda_order[0].pk]
    assert len(queries) == 3  # one per call, whatever the number of choices


def test_my_page_and_the_organisers_page_load_no_choice_row_by_row(
    client, guest_with_choices, organiser
):
    guest, _order = guest_with_choices
    client.force_login(guest.user)
    with CaptureQueriesContext(connection) as mine:
        page = client.get(reverse("registration:mine"))
    client.force_login(organiser)
    with CaptureQueriesContext(connection) as detail:
        organiser_page = client.get(reverse("registration:organiser-guest", args=[guest.pk]))

    assert (page.status_code, organiser_page.status_code) == (200, 200)
    assert "先場" not in page.text  # English by default
    assert [q["sql"] for q in mine.captured_queries if _loads_one_row(q["sql"])] == []
    assert [q["sql"] for q in detail.captured_queries if _loads_one_row(q["sql"])] == []


def test_the_guest_api_reads_my_registration_in_two_queries(client, guest_with_choices):
    guest, _order = guest_with_choices
    token = guest_tokens.TOKEN_PREFIX + "selectors-test"
    GuestToken.objects.create(
        registration=guest, token_hash=guest_tokens.digest(token), token_prefix=token[:8]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "zh-hant"}
    client.get("/api/v1/guest/registration", **headers)  # notes the token's first use

    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/api/v1/guest/registration", **headers)

    assert answer.status_code == 200
    assert answer.json()["status_label"] == "已確認"
    titles = [choice["title"] for choice in answer.json()["choices"]]
    assert titles == ["第一論壇", "第二論壇", "先場", "後場"], json.dumps(answer.json())
    assert len(queries) == 2  # the token with its registration; the choices
