"""Forms: the public agenda's filters, and the organiser's forms for the agenda.

Organiser forms validate input only; views hand ``cleaned_data`` to ``sessions.services``
(``Form.save()`` is never called).
"""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sessions.models import Forum, Session, SessionSpeaker, Speaker
from sessions.selectors import AgendaFilters
from sessions.services import SESSION_FIELDS
from summit.models import Room, Summit, validate_plausible_date

# --- Public agenda filters --------------------------------------------------------------------


class AgendaFilterForm(forms.Form):
    """Filters of the public agenda. Choices come from lists the view already fetched, so the
    form adds no query; unknown values are ignored rather than reported."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Title, description or speaker, in any language."),
    )
    forum = forms.ChoiceField(label=_("Forum"), required=False)
    format = forms.ChoiceField(label=_("Format"), required=False)
    room = forms.ChoiceField(label=_("Room"), required=False)
    cancelled = forms.BooleanField(label=_("Show cancelled sessions"), required=False)

    def __init__(self, *args, forums: list[Forum], rooms: list[Room], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        self.fields["forum"].choices = [everything] + [(f.slug, f.title) for f in forums]
        self.fields["format"].choices = [everything, *Session.Format.choices]
        self.fields["room"].choices = [everything] + [(r.slug, r.name) for r in rooms]

    def agenda_filters(self, day: datetime.date | None) -> AgendaFilters:
        self.is_valid()
        data = self.cleaned_data
        return AgendaFilters(
            day=day,
            forum=data.get("forum") or "",
            format=data.get("format") or "",
            room=data.get("room") or "",
            text=(data.get("q") or "").strip(),
            include_cancelled=bool(data.get("cancelled")),
        )

    @property
    def is_filtered(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return any(data.get(name) for name in ("q", "forum", "format", "room"))


# --- Organiser forms --------------------------------------------------------------------------


def _fieldsets(form: forms.Form, *groups: tuple) -> list[tuple[str, list]]:
    """Fields grouped under legends, for the organiser form template."""
    return [
        (legend, [form[name] for name in names if name in form.fields]) for legend, names in groups
    ]


def _mark_languages(form: forms.Form) -> None:
    """Inputs for Chinese text say so (lang), for the right fonts and input methods."""
    for name, field in form.fields.items():
        if name.endswith("_zh_hans"):
            field.widget.attrs["lang"] = "zh-Hans"
        elif name.endswith("_zh_hant"):
            field.widget.attrs["lang"] = "zh-Hant"
        elif name.endswith("_en"):
            field.widget.attrs["lang"] = "en"


def _trilingual_widgets(*bases: str, rows: int = 4) -> dict[str, forms.Widget]:
    widgets = {}
    for base in bases:
        for suffix in ("en", "zh_hans", "zh_hant"):
            widgets[f"{base}_{suffix}"] = forms.Textarea(attrs={"rows": rows})
    return widgets


class OrganiserForm(forms.ModelForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        _mark_languages(self)


class ForumForm(OrganiserForm):
    class Meta:
        model = Forum
        fields = [
            "title_en",
            "title_zh_hans",
            "title_zh_hant",
            "description_en",
            "description_zh_hans",
            "description_zh_hant",
            "slug",
            "kind",
            "position",
            "colour",
            "room",
            "capacity",
        ]
        widgets = {
            **_trilingual_widgets("description"),
            "colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args, summit: Summit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        room = self.fields["room"]
        room.queryset = Room.objects.filter(summit=summit).order_by("position", "name_en")
        room.label_from_instance = _room_label

    def fieldsets(self):
        return _fieldsets(
            self,
            (_("Title"), ["title_en", "title_zh_hans", "title_zh_hant"]),
            (_("Description"), ["description_en", "description_zh_hans", "description_zh_hant"]),
            (_("Details"), ["slug", "kind", "position", "colour", "room", "capacity"]),
        )


class RoomForm(OrganiserForm):
    class Meta:
        model = Room
        fields = [
            "name_en",
            "name_zh_hans",
            "name_zh_hant",
            "slug",
            "capacity",
            "floor",
            "position",
        ]

    def fieldsets(self):
        return _fieldsets(
            self,
            (_("Name"), ["name_en", "name_zh_hans", "name_zh_hant"]),
            (_("Details"), ["slug", "capacity", "floor", "position"]),
        )


class SpeakerForm(OrganiserForm):
    class Meta:
        model = Speaker
        fields = [
            "name",
            "name_latin",
            "name_zh_hans",
            "name_zh_hant",
            "slug",
            "affiliation_en",
            "affiliation_zh_hans",
            "affiliation_zh_hant",
            "bio_en",
            "bio_zh_hans",
            "bio_zh_hant",
            "email",
        ]
        widgets = _trilingual_widgets("bio")

    def fieldsets(self):
        return _fieldsets(
            self,
            (
                pgettext_lazy("person", "Name"),
                ["name", "name_latin", "name_zh_hans", "name_zh_hant", "slug"],
            ),
            (_("Affiliation"), ["affiliation_en", "affiliation_zh_hans", "affiliation_zh_hant"]),
            (_("Biography"), ["bio_en", "bio_zh_hans", "bio_zh_hant"]),
            (_("Contact"), ["email"]),
        )

    def clean(self):
        data = super().clean()
        if not data.get("name") and not data.get("name_latin"):
            self.add_error("name", _("Give the name in native script, in Latin letters, or both."))
        return data


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class SessionForm(OrganiserForm):
    notify_guests = forms.BooleanField(
        label=_("E-mail enrolled guests about this change"),
        required=False,
        help_text=_(
            "Only for a change guests see (time, room, title, description, speakers, status) "
            "of a published session. Their calendars update either way."
        ),
    )

    class Meta:
        model = Session
        fields = [
            "title_en",
            "title_zh_hans",
            "title_zh_hant",
            "description_en",
            "description_zh_hans",
            "description_zh_hant",
            "forum",
            "format",
            "starts_at",
            "ends_at",
            "room",
            "requires_enrolment",
            "capacity",
            "status",
            "is_published",
        ]
        widgets = {
            **_trilingual_widgets("description", rows=5),
            "starts_at": DateTimeLocalInput(),
            "ends_at": DateTimeLocalInput(),
        }

    def __init__(self, *args, summit: Summit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        forum, room = self.fields["forum"], self.fields["room"]
        forum.queryset = Forum.objects.filter(summit=summit).order_by("position", "pk")
        forum.label = _("Forum")
        forum.label_from_instance = lambda each: each.title
        room.queryset = Room.objects.filter(summit=summit).order_by("position", "name_en")
        room.label_from_instance = _room_label
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
            self.fields[name].validators.append(validate_plausible_date)
        if self.instance.pk is None:
            del self.fields["notify_guests"]

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("A session must end after it starts."))
        return data

    def fieldsets(self):
        return _fieldsets(
            self,
            (_("Title"), ["title_en", "title_zh_hans", "title_zh_hant"]),
            (_("Description"), ["description_en", "description_zh_hans", "description_zh_hant"]),
            (_("When and where"), ["forum", "format", "starts_at", "ends_at", "room"]),
            (_("Seats"), ["requires_enrolment", "capacity"]),
            (_("Publication"), ["status", "is_published"]),
        )

    def session_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in SESSION_FIELDS}


class SpeakerRoleForm(forms.Form):
    speaker = forms.TypedChoiceField(
        label=_("Speaker"), required=False, coerce=int, empty_value=None
    )
    role = forms.ChoiceField(label=_("Role"), choices=SessionSpeaker.Role.choices)
    position = forms.IntegerField(label=_("Order"), required=False, min_value=0)

    def __init__(self, *args, speaker_choices: list[tuple], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["speaker"].choices = [("", "—"), *speaker_choices]


class BaseSpeakerRoleFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        chosen = [form.cleaned_data.get("speaker") for form in self.forms]
        chosen = [pk for pk in chosen if pk is not None]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(_("Each speaker can be listed once per session."))

    def chosen(self) -> list[tuple[int, str]]:
        """(speaker id, role) in the order the organiser gave."""
        rows = [
            (form.cleaned_data.get("position"), index, form.cleaned_data)
            for index, form in enumerate(self.forms)
            if form.cleaned_data.get("speaker") is not None
        ]
        rows.sort(key=lambda row: (row[0] is None, row[0] or 0, row[1]))
        return [(data["speaker"], data["role"]) for _position, _index, data in rows]


SpeakerRoleFormSet = forms.formset_factory(
    SpeakerRoleForm, formset=BaseSpeakerRoleFormSet, extra=3, max_num=40, validate_max=True
)


def _room_label(room: Room) -> str:
    return _("%(room)s (%(seats)d seats)") % {"room": room.name, "seats": room.capacity}


def speaker_choices(summit: Summit) -> list[tuple[int, str]]:
    speakers = Speaker.objects.filter(summit=summit).order_by("name_latin", "name")
    return [(speaker.pk, _speaker_label(speaker)) for speaker in speakers]


def _speaker_label(speaker: Speaker) -> str:
    names = " / ".join(name for name in (speaker.name, speaker.name_latin) if name)
    return f"{names} ({speaker.affiliation})" if speaker.affiliation else names
