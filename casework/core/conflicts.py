"""Optimistic locking: the one error for a stale `version`, and what a stale form shows."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model


class StaleVersionError(ValidationError):
    """Someone else saved the row since it was read. Screens show both versions; the API
    answers 409 (`casework.core.api.errors.exception_handler`), never by hand."""


def conflict_rows(form: forms.Form, current: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, what you entered, what is saved now) for each field that differs."""
    rows = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        mine, theirs = form.cleaned_data.get(name), current.get(name)
        if isinstance(mine, Model):
            mine = mine.pk
        if isinstance(mine, list):
            mine, theirs = sorted(mine), sorted(theirs or [])
        if mine != theirs:
            rows.append((str(field.label), display(field, mine), display(field, theirs)))
    return rows


def display(field: Any, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if hasattr(field, "queryset"):
        user = field.queryset.model.objects.filter(pk=value).first()
        return str(user) if user else "—"
    return str(choices.get(value, value))
