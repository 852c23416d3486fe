"""Fixtures of the door check-in tests."""

import json

import pytest

from badges.checkin import checkpoints, devices
from badges.checkin.models import Checkpoint
from badges.signing import sign_badge
from tests import factories


@pytest.fixture(autouse=True)
def _forget_remembered_lookups():
    # Checkpoints and devices are remembered per process for a few seconds; each test
    # starts with a fresh database, so it must start with a fresh memory too.
    checkpoints.forget_checkpoints()
    devices.forget_devices()
    devices._seen.clear()
    yield
    checkpoints.forget_checkpoints()
    devices.forget_devices()


@pytest.fixture(autouse=True)
def clock(first_day_noon):
    return first_day_noon


@pytest.fixture
def checkpoint(summit):
    return factories.CheckpointFactory(
        summit=summit, slug="main-entrance", policy=Checkpoint.Policy.SINGLE
    )


@pytest.fixture
def device_and_token(checkpoint):
    return devices.create_device("North door", checkpoint=None)


@pytest.fixture
def token(device_and_token):
    return device_and_token[1]


@pytest.fixture
def badge(summit):
    return factories.BadgeFactory(registration__summit=summit)


def code_of(badge) -> str:
    return sign_badge(badge.pk, badge.serial)


@pytest.fixture
def scan_api(client):
    """POST /api/v1/checkin as a device: scan_api(body, token=…) → response."""

    def post(body, *, token=None, url="/api/v1/checkin", **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return client.post(url, data=data, content_type="application/json", **headers, **extra)

    return post
