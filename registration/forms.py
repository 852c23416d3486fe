import copy
import csv
import io
import itertools

from django import forms
from django.core.validators import RegexValidator
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from registration import cells
from registration.models import (
    Category,
    Dietary,
    Enrolment,
    Invitation,
    Language,
    Region,
    Registration,
)
from registration.selectors import GuestFilters
from registration.services import DETAIL_FIELDS

validate_phone = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{5,30}$", _("Enter a phone number, for example +853 6123 4567.")
)


class IdsField(forms.TypedMultipleChoiceField):
    """Ids of forums or sessions. Until the form is given its options (to render them), any
    whole number is accepted: the service checks the ids, which saves loading every forum and
    session on each submission."""

    def valid_value(self, value) -> bool:
        if not self.choices:
            return str(value).isdigit()
        return super().valid_value(value)


class ChoicesMixin(forms.Form):
    forums = IdsField(coerce=int, required=False, label=_("Forums"))
    sessions = IdsField(coerce=int, required=False, label=_("Sessions"))
    options: dict | None = None

    def set_options(self, options: dict) -> None:
        self.options = options
        self.fields["forums"].choices = [(f.pk, f.title) for f in options["forums"]]
        self.fields["sessions"].choices = [(s.pk, s.title) for s in options["sessions"]]

    def chosen(self, name: str) -> set[int]:
        """The ids ticked (from the submitted data, else the initial choices)."""
        if self.is_bound:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            return {int(v) for v in values if str(v).isdigit()}
        return set(self.initial.get(name, ()))

    @property
    def chosen_forums(self) -> set[int]:
        return self.chosen("forums")

    @property
    def chosen_sessions(self) -> set[int]:
        return self.chosen("sessions")


def _detail_field(model_field, **kwargs) -> forms.Field:
    """A detail's form field, made from the model's, with what registering asks more."""
    if model_field.name == "region":
        # An empty first choice, so that the browser shows no region picked: with none, it
        # showed the first region, and guests who did not look were saved as from there.
        kwargs["choices"] = [("", _("Choose your region")), *Region.choices]
    elif model_field.name == "phone":
        kwargs["validators"] = [validate_phone]
    return model_field.formfield(**kwargs)


# The guest's details as form fields, made from the model's fields once: each form copies them
# (as a form copies its declared fields), so that one form's changes never reach another's.
DETAIL_FORM_FIELDS = fields_for_model(
    Registration,
    fields=DETAIL_FIELDS,
    formfield_callback=_detail_field,
    widgets={
        "accessibility_needs": forms.Textarea(attrs={"rows": 3}),
        "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        "name_latin": forms.TextInput(attrs={"autocomplete": "name"}),
        "organisation": forms.TextInput(attrs={"autocomplete": "organization"}),
        "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
    },
    help_texts={
        "name": _("As written in Chinese characters or your own script, for example 陳大文."),
        "name_latin": _("As in your passport, for example Chan Tai Man or João Conceição."),
        "dietary_notes": _("Allergies or other needs the caterers should know."),
        "accessibility_needs": _("Wheelchair access, sign language, seating… (optional)"),
    },
)


class DetailsForm(forms.Form):
    """The guest's details (``DETAIL_FIELDS``) with the rules registering applies to them: a
    name in at least one script, no invisible control characters, notes for "other" diets.
    The registration form and the organisers' edit form both are one, so both ask the same.

    A plain form with the model's fields rather than a ModelForm: the service writes the
    registration, which with the database enforces the model's rules (a ModelForm would
    check them again on a model instance, one constraint with a query of its own).
    """

    field_order = DETAIL_FIELDS

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(copy.deepcopy(DETAIL_FORM_FIELDS))
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        for name in DETAIL_FIELDS:
            value = data.get(name)
            multiline = name in cells.MULTILINE_FIELDS
            if isinstance(value, str) and cells.has_control_characters(value, multiline=multiline):
                self.add_error(
                    name, _("Remove the invisible control characters (such as escape) here.")
                )
        if not data.get("name", "").strip() and not data.get("name_latin", "").strip():
            message = _("Give your name in Chinese characters, in Latin letters, or both.")
            self.add_error("name", message)
            self.add_error("name_latin", message)
        if data.get("dietary") == Dietary.OTHER and not data.get("dietary_notes", "").strip():
            self.add_error("dietary_notes", _("Please tell us your dietary requirements."))
        return data

    def details(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in DETAIL_FIELDS}


class RegistrationForm(ChoicesMixin, DetailsForm):
    """The guest's details, forum choices and consent."""

    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data as described above."),
        error_messages={"required": _("Please give your consent, or we cannot register you.")},
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    field_order = [*DETAIL_FIELDS, "forums", "sessions", "consent"]

    def __init__(self, *args, options: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if options is not None:
            self.set_options(options)


class ChoicesForm(ChoicesMixin):
    def __init__(self, *args, options: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if options is not None:
            self.set_options(options)


def current_choices(registration: Registration) -> dict[str, list[int]]:
    active = registration.enrolments.exclude(status=Enrolment.Status.CANCELLED)
    return {
        "forums": [e.forum_id for e in active if e.forum_id],
        "sessions": [e.session_id for e in active if e.session_id],
    }


# --- Organisers ----------------------------------------------------------------------------


_NOT_APPLIED = {
    "invalid_choice": _("“%(value)s” is not one of the choices, so this filter is not applied.")
}


class GuestFilterForm(forms.Form):
    """The guest list's filters. A value that is not a choice (a hand-edited or stale link)
    drops that filter alone, with its error on the form: the list and its export never show
    more guests than the other filters allow."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *Registration.Status.choices],
        error_messages=_NOT_APPLIED,
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All")), *Category.choices],
        error_messages=_NOT_APPLIED,
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        choices=[("", _("All")), *Region.choices],
        error_messages=_NOT_APPLIED,
    )
    forum = forms.TypedChoiceField(
        label=_("Forum"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages=_NOT_APPLIED,
    )

    def __init__(self, *args, forums, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forum"].choices = [("", _("All"))] + [(f.pk, f.title) for f in forums]
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Name, organisation or e-mail")}
        )

    def guest_filters(self) -> GuestFilters:
        """Every valid filter (an invalid one is left out of ``cleaned_data``)."""
        if not self.is_bound:
            return GuestFilters()
        self.is_valid()
        data = self.cleaned_data
        return GuestFilters(
            query=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            category=data.get("category") or "",
            region=data.get("region") or "",
            forum=data.get("forum"),
        )


class GuestEditForm(DetailsForm):
    """What an organiser may correct in a guest's registration: the details the guest gave,
    with the rules registering applies, and the category (the badge's colour and word)."""

    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)

    field_order = [*DETAIL_FIELDS, "category"]

    @staticmethod
    def initial_of(registration: Registration) -> dict:
        return {name: getattr(registration, name) for name in [*DETAIL_FIELDS, "category"]}


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject")), ("cancel", _("Cancel"))]
    )
    selected = forms.TypedMultipleChoiceField(coerce=int)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Any id: the service looks them up within the summit.
        values = self.data.getlist("selected") if hasattr(self.data, "getlist") else []
        self.fields["selected"].choices = [(v, v) for v in values]


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "name", "name_latin", "organisation", "category", "language"]


class BulkInvitationForm(forms.Form):
    """Invitees pasted as text or uploaded as a CSV file, one per line: e-mail, name, Latin
    name, organisation, category, language (only the e-mail is needed; a missing category or
    language is the form's). A first line of column names (``COLUMNS``) says which column is
    which, in any order; without it the columns are read in that order."""

    MAX_SIZE = 2 * 1024 * 1024

    entries = forms.CharField(
        label=_("Invitees"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One per line: e-mail, name, Latin name, organisation, category, language (only "
            "the e-mail is needed). Or paste a CSV file with those columns."
        ),
    )
    file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        help_text=_(
            "UTF-8, the same columns in that order, or some of them in any order under a first "
            "line of their names (below)."
        ),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    language = forms.ChoiceField(
        label=_("Language of the e-mail"), choices=Invitation._meta.get_field("language").choices
    )
    send = forms.BooleanField(label=_("Send the invitations by e-mail now"), required=False)

    # Columns after the e-mail.
    TEXT_COLUMNS = ("name", "name_latin", "organisation")
    COLUMNS = ("email", *TEXT_COLUMNS, "category", "language")
    COLUMN_ALIASES = {"e-mail": "email"}

    def _text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is None:
            return self.cleaned_data.get("entries", "")
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": self.MAX_SIZE // (1024 * 1024)}
            )
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(_("The file is not UTF-8 text.")) from error

    def clean(self):
        data = super().clean()
        try:
            data["entries"] = self._entries(self._text().lstrip("\ufeff"))
        except forms.ValidationError as error:
            self.add_error("entries", error)
        return data

    def _entries(self, text: str) -> list[dict]:
        rows, errors = [], []
        email_field = forms.EmailField()
        categories = {value: value for value in Category.values} | {
            str(label).lower(): value for value, label in Category.choices
        }
        languages = {value: value for value in Language.values} | {
            label.lower(): value for value, label in Language.choices
        }
        try:
            records = list(csv.reader(io.StringIO(text)))
        except csv.Error as error:  # a cell larger than the csv module reads, say
            raise forms.ValidationError(
                _("This text cannot be read as CSV (%(error)s).") % {"error": error}
            ) from error
        lines = [
            (number, cells)
            for number, row in enumerate(records, start=1)
            if any(cells := [cell.strip() for cell in row])
        ]
        columns, named = self.COLUMNS, False
        if lines and self._is_header(lines[0][1]):
            columns, named = self._header(*lines.pop(0)), True
        for number, cells in lines:
            pairs = list(itertools.zip_longest(columns, cells, fillvalue=""))
            entry = dict.fromkeys(self.COLUMNS, "")
            entry.update((column, cell) for column, cell in pairs if column)
            if named and any(cell for column, cell in pairs if not column):
                errors.append(
                    _("Line %(line)s: a value is outside the named columns.") % {"line": number}
                )
                continue
            try:
                email = email_field.clean(entry["email"])
            except forms.ValidationError:
                errors.append(
                    _("Line %(line)s: “%(value)s” is not an e-mail address.")
                    % {"line": number, "value": entry["email"]}
                )
                continue
            entry["email"] = email
            problems = [
                problem
                for column in self.TEXT_COLUMNS
                for problem in _text_problems(entry[column], column, line=number)
            ]
            for column, known in (("category", categories), ("language", languages)):
                value = entry[column]
                if value and value.lower() not in known:
                    problems.append(
                        _("Line %(line)s: “%(value)s” is not a %(column)s we know.")
                        % {
                            "line": number,
                            "value": value,
                            "column": Invitation._meta.get_field(column).verbose_name,
                        }
                    )
                entry[column] = known.get(value.lower(), "")
            if problems:
                errors.extend(problems)
                continue
            rows.append(entry)
        if errors:
            raise forms.ValidationError(errors)
        if not rows:
            raise forms.ValidationError(_("Paste at least one e-mail address."))
        return rows

    def _column(self, name: str) -> str:
        name = name.lower()
        return self.COLUMN_ALIASES.get(name, name)

    def _is_header(self, cells: list[str]) -> bool:
        """A first line naming columns: no address in it, and a column's name."""
        return not any("@" in cell for cell in cells) and any(
            self._column(cell) in self.COLUMNS for cell in cells
        )

    def _header(self, number: int, cells: list[str]) -> list[str]:
        columns = [self._column(cell) for cell in cells]
        facts = {"line": number, "known": ", ".join(self.COLUMNS)}
        errors = []
        # A column without a name may stay empty (spreadsheets leave some behind).
        unknown = [
            cell
            for cell, column in zip(cells, columns, strict=True)
            if column and column not in self.COLUMNS
        ]
        if unknown:
            errors.append(
                _("Line %(line)s: unknown column names: %(names)s (the columns are %(known)s).")
                % {**facts, "names": ", ".join(f"“{name}”" for name in unknown)}
            )
        twice = [column for column in self.COLUMNS if columns.count(column) > 1]
        if twice:
            errors.append(
                _("Line %(line)s: columns named more than once: %(names)s.")
                % {**facts, "names": ", ".join(twice)}
            )
        if "email" not in columns:
            errors.append(_("Line %(line)s: no email column.") % facts)
        if errors:
            raise forms.ValidationError(errors)
        return columns


def _text_problems(value: str, column: str, *, line: int) -> list[str]:
    """What is wrong with a pasted cell: longer than its column holds (a database error
    otherwise), or invisible control characters (refused everywhere else too)."""
    field = Invitation._meta.get_field(column)
    limit = field.max_length
    facts = {"line": line, "column": field.verbose_name, "limit": limit}
    problems = []
    if len(value) > limit:
        problems.append(
            _("Line %(line)s: the %(column)s is longer than %(limit)s characters.") % facts
        )
    if cells.has_control_characters(value):
        problems.append(_("Line %(line)s: the %(column)s contains control characters.") % facts)
    return problems


class ImportForm(forms.Form):
    # Several times the summit's whole guest list: anything larger is not a guest list, and
    # the import reads the file in memory.
    MAX_SIZE = 5 * 1024 * 1024

    file = forms.FileField(
        label=_("CSV file"), help_text=_("UTF-8, with or without BOM; first line: column names.")
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": self.MAX_SIZE // (1024 * 1024)},
                code="too_large",
            )
        return upload
