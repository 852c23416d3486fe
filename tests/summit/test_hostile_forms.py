"""Every form of the site against odd values in each of its fields: a page with field errors
(or the change made), never a 500, and nothing stored that breaks a page afterwards.

The forms are found on the pages of the permission matrix (as an organiser and as a guest), and
posted back with one field at a time given a time at the calendar's ends (year 1, year 9999:
times organisers type were stored as 1 BC, or overflowed), a number beyond any column, a
negative one, digits of another script or a very long text. After each form, the public agenda,
its API and the organisers' lists must still answer.
"""

import re

import pytest

from tests.e2e.harness import FormParser
from tests.summit.test_permission_matrix import ROUTES
from tests.world import build_world

ODD = [
    "0001-01-01T00:00",
    "9999-12-31",
    "99999999999999999999999",
    "-1",
    "٣" * 3000,  # Arabic-Indic digits: int() takes them; and a very long text
]
# allauth's forms, logging out and the language switch are not ours to fuzz here.
SKIPPED_ACTIONS = ("/accounts/", "/i18n/")
PAGES_AFTERWARDS = [
    "/",
    "/agenda/?day=all",
    "/api/v1/agenda",
    "/calendar/agenda.ics",
    "/organiser/agenda/",
    "/organiser/agenda/sessions/",
    "/organiser/guests/",
    "/organiser/summit/",
    "/organiser/attendance/",
]


@pytest.fixture
def world(week_before_the_summit, roles, media_root):
    return build_world()


def forms_of(client, address: str):
    page = client.get(address, follow=True)
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return []
    parser = FormParser()
    parser.feed(page.content.decode())
    return [
        form
        for form in parser.forms
        if form.method == "post" and not (form.action or address).startswith(SKIPPED_ACTIONS)
    ]


FORM_ROUTES = sorted(name for name, route in ROUTES.items() if route.post is not None)


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORM_ROUTES)
def test_every_field_of_every_form_takes_odd_values_without_a_500(world, name):
    address = ROUTES[name].url(world)
    for role in ("organiser", "guest"):
        client = world.client(role)
        for form in forms_of(client, address):
            action = form.action or address
            fields = {name for name, _value in form.fields} | set(form.options)
            # A formset's rows are alike: its first row stands for the others.
            fields = {name for name in fields if not re.search(r"-[1-9][0-9]*-", name)}
            for field in sorted(fields - {"csrfmiddlewaretoken"}):
                for value in ODD:
                    data: dict[str, list[str]] = {}
                    for key, current in form.fields:
                        data.setdefault(key, []).append(current)
                    data[field] = [value]

                    response = client.post(action, data)

                    assert response.status_code < 500, (role, action, field, value[:20])
    organiser = world.client("organiser")
    for page in PAGES_AFTERWARDS:
        assert organiser.get(page).status_code == 200, page


@pytest.mark.django_db
def test_the_forms_and_their_fields_are_found(world):
    """Guards the search above: were no field found, the test would post nothing."""
    [summit_form] = forms_of(world.client("organiser"), ROUTES["summit-settings"].url(world))
    session_forms = forms_of(
        world.client("organiser"), ROUTES["agenda:organiser-session-create"].url(world)
    )

    assert {"starts_on", "registration_opens_at", "capacity"} <= summit_form.names()
    assert {"starts_at", "ends_at", "capacity", "forum"} <= session_forms[0].names()
