"""Enumerations of the assessments app, with the codes of DOMAIN.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# Standard forms that network members answer about the network, never on a case: the library
# holds them, a case does not offer them (casework.network answers the feedback form).
NETWORK_FEEDBACK_FORM = "casework_network_feedback"
NOT_ON_CASES = frozenset({NETWORK_FEEDBACK_FORM})


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class OutcomeDimension(models.TextChoices):
    INFORMED_DECISION_MAKING = "informed_decision_making", _("Informed decision-making")
    ENGAGEMENT_WITH_PROCEDURES = "engagement_with_procedures", _("Engagement with procedures")
    WELLBEING = "wellbeing", _("Wellbeing")
    BASIC_NEEDS = "basic_needs", _("Basic needs")


class Timepoint(models.TextChoices):
    INTAKE = "intake", _("Intake")
    FOLLOW_UP = "follow_up", _("Follow-up")
    EXIT = "exit", _("Exit")


class Level(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class NeedLevel(models.TextChoices):
    NONE = "none", _("None")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("Initial")
    REVIEW = "review", _("Review")


class NeedDomain(models.TextChoices):
    LEGAL = "legal", _("Legal")
    DOCUMENTATION = "documentation", _("Documentation")
    HEALTH = "health", _("Health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    HOUSING = "housing", _("Housing")
    BASIC_NEEDS = "basic_needs", _("Basic needs")
    FAMILY = "family", _("Family")
    SOCIAL_SUPPORT = "social_support", _("Social support")
    EDUCATION_WORK = "education_work", _("Education and work")
