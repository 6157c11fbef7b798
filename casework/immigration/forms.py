from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.cases.choices import ImmigrationStatus
from casework.core.forms import DATE
from casework.immigration.choices import (
    AppointmentKind,
    AppointmentOutcome,
    InformationSource,
    PlaceType,
    ProcedureKind,
)


class ProcedureEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=ProcedureKind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    source = forms.ChoiceField(label=_("Source"), choices=InformationSource.choices)
    place_type = forms.ChoiceField(
        label=_("Place of detention"),
        choices=PlaceType.choices,
        initial=PlaceType.UNKNOWN,
        required=False,
    )


class LegalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Legal status"), choices=ImmigrationStatus.choices)
    since = forms.DateField(label=_("Since"), widget=DATE)


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Appointment"), choices=AppointmentKind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in AppointmentOutcome.choices if c[0]])
