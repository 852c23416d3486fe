"""Fixtures of the registration tests (model data comes from tests/factories.py)."""

import re

import pytest

from registration import services
from tests import factories


def guest_details(**overrides) -> dict:
    details = {
        "name": "陳大文",
        "name_latin": "Chan Tai Man",
        "organisation": "Digital Policy Office",
        "job_title": "Director",
        "region": "hong_kong",
        "phone": "+852 6123 4567",
        "language": "zh-hant",
        "dietary": "none",
        "dietary_notes": "",
        "accessibility_needs": "",
    }
    details.update(overrides)
    return details


@pytest.fixture
def register(summit):
    """Register a new guest (with an account) through the service."""

    def _register(*, forums=(), sessions=(), user=None, summit_=None, **kwargs):
        user = user or factories.UserFactory()
        registration, _created = services.register_guest(
            summit_ or summit,
            user=user,
            email=user.email,
            details=guest_details(**kwargs.pop("details", {})),
            forum_ids=[f.pk for f in forums],
            session_ids=[s.pk for s in sessions],
            **kwargs,
        )
        return registration

    return _register


@pytest.fixture
def small_forum(summit):
    return factories.ForumFactory(summit=summit, capacity=2, slug="security")


def form_data(**overrides) -> dict:
    import uuid

    data = {
        "submission_key": str(uuid.uuid4()),
        "consent": "on",
        **guest_details(),
    }
    data.update(overrides)
    return data


def region_options(html: str) -> list[tuple[str, str, bool]]:
    """The region select's options: value, text and whether it is selected."""
    select = re.search(r'<select name="region".*?</select>', html, flags=re.S).group(0)
    found = re.findall(r'<option value="([^"]*)"( selected)?>(.*?)</option>', select)
    return [(value, text, bool(selected)) for value, selected, text in found]
