"""A database made by the migrations as they were before check-in and the infrastructure became
apps of their own (issue 15) migrates forward with nothing lost, and every badge issued before
still admits its guest.

The database is built from empty by the old migrations, filled through the models as those
migrations left them, then migrated to the latest migrations. PostgreSQL, as in production.
"""

import datetime
import hashlib
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from badges.checkin import checkpoints, devices, services
from badges.checkin.models import Admission, Checkpoint, Device, Scan
from badges.models import Badge, PrintJob
from badges.signing import sign_badge
from registration.models import Registration
from summit.infrastructure.models import WorkerProcess
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# The last migration of each of our apps before the move (main at issue 15).
BEFORE_THE_MOVE = [
    ("summit", "0002_worker_process"),
    ("agenda", "0002_speaker_name_in_each_script"),
    ("registration", "0003_outgoing_email_claim"),
    ("badges", "0006_repair_unreadable_scan_times"),
]

# What must come through, per model: (old app label, model name, current model, fields).
KEPT = [
    ("registration", "Registration", Registration, ["summit_id", "email", "name", "status"]),
    ("badges", "Badge", Badge, ["registration_id", "serial", "revoked_at", "revoked_reason"]),
    ("badges", "PrintJob", PrintJob, ["summit_id", "layout", "status", "total", "done"]),
    ("badges", "Checkpoint", Checkpoint, ["summit_id", "slug", "policy", "day", "forum_id"]),
    ("badges", "Device", Device, ["name", "token_hash", "checkpoint_id", "revoked_at"]),
    (
        "badges",
        "Scan",
        Scan,
        ["scan_id", "checkpoint_id", "device_id", "badge_id", "result", "scanned_at"],
    ),
    ("badges", "Admission", Admission, ["checkpoint_id", "registration_id", "scan_id"]),
    ("summit", "WorkerProcess", WorkerProcess, ["worker_id", "hostname", "pid", "seen_at"]),
]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def fill(apps) -> dict[str, int]:
    """Guests, badges (one reissued, one cancelled), scans, an admission, a print job and a
    worker, through the models of the old migrations. Returns the ids the test needs."""
    summit = apps.get_model("summit", "Summit").objects.create(
        slug="digital-gba-2026",
        name_en="Digital GBA Summit",
        venue_en="Baiyun International Convention Center",
        city_en="Guangzhou",
        starts_on=factories.SUMMIT_START,
        ends_on=factories.SUMMIT_START + datetime.timedelta(days=2),
        registration_opens_at=factories.at(1, 0) - datetime.timedelta(days=60),
        registration_closes_at=factories.at(1, 0),
        capacity=3200,
    )
    user = apps.get_model("auth", "User").objects.create(username="door", email="d@example.org")
    Registration = apps.get_model("registration", "Registration")
    Badge = apps.get_model("badges", "Badge")
    people = [
        ("陳大文", "confirmed"),
        ("João Conceição", "confirmed"),
        ("李小明", "confirmed"),
        ("Ana Lee", "cancelled"),
    ]
    guests = {}
    for number, (name, status) in enumerate(people):
        guests[name] = Registration.objects.create(
            summit=summit,
            email=f"guest{number}@example.org",
            name=name,
            name_latin=name,
            organisation="Digital Policy Office",
            region="hong_kong",
            language="zh-hant",
            status=status,
            category="delegate",
            consent_given_at=factories.at(1, 0) - datetime.timedelta(days=30),
            consent_version="2026-1",
        )
    first = Badge.objects.create(registration=guests["陳大文"], serial=1)
    replaced = Badge.objects.create(
        registration=guests["João Conceição"],
        serial=1,
        revoked_at=factories.at(1, 8),
        revoked_reason="reissued",
    )
    reissued = Badge.objects.create(registration=guests["João Conceição"], serial=2)
    third = Badge.objects.create(registration=guests["李小明"], serial=1)
    cancelled = Badge.objects.create(
        registration=guests["Ana Lee"],
        serial=1,
        revoked_at=factories.at(1, 9),
        revoked_reason="cancelled",
    )
    Checkpoint = apps.get_model("badges", "Checkpoint")
    entrance = Checkpoint.objects.create(
        summit=summit, slug="main-entrance", name_en="Main entrance", policy="single"
    )
    Checkpoint.objects.create(summit=summit, slug="hall", name_en="Hall", policy="reentry")
    device = apps.get_model("badges", "Device").objects.create(
        name="North door",
        token_hash=hashlib.sha256(b"bld_old-token").hexdigest(),
        token_prefix="bld_old",
        checkpoint=entrance,
        created_by=user,
    )
    Scan = apps.get_model("badges", "Scan")
    admitted = Scan.objects.create(
        scan_id=uuid.uuid4(),
        checkpoint=entrance,
        device=device,
        badge=first,
        registration=guests["陳大文"],
        result="ok",
        scanned_at=factories.at(1, 9),
    )
    Scan.objects.create(
        scan_id=uuid.uuid4(),
        checkpoint=entrance,
        device=device,
        result="invalid",
        code_digest="0" * 64,
        scanned_at=factories.at(1, 9, 5),
    )
    apps.get_model("badges", "Admission").objects.create(
        checkpoint=entrance,
        registration=guests["陳大文"],
        scan=admitted,
        admitted_at=factories.at(1, 9),
    )
    apps.get_model("badges", "PrintJob").objects.create(
        summit=summit, created_by=user, status="done", total=3, done=3
    )
    apps.get_model("summit", "WorkerProcess").objects.create(
        worker_id="worker-1", hostname="bayline-1", pid=4242, seen_at=factories.at(1, 11)
    )
    return {
        "first": first.pk,
        "replaced": replaced.pk,
        "reissued": reissued.pk,
        "third": third.pk,
        "cancelled": cancelled.pk,
    }


def rows(model, fields) -> list[tuple]:
    return list(model.objects.order_by("pk").values_list("pk", *fields))


def scan(badge_id: int, slug: str) -> services.ScanAnswer:
    badge = Badge.objects.get(pk=badge_id)
    return services.record_scan(
        sign_badge(badge.pk, badge.serial),
        checkpoint=checkpoints.checkpoint_info(slug),
        scanner=services.Scanner(),
    )


def test_a_database_of_the_old_migrations_migrates_forward_with_nothing_lost(first_day_noon):
    migrate([("summit", None)])  # our apps' tables gone: built again by the old migrations
    old = migrate(BEFORE_THE_MOVE).loader.project_state(BEFORE_THE_MOVE).apps
    badges = fill(old)
    before = {
        name: rows(old.get_model(label, name), fields) for label, name, _model, fields in KEPT
    }

    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    migrate(latest)
    checkpoints.forget_checkpoints()
    devices.forget_devices()

    after = {name: rows(model, fields) for _label, name, model, fields in KEPT}
    assert after == before
    assert {key: len(value) for key, value in after.items()} == {
        "Registration": 4,
        "Badge": 5,
        "PrintJob": 1,
        "Checkpoint": 2,
        "Device": 1,
        "Scan": 2,
        "Admission": 1,
        "WorkerProcess": 1,
    }
    moved = [(Checkpoint, "checkin"), (Scan, "checkin"), (WorkerProcess, "infrastructure")]
    for model, label in moved:
        assert ContentType.objects.get_for_model(model).app_label == label
    assert not ContentType.objects.filter(app_label="badges", model="scan").exists()
    # Every active badge of a confirmed guest is admitted; the first entry of the one admitted
    # before the move is still known; revoked badges stay refused.
    assert [scan(badges[key], "hall").status for key in ("first", "reissued", "third")] == [
        "ok",
        "ok",
        "ok",
    ]
    again = scan(badges["first"], "main-entrance")
    assert (again.status, again.first_entry.at) == ("already_checked_in", factories.at(1, 9))
    assert scan(badges["reissued"], "main-entrance").status == "ok"
    assert scan(badges["replaced"], "hall").status == "revoked"
    assert scan(badges["cancelled"], "hall").status == "cancelled"
