import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from registration.imports import import_guests
from registration.models import Registration
from sessions.models import Forum
from summit.models import Summit
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "email,name,name_latin,organisation,region,category,language,forums\n"


def csv_bytes(*rows: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + HEADER + "".join(r + "\n" for r in rows)).encode("utf-8")


@pytest.fixture
def forum(summit):
    return factories.ForumFactory(summit=summit, slug="digital-gba", capacity=2)


def test_import_creates_confirmed_guests_with_chinese_names_and_bom(summit, forum):
    data = csv_bytes(
        "wang@example.org,王伟,Wang Wei,国家数据局,mainland,delegate,zh-hans,digital-gba",
        "chan@example.org,陳大文,Chan Tai Man,數字政策辦公室,hong_kong,vip,zh-hant,",
        bom=True,
    )

    result = import_guests(summit, data)

    assert result.errors == []
    assert [(r.name, r.status, r.category) for r in result.created] == [
        ("王伟", "confirmed", "delegate"),
        ("陳大文", "confirmed", "vip"),
    ]
    assert Forum.objects.get(pk=forum.pk).seats_taken == 1
    assert Summit.objects.get().seats_taken == 2


def test_import_reports_every_bad_row_and_imports_nothing(summit, forum):
    factories.RegistrationFactory(summit=summit, email="taken@example.org")
    data = csv_bytes(
        "ok@example.org,王伟,,国家数据局,mainland,delegate,zh-hans,",
        "not-an-email,李明,,澳門大學,macao,,,",
        "ok@example.org,王伟,,国家数据局,mainland,,,",
        "taken@example.org,,Someone,Org,overseas,,,",
        "x@example.org,,,Org,overseas,,,",
        "y@example.org,张三,,Org,atlantis,boss,fr,",
        "z@example.org,张三,,Org,guangdong,,,no-such-forum",
    )

    result = import_guests(summit, data)

    assert [str(error) for error in result.errors] == [
        "Line 3: “not-an-email” is not an e-mail address",
        "Line 4: e-mail also on line 2",
        "Line 5: taken@example.org is already registered",
        "Line 6: a name (Chinese or Latin) is required",
        "Line 7: region “atlantis” is not one of guangdong, hong_kong, macao, mainland, overseas",
        "Line 7: category “boss” is not one of delegate, media, speaker, staff, vip",
        "Line 7: language “fr” is not one of en, zh-hans, zh-hant",
        "Line 8: no forum “no-such-forum”",
    ]
    assert result.created == []
    assert Registration.objects.count() == 1


def test_import_refuses_rows_beyond_forum_capacity(summit, forum):
    rows = [f"g{n}@example.org,王{n},,Org,guangdong,,,digital-gba" for n in range(3)]

    result = import_guests(summit, csv_bytes(*rows))

    assert [str(e) for e in result.errors] == ["Line 4: forum “digital-gba” has only 2 seats left"]
    assert Registration.objects.count() == 0


def test_import_errors_come_in_line_order_whatever_found_them(summit, forum):
    Forum.objects.filter(pk=forum.pk).update(capacity=1)
    rows = [
        "a@example.org,甲,,O,macao,,,digital-gba",
        "b@example.org,乙,,O,macao,,,digital-gba",  # no seat left in the forum
        "c@example.org,丙,,O,atlantis,,,",
    ]

    result = import_guests(summit, csv_bytes(*rows))

    assert [str(e) for e in result.errors] == [
        "Line 3: forum “digital-gba” has only 1 seats left",
        "Line 4: region “atlantis” is not one of guangdong, hong_kong, macao, mainland, overseas",
    ]


def test_import_refuses_rows_beyond_summit_capacity(summit):
    Summit.objects.filter(pk=summit.pk).update(capacity=1)
    summit.refresh_from_db()

    result = import_guests(
        summit, csv_bytes("a@example.org,甲,,O,macao,,,", "b@example.org,乙,,O,macao,,,")
    )

    assert [str(e) for e in result.errors] == ["Line 3: the summit has only 1 seats left"]


def test_import_aborted_half_way_keeps_nothing_of_the_rows_before(summit, forum, register):
    """The file is checked against the seats left when the import starts; guests who register
    meanwhile (another request) can fill the summit while it runs. The row that finds it full
    stops the import, and the rows imported before it are undone: counters, enrolments and
    their e-mails included."""
    from django.core import mail

    from registration.models import Enrolment

    Summit.objects.filter(pk=summit.pk).update(capacity=3)
    summit.refresh_from_db()  # as the import page reads it: 3 seats left
    register(forums=[forum])
    register()  # two guests register meanwhile: 1 seat left
    mail.outbox.clear()
    before = (Registration.objects.count(), Enrolment.objects.count())
    data = csv_bytes(
        "a@example.org,甲,,O,macao,,,digital-gba",
        "b@example.org,乙,,O,macao,,,",
        "c@example.org,丙,,O,macao,,,",
    )

    result = import_guests(summit, data)

    assert [str(e) for e in result.errors] == ["Line 3: the summit is full"]
    assert result.created == []
    assert (Registration.objects.count(), Enrolment.objects.count()) == before
    assert not Registration.objects.filter(email="a@example.org").exists()
    assert Summit.objects.get().seats_taken == 2
    assert Forum.objects.get(pk=forum.pk).seats_taken == 1
    assert mail.outbox == []


def test_import_missing_columns_is_reported_on_line_1(summit):
    result = import_guests(summit, b"email,name\nx@example.org,X\n")

    assert [str(e) for e in result.errors] == ["Line 1: missing columns: organisation, region"]


def test_import_rejects_non_utf8(summit):
    result = import_guests(summit, HEADER.encode() + "陳,x".encode("big5"))

    assert str(result.errors[0]).startswith("Line 1: not a UTF-8 CSV file")


def test_import_page_lists_errors(organiser_client, summit):
    upload = io.BytesIO(csv_bytes("bad,,,,,,,"))
    upload.name = "delegation.csv"

    response = organiser_client.post(
        reverse("registration:organiser-guests-import"), {"file": upload}
    )

    assert response.status_code == 200
    assert "Line 2: “bad” is not an e-mail address" in response.text
    assert Registration.objects.count() == 0


def test_import_page_imports(organiser_client, summit):
    upload = io.BytesIO(csv_bytes("a@example.org,甲,,Org,macao,,,"))
    upload.name = "delegation.csv"

    response = organiser_client.post(
        reverse("registration:organiser-guests-import"), {"file": upload}
    )

    assert response.status_code == 302
    assert Registration.objects.get().email == "a@example.org"


def test_import_guests_command(summit, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("a@example.org,甲,,Org,macao,,,", bom=True))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("a@example.org,,,Org,macao,,,"))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_guests", str(good), stdout=out)
    with pytest.raises(CommandError, match="Nothing imported: 2 problem"):
        call_command("import_guests", str(bad), stdout=out, stderr=err)

    assert "1 guests imported." in out.getvalue()
    assert "Line 2: a@example.org is already registered" in err.getvalue()
    assert Registration.objects.count() == 1


def test_export_guests_command_csv_and_xlsx(summit, register, tmp_path):
    from openpyxl import load_workbook

    register(details={"name": "陳大文"})
    register(details={"name": "王伟", "region": "guangdong"})
    csv_path, xlsx_path = tmp_path / "g.csv", tmp_path / "g.xlsx"

    call_command(
        "export_guests", "--format", "csv", "--out", str(csv_path), "--region", "guangdong"
    )
    call_command("export_guests", "--format", "xlsx", "--out", str(xlsx_path))

    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 2
    assert lines[1].split(",")[1] == "王伟"
    rows = list(load_workbook(xlsx_path).active.iter_rows(values_only=True))
    assert len(rows) == 3
