import pytest

from registration.models import Registration
from tests import factories


@pytest.fixture
def pending_guest(summit):
    """A guest whose registration awaits approval: every choice they add waits for a seat."""
    return factories.RegistrationFactory(summit=summit, status=Registration.Status.PENDING)
