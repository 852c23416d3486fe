"""Task workers' heartbeats, taken over from the summit app (summit migration 0003).

The table was made by the summit app and keeps its name and rows: the model is created in
the migration state only. Its content type moves to this app's label.
"""

from django.db import migrations, models


def move_content_type(apps, schema_editor, *, source="summit", target="infrastructure"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="workerprocess").exists():
        ContentType.objects.filter(app_label=source, model="workerprocess").update(
            app_label=target
        )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="infrastructure", target="summit")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("summit", "0003_workerprocess_moves_out"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WorkerProcess",
                    fields=[
                        (
                            "worker_id",
                            models.CharField(
                                max_length=64,
                                primary_key=True,
                                serialize=False,
                                verbose_name="worker id",
                            ),
                        ),
                        ("hostname", models.CharField(max_length=255, verbose_name="host")),
                        ("pid", models.PositiveIntegerField(verbose_name="process id")),
                        (
                            "started_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="started"),
                        ),
                        ("seen_at", models.DateTimeField(verbose_name="last seen")),
                    ],
                    options={
                        "verbose_name": "task worker",
                        "verbose_name_plural": "task workers",
                        "db_table": "summit_workerprocess",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
