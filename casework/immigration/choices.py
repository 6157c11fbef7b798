"""Enumerations of the immigration app, with the codes of DOMAIN.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureKind(models.TextChoices):
    APPLICATION = "application", _("Application")
    INTERVIEW = "interview", _("Interview")
    HEARING = "hearing", _("Hearing")
    DECISION_POSITIVE = "decision_positive", _("Positive decision")
    DECISION_NEGATIVE = "decision_negative", _("Negative decision")
    APPEAL = "appeal", _("Appeal")
    REPORTING_ATTENDED = "reporting_attended", _("Reporting attended")
    REPORTING_MISSED = "reporting_missed", _("Reporting missed")
    DETAINED = "detained", _("Detained")
    RELEASED = "released", _("Released")
    REMOVAL = "removal", _("Removal")


class InformationSource(models.TextChoices):
    PERSON = "person", _("The person")
    LAWYER = "lawyer", _("Lawyer")
    AUTHORITY = "authority", _("Authority document")
    STAFF = "staff", _("Staff observation")
    OTHER = "other", _("Other")


class PlaceType(models.TextChoices):
    DETENTION_CENTRE = "detention_centre", _("Immigration detention centre")
    POLICE_STATION = "police_station", _("Police station")
    PRISON = "prison", _("Prison")
    BORDER = "border", _("Border or transit zone")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class AppointmentKind(models.TextChoices):
    REPORTING = "reporting", _("Reporting to the authorities")
    INTERVIEW = "interview", _("Interview")
    HEARING = "hearing", _("Hearing")
    OTHER = "other", _("Other appointment")


class AppointmentOutcome(models.TextChoices):
    PENDING = "", _("Not yet")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")
