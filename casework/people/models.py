"""Persons, households, their encrypted identity, its search indexes, and consent."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Self

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.access import Principal
from casework.core.models import OrgScopedModel, SealedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.people.choices import (
    AgeBand,
    ConsentMethod,
    ConsentPurpose,
    Gender,
    IndexKind,
    Relationship,
    nationality_choices,
)
from casework.people.identity import IdentityData


class Household(OrgScopedModel, TimeStampedModel):
    """People who live and are followed together (a family is one case group)."""

    code = models.CharField(_("household code"), max_length=20, unique=True)
    identifies_person = True

    class Meta:
        ordering = ["code"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.code


class PersonQuerySet(AccessQuerySet):
    def consented_to(self, purpose: str, on: dt.date | None = None) -> Self:
        """People with a consent for `purpose` in force on `on` (default: today)."""
        day = on or timezone.localdate()
        in_force = Consent.objects.filter(
            person=models.OuterRef("pk"), purpose=purpose, given_on__lte=day
        ).filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        return self.filter(models.Exists(in_force))


PersonManager = models.Manager.from_queryset(PersonQuerySet)


class Person(OrgScopedModel, TimeStampedModel):
    """A person the organisation works with, known here by a pseudonymous code only.

    Identifying details live in `Identity`, encrypted; everything else refers to the code.
    """

    code = models.CharField(_("code"), max_length=20, unique=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    age_band = models.CharField(
        _("age band"),
        max_length=10,
        choices=AgeBand.choices,
        default=AgeBand.UNKNOWN,
        help_text=_("Only when the birth year is not known."),
    )
    gender = models.CharField(
        _("gender"), max_length=20, choices=Gender.choices, default=Gender.NOT_COLLECTED
    )
    nationality = models.CharField(
        _("nationality"), max_length=16, choices=nationality_choices, default="not_collected"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    interpreter_needed = models.BooleanField(_("needs an interpreter"), null=True, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
    )
    relationship = models.CharField(
        _("relationship to the household head"),
        max_length=20,
        choices=Relationship.choices,
        blank=True,
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        help_text=_("Set when this record was merged into another; it is then hidden."),
    )
    version = models.PositiveIntegerField(default=1)
    erased_at = models.DateTimeField(
        _("erased"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("When identity, documents and free text were erased (the code remains)."),
    )
    identifies_person = True

    objects: ClassVar[PersonManager[Person]] = PersonManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [models.Index(fields=["organisation", "birth_year"], name="person_org_year")]

    def __str__(self) -> str:
        return self.code

    @classmethod
    def scope_for(cls, queryset: Any, principal: Principal) -> Any:
        return super().scope_for(queryset, principal).filter(merged_into__isnull=True)


def identity_associated_data(organisation_id: int, person_id: int) -> bytes:
    """Binds an identity's ciphertext to its person: copied to another row, it won't open."""
    return f"people.identity:{organisation_id}:{person_id}".encode()


class Identity(OrgScopedModel, SealedModel, TimeStampedModel):
    """A person's identifying details, sealed with AES-GCM (see casework/core/crypto.py)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity")
    identifies_person = True

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"identity of {self.person_id}"

    def associated_data(self) -> bytes:
        return identity_associated_data(self.organisation_id, self.person_id)

    def seal(self, data: IdentityData) -> None:
        self.seal_bytes(data.to_bytes())

    def open(self) -> IdentityData:
        return IdentityData.from_bytes(self.open_bytes())


class BlindIndex(OrgScopedModel):
    """A keyed hash of one normalised identifying value, for exact-match search."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="blind_indexes")
    kind = models.CharField(max_length=20, choices=IndexKind.choices)
    digest = models.CharField(max_length=64)
    identifies_person = True
    audited = False  # derived from the identity, whose changes are audited

    class Meta:
        verbose_name = _("blind index")
        verbose_name_plural = _("blind indexes")
        indexes = [models.Index(fields=["organisation", "kind", "digest"], name="blind_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["person", "kind", "digest"], name="blind_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.person_id}"


class Consent(OrgScopedModel, TimeStampedModel):
    """A person's consent to one purpose: given on a date, in a way, in a language."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=30, choices=ConsentPurpose.choices)
    service = models.CharField(
        _("service"),
        max_length=200,
        blank=True,
        help_text=_("The named service, when the purpose is sharing with a service."),
    )
    given_on = models.DateField(_("given on"))
    method = models.CharField(_("how given"), max_length=20, choices=ConsentMethod.choices)
    language = models.CharField(_("language"), max_length=10)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    identifies_person = True

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
            models.CheckConstraint(
                condition=~Q(purpose="share_with_service") | ~Q(service=""),
                name="consent_names_the_service",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.given_on})"

    def in_force(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.given_on <= day and (self.withdrawn_on is None or self.withdrawn_on > day)
