from django import forms
from django.utils.translation import gettext_lazy as _

from badges.models import PrintJob
from registration.models import Category, Region
from sessions.selectors import forums_of
from summit.models import Summit


class PrintJobForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=PrintJob.Layout.choices,
        initial=PrintJob.Layout.A6,
        widget=forms.RadioSelect,
    )
    order = forms.ChoiceField(
        label=_("Order"),
        choices=PrintJob.Order.choices,
        initial=PrintJob.Order.NAME,
        widget=forms.RadioSelect,
    )
    forum = forms.ChoiceField(
        label=_("Forum"),
        required=False,
        help_text=_(
            "Confirmed guests with a seat in the forum or in one of its own sessions "
            "(workshops, visits); each guest once."
        ),
    )
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All categories")), *Category.choices]
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("All regions")), *Region.choices]
    )

    def __init__(self, *args, summit: Summit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Not the main summit: every confirmed guest attends it ("All forums").
        self.fields["forum"].choices = [("", _("All forums"))] + [
            (forum.slug, forum.title) for forum in forums_of(summit) if not forum.is_plenary
        ]

    @property
    def filters(self) -> dict:
        return {key: self.cleaned_data[key] for key in ("forum", "category", "region")}
