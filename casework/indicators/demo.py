"""The demo network's MEL plan: a network target for every computed indicator of the plan
and every network-building indicator (baseline two years ago, midline last year, endline
this year, the target over the plan's two years), the evaluations' findings where nothing
computes an indicator, and a six-month reflection held today on the latest release.

Baselines are plausible for seven small pilots before the plan; the targets are the plan's
own where it names one (one new country, two new cities in two years, beneficiaries +10-20%).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from casework.accounts.models import User
from casework.core import releases
from casework.core.models import NETWORK
from casework.indicators.choices import ReflectionKind
from casework.indicators.models import PlanIndicator, Reflection, Target
from casework.indicators.registry import REGISTRY
from casework.indicators.services import record_reflection, save_plan_indicator, set_target

# Network-building indicators: (baseline, target over the plan's two years). Counts of
# events and documents start from none at the plan's start; the places exploring a pilot,
# the members presenting, the people involved and the members' confidence are levels.
BUILDING: dict[str, tuple[Decimal | int, Decimal | int]] = {
    "new_pilot_cities": (0, 2),
    "new_pilot_countries": (0, 1),
    "places_exploring": (0, 6),
    "new_stakeholders_engaged": (0, 8),
    "concept_notes": (0, 4),
    "approaches": (0, 6),
    "joint_activities": (0, 20),
    "presentations": (0, 8),
    "high_profile_presentations": (0, 3),
    "members_presenting": (1, 5),
    "lived_experience_involved": (8, 15),
    "lived_experience_trainings": (0, 4),
    "lived_experience_initiatives": (0, 2),
    "network_feedback_score": (Decimal("3.2"), 4),
    "network_feedback_responses": (5, 7),
}
# What the evaluations found where nothing computes the indicator (by its wording's start).
FINDINGS = {
    "New groups": {
        "baseline": "Families and people at risk of detention only",
        "midline": "Two pilots also take people released from detention",
        "target": "People leaving detention and adults without specific vulnerabilities",
    },
    "Development of a shared database": {
        "baseline": "Each pilot keeps its own spreadsheets; no shared data",
        "midline": "Seven pilots record their cases in Casework with four standard forms",
        "target": "Every pilot in one shared database, with the network's standard forms",
    },
}
REFLECTION = {
    "relevance": (
        "The plan still fits the context: the EU Pact raises the risk of detention at the "
        "borders, which makes community-based case management more relevant, not less."
    ),
    "progress": (
        "Antwerp has launched its pilot and Ghent has agreed a partnership; concept notes and "
        "approaches to authorities are ahead of plan. Trainings with people with lived "
        "experience are behind."
    ),
    "adaptations": "Move one training with people with lived experience into the next six months.",
    "lessons": "City partnerships move faster where a migrant-led organisation is involved early.",
    "recommendations": "Ask each pilot for its involvement figures before the next release.",
}


def _served(year: int) -> Decimal | None:
    """The network's people served in `year`, as its release published it."""
    release = releases.covering(str(year))
    if release is None:
        return None
    cell = release.figures.filter(
        period=str(year), scope=NETWORK, table="beneficiaries", breakdown=""
    ).first()
    return None if cell is None or cell.value is None else Decimal(str(cell.value))


@transaction.atomic
def create_demo_plan(today: dt.date | None = None) -> tuple[int, int]:
    """Targets, findings and a reflection, once (nothing when the network has targets)."""
    today = today or timezone.localdate()
    coordinator = User.objects.filter(username="coordinator").first()
    if coordinator is None or Target.objects.filter(organisation__isnull=True).exists():
        return 0, 0
    year = today.year
    periods = {
        "baseline_period": str(year - 2),
        "midline_period": str(year - 1),
        "endline_period": str(year),
    }
    plan = f"{year - 1}-01-01..{year}-12-31"
    set_count = 0
    for code, (baseline, target) in BUILDING.items():
        if code not in REGISTRY:
            continue
        set_target(
            coordinator,
            code,
            baseline_value=Decimal(baseline),
            target_value=Decimal(target),
            target_period=plan,
            **periods,
        )
        set_count += 1
    # Figures about cases: whole years, as releases publish them.
    served = _served(year - 2) or Decimal(400)
    # The plan's growth of 10-20%, over the larger of the baseline and last year.
    grown = max(served, _served(year - 1) or served) * Decimal("1.15")
    cases: list[tuple[str, Decimal, Decimal]] = [
        ("beneficiaries", served, grown.quantize(Decimal(1))),
        ("new_groups", Decimal(0), Decimal(20)),
        ("sustainable_pilots", Decimal(1), Decimal(4)),
    ]
    for code, baseline_value, target_value in cases:
        set_target(
            coordinator,
            code,
            baseline_value=baseline_value,
            target_value=target_value,
            target_period=str(year),
            note="The plan's growth: 15% above the larger of the baseline and last year."
            if code == "beneficiaries"
            else "",
            **periods,
        )
        set_count += 1
    for row in PlanIndicator.objects.filter(indicator=""):
        for start, found in FINDINGS.items():
            if row.wording.startswith(start):
                save_plan_indicator(coordinator, row, **found)
    reflections = 0
    if not Reflection.objects.exists():
        record_reflection(coordinator, held_on=today, kind=ReflectionKind.REFLECTION, **REFLECTION)
        reflections = 1
    return set_count, reflections
