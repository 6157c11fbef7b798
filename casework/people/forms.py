from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.people.choices import ConsentMethod, ConsentPurpose

DATE = forms.DateInput(attrs={"type": "date"})


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    service = forms.CharField(
        label=_("Service"),
        required=False,
        max_length=200,
        help_text=_("Only for sharing with a named service."),
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE)
    method = forms.ChoiceField(label=_("How given"), choices=ConsentMethod.choices)
    language = forms.CharField(
        label=_("Language"),
        max_length=10,
        help_text=_("The language the person was informed in (code)."),
    )

    def clean_given_on(self) -> Any:
        if self.cleaned_data["given_on"] > timezone.localdate():
            raise forms.ValidationError(_("Consent cannot be dated in the future."))
        return self.cleaned_data["given_on"]


class WithdrawForm(forms.Form):
    on = forms.DateField(label=_("Withdrawn on"), widget=DATE)
