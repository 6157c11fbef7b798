"""Enumerations of the cases app, with the codes of DOMAIN.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    REFERRAL = "referral", _("Referral")
    SCREENING = "screening", _("Screening")
    ASSESSMENT = "assessment", _("Assessment")
    CASE_PLANNING = "case_planning", _("Case planning")
    ACTIVE = "active", _("Active")
    REVIEW = "review", _("Review")
    CLOSED = "closed", _("Closed")


OPEN_STAGES = [s for s in Stage if s != Stage.CLOSED]

# Forward one step at a time; active and review loop; any open stage may close;
# a closed case reopens into the stage it was closed from (see services.reopen_case).
TRANSITIONS: dict[str, set[str]] = {
    Stage.REFERRAL: {Stage.SCREENING, Stage.CLOSED},
    Stage.SCREENING: {Stage.ASSESSMENT, Stage.CLOSED},
    Stage.ASSESSMENT: {Stage.CASE_PLANNING, Stage.CLOSED},
    Stage.CASE_PLANNING: {Stage.ACTIVE, Stage.CLOSED},
    Stage.ACTIVE: {Stage.REVIEW, Stage.CLOSED},
    Stage.REVIEW: {Stage.ACTIVE, Stage.CLOSED},
    Stage.CLOSED: set(),
}


class ReferralSource(models.TextChoices):
    AUTHORITY = "authority", _("Authority")
    NGO = "ngo", _("NGO")
    LAWYER = "lawyer", _("Lawyer")
    SELF = "self", _("Self-referral")
    DETENTION_VISIT = "detention_visit", _("Detention visit")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")
    NOT_COLLECTED = "not_collected", _("Not collected")


class DetentionStatus(models.TextChoices):
    DETAINED = "detained", _("Detained")
    RELEASED = "released_from_detention", _("Released from detention")
    AT_RISK = "at_risk", _("At risk of detention")
    UNKNOWN = "unknown", _("Unknown")
    NOT_COLLECTED = "not_collected", _("Not collected")


class ImmigrationStatus(models.TextChoices):
    ASYLUM_PENDING = "asylum_pending", _("Asylum claim pending")
    ASYLUM_REFUSED = "asylum_refused", _("Asylum claim refused")
    RETURN_ORDER = "return_order", _("Return order")
    DUBLIN = "dublin", _("Dublin procedure")
    NO_STATUS = "no_status", _("No status")
    STATELESSNESS_PROCEDURE = "statelessness_procedure", _("Statelessness procedure")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")
    DECLINED = "declined", _("Declined to say")
    NOT_COLLECTED = "not_collected", _("Not collected")


class Vulnerability(models.TextChoices):
    CHILD = "child", _("Child")
    SOGI_GBV = "sogi_gbv", _("Sex, gender, SOGI or gender-based violence")
    PHYSICAL_ILLNESS = "physical_illness", _("Physical illness")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    DISABILITY = "disability", _("Disability")
    OLDER_AGE = "older_age", _("Older age")
    PREGNANCY = "pregnancy", _("Pregnancy")
    ASYLUM = "asylum", _("Protection need: asylum")
    TORTURE_TRAUMA = "torture_trauma", _("Survivor of torture or trauma")
    TRAFFICKING = "trafficking", _("Trafficking")
    STATELESSNESS = "statelessness", _("Statelessness")
    OTHER = "other", _("Other")


class ExitReason(models.TextChoices):
    RESOLVED = "resolved", _("Case resolved")
    DISENGAGED = "disengaged", _("Disengaged")
    REMOVED = "removed", _("Forcibly removed")
    TRANSFERRED = "transferred", _("Transferred")
    PROJECT_ENDED = "project_ended", _("Project ended")
    WITHDREW = "withdrew", _("Withdrew")
    DECEASED = "deceased", _("Deceased")


class OutcomeType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent migration outcome")
    TEMPORARY = "temporary", _("Temporary migration outcome")
    DEPARTURE = "departure", _("Departure")


class Resolution(models.TextChoices):
    REFUGEE_STATUS = "refugee_status", _("Refugee status")
    SUBSIDIARY_PROTECTION = "subsidiary_protection", _("Subsidiary protection")
    PERMANENT_RESIDENCE = "permanent_residence", _("Permanent residence")
    STATELESSNESS_STATUS = "statelessness_status", _("Statelessness status")
    HUMANITARIAN_PERMIT = "humanitarian_permit", _("Humanitarian permit")
    TOLERATED_STAY = "tolerated_stay", _("Tolerated stay or postponed removal")
    WORK_PERMIT = "work_permit", _("Work permit")
    STUDY_PERMIT = "study_permit", _("Study permit")
    FAMILY_PERMIT = "family_permit", _("Family permit")
    ASSISTED_RETURN = "assisted_voluntary_return", _("Assisted voluntary return")
    INDEPENDENT_RETURN = "independent_voluntary_return", _("Independent voluntary return")
    THIRD_COUNTRY = "third_country_move", _("Lawful move to a third country")
    FAMILY_REUNIFICATION = "family_reunification", _("Family reunification")
    RESETTLEMENT = "resettlement", _("Resettlement")


R = Resolution
OUTCOME_TYPE: dict[str, str] = {
    **dict.fromkeys(
        [R.REFUGEE_STATUS, R.SUBSIDIARY_PROTECTION, R.PERMANENT_RESIDENCE, R.STATELESSNESS_STATUS],
        OutcomeType.PERMANENT,
    ),
    **dict.fromkeys(
        [R.HUMANITARIAN_PERMIT, R.TOLERATED_STAY, R.WORK_PERMIT, R.STUDY_PERMIT, R.FAMILY_PERMIT],
        OutcomeType.TEMPORARY,
    ),
    **dict.fromkeys(
        [
            R.ASSISTED_RETURN,
            R.INDEPENDENT_RETURN,
            R.THIRD_COUNTRY,
            R.FAMILY_REUNIFICATION,
            R.RESETTLEMENT,
        ],
        OutcomeType.DEPARTURE,
    ),
}


class Engagement(models.TextChoices):
    ENGAGED = "engaged", _("Engaged")
    DISENGAGED = "disengaged", _("Disengaged")
    DETAINED = "detained", _("Detained")
    REMOVED = "removed", _("Removed")
    DECEASED = "deceased", _("Deceased")


# Exit reasons that say what the person's engagement became.
EXIT_ENGAGEMENT: dict[str, Engagement] = {
    ExitReason.DISENGAGED: Engagement.DISENGAGED,
    ExitReason.REMOVED: Engagement.REMOVED,
    ExitReason.DECEASED: Engagement.DECEASED,
}


class EventKind(models.TextChoices):
    STAGE = "stage", _("Stage change")
    ENGAGEMENT = "engagement", _("Engagement change")
    CONTACT = "contact", _("Contact")
    GOAL = "goal", _("Case-plan goal")
    TASK = "task", _("Task")
    ASSIGNMENT = "assignment", _("Case manager change")
    APPROVAL = "approval", _("Supervision")
    DOCUMENT = "document", _("Document")
    CONSENT = "consent", _("Consent")
    # Written by the apps below cases, through cases.services.add_event:
    PROCEDURE = "procedure", _("Procedure event")
    LEGAL_STATUS = "legal_status", _("Legal status")
    DETENTION = "detention", _("Detention")
    REFERRAL = "referral", _("Referral to a service")
    SUBMISSION = "submission", _("Form")


class ApprovalKind(models.TextChoices):
    PLAN = "plan", _("Case plan")
    CLOSURE = "closure", _("Closure")


class ApprovalStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DocumentKind(models.TextChoices):
    DECISION = "decision", _("Decision letter")
    IDENTITY = "identity", _("Identity document")
    MEDICAL = "medical", _("Medical note")
    LEGAL = "legal", _("Legal document")
    OTHER = "other", _("Other")


class ContactMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")


class GoalDomain(models.TextChoices):
    LEGAL = "legal", _("Legal")
    DOCUMENTATION = "documentation", _("Documentation")
    HEALTH = "health", _("Health")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    HOUSING = "housing", _("Housing")
    BASIC_NEEDS = "basic_needs", _("Basic needs")
    FAMILY = "family", _("Family")
    SOCIAL_SUPPORT = "social_support", _("Social support")
    EDUCATION_WORK = "education_work", _("Education and work")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")
