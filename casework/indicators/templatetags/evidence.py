"""Figures as the evidence pages write them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


@register.filter
def days(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


@register.filter
def signed_percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:+.0f}%"
