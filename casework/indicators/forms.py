"""The target form; the service checks who may set it and that its periods parse."""

from __future__ import annotations

from django import forms

from casework.indicators.models import Target


class TargetForm(forms.ModelForm):
    class Meta:
        model = Target
        fields = [
            "indicator",
            "baseline_value",
            "baseline_period",
            "midline_value",
            "midline_period",
            "endline_value",
            "endline_period",
            "target_value",
            "target_period",
            "note",
        ]
