"""Organisers' forms for door check-in: checkpoints and door devices."""

from django import forms
from django.utils.translation import gettext_lazy as _

from badges.checkin.models import Checkpoint
from sessions.models import Forum
from summit.models import Room


class CheckpointForm(forms.ModelForm):
    class Meta:
        model = Checkpoint
        fields = [
            "name_en",
            "name_zh_hans",
            "name_zh_hant",
            "slug",
            "kind",
            "forum",
            "room",
            "day",
            "policy",
            "is_active",
            "position",
        ]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}
        labels = {"room": _("Room")}

    def __init__(self, *args, summit, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.summit = summit
        self.fields["forum"].queryset = Forum.objects.filter(summit=summit)
        self.fields["room"].queryset = Room.objects.filter(summit=summit)

    def clean_day(self):
        day = self.cleaned_data["day"]
        summit = self.instance.summit
        if day and day not in summit.days:
            raise forms.ValidationError(_("Choose one of the summit's days."))
        return day


class DeviceForm(forms.Form):
    name = forms.CharField(
        label=_("Device name"),
        max_length=80,
        help_text=_("For example: North door, phone 2."),
    )
    checkpoint = forms.ModelChoiceField(
        label=_("Default checkpoint"), queryset=Checkpoint.objects.none(), required=False
    )

    def __init__(self, *args, summit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["checkpoint"].queryset = Checkpoint.objects.filter(summit=summit)
