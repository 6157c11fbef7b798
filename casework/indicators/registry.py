"""Every indicator, declared once: what it counts, over what, and how it may be broken down.

Dashboards, reports, exports and the API all read these declarations (DOMAIN.md, Indicators).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DISAGGREGATIONS = {
    "organisation": "organisation__slug",
    "country": "organisation__country",
    "project": "project__name",
    "detention_status": "detention_status",
    "gender": "person__gender",
}
COHORT_RULE = _(
    "Cohort: cases with intake in the period. Status at the end of the period; a case closed "
    "before then counts with its status at closure (closed while engaged counts as engaged)."
)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str | Promise
    definition: str | Promise
    numerator: str | Promise
    denominator: str | Promise
    unit: str = "%"
    disaggregations: tuple[str, ...] = tuple(DISAGGREGATIONS)
    time_rule: str | Promise = COHORT_RULE


CASES_ENROLLED = _("cases enrolled (intake in the period)")
REGISTRY: dict[str, Indicator] = {
    indicator.code: indicator
    for indicator in (
        Indicator(
            "engagement_rate",
            _("Engagement rate"),
            _("Share of enrolled people who stayed engaged with case management and procedures."),
            _("cases engaged at the end of the period or closed while engaged (resolved included)"),
            CASES_ENROLLED,
        ),
        Indicator(
            "disengagement_rate",
            _("Disengagement / absconding rate"),
            _("Share of enrolled people whose latest status is disengaged."),
            _("cases whose latest status is disengaged"),
            CASES_ENROLLED,
        ),
        Indicator(
            "removal_rate",
            _("Forced removal rate"),
            _("Share of enrolled people forcibly removed while enrolled."),
            _("cases removed while enrolled"),
            CASES_ENROLLED,
        ),
        Indicator(
            "resolution_rate",
            _("Case resolution rate"),
            _("Share of enrolled people who reached a temporary or permanent migration outcome."),
            _("cases closed with a resolution outcome by the end of the period"),
            CASES_ENROLLED,
        ),
    )
}
