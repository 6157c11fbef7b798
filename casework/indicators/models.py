"""Baselines, midlines, endlines and targets: what the network and each pilot aim for; the
network's MEL plan (outcomes and their indicators) and its six-month reflections."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.core.access import Principal
from casework.core.models import AuditedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.core.roles import Capability
from casework.indicators.choices import ReflectionKind
from casework.indicators.registry import REGISTRY


def indicator_choices() -> list[tuple[str, str]]:
    return [(code, str(indicator.name)) for code, indicator in REGISTRY.items()]


class Target(AuditedModel, TimeStampedModel):
    """One indicator's baseline and target, for the network (no organisation) or one
    organisation, and the periods its midline and endline are measured over. Values are in
    the indicator's unit: a percentage for rates (86 for 86%), people for counts, days for
    time to resolution. Midline and endline values are not typed: they are measured from the
    data over their periods once those have ended (casework.indicators.services)."""

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
    midline_period = models.CharField(_("midline period"), max_length=30, blank=True)
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


def _everyone(queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
    """The network's plan is no one's personal data: every role reads it."""
    return queryset if principal.role is not None else queryset.none()


class Outcome(AuditedModel, TimeStampedModel):
    """An outcome of the network's implementation plan (its MEL table, 4.3), in the plan's
    words; its indicators say how progress towards it is measured."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("outcome"), max_length=300)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("outcome of the plan")
        verbose_name_plural = _("outcomes of the plan")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return _everyone(queryset, principal)


class PlanIndicator(AuditedModel, TimeStampedModel):
    """One indicator of the MEL plan under its outcome, in the plan's words. Where a
    registry indicator computes it (`indicator`), its baseline and target are the network's
    target for that indicator and its midline and endline are measured; where nothing
    computes it (a shared database in use, the network's confidence), the coordinators type
    what the evaluations found."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(_("position"))
    wording = models.CharField(_("indicator in the plan"), max_length=500)
    indicator = models.CharField(
        _("computed by"),
        max_length=60,
        choices=indicator_choices,
        blank=True,
        help_text=_("The registry indicator that measures it; empty where nothing does."),
    )
    # Where nothing computes it: what the evaluations found, as text.
    baseline = models.CharField(_("baseline"), max_length=300, blank=True)
    midline = models.CharField(_("midline"), max_length=300, blank=True)
    endline = models.CharField(_("endline"), max_length=300, blank=True)
    target = models.CharField(_("target"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["outcome__position", "position", "pk"]
        verbose_name = _("indicator of the plan")
        verbose_name_plural = _("indicators of the plan")

    def __str__(self) -> str:
        return self.wording

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return _everyone(queryset, principal)

    @property
    def computed(self) -> bool:
        return bool(self.indicator)


# What a reflection says, in the MEL plan's order (forms, API and the service read this).
REFLECTION_TEXTS = ("relevance", "progress", "adaptations", "lessons", "recommendations")


class Reflection(AuditedModel, TimeStampedModel):
    """A six-month internal reflection, or the midline or endline evaluation: what the
    network found, with the plan's figures and the risk register as they stood that day
    (`figures`, `risks`: kept as recorded, so the reflection still reads the same after
    later releases)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ReflectionKind.choices, default=ReflectionKind.REFLECTION
    )
    held_on = models.DateField(_("held on"))
    relevance = models.TextField(_("relevance of the plan"), max_length=4000)
    progress = models.TextField(_("progress"), max_length=4000)
    adaptations = models.TextField(_("necessary adaptations"), max_length=4000, blank=True)
    lessons = models.TextField(_("lessons learned"), max_length=4000, blank=True)
    recommendations = models.TextField(_("recommendations"), max_length=4000, blank=True)
    release = models.ForeignKey(
        "core.Release",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("figures from"),
        help_text=_("The release in force on the day: the figures the reflection looked at."),
    )
    figures = models.JSONField(_("the plan's figures that day"), default=list, editable=False)
    risks = models.JSONField(_("the risk register that day"), default=list, editable=False)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = AccessQuerySet.as_manager()
    audit_exclude = frozenset({"created_at", "updated_at", "figures", "risks"})

    class Meta:
        ordering = ["-held_on", "-created_at"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"

    def get_absolute_url(self) -> str:
        return reverse("indicators:reflection", args=[self.uid])

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """An internal reflection: those who see the network's building (coordinators,
        evaluators, the members' admins); not observers."""
        return queryset if principal.can(Capability.NETWORK_BUILDING) else queryset.none()
