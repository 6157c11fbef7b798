"""Unit costs, savings and the projection, against figures worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from casework.accounts.models import Project
from casework.cases.models import Case
from casework.cases.services import close_case, open_case, transition
from casework.finance.costs import Projection, unit_costs
from casework.finance.models import Amount
from casework.finance.services import record_amount
from casework.people.identity import IdentityData
from casework.people.services import create_household, register_person
from casework.testing.personas import World


def enrol(world: World, on: dt.date, members: int = 1, closed: dt.date | None = None) -> Case:
    household = create_household(world.alpha) if members > 1 else None
    people = [
        register_person(world.alpha, IdentityData(given_names=f"P{i}"), household=household)
        for i in range(members)
    ]
    case = open_case(
        world.alpha_project,
        people[0],
        referral_date=on,
        referral_source="ngo",
        detention_status="released_from_detention",
        immigration_status="return_order",
        household=household,
    )
    case = transition(case, "screening", on=on, intake_date=on)
    if closed:
        case = close_case(case, exit_reason="withdrew", on=closed)
    return case


def line(world: World, **fields: Any) -> Amount:
    defaults = {
        "project": world.alpha_project,
        "kind": "spent",
        "period": "2025",
        "category": "staff",
        "amount": "3650",
        "source": "foundation",
    }
    return record_amount(world.sam, **{**defaults, **fields})


@pytest.fixture
def pilot(world: World) -> World:
    """Alpha (Belgium) in 2025: one person enrolled all year, and a family of three for ten
    days in July; €3,650 of staff for the year and 1,000 BGN of transport in the third
    quarter at €0.50 a lev."""
    enrol(world, dt.date(2025, 1, 1))
    enrol(world, dt.date(2025, 7, 1), members=3, closed=dt.date(2025, 7, 10))
    line(world)
    line(
        world,
        period="2025-Q3",
        category="transport",
        amount="1000",
        currency="BGN",
        rate="0.5",
        rate_on=dt.date(2025, 7, 1),
    )
    return world


def costs(world: World, start: dt.date, end: dt.date):
    return unit_costs(
        Case.objects.all(),
        Amount.objects.all(),
        Project.objects.filter(pk=world.alpha_project.pk),
        start,
        end,
    )[0]


def test_a_year_of_a_small_pilot_worked_out_by_hand(pilot: World) -> None:
    # Case-days: 365 (all year) + 10 (1 to 10 July) = 375.
    # Person-days: 365 x 1 + 10 x 3 = 395.
    # Spending: 3,650 + 1,000 x 0.50 = €4,150.
    # Per person per day: 4,150 ÷ 395 = 10.5063 → €10.51.
    # Per case per month: 4,150 x 30.4375 ÷ 375 = 126,315.625 ÷ 375 = 336.842 → €336.84.
    # Saving at Belgium's €180: 180 x 395 - 4,150 = 71,100 - 4,150 = €66,950.
    # Share saved: 1 - 10.5063 ÷ 180 = 0.9416 → 94.2%.
    row = costs(pilot, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (row.case_days, row.person_days, row.spending) == (375, 395, Decimal("4150.00"))
    assert row.per_person_day == Decimal("10.51")
    assert row.per_case_month == Decimal("336.84")
    assert row.comparator is not None and row.comparator.per_day == Decimal("180.00")
    assert row.saving() == Decimal("66950.00")
    assert row.share_saved == Decimal("0.942")
    assert (row.months_covered, row.months, row.complete) == (12, 12, True)


def test_a_quarter_takes_its_share_of_an_annual_line(pilot: World) -> None:
    # Q3 2025 has 92 days. Staff: 3,650 x 92 ÷ 365 = €920; transport €500: €1,420.
    # Case-days: 92 + 10 = 102; person-days: 92 + 30 = 122; 1,420 ÷ 122 = 11.639 → €11.64.
    row = costs(pilot, dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert (row.spending, row.case_days, row.person_days) == (Decimal("1420.00"), 102, 122)
    assert row.per_person_day == Decimal("11.64")


def test_months_without_spending_show_as_incomplete(world: World) -> None:
    enrol(world, dt.date(2025, 1, 1))
    line(world, period="2025-Q1")
    row = costs(world, dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert (row.months_covered, row.months, row.complete) == (3, 12, False)


def test_the_scaling_plan_projection() -> None:
    """400 cases a year growing 15% at €140 a case-month: 60 more cases, €100,800 a year."""
    plan = Projection(400, Decimal("0.15"), Decimal("140"), Decimal("180"))
    assert plan.additional_cases == Decimal("60.0")
    assert plan.additional_annual_cost == Decimal("100800.00")
    # The same 60 case-years in detention: 60 x 12 x 30.4375 x 180 = €3,944,700.
    assert plan.detention_cost_avoided == Decimal("3944700.00")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": "-5"}, "amount", "never negative"),
        ({"currency": "BGN"}, "rate", "what one unit was worth in euros"),
        ({"period": "2099"}, "period", "once the period has begun"),
        ({"period": "2025-01-01..2025-02-01"}, "period", "a year (2025), a quarter"),
        ({"period": "2025-Q1"}, "period", "overlaps"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    world: World, fields: dict, field: str, message: str
) -> None:
    line(world)
    with pytest.raises(ValidationError) as refused:
        line(world, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert Amount.objects.count() == 1


def test_only_the_projects_own_organisation_may_enter_amounts(world: World) -> None:
    with pytest.raises(PermissionDenied):
        record_amount(
            world.beth,
            project=world.alpha_project,
            kind="spent",
            period="2025",
            category="staff",
            amount="1",
            source="other",
        )
    with pytest.raises(PermissionDenied):  # a case manager does not keep the books
        record_amount(
            world.amina,
            project=world.alpha_project,
            kind="spent",
            period="2025",
            category="staff",
            amount="1",
            source="other",
        )
