"""Door check-in's models, taken over from the badges app (badges migration 0007).

The tables were made by the badges app and keep their names, rows, indexes and constraints:
the models are created in the migration state only. Their content types (and so any
permission or admin log entry that refers to them) move to this app's label.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MODELS = ("checkpoint", "device", "scan", "admission")


def move_content_types(apps, schema_editor, *, source="badges", target="checkin"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    taken = set(
        ContentType.objects.filter(app_label=target, model__in=MODELS).values_list(
            "model", flat=True
        )
    )
    ContentType.objects.filter(app_label=source, model__in=set(MODELS) - taken).update(
        app_label=target
    )


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="checkin", target="badges")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('agenda', '0002_speaker_name_in_each_script'),
        ('badges', '0007_checkin_moves_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('registration', '0003_outgoing_email_claim'),
        ('summit', '0002_worker_process'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Checkpoint',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('slug', models.SlugField(unique=True, verbose_name='slug')),
                        ('name_en', models.CharField(max_length=120, verbose_name='name (English)')),
                        ('name_zh_hans', models.CharField(blank=True, max_length=120, verbose_name='name (Simplified Chinese)')),
                        ('name_zh_hant', models.CharField(blank=True, max_length=120, verbose_name='name (Traditional Chinese)')),
                        ('kind', models.CharField(choices=[('entrance', 'Main entrance'), ('forum', 'Forum room')], default='entrance', max_length=8, verbose_name='kind')),
                        ('day', models.DateField(blank=True, help_text='Admits on this day only. Empty: every day.', null=True, verbose_name='day')),
                        ('policy', models.CharField(choices=[('single', 'Single entry'), ('reentry', 'Re-entry allowed')], default='reentry', max_length=8, verbose_name='policy')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='position')),
                        ('forum', models.ForeignKey(blank=True, help_text='Only guests enrolled in this forum are admitted. Empty: every confirmed guest.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='checkpoints', to='agenda.forum', verbose_name='forum admitted')),
                        ('room', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='checkpoints', to='summit.room')),
                        ('summit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkpoints', to='summit.summit')),
                    ],
                    options={
                        'verbose_name': 'checkpoint',
                        'verbose_name_plural': 'checkpoints',
                        'db_table': 'badges_checkpoint',
                        'ordering': ['position', 'day', 'name_en'],
                    },
                ),
                migrations.CreateModel(
                    name='Device',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=80, verbose_name='name')),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('token_prefix', models.CharField(editable=False, max_length=8, verbose_name='token starts with')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='registered')),
                        ('last_seen_at', models.DateTimeField(blank=True, null=True, verbose_name='last seen')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('checkpoint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='devices', to='checkin.checkpoint', verbose_name='default checkpoint')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'door device',
                        'verbose_name_plural': 'door devices',
                        'db_table': 'badges_device',
                        'ordering': ['name'],
                    },
                ),
                migrations.CreateModel(
                    name='Scan',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('scan_id', models.UUIDField(default=uuid.uuid4, unique=True, verbose_name='scan id')),
                        ('result', models.CharField(choices=[('ok', 'Admitted'), ('already_checked_in', 'Already checked in'), ('not_enrolled', 'Not registered for this forum'), ('not_approved', 'Registration not approved'), ('cancelled', 'Registration cancelled'), ('revoked', 'Badge replaced or revoked'), ('invalid', 'Unknown or forged code'), ('wrong_day', 'Not valid today'), ('checkpoint_closed', 'Checkpoint closed')], max_length=20, verbose_name='result')),
                        ('scanned_at', models.DateTimeField(help_text="The device's clock.", verbose_name='scanned')),
                        ('received_at', models.DateTimeField(auto_now_add=True, verbose_name='received')),
                        ('offline', models.BooleanField(default=False, verbose_name='scanned offline')),
                        ('code_digest', models.CharField(blank=True, max_length=64)),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('offline_result', models.CharField(blank=True, choices=[('ok', 'Admitted'), ('already_checked_in', 'Already checked in'), ('not_enrolled', 'Not registered for this forum'), ('not_approved', 'Registration not approved'), ('cancelled', 'Registration cancelled'), ('revoked', 'Badge replaced or revoked'), ('invalid', 'Unknown or forged code'), ('wrong_day', 'Not valid today'), ('checkpoint_closed', 'Checkpoint closed')], max_length=20, verbose_name='answer shown offline')),
                        ('conflict', models.BooleanField(default=False, verbose_name='conflict')),
                        ('badge', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='scans', to='badges.badge')),
                        ('checkpoint', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='scans', to='checkin.checkpoint')),
                        ('device', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='scans', to='checkin.device')),
                        ('registration', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='scans', to='registration.registration')),
                        ('scanned_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'scan',
                        'verbose_name_plural': 'scans',
                        'db_table': 'badges_scan',
                        'ordering': ['-scanned_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Admission',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('admitted_at', models.DateTimeField(verbose_name='admitted')),
                        ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='admissions', to='registration.registration')),
                        ('checkpoint', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='admissions', to='checkin.checkpoint')),
                        ('scan', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='admission', to='checkin.scan')),
                    ],
                    options={
                        'verbose_name': 'admission',
                        'verbose_name_plural': 'admissions',
                        'db_table': 'badges_admission',
                    },
                ),
                migrations.AddIndex(
                    model_name='scan',
                    index=models.Index(fields=['checkpoint', 'result', 'scanned_at'], name='scan_checkpoint_result'),
                ),
                migrations.AddIndex(
                    model_name='scan',
                    index=models.Index(fields=['registration', 'scanned_at'], name='scan_registration'),
                ),
                migrations.AddIndex(
                    model_name='scan',
                    index=models.Index(condition=models.Q(('conflict', True)), fields=['received_at'], name='scan_conflicts'),
                ),
                migrations.AddIndex(
                    model_name='admission',
                    index=models.Index(fields=['admitted_at'], name='admission_admitted_at'),
                ),
                migrations.AddConstraint(
                    model_name='admission',
                    constraint=models.UniqueConstraint(fields=('checkpoint', 'registration'), name='admission_once_per_checkpoint'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
