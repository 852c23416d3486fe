"""Task workers' heartbeats move to the infrastructure app (label ``infrastructure``).

The model leaves the summit app's state only: its table stays as it is, with its rows, and
infrastructure's migration 0001 takes it over under the same name (``db_table``).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("summit", "0002_worker_process")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="WorkerProcess")],
            database_operations=[],
        )
    ]
