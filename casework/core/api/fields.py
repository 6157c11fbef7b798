"""API fields shared by every app, and the one rule all text fields of the API follow."""

from __future__ import annotations

from typing import Any

from django_countries import countries
from rest_framework import serializers


def text_only() -> None:
    """Every text field of the API takes text only: DRF's `CharField` (and every field built
    on it: email, URL, slug, country code, …) would take the number 12 as the text "12" and
    `true` as an error only by chance, so a body that breaks the schema's `type: string` was
    accepted (found by schemathesis' negative mode on PostgreSQL). Installed once, from
    `CoreConfig.ready()`, so that no serializer can forget it."""
    if getattr(serializers.CharField.to_internal_value, "text_only", False):
        return
    as_text = serializers.CharField.to_internal_value

    def to_internal_value(self: serializers.CharField, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return as_text(self, data)

    to_internal_value.text_only = True  # type: ignore[attr-defined]
    serializers.CharField.to_internal_value = to_internal_value  # type: ignore[method-assign,assignment]


class CountryCode(serializers.CharField):
    """A country as its two-letter code (BE)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=2, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        code = str(super().to_internal_value(data)).upper()
        if code not in dict(countries):
            raise serializers.ValidationError("Give the country's two-letter code (BE).")
        return code

    def to_representation(self, value: Any) -> str:
        return str(value)


class Untrimmed(serializers.ModelSerializer):
    """Text is taken as sent, so that its length is checked as the schema says (DRF would
    trim it first, and a text one character too long with a space at the start would pass;
    found by the negative fuzz). The services strip what they keep."""

    def build_standard_field(self, field_name: str, model_field: Any) -> tuple[Any, Any]:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, serializers.CharField):
            kwargs["trim_whitespace"] = False
        return field_class, kwargs


def text(max_length: int, help_text: str = "") -> Any:
    """An optional text, taken as sent (see `Untrimmed`)."""
    return serializers.CharField(
        trim_whitespace=False,
        max_length=max_length,
        allow_blank=True,
        default="",
        help_text=help_text,
    )
