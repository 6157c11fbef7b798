"""Baselines, midlines, endlines and targets: what the network and each pilot aim for."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.core.access import Principal
from casework.core.models import AuditedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.core.roles import Capability
from casework.indicators.registry import REGISTRY


def indicator_choices() -> list[tuple[str, str]]:
    return [(code, str(indicator.name)) for code, indicator in REGISTRY.items()]


class Target(AuditedModel, TimeStampedModel):
    """One indicator's baseline, midline, endline and target, for the network (no
    organisation) or one organisation. Values are in the indicator's unit: a percentage
    for rates (86 for 86%), people for counts, days for time to resolution."""

    indicator = models.CharField(_("indicator"), max_length=60, choices=indicator_choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("organisation"),
        help_text=_("Empty for the network's targets."),
    )
    baseline_value = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2)
    baseline_period = models.CharField(_("baseline period"), max_length=30)
    midline_value = models.DecimalField(
        _("midline"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    midline_period = models.CharField(_("midline period"), max_length=30, blank=True)
    endline_value = models.DecimalField(
        _("endline"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    endline_period = models.CharField(_("endline period"), max_length=30, blank=True)
    target_value = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    target_period = models.CharField(_("target period"), max_length=30)
    note = models.CharField(_("note"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AccessQuerySet.as_manager()

    class Meta:
        # The network's targets first, on every database.
        ordering = [models.F("organisation__name").asc(nulls_first=True), "indicator"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "organisation"], name="target_per_scope"),
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(organisation__isnull=True),
                name="target_per_network",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()}: {self.target_value} by {self.target_period}"

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """Targets are not personal data: staff see the network's and their own; network
        roles see every target."""
        if principal.is_organisation:
            return queryset.filter(
                Q(organisation__isnull=True) | Q(organisation_id=principal.organisation_id)
            )
        if principal.can(Capability.NETWORK_VIEW):
            return queryset
        return queryset.none()
