"""Cases (enrolments) through the CAP lifecycle, their timeline, engagement, contacts and plan."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.cases.choices import (
    OUTCOME_TYPE,
    ApprovalKind,
    ApprovalStatus,
    ContactMode,
    DetentionStatus,
    DocumentKind,
    Engagement,
    EventKind,
    ExitReason,
    GoalDomain,
    GoalStatus,
    ImmigrationStatus,
    ReferralSource,
    Resolution,
    Stage,
    Vulnerability,
)
from casework.core.fields import SealedTextField
from casework.core.models import OrgScopedModel, SealedModel, TimeStampedModel
from casework.core.querysets import AccessQuerySet


class CaseQuerySet(AccessQuerySet):
    def open(self) -> Self:
        return self.exclude(stage=Stage.CLOSED)


CaseManager = models.Manager.from_queryset(CaseQuerySet)


class Case(OrgScopedModel, TimeStampedModel):
    """One person (or household) enrolled in one project, followed by a case manager."""

    code = models.CharField(_("case code"), max_length=20, unique=True)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="cases", verbose_name=_("person")
    )
    household = models.ForeignKey(
        "people.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("household"),
    )
    project = models.ForeignKey(
        "accounts.Project",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("project"),
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("case manager"),
    )
    referral_date = models.DateField(_("referral date"))
    referral_source = models.CharField(
        _("referred by"), max_length=20, choices=ReferralSource.choices
    )
    intake_date = models.DateField(_("intake date"), null=True, blank=True)
    detention_status = models.CharField(
        _("detention status at referral"), max_length=30, choices=DetentionStatus.choices
    )
    immigration_status = models.CharField(
        _("immigration status at intake"), max_length=30, choices=ImmigrationStatus.choices
    )
    legal_representation = models.BooleanField(_("has a lawyer"), null=True, blank=True)
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage.choices, default=Stage.REFERRAL
    )
    stage_since = models.DateField(_("in this stage since"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    exit_reason = models.CharField(
        _("exit reason"), max_length=20, choices=ExitReason.choices, blank=True
    )
    resolution = models.CharField(
        _("resolution outcome"), max_length=40, choices=Resolution.choices, blank=True
    )
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    identifies_person = True

    objects: ClassVar[CaseManager[Case]] = CaseManager()

    class Meta:
        ordering = ["-referral_date", "code"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["organisation", "stage"], name="case_org_stage"),
            models.Index(fields=["organisation", "case_manager"], name="case_org_manager"),
            models.Index(fields=["organisation", "intake_date"], name="case_org_intake"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(stage=Stage.CLOSED, closed_on__isnull=False) & ~Q(exit_reason="")
                    | ~Q(stage=Stage.CLOSED) & Q(closed_on__isnull=True, exit_reason="")
                ),
                name="case_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(exit_reason=ExitReason.RESOLVED, resolution__gt="")
                | ~Q(exit_reason=ExitReason.RESOLVED) & Q(resolution=""),
                name="case_resolution_iff_resolved",
            ),
            models.CheckConstraint(
                condition=Q(intake_date__isnull=True)
                | Q(intake_date__gte=models.F("referral_date")),
                name="case_intake_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:case-detail", args=[self.code])

    @property
    def is_closed(self) -> bool:
        return self.stage == Stage.CLOSED

    @property
    def outcome_type(self) -> str:
        return OUTCOME_TYPE.get(self.resolution, "")

    def engagement_on(self, day: dt.date) -> str | None:
        period = self.engagement_periods.covering(day).first()
        return period.status if period else None


class CaseVulnerability(OrgScopedModel):
    """One vulnerability group a case belongs to (a row each, so it can be counted)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="vulnerabilities")
    flag = models.CharField(max_length=30, choices=Vulnerability.choices)
    identifies_person = True

    class Meta:
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        constraints = [models.UniqueConstraint(fields=["case", "flag"], name="case_flag_unique")]

    def __str__(self) -> str:
        return self.get_flag_display()


class PeriodQuerySet(AccessQuerySet):
    def covering(self, day: dt.date) -> Self:
        """Periods in force on `day`: from `started_on` up to, not including, `ended_on`."""
        return self.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )


PeriodManager = models.Manager.from_queryset(PeriodQuerySet)


class EngagementPeriod(OrgScopedModel):
    """From when to when a person was engaged, disengaged, detained… (no overlaps, no gaps)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="engagement_periods")
    status = models.CharField(_("status"), max_length=20, choices=Engagement.choices)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    identifies_person = True

    objects: ClassVar[PeriodManager[EngagementPeriod]] = PeriodManager()

    class Meta:
        ordering = ["case", "started_on", "pk"]
        verbose_name = _("engagement period")
        verbose_name_plural = _("engagement periods")
        indexes = [
            models.Index(fields=["organisation", "status", "started_on"], name="period_org_status")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_on__isnull=True), name="one_open_period"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} from {self.started_on} to {self.ended_on or 'now'}"


class TimelineEvent(OrgScopedModel):
    """One dated thing that happened on a case. Append-only: corrections are new events.

    `summary` is built from codes, never from free text, so a timeline can be shown without
    opening notes; `source_type`/`source_id` point at the typed record (a contact, a goal, a
    procedure event in another app) that holds the details.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(_("summary"), max_length=300)
    data = models.JSONField(default=dict, blank=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.BigIntegerField(null=True, blank=True)
    identifies_person = True

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        indexes = [models.Index(fields=["case", "-occurred_on"], name="event_case_date")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise RuntimeError("Timeline events are append-only; record a new event instead.")
        super().save(*args, **kwargs)  # type: ignore[unreachable]  # stubs type pk as int; it is None until saved


class Contact(OrgScopedModel, TimeStampedModel):
    """A planned or held meeting or call with the person."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="contacts")
    occurred_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=20, choices=ContactMode.choices)
    attended = models.BooleanField(_("attended"), default=True)
    interpreter_used = models.BooleanField(_("interpreter used"), default=False)
    duration_minutes = models.PositiveSmallIntegerField(_("minutes"), null=True, blank=True)
    note = SealedTextField(_("note"), blank=True, max_length=2000)
    identifies_person = True

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.get_mode_display()} {self.occurred_on}"


class Goal(OrgScopedModel, TimeStampedModel):
    """One goal of the case plan, in one domain of need."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    domain = models.CharField(_("domain"), max_length=20, choices=GoalDomain.choices)
    description = SealedTextField(_("goal"), max_length=300, multiline=False)
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    identifies_person = True

    class Meta:
        ordering = ["status", "target_date", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.get_domain_display()


class Task(OrgScopedModel, TimeStampedModel):
    """A reminder for someone on the team: due on a date, done or not."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = SealedTextField(_("task"), max_length=200, multiline=False)
    due_on = models.DateField(_("due"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_tasks",
        verbose_name=_("assigned to"),
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    identifies_person = True

    class Meta:
        ordering = ["done_on", "due_on", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["organisation", "assignee", "due_on"], name="task_due")]

    def __str__(self) -> str:
        return self.title


class Approval(OrgScopedModel, TimeStampedModel):
    """A case plan or a closure waiting for, or decided by, a supervisor."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("for"), max_length=10, choices=ApprovalKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ApprovalStatus.choices, default=ApprovalStatus.PENDING
    )
    request = models.JSONField(default=dict, help_text=_("The stage change asked for."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    comment = SealedTextField(_("comment"), blank=True, max_length=2000)
    identifies_person = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status="pending"),
                name="one_pending_approval_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class Document(OrgScopedModel, SealedModel, TimeStampedModel):
    """A file about a person, and about one of their cases unless it concerns the person as
    such (an identity paper shows on all their cases). Its name is sealed here, its content in
    DocumentContent, so a list of documents never decrypts their contents."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="documents")
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="documents", null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    identifies_person = True

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    def associated_data(self) -> bytes:
        return f"cases.document:{self.organisation_id}:{self.person_id}:{self.uid}".encode()

    @property
    def filename(self) -> str:
        return self.open_bytes().decode()


class DocumentContent(OrgScopedModel, SealedModel):
    """The encrypted bytes of one document."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="content")
    identifies_person = True
    audited = False  # the document row is audited; its bytes are the same record
    rotation_batch = 5  # up to 20 MB each

    class Meta:
        verbose_name = _("document content")
        verbose_name_plural = _("document contents")

    def __str__(self) -> str:
        return f"content of {self.document_id}"

    def associated_data(self) -> bytes:
        return f"cases.documentcontent:{self.organisation_id}:{self.document_id}".encode()
