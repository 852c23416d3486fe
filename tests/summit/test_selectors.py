"""The current summit, read on every page."""

import pytest
from django.forms.models import model_to_dict

from summit.models import Summit
from summit.selectors import current_summit

pytestmark = pytest.mark.django_db


def test_current_summit_is_read_whole_with_its_fields_converted(summit):
    current_summit()  # caches its id

    found = current_summit()

    stored = Summit.objects.get(pk=summit.pk)
    assert type(found.starts_on) is type(stored.starts_on)
    assert model_to_dict(found) == model_to_dict(stored)
    assert found.seats_taken == stored.seats_taken
