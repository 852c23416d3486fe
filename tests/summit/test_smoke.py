import pytest
from django.urls import reverse

from tests import factories


@pytest.mark.django_db
def test_home_shows_summit_name_in_each_language(client, summit):
    factories.ForumFactory(summit=summit, title_en="Digital GBA", title_zh_hant="數字灣區")

    english = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    traditional = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hant")

    assert english.status_code == 200
    assert "Digital Government Summit" in english.text
    assert "數字灣區" in traditional.text
    assert summit.name_zh_hant in traditional.text


@pytest.mark.django_db
def test_roles_are_synced_after_migrate():
    from django.contrib.auth.models import Group

    organisers = Group.objects.get(name="Organisers")

    assert set(organisers.permissions.values_list("codename", flat=True)) == {
        "manage_agenda",
        "manage_guests",
        "print_badges",
        "scan_badges",
        "view_attendance",
        "manage_devices",
    }
