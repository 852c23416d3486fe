"""Fixtures of the badge tests."""

import pytest


@pytest.fixture(autouse=True)
def clock(first_day_noon):
    return first_day_noon
