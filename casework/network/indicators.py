"""The MEL plan's network-building indicators (table 4.3), counted from the network's records
for a period. They count places, documents, events and organisations, never people: a
release publishes them as they are (`casework.core.releases.Contribution.unprotected`),
for each ended year and for the current year to date.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, OuterRef, Q, Subquery

from casework.core.models import NETWORK
from casework.core.periods import parse_period
from casework.core.publication import Cell
from casework.core.releases import Contribution, Figure
from casework.network.choices import (
    EVIDENCE_OF_ENGAGEMENT,
    EXPLORING,
    ActivityKind,
    LivedExperience,
    PlaceKind,
)
from casework.network.models import Activity, Expansion, ExpansionStep, Stakeholder

# The registry (casework.indicators.registry) declares them for the dashboards; the
# counting is here.
CODES = [
    "new_pilot_cities",
    "new_pilot_countries",
    "places_exploring",
    "new_stakeholders_engaged",
    "concept_notes",
    "approaches",
    "presentations",
    "high_profile_presentations",
    "members_presenting",
    "lived_experience_trainings",
    "lived_experience_initiatives",
]
PRESENTING = (ActivityKind.PRESENTATION, ActivityKind.INVITATION_TO_SPEAK)


def _launched(kind: str, start: dt.date, end: dt.date) -> int:
    return Expansion.objects.filter(
        place_kind=kind, launched_on__gte=start, launched_on__lte=end
    ).count()


def _exploring(end: dt.date) -> int:
    """Places whose latest step by `end` is at an exploring stage (dialogue, partnership
    agreed, pilot launched)."""
    latest = ExpansionStep.objects.filter(expansion=OuterRef("pk"), on__lte=end).order_by(
        "-on", "-created_at"
    )
    return (
        Expansion.objects.annotate(stage_then=Subquery(latest.values("stage")[:1]))
        .filter(stage_then__in=EXPLORING)
        .count()
    )


def _new_stakeholders(start: dt.date, end: dt.date) -> int:
    """Stakeholders whose first statement, publication or presentation falls in the
    period: new voices for community-based solutions."""
    first = Stakeholder.objects.annotate(
        first=Min("activities__on", filter=Q(activities__kind__in=EVIDENCE_OF_ENGAGEMENT))
    )
    return first.filter(first__gte=start, first__lte=end).count()


def counts(start: dt.date, end: dt.date) -> dict[str, int]:
    """Each network-building indicator for [start, end]."""
    activities = Activity.objects.filter(on__gte=start, on__lte=end)
    by_kind = activities.aggregate(
        concept_notes=Count("pk", distinct=True, filter=Q(kind=ActivityKind.CONCEPT_NOTE)),
        approaches=Count("pk", distinct=True, filter=Q(kind=ActivityKind.APPROACH)),
        presentations=Count("pk", distinct=True, filter=Q(kind__in=PRESENTING)),
        high_profile_presentations=Count(
            "pk", distinct=True, filter=Q(kind__in=PRESENTING, high_profile=True)
        ),
        members_presenting=Count("members", filter=Q(kind__in=PRESENTING), distinct=True),
        lived_experience_trainings=Count(
            "pk",
            distinct=True,
            filter=Q(kind=ActivityKind.TRAINING) & ~Q(lived_experience=LivedExperience.NONE),
        ),
        lived_experience_initiatives=Count(
            "pk",
            distinct=True,
            filter=Q(kind=ActivityKind.INITIATIVE, lived_experience=LivedExperience.BY),
        ),
    )
    return {
        "new_pilot_cities": _launched(PlaceKind.CITY, start, end),
        "new_pilot_countries": _launched(PlaceKind.COUNTRY, start, end),
        "places_exploring": _exploring(end),
        "new_stakeholders_engaged": _new_stakeholders(start, end),
        **by_kind,
    }


def figures(period: str, start: dt.date, end: dt.date) -> list[Figure]:
    """The indicators as a release's network cells for `period`."""
    return [
        Figure(Cell((period, NETWORK, code, "", ""), "", frozenset()), n, None, n)
        for code, n in counts(start, end).items()
    ]


class NetworkBuildingFigures:
    """The release contributor of the network app: no periods of its own (the years the
    cases give), and the current year to date."""

    def periods(self, today: dt.date) -> list[str]:
        return []

    def contribute(self, period: str, cutoff: dt.date) -> Contribution:
        start, end = parse_period(period)
        return Contribution(unprotected=figures(period, start, end))

    def running(self, label: str, start: dt.date, end: dt.date) -> list[Figure]:
        return figures(label, start, end)
