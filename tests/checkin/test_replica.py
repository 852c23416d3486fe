"""With a read replica configured, door scans (admissions, already checked in) read and write
the primary only (summit/infrastructure/databases.py)."""

import pytest
from django.test.utils import CaptureQueriesContext

from badges.checkin.models import Admission, Scan
from summit.infrastructure.databases import REPLICA
from tests.checkin.conftest import code_of

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


def test_scans_decide_admission_on_the_primary_with_a_replica(
    scan_api, token, checkpoint, badge, replica
):
    body = {"code": code_of(badge), "checkpoint": "main-entrance"}

    with CaptureQueriesContext(replica) as replicated:
        first = scan_api(body, token=token).json()
        second = scan_api(body, token=token).json()

    assert [query["sql"] for query in replicated.captured_queries] == []
    assert (first["status"], second["status"]) == ("ok", "already_checked_in")
    assert Scan.objects.count() == 2
    assert Admission.objects.count() == 1
