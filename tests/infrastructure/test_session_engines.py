"""The session engines write a new login session once and still cycle a known key."""

from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from summit.infrastructure.session_engines import cached_db, db

pytestmark = pytest.mark.django_db

LOGIN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


@pytest.fixture
def user():
    return get_user_model().objects.create_user("ada", "ada@example.com", "correct horse")


@pytest.mark.parametrize("engine", [db, cached_db])
def test_session_engine_new_session_is_not_written_when_its_key_cycles(engine):
    session = engine.SessionStore()
    session["seen"] = 1
    session.cycle_key()
    assert (session.session_key, Session.objects.count()) == (None, 0)
    session.save()
    assert Session.objects.filter(session_key=session.session_key).count() == 1
    assert engine.SessionStore(session.session_key).load() == {"seen": 1}


@pytest.mark.parametrize("engine", [db, cached_db])
def test_session_engine_stored_session_gets_a_new_key_when_it_cycles(engine):
    session = engine.SessionStore()
    session["seen"] = 1
    session.save()
    old_key = session.session_key
    session.cycle_key()
    assert session.session_key != old_key
    assert list(Session.objects.values_list("session_key", flat=True)) == [session.session_key]
    assert engine.SessionStore(session.session_key).load() == {"seen": 1}


@pytest.mark.parametrize("engine", [db, cached_db])
def test_login_from_a_fresh_browser_writes_the_session_once(engine, user, rf):
    request = rf.post("/")
    request.session = engine.SessionStore()
    with CaptureQueriesContext(connection) as queries:
        login(request, user, backend=LOGIN_BACKEND)
        request.session.save()  # as the session middleware does at the end of the request
    writes = [q["sql"].split()[0] for q in queries if '"django_session"' in q["sql"]]
    assert writes == ["INSERT"]  # the session with the user in it, under a key nobody asked
    assert engine.SessionStore(request.session.session_key).load()["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("engine", [db, cached_db])
def test_new_session_drawn_onto_a_key_in_use_gets_another(engine):
    taken = engine.SessionStore()
    taken["owner"] = "someone else"
    taken.save()
    fresh = "freshkey0123456789abcdefghijklmn"
    draws = iter([taken.session_key, fresh])
    session = engine.SessionStore()
    session["owner"] = "me"
    with mock.patch(
        "django.contrib.sessions.backends.base.get_random_string", lambda *a: next(draws)
    ):
        session.save()
    assert session.session_key == fresh
    assert engine.SessionStore(taken.session_key).load() == {"owner": "someone else"}
    assert engine.SessionStore(fresh).load() == {"owner": "me"}


@pytest.mark.parametrize("engine", [db, cached_db])
def test_session_exists_still_asks_outside_a_new_key(engine):
    session = engine.SessionStore()
    session.save()
    assert session.exists(session.session_key)
    assert not session.exists("nosuchkey0123456789abcdefghijklm")


@pytest.mark.parametrize("engine", [db, cached_db])
def test_login_never_keeps_a_session_key_set_before_it(engine, user, rf):
    visitor = engine.SessionStore()  # an anonymous session, stored (someone may know its key)
    visitor["seen"] = 1
    visitor.save()
    request = rf.post("/")
    request.session = engine.SessionStore(visitor.session_key)
    login(request, user, backend=LOGIN_BACKEND)
    request.session.save()
    assert request.session.session_key not in {None, visitor.session_key}
    assert not Session.objects.filter(session_key=visitor.session_key).exists()
    assert engine.SessionStore(request.session.session_key).load()["seen"] == 1


@pytest.mark.parametrize("engine", [db, cached_db])
def test_login_with_a_cookie_naming_no_session_gets_a_new_key(engine, user, rf):
    request = rf.post("/")
    request.session = engine.SessionStore("chosenbyanattacker0123456789abcd")
    login(request, user, backend=LOGIN_BACKEND)
    request.session.save()
    assert request.session.session_key not in {None, "chosenbyanattacker0123456789abcd"}
    assert Session.objects.count() == 1


def test_cached_db_new_session_is_cached_once(user, rf):
    session_cache = caches[settings.SESSION_CACHE_ALIAS]
    request = rf.post("/")
    request.session = cached_db.SessionStore()
    with mock.patch.object(session_cache, "set", wraps=session_cache.set) as cache_set:
        login(request, user, backend=LOGIN_BACKEND)
        request.session.save()
    assert cache_set.call_count == 1
    key = request.session.session_key
    assert cached_db.SessionStore(key).load()["_auth_user_id"] == str(user.pk)
