"""The service directory (shared across the network: services are not personal data) and
referrals of a case to a service, with every dated change of status.

Who sees what: every role that works with cases or the network's building reads the
directory (`services.view`); an organisation's supervisors and admins add and change their
organisation's entries, coordinators every entry (`services.manage`, casework.referrals.services).
Referrals are about a person: the case's organisation only, like its contacts.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from casework.core.access import Principal
from casework.core.fields import SealedTextField
from casework.core.models import AuditedModel, OrgScopedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.core.roles import Capability
from casework.referrals.choices import Cost, ReferralStatus, ServiceType


class Service(AuditedModel, TimeStampedModel):
    """A service people can be referred to: a provider's legal aid, shelter, clinic, …"""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("The organisation that keeps this entry; empty: the network's coordinators."),
    )
    provider = models.CharField(_("provider"), max_length=200)
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    description = models.TextField(_("what it offers"), max_length=2000, blank=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100)
    address = models.CharField(_("address"), max_length=300, blank=True)
    # Language codes (ISO 639), as the people app keeps a person's languages.
    languages = models.JSONField(_("languages"), default=list, blank=True)
    serves_undocumented = models.BooleanField(
        _("serves people without a residence permit"), default=False
    )
    cost = models.CharField(_("cost"), max_length=10, choices=Cost.choices, default=Cost.FREE)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=300, blank=True)
    capacity = models.CharField(_("capacity"), max_length=500, blank=True)
    verified_on = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("When someone last checked that these details are right."),
    )
    active = models.BooleanField(_("still offered"), default=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "pk"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        indexes = [
            models.Index(fields=["country", "city", "service_type"], name="service_place_type")
        ]

    def __str__(self) -> str:
        return f"{self.provider} ({self.get_service_type_display()}, {self.city})"

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """Shared across the network: everyone who refers people or builds the network."""
        return queryset if principal.can(Capability.SERVICES_VIEW) else queryset.none()


class Referral(OrgScopedModel, TimeStampedModel):
    """A case referred to a service: from the directory or typed in, why, when, and where it
    stands. Each change of status is a dated step and an event on the case's timeline."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(
        Service,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("service in the directory"),
    )
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType.choices)
    provider = models.CharField(
        _("provider"), max_length=200, help_text=_("As in the directory, or typed in.")
    )
    reason = SealedTextField(_("why"), max_length=2000, blank=True)
    sent_on = models.DateField(_("sent on"))
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    status_on = models.DateField(_("status since"))
    outcome = SealedTextField(_("outcome"), max_length=2000, blank=True)
    # The consent record the person's details were shared under (None: nothing identifying).
    consent = models.ForeignKey(
        "people.Consent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("details shared under"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    identifies_person = True

    class Meta:
        ordering = ["-sent_on", "-created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["organisation", "status", "follow_up_on"], name="referral_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()}: {self.provider} ({self.get_status_display()})"

    @property
    def shares_details(self) -> bool:
        return self.consent_id is not None


class ReferralStep(OrgScopedModel, TimeStampedModel):
    """A dated change of a referral's status, with what happened."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices)
    on = models.DateField(_("date"))
    note = SealedTextField(_("note"), max_length=2000, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    identifies_person = True

    class Meta:
        ordering = ["on", "created_at"]
        verbose_name = _("step of a referral")
        verbose_name_plural = _("steps of referrals")
