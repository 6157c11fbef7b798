"""Form pieces shared by every app."""

from django import forms

# The browser's own date picker; values travel as YYYY-MM-DD.
DATE = forms.DateInput(attrs={"type": "date"})
