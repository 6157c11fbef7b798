"""The MEL plan's network-building indicators (table 4.3), counted from the network's records
for a period. They count places, documents, events and organisations (and the members'
confidence in the network, from their feedback), never people: a release publishes them as
they are (`casework.core.releases.Contribution.unprotected`), for each ended year and for
the current year to date.

One counts people: those with lived experience of detention involved in the members' case
management (`Involvement`). It is published for ended years only, protected like a case
figure: its atoms are the organisations' counts, each known to its own staff, so it is
withheld when fewer than k people are counted, or fewer than k once one organisation takes
its own away (casework.core.publication).
"""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import Avg, Count, Min, OuterRef, Q, Subquery

from casework.core.models import NETWORK
from casework.core.periods import parse_period
from casework.core.publication import Cell, Universe
from casework.core.releases import Contribution, Figure
from casework.network.choices import (
    APPROACHES,
    EVIDENCE_OF_ENGAGEMENT,
    EXPLORING,
    JOINT_WORK,
    ActivityKind,
    LivedExperience,
    PlaceKind,
)
from casework.network.models import (
    Activity,
    Expansion,
    ExpansionStep,
    FeedbackResponse,
    Involvement,
    Stakeholder,
)

# The registry (casework.indicators.registry) declares them for the dashboards; the
# counting is here.
CODES = [
    "new_pilot_cities",
    "new_pilot_countries",
    "places_exploring",
    "new_stakeholders_engaged",
    "concept_notes",
    "approaches",
    "joint_activities",
    "presentations",
    "high_profile_presentations",
    "members_presenting",
    "lived_experience_trainings",
    "lived_experience_initiatives",
    "network_feedback_score",
    "network_feedback_responses",
]
INVOLVED = "lived_experience_involved"  # people: protected, for ended years only
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


def _feedback(start: dt.date, end: dt.date) -> dict[str, float | None]:
    """The members who answered the feedback questionnaire for the years of the period, and
    their mean score (None, not 0, when nobody answered)."""
    found = FeedbackResponse.objects.filter(year__gte=start.year, year__lte=end.year).aggregate(
        n=Count("pk"), score=Avg("score")
    )
    score = found["score"]
    return {
        "network_feedback_score": None if score is None else round(float(score), 2),
        "network_feedback_responses": found["n"],
    }


def counts(start: dt.date, end: dt.date) -> dict[str, float | None]:
    """Each network-building indicator for [start, end] (a mean where nothing was answered:
    None)."""
    activities = Activity.objects.filter(on__gte=start, on__lte=end)
    by_kind = activities.aggregate(
        concept_notes=Count("pk", distinct=True, filter=Q(kind=ActivityKind.CONCEPT_NOTE)),
        approaches=Count("pk", distinct=True, filter=Q(kind__in=APPROACHES)),
        joint_activities=Count("pk", distinct=True, filter=Q(kind__in=JOINT_WORK)),
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
        **_feedback(start, end),
    }


def figures(period: str, start: dt.date, end: dt.date) -> list[Figure]:
    """The indicators as a release's network cells for `period` (a mean has no count)."""
    return [
        Figure(
            Cell((period, NETWORK, code, "", ""), "", frozenset()),
            n if isinstance(n, int) else None,
            None,
            n,
        )
        for code, n in counts(start, end).items()
    ]


def involvement(period: str) -> Contribution:
    """People with lived experience involved in the members' case management in the year
    `period`, over the organisations' counts as atoms (none recorded: no figure)."""
    rows = list(
        Involvement.objects.filter(year=int(period))
        .order_by("organisation__slug")
        .values_list("organisation__slug", "people")
    )
    if not rows:
        return Contribution()
    name = f"network:involvement:{period}"
    universe = Universe(
        name,
        units=tuple(people for _slug, people in rows),
        owners=tuple(frozenset({slug}) for slug, _people in rows),
    )
    n = sum(universe.units)
    cell = Cell((period, NETWORK, INVOLVED, "", ""), name, frozenset(range(len(rows))))
    return Contribution(universes={name: universe}, figures=[Figure(cell, n, None, n)])


class NetworkBuildingFigures:
    """The release contributor of the network app: the ended years with involvement
    recorded (otherwise the years the cases give), and the current year to date."""

    def periods(self, today: dt.date) -> list[str]:
        years = Involvement.objects.filter(year__lt=today.year).order_by("year")
        return [str(year) for year in years.values_list("year", flat=True).distinct()]

    def contribute(self, period: str, cutoff: dt.date) -> Contribution:
        start, end = parse_period(period)
        contribution = involvement(period) if re.fullmatch(r"\d{4}", period) else Contribution()
        contribution.unprotected = figures(period, start, end)
        return contribution

    def running(self, label: str, start: dt.date, end: dt.date) -> list[Figure]:
        return figures(label, start, end)
