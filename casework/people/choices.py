"""Enumerations of the people app, with the codes of DOMAIN.md.

Every coded field also allows `unknown`, `declined` and `not_collected`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries import countries

MISSING = [
    ("unknown", _("Unknown")),
    ("declined", _("Declined to say")),
    ("not_collected", _("Not collected")),
]


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Another gender")
    UNKNOWN = "unknown", _("Unknown")
    DECLINED = "declined", _("Declined to say")
    NOT_COLLECTED = "not_collected", _("Not collected")


class AgeBand(models.TextChoices):
    CHILD = "0-17", _("Under 18")
    YOUNG = "18-24", _("18 to 24")
    ADULT = "25-34", _("25 to 34")
    MIDDLE = "35-49", _("35 to 49")
    OLDER = "50-64", _("50 to 64")
    SENIOR = "65+", _("65 and over")
    UNKNOWN = "unknown", _("Unknown")


STATELESS = "stateless"


def nationality_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries, stateless, and the three missing-data codes."""
    return [(STATELESS, _("Stateless")), *MISSING, *((c.code, c.name) for c in countries)]


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    PARTNER = "partner", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    OTHER = "other", _("Not related")
    UNKNOWN = "unknown", _("Unknown")


class ConsentPurpose(models.TextChoices):
    CASE_MANAGEMENT = "case_management", _("Case management")
    SHARE_WITH_SERVICE = "share_with_service", _("Sharing with a named service")
    TRANSFER = "transfer", _("Transfer of the case to another organisation")
    NETWORK_EVIDENCE = "network_evidence", _("Inclusion in pseudonymised network evidence")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Written, signed")
    VERBAL = "verbal", _("Verbal, recorded by staff")
    DIGITAL = "digital", _("Digital")


class IndexKind(models.TextChoices):
    NAME = "name", _("Name or alias")
    DATE_OF_BIRTH = "dob", _("Date of birth")
    NAME_DOB = "name_dob", _("Name and date of birth")
    FILE_NUMBER = "file_number", _("File number")
    PHONETIC_YEAR = "phonetic_year", _("Name sound and birth year")
