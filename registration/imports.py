"""CSV import of delegations: every row checked, every bad row reported, all or nothing."""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from registration import cells
from registration.choosable import choosable_forums
from registration.forms import validate_phone
from registration.models import Category, Dietary, Language, Region, Registration
from registration.services import RegistrationError, register_guest
from summit.models import Summit

REQUIRED = ("email", "organisation", "region")
OPTIONAL = (
    "name",
    "name_latin",
    "job_title",
    "category",
    "language",
    "phone",
    "dietary",
    "dietary_notes",
    "accessibility_needs",
    "forums",
)
MAX_LENGTHS = {
    name: Registration._meta.get_field(name).max_length
    for name in ("name", "name_latin", "organisation", "job_title", "phone", "dietary_notes")
}


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str

    def __str__(self) -> str:
        return _("Line %(line)s: %(reason)s") % {"line": self.line, "reason": self.reason}


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: list[Registration] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Row:
    line: int
    values: dict[str, str]
    forum_ids: list[int] = field(default_factory=list)


def read(data: bytes) -> tuple[list[str], list[Row]]:
    """Decode UTF-8 (a BOM is dropped) and return the header and the rows with line numbers;
    cells that an export wrote as text (registration/cells.py) are read as what they were."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip().lower() for cell in next(reader, [])]
    rows = []
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        values = {
            name: cells.restore(record[i].strip() if i < len(record) else "")
            for i, name in enumerate(header)
        }
        rows.append(Row(reader.line_num, values))
    return header, rows


def validate(summit: Summit, header: list[str], rows: list[Row]) -> list[RowError]:
    missing = [name for name in REQUIRED if name not in header]
    if "name" not in header and "name_latin" not in header:
        missing.append("name / name_latin")
    if missing:
        return [RowError(1, _("missing columns: %(columns)s") % {"columns": ", ".join(missing)})]
    errors: list[RowError] = []
    forums = {forum.slug: forum for forum in choosable_forums(summit)}
    taken = {
        email.lower()
        for email in Registration.objects.filter(summit=summit).values_list("email", flat=True)
    }
    first_line: dict[str, int] = {}
    choices = {
        "region": set(Region.values),
        "category": set(Category.values),
        "language": set(Language.values),
        "dietary": set(Dietary.values),
    }
    for row in rows:
        values, problems = row.values, _cell_problems(row.values)
        email = values.get("email", "")
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(value)s” is not an e-mail address") % {"value": _shown(email)})
        else:
            key = email.lower()
            if key in first_line:
                problems.append(_("e-mail also on line %(line)s") % {"line": first_line[key]})
            else:
                first_line[key] = row.line
            if key in taken:
                problems.append(_("%(email)s is already registered") % {"email": _shown(email)})
        if not values.get("name") and not values.get("name_latin"):
            problems.append(_("a name (Chinese or Latin) is required"))
        if not values.get("organisation"):
            problems.append(_("organisation is required"))
        for column, allowed in choices.items():
            value = values.get(column, "")
            if (value or column == "region") and value not in allowed:
                problems.append(
                    _("%(column)s “%(value)s” is not one of %(allowed)s")
                    % {
                        "column": column,
                        "value": _shown(value),
                        "allowed": ", ".join(sorted(allowed)),
                    }
                )
        for column, limit in MAX_LENGTHS.items():
            if len(values.get(column, "")) > limit:
                problems.append(
                    _("%(column)s is longer than %(limit)s characters")
                    % {"column": column, "limit": limit}
                )
        if values.get("phone"):
            try:
                validate_phone(values["phone"])
            except ValidationError:
                problems.append(
                    _("“%(value)s” is not a phone number") % {"value": _shown(values["phone"])}
                )
        for slug in filter(
            None, (s.strip() for s in values.get("forums", "").replace(",", ";").split(";"))
        ):
            if slug in forums:
                row.forum_ids.append(forums[slug].pk)
            else:
                problems.append(_("no forum “%(slug)s”") % {"slug": _shown(slug)})
        errors.extend(RowError(row.line, problem) for problem in problems)
    errors.extend(_capacity_errors(summit, rows, forums))
    return sorted(errors, key=lambda error: error.line)


def _shown(value: str, most: int = 40) -> str:
    """A cell as quoted in an error: short, and without its invisible characters."""
    value = "".join(" " if cells.has_control_characters(char) else char for char in value)
    return value if len(value) <= most else value[: most - 1] + "…"


def _cell_problems(values: dict[str, str]) -> list[str]:
    problems = []
    for column, value in values.items():
        if cells.has_control_characters(value, multiline=column in cells.MULTILINE_FIELDS):
            problems.append(
                _("%(column)s contains control characters (such as NUL or escape)")
                % {"column": _shown(column)}
            )
        elif cells.looks_like_formula(value) and column != "phone":
            # (A phone number starts with "+"; the phone check refuses anything else.)
            problems.append(
                _("%(column)s “%(value)s” starts like a spreadsheet formula")
                % {"column": _shown(column), "value": _shown(value)}
            )
    return problems


def _capacity_errors(summit: Summit, rows: list[Row], forums: dict) -> list[RowError]:
    """Imported guests must all get their places: rows past a capacity are errors."""
    errors = []
    seats_left = summit.seats_left
    if len(rows) > seats_left:
        for row in rows[seats_left:]:
            errors.append(
                RowError(row.line, _("the summit has only %(n)s seats left") % {"n": seats_left})
            )
    by_id = {forum.pk: forum for forum in forums.values()}
    used: Counter[int] = Counter()
    for row in rows:
        for forum_id in row.forum_ids:
            used[forum_id] += 1
            forum = by_id[forum_id]
            if forum.seats_left is not None and used[forum_id] > forum.seats_left:
                errors.append(
                    RowError(
                        row.line,
                        _("forum “%(slug)s” has only %(n)s seats left")
                        % {"slug": forum.slug, "n": forum.seats_left},
                    )
                )
    return errors


class _Abort(Exception):
    pass


def import_guests(summit: Summit, data: bytes, *, actor=None) -> ImportResult:
    try:
        header, rows = read(data)
    except (UnicodeDecodeError, csv.Error) as error:
        return ImportResult(
            errors=[RowError(1, _("not a UTF-8 CSV file (%(error)s)") % {"error": error})]
        )
    result = ImportResult(rows=len(rows))
    if not rows:
        result.errors = [RowError(1, _("the file has no guests"))]
        return result
    result.errors = validate(summit, header, rows)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for row in rows:
                result.created.append(_import_row(summit, row, actor))
    except _Abort as abort:
        result.created = []
        result.errors = [abort.args[0]]
    return result


def _import_row(summit: Summit, row: Row, actor) -> Registration:
    values = row.values
    details = {
        name: values.get(name, "") for name in OPTIONAL if name not in {"category", "forums"}
    }
    details.update(organisation=values["organisation"], region=values["region"])
    details["language"] = details["language"] or Language.SIMPLIFIED
    details["dietary"] = details["dietary"] or Dietary.NONE
    try:
        registration, _created = register_guest(
            summit,
            user=None,
            email=values["email"],
            details=details,
            forum_ids=row.forum_ids,
            category=values.get("category") or Category.DELEGATE,
            consent_version="import",
            imported=True,
            actor=actor,
        )
    except RegistrationError as error:
        raise _Abort(RowError(row.line, str(error.message))) from error
    if registration.status != Registration.Status.CONFIRMED:
        raise _Abort(RowError(row.line, _("the summit is full")))
    return registration
