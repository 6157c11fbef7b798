"""Figures as the evidence pages write them."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

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


WITHHELD_BECAUSE = {
    "primary": _("Withheld: fewer than k people are counted."),
    "complement": _("Withheld: fewer than k people are left out, so the rate would reveal them."),
    "insider": _(
        "Withheld: once one organisation takes away its own people, fewer than k of the "
        "others would be counted or left out."
    ),
    "secondary": _("Withheld: it would let another withheld figure be worked out."),
}


@register.filter
def withheld_because(reason: str, k: int) -> str:
    """Why a cell is withheld, for its hover text."""
    text = WITHHELD_BECAUSE.get(reason, _("Withheld to protect small numbers."))
    return str(text).replace(" k ", f" {k} ")
