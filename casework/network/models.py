"""Network building: the bodies the network works with or on (stakeholders), what it does
with them (activities), and the cities and countries it is expanding to (expansion).

None of this is about beneficiaries: no row here points to a person, a case or a household.
Professional contact people are personal data of their own, kept only with their consent and
removed when they withdraw it.

Who sees what (`scope_for`): the network's coordinators, organisation admins and evaluators
see every row (`network.building`); case managers and supervisors see the directory of allies
(members, partners, allies) in their organisation's country only (`network.directory`);
observers see network figures through releases only. Coordinators edit every row,
organisation admins the rows their organisation recorded (casework.network.services).

Two records are an organisation's own: how many people with lived experience of detention
took part in its case management in a year (`Involvement`, its admins only; the network
reads the figure in releases), and its answers to the network's feedback questionnaire
(`FeedbackResponse`, its admins and the network's coordinators and evaluators).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from casework.core.access import Principal
from casework.core.models import AuditedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.core.roles import Capability
from casework.network.choices import (
    ALLIES,
    ActivityKind,
    ApplicationStatus,
    Level,
    Level3,
    LivedExperience,
    PlaceKind,
    Relationship,
    RiskArea,
    RiskStatus,
    Stage,
    StakeholderKind,
    Stance,
)


def _recorded_by() -> models.ForeignKey:
    return models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
        help_text=_("The organisation that recorded it; empty: the network's coordinators."),
    )


def _building(queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
    """Every row for those who see network building; nothing for anyone else."""
    return queryset if principal.can(Capability.NETWORK_BUILDING) else queryset.none()


class Stakeholder(AuditedModel, TimeStampedModel):
    """A body that is not a beneficiary: an organisation, an authority, an agency."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = _recorded_by()
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=StakeholderKind.choices)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    relationship = models.CharField(
        _("relationship to the network"), max_length=20, choices=Relationship.choices
    )
    stance = models.CharField(
        _("stance on community-based solutions"),
        max_length=20,
        choices=Stance.choices,
        default=Stance.UNKNOWN,
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("what it does"), max_length=2000, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        indexes = [models.Index(fields=["country", "kind"], name="stakeholder_country_kind")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        if principal.can(Capability.NETWORK_BUILDING):
            return queryset
        if principal.can(Capability.NETWORK_DIRECTORY) and principal.is_organisation:
            from casework.accounts.models import Organisation

            country = Organisation.objects.filter(pk=principal.org_id).values("country")
            return queryset.filter(relationship__in=ALLIES, country__in=country)
        return queryset.none()


class StakeholderNote(AuditedModel, TimeStampedModel):
    """A dated note on a stakeholder: a meeting's gist, a change of stance."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField(_("date"))
    text = models.TextField(_("note"), max_length=2000)
    organisation = _recorded_by()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-created_at"]
        verbose_name = _("note on a stakeholder")
        verbose_name_plural = _("notes on stakeholders")


class Contact(AuditedModel, TimeStampedModel):
    """A professional contact person at a stakeholder, kept with their consent only."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role or title"), max_length=200, blank=True)
    email = models.EmailField(_("work email"), blank=True)
    phone = models.CharField(_("work phone"), max_length=40, blank=True)
    consented_on = models.DateField(
        _("agreed to be listed on"),
        help_text=_("The date they agreed to be in the network's directory."),
    )
    organisation = _recorded_by()

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """The contact people of the stakeholders the principal sees."""
        return queryset.filter(stakeholder__in=Stakeholder.objects.visible_to(principal))


class Activity(AuditedModel, TimeStampedModel):
    """Something the network did, or a stakeholder did that the network tracks."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = _recorded_by()
    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    on = models.DateField(_("date"))
    high_profile = models.BooleanField(_("high-profile event"), default=False)
    lived_experience = models.CharField(
        _("people with lived experience"),
        max_length=10,
        choices=LivedExperience.choices,
        blank=True,
        default=LivedExperience.NONE,
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        blank=True,
        help_text=_("For concept notes and funding applications."),
    )
    members = models.ManyToManyField(
        "accounts.Organisation",
        blank=True,
        related_name="network_activities",
        verbose_name=_("network members involved"),
    )
    stakeholders = models.ManyToManyField(
        Stakeholder, blank=True, related_name="activities", verbose_name=_("stakeholders")
    )
    outcome = models.TextField(_("outcome"), max_length=2000, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "title"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["kind", "on"], name="activity_kind_on")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return _building(queryset, principal)


class Expansion(AuditedModel, TimeStampedModel):
    """A city or a country the network means to bring a pilot to, and how far it got."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = _recorded_by()
    place_kind = models.CharField(
        _("a city or a country"), max_length=10, choices=PlaceKind.choices
    )
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    launched_on = models.DateField(
        _("pilot launched on"), null=True, blank=True, help_text=_("Set by the stage change.")
    )
    partners = models.ManyToManyField(
        Stakeholder, blank=True, related_name="expansions", verbose_name=_("partners")
    )
    note = models.TextField(_("why here"), max_length=2000, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["country", "city"]
        verbose_name = _("expansion")
        verbose_name_plural = _("expansion")
        constraints = [
            models.UniqueConstraint(fields=["country", "city"], name="expansion_once_per_place")
        ]

    def __str__(self) -> str:
        return f"{self.city}, {self.country.name}" if self.city else str(self.country.name)

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return _building(queryset, principal)


class ExpansionStep(AuditedModel, TimeStampedModel):
    """A dated step of an expansion: a change of stage, or a note."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    expansion = models.ForeignKey(Expansion, on_delete=models.CASCADE, related_name="steps")
    on = models.DateField(_("date"))
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    organisation = _recorded_by()
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-created_at"]
        verbose_name = _("step of an expansion")
        verbose_name_plural = _("steps of expansions")


class Risk(AuditedModel, TimeStampedModel):
    """A row of the network's risk register (the plan's table 4.4), reviewed at each
    six-month reflection."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    area = models.CharField(_("area of risk"), max_length=20, choices=RiskArea.choices)
    risk = models.TextField(_("risk"), max_length=2000)
    likelihood = models.CharField(
        _("likelihood"), max_length=10, choices=Level3.choices, blank=True
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Level3.choices, blank=True)
    mitigation = models.TextField(_("strategies for mitigation"), max_length=2000)
    owner = models.CharField(_("owner"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    reviewed_on = models.DateField(_("last reviewed"), null=True, blank=True)
    review_note = models.TextField(_("at the last review"), max_length=2000, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["area", "created_at"]
        verbose_name = _("risk")
        verbose_name_plural = _("risk register")

    def __str__(self) -> str:
        return self.risk[:60]

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return _building(queryset, principal)


class Term(AuditedModel, TimeStampedModel):
    """A term the network agreed on, with its definition and its translations."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    term = models.CharField(_("term"), max_length=100)
    definition = models.TextField(_("definition"), max_length=2000)
    # Language code → {"term": …, "definition": …}, as the network translated them.
    translations = models.JSONField(_("translations"), default=dict, blank=True)

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["term"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary")

    def __str__(self) -> str:
        return self.term

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """The network's shared words: everyone who works in it reads them."""
        return queryset if principal.role is not None else queryset.none()

    def in_language(self, language: str) -> tuple[str, str]:
        """The term and its definition in `language`, or in English where untranslated."""
        found = self.translations.get(language) or {}
        return found.get("term") or self.term, found.get("definition") or self.definition


class Involvement(AuditedModel, TimeStampedModel):
    """How many people with lived experience of detention were involved in an organisation's
    case management in a year (the MEL plan's indicator).

    A count only, never a flag on a staff record: that a named person was detained is a
    special-category fact the indicator does not need (data minimisation). Trainings with
    them and initiatives they lead are counted from activities; this counts people. The
    counts are small, so the network sees their sum only through a release, withheld like
    a case figure (casework.network.indicators)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    people = models.PositiveIntegerField(
        _("people with lived experience involved"),
        help_text=_(
            "People with lived experience of detention involved in the organisation's case "
            "management during the year (as staff, volunteers, peer mentors or advisers)."
        ),
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("How they were involved, in a few words. No names."),
    )

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("involvement of people with lived experience")
        verbose_name_plural = _("involvement of people with lived experience")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="involvement_once_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.people}"

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """An organisation's own rows, for its staff who see network building (its admins);
        nothing for anyone else: the network reads the figure in releases."""
        if principal.is_organisation and principal.can(Capability.NETWORK_BUILDING):
            return queryset.filter(organisation_id=principal.organisation_id)
        return queryset.none()


class FeedbackResponse(AuditedModel, TimeStampedModel):
    """An organisation's answers to the network's feedback questionnaire for one round (a
    year): how confident it is in the network's coordination, messages, shared evidence,
    influence and involvement of people with lived experience. About the network, never
    about a person."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(_("round (year)"))
    form_version = models.ForeignKey(
        "assessments.FormVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("form version"),
    )
    answers = models.JSONField(_("answers"), default=dict)
    score = models.DecimalField(
        _("confidence score"),
        max_digits=3,
        decimal_places=2,
        help_text=_("The mean of the confidence statements answered, from 1 to 5."),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_on = models.DateField(_("answered on"))

    objects = AccessQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "organisation__name"]
        verbose_name = _("feedback from a network member")
        verbose_name_plural = _("feedback from network members")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="feedback_once_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.score}"

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        """The network's coordinators and evaluators read every response; an organisation's
        admins their own organisation's; nobody else."""
        if not principal.can(Capability.NETWORK_BUILDING):
            return queryset.none()
        if principal.is_network:
            return queryset
        return queryset.filter(organisation_id=principal.organisation_id)
