from django import forms
from django.utils.translation import gettext_lazy as _

from summit.models import MAX_SUMMIT_DAYS, Summit, validate_plausible_date
from summit.services import SUMMIT_FIELDS, too_long

DATE_FIELDS = ("starts_on", "ends_on", "registration_opens_at", "registration_closes_at")


class SummitForm(forms.ModelForm):
    """The edition's settings. Validates input only; the view calls summit.services."""

    class Meta:
        model = Summit
        fields = sorted(SUMMIT_FIELDS)
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "registration_opens_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "registration_closes_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in DATE_FIELDS:
            self.fields[name].validators.append(validate_plausible_date)

    def clean(self):
        # Said here, on the field, before the model's CHECK constraints would say it in
        # general terms; summit.services checks the same again under lock.
        data = super().clean()
        opens, closes = data.get("registration_opens_at"), data.get("registration_closes_at")
        if opens and closes and closes <= opens:
            self.add_error("registration_closes_at", _("Registration must close after it opens."))
        first, last = data.get("starts_on"), data.get("ends_on")
        if first and last and last < first:
            self.add_error("ends_on", _("The last day cannot come before the first."))
        elif first and last and (last - first).days >= MAX_SUMMIT_DAYS:
            self.add_error("ends_on", too_long())
        return data

    @property
    def fieldsets(self):
        groups = [
            (_("Name"), ["name_en", "name_zh_hans", "name_zh_hant"]),
            (_("Venue"), ["venue_en", "venue_zh_hans", "venue_zh_hant"]),
            (_("City"), ["city_en", "city_zh_hans", "city_zh_hant"]),
            (_("Dates"), ["starts_on", "ends_on"]),
            (_("Registration"), ["registration_opens_at", "registration_closes_at"]),
            (_("Places and approval"), ["capacity", "approval_required", "contact_email"]),
        ]
        return [(legend, [self[name] for name in names]) for legend, names in groups]
