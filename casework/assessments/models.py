"""Forms (XLSForm instruments), their versions, submissions on cases and the typed rows
that standard forms' answers become."""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from casework.assessments.choices import (
    NOT_ON_CASES,
    AssessmentKind,
    Level,
    NeedDomain,
    NeedLevel,
    OutcomeDimension,
    SubmissionStatus,
    Timepoint,
)
from casework.cases.choices import Vulnerability
from casework.core.access import Principal
from casework.core.fields import SealedJSONField
from casework.core.models import AuditedModel, OrgScopedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet
from casework.core.roles import Capability


def _forms_scope(queryset: AccessQuerySet, principal: Principal, prefix: str) -> AccessQuerySet:
    """Network-standard forms are visible to everyone; an organisation's own forms to its
    staff and to the network roles (a questionnaire is not personal data)."""
    if principal.is_organisation:
        return queryset.filter(
            Q(**{f"{prefix}organisation__isnull": True})
            | Q(**{f"{prefix}organisation_id": principal.organisation_id})
        )
    if principal.can(Capability.NETWORK_VIEW):
        return queryset
    return queryset.none()


class FormQuerySet(AccessQuerySet):
    def for_cases(self) -> Self:
        """The forms that are filled on a case (not the standard forms about the network)."""
        return self.exclude(organisation__isnull=True, form_id__in=NOT_ON_CASES)


class Form(AuditedModel, TimeStampedModel):
    """An instrument: a network-standard form (no organisation) or an organisation's own."""

    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forms",
        verbose_name=_("organisation"),
        help_text=_("Empty for the network's standard forms."),
    )
    form_id = models.CharField(_("form ID"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FormQuerySet.as_manager()

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("form")
        verbose_name_plural = _("forms")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "form_id"], name="form_unique_in_organisation"
            ),
            models.UniqueConstraint(
                fields=["form_id"],
                condition=Q(organisation__isnull=True),
                name="form_unique_in_network",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("assessments:form-detail", args=[self.pk])

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return _forms_scope(queryset, principal, "")

    @property
    def is_standard(self) -> bool:
        return self.organisation_id is None

    @property
    def on_cases(self) -> bool:
        """Whether it is filled on a case (not a standard form about the network)."""
        return not (self.is_standard and self.form_id in NOT_ON_CASES)

    def current_version(self) -> FormVersion | None:
        return self.versions.order_by("-number").first()


class FormVersion(AuditedModel):
    """One imported version of a form. Never changed: a new upload makes a new version, and
    every submission keeps the version it was filled with."""

    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    version = models.CharField(_("version"), max_length=60)
    definition = models.JSONField(_("definition"))
    languages = models.JSONField(_("languages"), default=list)
    default_language = models.CharField(_("default language"), max_length=60, blank=True)
    source_name = models.CharField(_("source file"), max_length=255)
    source = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = AccessQuerySet.as_manager()
    audit_exclude = frozenset({"uploaded_at", "source"})

    class Meta:
        ordering = ["form", "-number"]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="formversion_number"),
            models.UniqueConstraint(fields=["form", "version"], name="formversion_version"),
        ]

    def __str__(self) -> str:
        return f"{self.form} v{self.version}"

    @classmethod
    def scope_for(cls, queryset: AccessQuerySet, principal: Principal) -> AccessQuerySet:
        return _forms_scope(queryset, principal, "form__")


class Submission(OrgScopedModel, TimeStampedModel):
    """A form filled for a case, with the version it was filled with. A draft can be changed;
    a submitted form cannot (a correction is a new submission)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="submissions")
    form_version = models.ForeignKey(
        FormVersion, on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=SubmissionStatus.choices, default="draft"
    )
    answers = SealedJSONField(_("answers"), default=dict)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identifies_person = True

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        indexes = [models.Index(fields=["case", "status"], name="submission_case_status")]

    def __str__(self) -> str:
        return f"{self.form_version} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("assessments:submission", args=[self.case.code, self.uid])

    @property
    def is_draft(self) -> bool:
        return self.status == SubmissionStatus.DRAFT


class TypedRow(OrgScopedModel):
    """A row derived from a submitted standard form by its declared mapping."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="+")
    identifies_person = True

    class Meta:
        abstract = True

    def __str__(self) -> str:
        fields: Any = self._meta.concrete_fields
        return " ".join(str(getattr(self, f.attname)) for f in fields[4:])


class OutcomeRating(TypedRow):
    """One rating (0 none to 3 huge) of one outcome dimension on a date."""

    rated_on = models.DateField(_("date"))
    timepoint = models.CharField(_("timepoint"), max_length=20, choices=Timepoint.choices)
    dimension = models.CharField(_("dimension"), max_length=40, choices=OutcomeDimension.choices)
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["case", "dimension", "rated_on", "pk"]
        verbose_name = _("outcome rating")
        verbose_name_plural = _("outcome ratings")
        # First and latest rating of a case on one dimension: the indicators' lookups.
        indexes = [models.Index(fields=["case", "dimension", "rated_on"], name="rating_case_dim")]
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=3), name="rating_score_0_3"),
        ]


class Screening(TypedRow):
    """The result of a vulnerability screening."""

    screened_on = models.DateField(_("date"))
    risk_of_harm = models.CharField(_("risk of harm"), max_length=10, choices=Level.choices)
    intervention_level = models.CharField(
        _("intervention level"), max_length=10, choices=Level.choices
    )
    placement = models.CharField(_("placement recommendation"), max_length=40)

    class Meta:
        ordering = ["case", "-screened_on", "-pk"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")


class ScreeningFlag(TypedRow):
    """One vulnerability domain flagged by a screening."""

    screening = models.ForeignKey(Screening, on_delete=models.CASCADE, related_name="flags")
    domain = models.CharField(_("domain"), max_length=30, choices=Vulnerability.choices)

    class Meta:
        ordering = ["screening", "domain"]
        verbose_name = _("screening flag")
        verbose_name_plural = _("screening flags")


class NeedRating(TypedRow):
    """The need level of one domain in a holistic needs assessment."""

    assessed_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=AssessmentKind.choices)
    domain = models.CharField(_("domain"), max_length=30, choices=NeedDomain.choices)
    level = models.CharField(_("need level"), max_length=10, choices=NeedLevel.choices)

    class Meta:
        ordering = ["case", "-assessed_on", "domain"]
        verbose_name = _("need rating")
        verbose_name_plural = _("need ratings")
