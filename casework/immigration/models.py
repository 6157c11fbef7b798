"""The immigration procedure of a case: events, legal status, detention, appointments."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.cases.choices import ImmigrationStatus
from casework.core.models import OrgScopedModel, TimeStampedModel
from casework.immigration.choices import (
    AppointmentKind,
    AppointmentOutcome,
    InformationSource,
    PlaceType,
    ProcedureKind,
)


class ProcedureEvent(OrgScopedModel, TimeStampedModel):
    """Something that happened in the person's immigration procedure."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="procedure_events"
    )
    occurred_on = models.DateField(_("date"))
    kind = models.CharField(_("event"), max_length=30, choices=ProcedureKind.choices)
    source = models.CharField(
        _("source"), max_length=20, choices=InformationSource.choices, default="person"
    )
    identifies_person = True

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("procedure event")
        verbose_name_plural = _("procedure events")
        indexes = [
            models.Index(fields=["organisation", "kind", "occurred_on"], name="proc_org_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class LegalStatus(OrgScopedModel, TimeStampedModel):
    """The person's legal status from a date on (the latest is the current one)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="legal_statuses")
    status = models.CharField(_("legal status"), max_length=30, choices=ImmigrationStatus.choices)
    since = models.DateField(_("since"))
    identifies_person = True

    class Meta:
        ordering = ["-since", "-pk"]
        verbose_name = _("legal status")
        verbose_name_plural = _("legal statuses")

    def __str__(self) -> str:
        return f"{self.get_status_display()} since {self.since}"


class DetentionEpisode(OrgScopedModel, TimeStampedModel):
    """A time in detention, from the day detained to the day released (open while detained)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="detentions")
    started_on = models.DateField(_("detained on"))
    ended_on = models.DateField(_("released on"), null=True, blank=True)
    place_type = models.CharField(_("place"), max_length=20, choices=PlaceType.choices)
    identifies_person = True

    class Meta:
        ordering = ["-started_on"]
        verbose_name = _("detention episode")
        verbose_name_plural = _("detention episodes")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_detention"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="detention_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.started_on} to {self.ended_on or 'now'}"


class Appointment(OrgScopedModel, TimeStampedModel):
    """An upcoming reporting date, interview or hearing; its outcome once it has passed."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="appointments")
    kind = models.CharField(_("appointment"), max_length=20, choices=AppointmentKind.choices)
    on = models.DateField(_("date"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=AppointmentOutcome.choices, blank=True
    )
    identifies_person = True

    class Meta:
        ordering = ["on", "pk"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [models.Index(fields=["organisation", "on"], name="appointment_org_on")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on}"
