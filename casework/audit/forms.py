from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.audit.models import Action
from casework.core.models import AuditedModel


class AuditFilterForm(forms.Form):
    """Search the audit log: every field optional, all given ones must match."""

    user = forms.CharField(label=_("User"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any")), *Action.choices]
    )
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["object_type"]).choices = [
            ("", _("Any")),
            *audited_types(),
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean() returns self.cleaned_data
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def apply(self, queryset: QuerySet) -> QuerySet:
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["user"]:
            queryset = queryset.filter(actor__iexact=data["user"])
        if data["action"]:
            queryset = queryset.filter(action=data["action"])
        if data["object_type"]:
            queryset = queryset.filter(object_type=data["object_type"])
        if data["object_id"]:
            queryset = queryset.filter(object_id=data["object_id"])
        if data["date_from"]:
            queryset = queryset.filter(at__gte=_start_of(data["date_from"]))
        if data["date_to"]:
            queryset = queryset.filter(at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        return queryset


def audited_types() -> list[tuple[str, str]]:
    """(label, name) of every model whose rows the audit log speaks of."""
    types = [
        (model._meta.label_lower, str(model._meta.verbose_name).capitalize())
        for model in apps.get_models()
        if issubclass(model, AuditedModel)
    ]
    types.append(("audit.auditentry", str(_("Audit log"))))
    return sorted(types, key=lambda item: item[1])


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
