"""Forms of the assessments app (the form *library* pages; filling is done by the engine)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm file"),
        help_text=_(
            "An XLSForm (.xlsx, .xls, .csv or .md), up to 5 MB. A form whose form_id exists "
            "becomes its new version."
        ),
    )
