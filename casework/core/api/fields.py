"""API fields shared by every app."""

from __future__ import annotations

from typing import Any

from django_countries import countries
from rest_framework import serializers


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
