"""The network app's vocabularies (the implementation plan's tables 4.1 and 4.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.assessments.choices import NETWORK_FEEDBACK_FORM


class StakeholderKind(models.TextChoices):
    CSO = "cso", _("Civil society organisation")
    MIGRANT_LED = "migrant_led", _("Migrant-led organisation")
    CITY = "city", _("City or municipality")
    NATIONAL_AUTHORITY = "national_authority", _("National authority or ministry")
    UN_AGENCY = "un_agency", _("UN agency")
    COUNCIL_OF_EUROPE = "council_of_europe", _("Council of Europe")
    ODIHR = "odihr", _("OSCE/ODIHR")
    EU_INSTITUTION = "eu_institution", _("EU institution")
    OMBUDSPERSON = "ombudsperson", _("Ombudsperson or human-rights body")
    ACADEMIA = "academia", _("Academia")
    LEGAL = "legal", _("Legal profession")
    HEALTH = "health", _("Health")
    MEDIA = "media", _("Media")
    FUNDER = "funder", _("Funder")
    FAITH = "faith", _("Faith-based group")
    PRIVATE = "private", _("Private sector")


class Level(models.TextChoices):
    LOCAL = "local", _("Local")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional (European)")
    INTERNATIONAL = "international", _("International")


class Relationship(models.TextChoices):
    MEMBER = "member", _("Member of the network")
    PARTNER = "partner", _("Partner")
    ALLY = "ally", _("Ally")
    ADVOCACY_TARGET = "advocacy_target", _("Target of advocacy")
    FUNDER = "funder", _("Funder")


# What a case manager's directory shows: the bodies that work with the network.
ALLIES = (Relationship.MEMBER, Relationship.PARTNER, Relationship.ALLY)


class Stance(models.TextChoices):
    SUPPORTIVE = "supportive", _("Supportive")
    OPEN = "open", _("Open")
    NEUTRAL = "neutral", _("Neutral")
    SCEPTICAL = "sceptical", _("Sceptical")
    OPPOSED = "opposed", _("Opposed")
    UNKNOWN = "unknown", _("Not known")


class ActivityKind(models.TextChoices):
    """Each kind counts into an indicator of the MEL plan (table 4.3)."""

    MEETING = "meeting", _("Meeting")
    APPROACH = "approach", _("Approach to an authority or a funder")
    ADVOCACY_EVENT = "advocacy_event", _("Advocacy event")
    PRESENTATION = "presentation", _("Presentation")
    INVITATION_TO_SPEAK = "invitation_to_speak", _("Invitation to speak")
    TRAINING = "training", _("Training")
    CONCEPT_NOTE = "concept_note", _("Concept note")
    FUNDING_APPLICATION = "funding_application", _("Funding application")
    CAMPAIGN = "campaign", _("Campaign")
    STATEMENT = "statement", _("Statement or policy by a stakeholder")
    PUBLICATION = "publication", _("Publication or article")
    JOINT_PROJECT = "joint_project", _("Joint project")
    INITIATIVE = "initiative", _("Initiative")


# Kinds that count as approaching an authority or a funder (the MEL plan's "CSOs approaching
# government, local authorities or other potential funders").
APPROACHES = (ActivityKind.APPROACH, ActivityKind.FUNDING_APPLICATION)
# Kinds that strengthen the network by working together (outcome 5 of the MEL plan): every kind
# that no other indicator counts, and trainings and initiatives whoever leads them.
JOINT_WORK = (
    ActivityKind.MEETING,
    ActivityKind.ADVOCACY_EVENT,
    ActivityKind.CAMPAIGN,
    ActivityKind.JOINT_PROJECT,
    ActivityKind.TRAINING,
    ActivityKind.INITIATIVE,
)
# Kinds whose status and outcome are tracked (drafted, submitted, granted, refused).
APPLICATIONS = (ActivityKind.CONCEPT_NOTE, ActivityKind.FUNDING_APPLICATION)
# Kinds by which a stakeholder shows that it works on or talks about community-based
# solutions (the MEL plan's "new stakeholders ... as evidenced through statements, policies,
# advocacy plans, presentations, articles").
EVIDENCE_OF_ENGAGEMENT = (
    ActivityKind.STATEMENT,
    ActivityKind.PUBLICATION,
    ActivityKind.PRESENTATION,
)


class ApplicationStatus(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    SUBMITTED = "submitted", _("Submitted")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LivedExperience(models.TextChoices):
    NONE = "", _("No")
    WITH = "with", _("With people with lived experience of detention")
    BY = "by", _("Led by people with lived experience of detention")


class PlaceKind(models.TextChoices):
    CITY = "city", _("City")
    COUNTRY = "country", _("Country")


class Stage(models.TextChoices):
    SCOPING = "scoping", _("Scoping")
    DIALOGUE = "dialogue", _("Dialogue")
    PARTNERSHIP_AGREED = "partnership_agreed", _("Partnership agreed")
    PILOT_LAUNCHED = "pilot_launched", _("Pilot launched")
    PAUSED = "paused", _("Paused")


# Stages in which a place is being explored or has a pilot (MEL: "CSOs/governments/cities
# exploring or implementing pilot projects in target countries").
EXPLORING = (Stage.DIALOGUE, Stage.PARTNERSHIP_AGREED, Stage.PILOT_LAUNCHED)


class RiskArea(models.TextChoices):
    """The areas of the implementation plan's risk matrix (table 4.4)."""

    GOAL = "goal", _("The goal of the implementation plan")
    NETWORK_BUILDING = "network_building", _("Network building")
    CAMPAIGNING = "campaigning", _("Campaigning")
    ADVOCACY = "advocacy", _("Advocacy")
    GROUNDING = "grounding", _("Grounding of the implementation plan")
    OTHER = "other", _("Other")


class Level3(models.TextChoices):
    """Likelihood and impact of a risk."""

    UNASSESSED = "", _("Not assessed yet")
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MITIGATED = "mitigated", _("Mitigated")
    MATERIALISED = "materialised", _("Materialised")
    CLOSED = "closed", _("Closed")


# The network's feedback questionnaire (the MEL plan's "feedback from network members"): a
# standard form of the library (scripts/build-standard-forms); its question names are a
# contract. Each confidence statement (1 strongly disagree to 5 strongly agree), with what
# it is about as the feedback page heads it; a response's score is the mean of those
# answered.
FEEDBACK_FORM = NETWORK_FEEDBACK_FORM
CONFIDENCE_LABELS = {
    "confidence_coordination": _("Coordination"),
    "confidence_messaging": _("Learning and messages"),
    "confidence_evidence": _("Shared database and forms"),
    "confidence_influence": _("Work with authorities"),
    "confidence_lived_experience": _("Lived experience"),
}
CONFIDENCE = tuple(CONFIDENCE_LABELS)
