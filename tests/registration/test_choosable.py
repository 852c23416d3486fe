"""The choosable forums and sessions, cached for every registration: a change is seen at once."""

import pytest
from django.core.cache import cache

from registration import choosable, services
from registration.models import Enrolment
from sessions import services as agenda_services
from sessions.models import Forum, Session
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def workshop(summit):
    return factories.SessionFactory(forum__summit=summit, requires_enrolment=True, capacity=5)


def test_choices_are_checked_from_the_cache_without_a_query(
    summit, register, small_forum, workshop, django_assert_num_queries
):
    register(forums=[small_forum])  # reads and stores the ids

    with django_assert_num_queries(0):
        targets = services.valid_targets(summit, [small_forum.pk], [workshop.pk])

    assert {target.pk for target in targets} == {small_forum.pk, workshop.pk}


def test_a_new_forum_is_choosable_at_once(summit, register, small_forum):
    register(forums=[small_forum])

    new = agenda_services.create_forum(summit, slug="new", title_en="New", capacity=5)
    registration = register(forums=[new])

    assert registration.enrolments.get().forum == new


def test_a_forum_made_plenary_is_refused_at_once(summit, register, small_forum):
    register(forums=[small_forum])

    agenda_services.update_forum(small_forum, kind=Forum.Kind.PLENARY)

    with pytest.raises(services.ChoiceNotAvailable):
        register(forums=[small_forum])


def test_a_deleted_forum_is_refused_at_once(summit, register, small_forum):
    other = factories.ForumFactory(summit=summit, slug="other")
    register(forums=[other])

    agenda_services.delete_forum(small_forum)

    with pytest.raises(services.ChoiceNotAvailable):
        register(forums=[small_forum])


@pytest.mark.parametrize(
    "change",
    [
        {"status": Session.Status.CANCELLED},
        {"is_published": False},
        {"requires_enrolment": False},
    ],
)
def test_a_session_withdrawn_from_choice_is_refused_at_once(register, workshop, change):
    register(sessions=[workshop])
    if "requires_enrolment" in change:
        Enrolment.objects.all().delete()
        Session.objects.filter(pk=workshop.pk).update(seats_taken=0)
        workshop.seats_taken = 0

    agenda_services.update_session(workshop, **change)

    with pytest.raises(services.ChoiceNotAvailable):
        register(sessions=[workshop])


def test_a_session_published_later_is_choosable_at_once(summit, register, small_forum):
    draft = factories.SessionFactory(
        forum=small_forum, requires_enrolment=True, capacity=5, is_published=False
    )
    register(forums=[small_forum])

    agenda_services.update_session(draft, is_published=True)
    registration = register(sessions=[draft])

    assert registration.enrolments.get().session_id == draft.pk


def test_ids_read_before_a_change_commits_are_never_served_after_it(summit, small_forum):
    # A request reads the version and then the rows; a change commits in between and
    # replaces the version; the request then stores what it read, under the old version.
    version = cache.get(choosable.VERSION_KEY) or "old"
    cache.set(choosable.VERSION_KEY, version, None)
    cache.set(
        choosable.cache_key(summit.pk),
        (version, frozenset({small_forum.pk}), {}),
        choosable.TIMEOUT,
    )
    Forum.objects.filter(pk=small_forum.pk).update(kind=Forum.Kind.PLENARY)  # the change…
    choosable.forget_choosable()  # …and its commit

    with pytest.raises(services.ChoiceNotAvailable):
        services.valid_targets(summit, [small_forum.pk], [])


def test_without_a_shared_cache_the_database_is_asked_every_time(
    settings, summit, small_forum, django_assert_num_queries
):
    settings.CACHE_IS_SHARED = False
    services.valid_targets(summit, [small_forum.pk], [])

    with django_assert_num_queries(1):
        services.valid_targets(summit, [small_forum.pk], [])
    assert cache.get(choosable.cache_key(summit.pk)) is None
