"""Scan and admission times a device sent before they were checked (badges.checkin.
check_scan_time), out of the range every driver reads back (year 1 east of UTC was stored as
1 BC on PostgreSQL, which psycopg cannot read): such a row broke every later scan of its
guest at its checkpoint. They take the time the server received the scan, the best known.
Only UPDATEs with a WHERE on the time: nothing unreadable is ever read.
"""

import datetime

from django.db import migrations
from django.db.models import F, OuterRef, Q, Subquery

# badges.scan_times.READABLE_TIMES, as it was when this migration was written.
EARLIEST = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
LATEST = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)


def repair(apps, schema_editor):
    Scan = apps.get_model("badges", "Scan")
    Admission = apps.get_model("badges", "Admission")
    Scan.objects.filter(Q(scanned_at__lt=EARLIEST) | Q(scanned_at__gt=LATEST)).update(
        scanned_at=F("received_at")
    )
    received = Scan.objects.filter(pk=OuterRef("scan_id")).values("received_at")[:1]
    Admission.objects.filter(Q(admitted_at__lt=EARLIEST) | Q(admitted_at__gt=LATEST)).update(
        admitted_at=Subquery(received)
    )


class Migration(migrations.Migration):
    dependencies = [("badges", "0005_scan_indexes_without_duplicates")]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
