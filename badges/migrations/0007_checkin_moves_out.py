"""Door check-in becomes an app of its own (label ``checkin``, badges/checkin/).

Its four models leave the badges app's state only: their tables stay as they are, with their
rows, and checkin's migration 0001 takes them over under the same names (``db_table``).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("badges", "0006_repair_unreadable_scan_times")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='checkpoint',
                    name='forum',
                ),
                migrations.RemoveField(
                    model_name='checkpoint',
                    name='room',
                ),
                migrations.RemoveField(
                    model_name='checkpoint',
                    name='summit',
                ),
                migrations.RemoveField(
                    model_name='device',
                    name='checkpoint',
                ),
                migrations.RemoveField(
                    model_name='scan',
                    name='checkpoint',
                ),
                migrations.RemoveField(
                    model_name='device',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='scan',
                    name='device',
                ),
                migrations.RemoveField(
                    model_name='scan',
                    name='badge',
                ),
                migrations.RemoveField(
                    model_name='scan',
                    name='registration',
                ),
                migrations.RemoveField(
                    model_name='scan',
                    name='scanned_by',
                ),
                migrations.DeleteModel(
                    name='Admission',
                ),
                migrations.DeleteModel(
                    name='Checkpoint',
                ),
                migrations.DeleteModel(
                    name='Device',
                ),
                migrations.DeleteModel(
                    name='Scan',
                ),
            ],
            database_operations=[],
        )
    ]
