from __future__ import annotations

import datetime as dt

import pytest

from casework.audit.models import Action, AuditEntry
from casework.cases.choices import Engagement, EventKind, Stage
from casework.cases.models import Case, EngagementPeriod, TimelineEvent
from casework.cases.services import (
    CaseRuleError,
    close_case,
    record_engagement,
    reopen_case,
    transition,
)
from casework.cases.tests.conftest import REFERRED, new_case
from casework.core.conflicts import StaleVersionError
from casework.testing.personas import World

INTAKE = REFERRED + dt.timedelta(days=3)


def day(n: int) -> dt.date:
    return INTAKE + dt.timedelta(days=n)


def walk_to_active(case: Case) -> Case:
    case = transition(case, Stage.SCREENING, on=day(0), intake_date=INTAKE)
    for n, stage in enumerate([Stage.ASSESSMENT, Stage.CASE_PLANNING, Stage.ACTIVE], start=1):
        case = transition(case, stage, on=day(n))
    return case


def test_a_case_moves_forward_through_the_cap_stages(case: Case) -> None:
    case = walk_to_active(case)
    case = transition(case, Stage.REVIEW, on=day(30))
    case = transition(case, Stage.ACTIVE, on=day(31))
    stages = [e.data["to"] for e in case.events.filter(kind=EventKind.STAGE).order_by("pk")]
    assert stages == [
        "referral",
        "screening",
        "assessment",
        "case_planning",
        "active",
        "review",
        "active",
    ]
    assert case.intake_date == INTAKE
    assert case.engagement_on(INTAKE) == Engagement.ENGAGED
    assert case.engagement_on(REFERRED) is None


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (Stage.REFERRAL, Stage.ASSESSMENT),  # skipping a step
        (Stage.REFERRAL, Stage.ACTIVE),
        (Stage.ACTIVE, Stage.SCREENING),  # going back
        (Stage.ACTIVE, Stage.ACTIVE),
    ],
)
def test_an_invalid_transition_is_refused_and_nothing_changes(
    case: Case, start: str, to: str
) -> None:
    if start == Stage.ACTIVE:
        case = walk_to_active(case)
    before = (TimelineEvent.objects.count(), EngagementPeriod.objects.count(), case.version)
    with pytest.raises(CaseRuleError, match="cannot move from"):
        transition(case, to, on=day(10))
    case.refresh_from_db()
    assert case.stage == start
    assert (TimelineEvent.objects.count(), EngagementPeriod.objects.count(), case.version) == before


def test_screening_needs_an_intake_date(case: Case) -> None:
    with pytest.raises(CaseRuleError, match="intake date"):
        transition(case, Stage.SCREENING, on=day(0))
    with pytest.raises(CaseRuleError, match="intake date"):
        transition(case, Stage.SCREENING, on=day(0), intake_date=REFERRED - dt.timedelta(days=1))
    case.refresh_from_db()
    assert (case.stage, case.intake_date) == (Stage.REFERRAL, None)


def test_a_stage_change_cannot_be_dated_in_the_future_or_before_the_stage(case: Case) -> None:
    with pytest.raises(CaseRuleError, match="future"):
        transition(case, Stage.SCREENING, on=dt.date(2999, 1, 1), intake_date=INTAKE)
    with pytest.raises(CaseRuleError, match="before the case entered"):
        transition(case, Stage.SCREENING, on=REFERRED - dt.timedelta(days=1), intake_date=INTAKE)


def test_closing_needs_an_exit_reason_and_resolved_needs_an_outcome(case: Case) -> None:
    case = walk_to_active(case)
    for kwargs, message in [
        ({"exit_reason": ""}, "needs an exit reason"),
        ({"exit_reason": "resolved"}, "needs its resolution outcome"),
        ({"exit_reason": "resolved", "resolution": "nonsense"}, "needs its resolution outcome"),
        ({"exit_reason": "withdrew", "resolution": "refugee_status"}, "Only a resolved case"),
    ]:
        with pytest.raises(CaseRuleError, match=message):
            close_case(case, on=day(40), **kwargs)
    case.refresh_from_db()
    assert case.stage == Stage.ACTIVE and case.closed_on is None


def test_a_resolved_case_closes_while_engaged(case: Case, world: World) -> None:
    case = walk_to_active(case)
    case = close_case(
        case, exit_reason="resolved", resolution="humanitarian_permit", on=day(90), by=world.amina
    )
    assert (case.stage, case.closed_on, case.outcome_type) == (Stage.CLOSED, day(90), "temporary")
    periods = list(case.engagement_periods.values_list("status", "started_on", "ended_on"))
    assert periods == [(Engagement.ENGAGED, INTAKE, day(90))]
    event = case.events.first()
    assert event is not None
    assert event.summary == "Closed: Case resolved (Humanitarian permit)"
    assert event.recorded_by == world.amina
    audit = AuditEntry.objects.filter(
        object_type="cases.case", object_id=case.code, action=Action.UPDATE
    )
    assert any("exit_reason" in entry.changed_fields for entry in audit)


def test_closing_as_removed_records_the_removal_in_the_engagement(case: Case) -> None:
    case = walk_to_active(case)
    close_case(case, exit_reason="removed", on=day(50))
    periods = list(case.engagement_periods.values_list("status", "started_on", "ended_on"))
    assert periods == [
        (Engagement.ENGAGED, INTAKE, day(50)),
        (Engagement.REMOVED, day(50), day(50)),
    ]


def test_engagement_is_a_series_of_periods(case: Case) -> None:
    case = walk_to_active(case)
    record_engagement(case, Engagement.DISENGAGED, on=day(20))
    record_engagement(case, Engagement.ENGAGED, on=day(35))
    assert case.engagement_on(day(19)) == Engagement.ENGAGED
    assert case.engagement_on(day(20)) == Engagement.DISENGAGED
    assert case.engagement_on(day(34)) == Engagement.DISENGAGED
    assert case.engagement_on(day(35)) == Engagement.ENGAGED
    with pytest.raises(CaseRuleError, match="already Engaged"):
        record_engagement(case, Engagement.ENGAGED, on=day(36))
    with pytest.raises(CaseRuleError, match="before the current engagement status"):
        record_engagement(case, Engagement.DETAINED, on=day(30))
    first_disengaged = (
        EngagementPeriod.objects.filter(case=case, status="disengaged")
        .order_by("started_on")
        .first()
    )
    assert first_disengaged is not None
    assert (first_disengaged.started_on - case.intake_date).days == 20


def test_a_closed_case_reopens_into_its_stage_and_keeps_its_history(case: Case) -> None:
    case = walk_to_active(case)
    close_case(case, exit_reason="withdrew", on=day(60))
    case = reopen_case(case, on=day(70))
    assert (case.stage, case.closed_on, case.exit_reason) == (Stage.ACTIVE, None, "")
    assert case.engagement_on(day(65)) is None
    assert case.engagement_on(day(70)) == Engagement.ENGAGED
    summaries = [e.summary for e in case.events.filter(kind=EventKind.STAGE)[:2]]
    assert summaries == ["Reopened (Active)", "Closed: Withdrew"]
    with pytest.raises(CaseRuleError, match="Only a closed case"):
        reopen_case(case, on=day(71))


def test_a_stale_version_is_refused(case: Case) -> None:
    opened_at = case.version
    transition(case, Stage.SCREENING, on=day(0), intake_date=INTAKE)
    with pytest.raises(StaleVersionError):
        transition(case, Stage.ASSESSMENT, on=day(1), expected_version=opened_at)


def test_the_timeline_is_append_only(case: Case) -> None:
    event = case.events.first()
    assert event is not None
    event.summary = "rewritten"
    with pytest.raises(RuntimeError):
        event.save()


def test_cases_are_private_to_their_organisation(world: World) -> None:
    mine = new_case(world)
    theirs = new_case(world, "beta")
    assert list(Case.objects.visible_to(world.amina)) == [mine]
    assert list(Case.objects.visible_to(world.bilal)) == [theirs]
    for network_user in (world.nora, world.eva, world.otto):
        assert not Case.objects.visible_to(network_user).exists()
        assert not TimelineEvent.objects.visible_to(network_user).exists()
