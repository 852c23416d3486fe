"""What the registration pages say about their fields and the people on them."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def guest_client(client, guest_user):
    client.force_login(guest_user)
    return client


def labels(html: str) -> dict[str, str]:
    """Each field's label text, tags removed, by the id it labels."""
    found = re.findall(r'<label for="id_(\w+)">(.*?)</label>', html, flags=re.S)
    return {name: re.sub(r"<[^>]+>", "", text).strip() for name, text in found}


def test_register_form_marks_what_is_optional_and_claims_no_asterisks(guest_client, summit):
    response = guest_client.get(reverse("registration:register"))

    assert "*" not in re.sub(r"<script.*?</script>", "", response.text, flags=re.S)
    assert "Every field must be filled in unless it is marked “optional”." in response.text
    assert labels(response.text) == {
        "name": "Name (native script) (at least one of the two names)",
        "name_latin": "Name (Latin letters) (at least one of the two names)",
        "organisation": "Organisation",
        "job_title": "Title or position (optional)",
        "region": "Region",
        "phone": "Mobile phone (optional)",
        "language": "Preferred language",
        "dietary": "Dietary requirements",
        "dietary_notes": "Dietary details (optional)",
        "accessibility_needs": "Accessibility needs (optional)",
        "consent": "I agree to the processing of my personal data as described above.",
    }


def test_register_form_in_traditional_chinese_says_機構_and_姓名(guest_client, summit):
    response = guest_client.get(reverse("registration:register"), HTTP_ACCEPT_LANGUAGE="zh-hant")

    found = labels(response.text)
    assert found["organisation"] == "機構"
    assert found["name"].startswith("姓名")
    assert "單位" not in response.text
    assert "名稱" not in response.text


@pytest.mark.parametrize(("language", "word"), [("zh-hans", "姓名"), ("zh-hant", "姓名")])
def test_my_registration_labels_the_guest_name_as_a_person_name(
    guest_client, guest_user, summit, language, word
):
    from tests import factories

    factories.RegistrationFactory(summit=summit, user=guest_user, email=guest_user.email)

    response = guest_client.get(reverse("registration:mine"), HTTP_ACCEPT_LANGUAGE=language)

    assert f"<dt>{word}</dt>" in response.text
    assert "名称" not in response.text and "名稱" not in response.text
