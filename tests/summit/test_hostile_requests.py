"""Odd and hostile query strings and paths on every route of the permission matrix: a clear
4xx or the page as usual, never a 500 (on SQLite and on PostgreSQL, which refuses NUL in
any text parameter)."""

import pytest

from tests.summit.test_permission_matrix import ROUTES
from tests.world import build_world, finish

ODD_QUERY = {
    "q": "é' OR 1=1 --",
    "day": "2026-02-30",
    "forum": "no-such-forum",
    "page": "-1",
    "lang": "xx",
    "checkpoint": "<script>",
    "region": "atlantis",
    "status": "[]",
}


@pytest.fixture
def world(week_before_the_summit, roles, media_root):
    return build_world()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_odd_queries_never_fail(world, name):
    address = ROUTES[name].url(world)
    for role in ("anonymous", "guest", "door", "organiser"):
        response = world.client(role).get(address, ODD_QUERY)
        assert response.status_code < 500, f"{address} as {role}"
        finish(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_nul_in_the_query_is_a_400(world, name):
    address = ROUTES[name].url(world)
    response = world.client("organiser").get(address + "?q=a%00b&forum=%00&day=%00")

    assert response.status_code == 400
    assert response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "address",
    ["/register/invitation/AB%00CD/key/", "/calendar/feed/abc%00def.ics", "/forums/a%00b/"],
)
def test_nul_in_the_path_is_a_400(world, address):
    assert world.client("anonymous").get(address).status_code == 400
    assert world.client("organiser").get(address).status_code == 400
