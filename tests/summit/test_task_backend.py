"""The production task backend writes the very row django-tasks-db would."""

import datetime

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.models import DBTaskResult

from registration import tasks

pytestmark = pytest.mark.django_db

BACKENDS = {
    "default": {"BACKEND": "summit.task_backend.DatabaseBackend", "QUEUES": ["email"]},
    "library": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["email"]},
}
DIFFERENT = {"id", "enqueued_at", "backend_name"}


@pytest.fixture
def backends(settings):
    settings.TASKS = BACKENDS


def row(result) -> dict:
    stored = model_to_dict(DBTaskResult.objects.get(pk=result.id))
    return {name: value for name, value in stored.items() if name not in DIFFERENT}


def test_enqueue_writes_the_row_the_library_writes(backends):
    ours = tasks.send_email.enqueue(7)
    theirs = tasks.send_email.using(backend="library").enqueue(7)

    assert type(task_backends["default"]).__module__ == "summit.task_backend"
    assert row(ours) == row(theirs)
    assert row(ours)["args_kwargs"] == {"args": [7], "kwargs": {}}
    assert ours.status == "READY"
    assert DBTaskResult.objects.get(pk=ours.id).task_result.id == ours.id


def test_a_deferred_task_keeps_its_time(backends):
    later = timezone.now() + datetime.timedelta(hours=1)

    result = tasks.send_email.using(run_after=later).enqueue(8)

    assert DBTaskResult.objects.get(pk=result.id).run_after == later
    assert DBTaskResult.objects.ready().filter(pk=result.id).exists() is False
