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
