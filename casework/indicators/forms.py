"""The target, plan and reflection forms; the services check who may save them and the
rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from casework.core.forms import DATE
from casework.indicators.models import REFLECTION_TEXTS, PlanIndicator, Reflection, Target


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "indicator",
            "baseline_value",
            "baseline_period",
            "midline_period",
            "endline_period",
            "target_value",
            "target_period",
            "note",
        ]
        help_texts = {
            "midline_period": _("Measured from the data over this period once it has ended."),
            "endline_period": _("Measured from the data over this period once it has ended."),
        }


class PlanIndicatorForm(forms.ModelForm):
    class Meta:
        model = PlanIndicator
        fields = ["wording", "indicator", "baseline", "midline", "endline", "target", "note"]
        widgets = {"wording": forms.Textarea(attrs={"rows": 3})}


class ReflectionForm(forms.ModelForm):
    class Meta:
        model = Reflection
        fields = ["kind", "held_on", *REFLECTION_TEXTS]
        widgets = {"held_on": DATE}
