import datetime

import pytest
from django.urls import reverse

from summit.models import Summit
from summit.services import SummitError, update_summit

pytestmark = pytest.mark.django_db


def form_data(summit: Summit, **overrides) -> dict:
    data = {
        "name_en": summit.name_en,
        "name_zh_hans": summit.name_zh_hans,
        "name_zh_hant": summit.name_zh_hant,
        "venue_en": summit.venue_en,
        "venue_zh_hans": summit.venue_zh_hans,
        "venue_zh_hant": summit.venue_zh_hant,
        "city_en": summit.city_en,
        "city_zh_hans": summit.city_zh_hans,
        "city_zh_hant": summit.city_zh_hant,
        "starts_on": "2026-12-08",
        "ends_on": "2026-12-10",
        "registration_opens_at": "2026-10-01T09:00",
        "registration_closes_at": "2026-12-07T18:00",
        "capacity": "3200",
        "contact_email": "summit@example.org",
    }
    data.update(overrides)
    return data


def test_settings_page_saves_the_summit(organiser_client, summit):
    response = organiser_client.post(
        reverse("summit-settings"), form_data(summit, capacity="3500", approval_required="on")
    )

    assert response.status_code == 302
    summit.refresh_from_db()
    assert (summit.capacity, summit.approval_required) == (3500, True)


def test_settings_page_refuses_a_capacity_below_places_taken(organiser_client, summit):
    Summit.objects.filter(pk=summit.pk).update(seats_taken=10)

    response = organiser_client.post(reverse("summit-settings"), form_data(summit, capacity="9"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "capacity": ["Guests already hold 10 places: the capacity cannot be lower."]
    }
    summit.refresh_from_db()
    assert summit.capacity == 3200


def test_settings_page_refuses_a_registration_window_that_closes_before_it_opens(
    organiser_client, summit
):
    response = organiser_client.post(
        reverse("summit-settings"),
        form_data(summit, registration_closes_at="2026-09-01T09:00"),
    )

    assert response.context["form"].errors == {
        "registration_closes_at": ["Registration must close after it opens."]
    }


@pytest.mark.parametrize("who", ["door_staff", "guest_user"])
def test_settings_page_is_for_organisers_only(client, summit, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse("summit-settings")).status_code == 403


def test_settings_page_sends_anonymous_visitors_to_log_in(client, summit):
    response = client.get(reverse("summit-settings"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_update_summit_refuses_unknown_fields(summit):
    with pytest.raises(ValueError, match="seats_taken"):
        update_summit(summit, seats_taken=0)


def test_update_summit_refuses_last_day_before_first(summit):
    with pytest.raises(SummitError, match="last day"):
        update_summit(summit, ends_on=summit.starts_on.replace(day=1))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("registration_opens_at", "0001-01-01T00:00"),  # year 0 in UTC: overflowed on save
        ("registration_closes_at", "9999-12-31T23:59"),
        ("starts_on", "0001-01-01"),
        ("ends_on", "9999-12-31"),
        ("starts_on", "1999-12-31"),
    ],
)
def test_settings_page_refuses_dates_out_of_any_summits_calendar(
    organiser_client, summit, field, value
):
    data = form_data(summit, **{field: value})

    response = organiser_client.post(reverse("summit-settings"), data)

    assert response.status_code == 200
    assert response.context["form"].errors[field] == [
        "Choose a date between the years 2000 and 2999."
    ]
    before = (summit.starts_on, summit.ends_on, summit.registration_opens_at)
    summit.refresh_from_db()
    assert (summit.starts_on, summit.ends_on, summit.registration_opens_at) == before


def test_settings_page_refuses_a_summit_of_months(organiser_client, summit):
    """Every page and the API list the summit's days; an edition lasts days."""
    response = organiser_client.post(
        reverse("summit-settings"), form_data(summit, starts_on="2026-12-08", ends_on="2027-12-08")
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"ends_on": ["A summit lasts at most 31 days."]}
    summit.refresh_from_db()
    assert summit.ends_on.isoformat() == "2026-12-10"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"starts_on": datetime.date(1, 1, 1)}, "starts_on"),
        ({"ends_on": datetime.date(2030, 1, 1)}, "ends_on"),
    ],
)
def test_update_summit_refuses_implausible_days_itself(summit, changes, field):
    with pytest.raises(SummitError) as refused:
        update_summit(summit, **changes)

    assert refused.value.field == field
