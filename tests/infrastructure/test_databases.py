"""The read replica (DATABASE_REPLICA_URL): the public agenda may read from it; nothing that
counts seats or admits people does (summit/infrastructure/databases.py)."""

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges.checkin.models import Admission, Scan
from registration.models import Enrolment, Registration
from sessions.models import Forum, Session
from summit.infrastructure.databases import REPLICA, reads_from_replica, replica_reads
from summit.models import Summit
from tests import factories


def tables(captured) -> set[str]:
    return {
        name
        for query in captured.captured_queries
        for name in ("agenda_session", "agenda_forum", "summit_summit", "registration_", "auth_")
        if name in query["sql"]
    }


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_router_sends_only_agenda_reads_in_a_replica_block_to_the_replica(replica):
    with replica_reads():
        agenda = {model: router.db_for_read(model) for model in (Session, Forum, Summit)}
        deciding = {
            model: router.db_for_read(model) for model in (Registration, Enrolment, Scan, Admission)
        }
        with transaction.atomic():
            in_transaction = router.db_for_read(Session)
        locked = Session.objects.select_for_update().db
        written = router.db_for_write(Session)
    outside = router.db_for_read(Session)

    assert set(agenda.values()) == {REPLICA}
    assert set(deciding.values()) == {"default"}
    assert (in_transaction, locked, written, outside) == (
        "default",
        "default",
        "default",
        "default",
    )


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
@pytest.mark.parametrize("name", ["api:agenda", "agenda:agenda", "agenda:calendar-agenda"])
def test_public_agenda_reads_from_the_replica(client, replica, name):
    summit = factories.SummitFactory()
    factories.agenda_with(summit, sessions=3)
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as replicated,
    ):
        response = client.get(reverse(name))

    assert response.status_code == 200
    assert {"agenda_session", "agenda_forum"} <= tables(replicated)
    assert tables(primary) & {"agenda_session", "agenda_forum"} == set()


@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
@pytest.mark.parametrize(("method", "expected"), [("get", REPLICA), ("post", "default")])
def test_marked_view_reads_from_the_replica_only_in_safe_requests(rf, replica, method, expected):
    @reads_from_replica
    def view(request):
        return router.db_for_read(Session)

    assert view(getattr(rf, method)("/")) == expected
