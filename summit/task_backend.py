"""The task backend of production: django-tasks-db's, inserting each task's row more cheaply.

Every registration queues two tasks (its e-mail, its badge). django-tasks-db writes a task's
row with ``DBTaskResult.objects.create``, whose INSERT the ORM built anew each time (a few
tenths of a millisecond of the request's CPU per task); here the same object is written by
``summit.rows``
with SQL built once, the model's signals included (django-tasks-db sets ``run_after`` in a
``pre_save`` receiver). Everything else (the worker, results, the ``task_enqueued`` signal) is
django-tasks-db's own.
"""

from django_tasks_db import DatabaseBackend as LibraryBackend
from django_tasks_db.compat import normalize_json

from summit import rows


class DatabaseBackend(LibraryBackend):
    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult

        # The same fields as LibraryBackend._task_to_db_task gives DBTaskResult.objects.create.
        result = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        return rows.create(result)
