"""Stored badge PDFs written by simultaneous requests and tasks, on PostgreSQL."""

import threading

import pytest
from django.db import connection

from badges import prerendering
from badges.models import Badge, RenderedBadge
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CALLERS = 4


def test_simultaneous_cold_requests_and_the_task_store_one_current_pdf():
    badge = factories.BadgeFactory()
    barrier = threading.Barrier(CALLERS + 1)
    served, errors = [], []

    def request() -> None:
        try:
            fetched = Badge.objects.select_related("registration__summit").get(pk=badge.pk)
            barrier.wait(timeout=10)
            served.append(prerendering.badge_pdf(fetched))
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    def task() -> None:
        try:
            barrier.wait(timeout=10)
            prerendering.prerender_badge(badge.pk)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(CALLERS)]
    threads.append(threading.Thread(target=task))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(served) == CALLERS
    assert len(set(served)) == 1  # every caller got the same PDF
    [stored] = RenderedBadge.objects.filter(badge=badge)
    assert bytes(stored.pdf) == served[0]
    assert prerendering.prerender_badge(badge.pk) is False  # and it is current
