from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.cases.choices import ApprovalStatus, EventKind, Stage
from casework.cases.models import Approval, Case
from casework.cases.services import (
    CaseRuleError,
    at_risk,
    decide_approval,
    record_contact,
    request_transition,
    transition,
)
from casework.cases.tests.conftest import REFERRED, new_case
from casework.testing.personas import World

INTAKE = REFERRED + dt.timedelta(days=1)


def to_planning(case: Case) -> Case:
    case = transition(case, Stage.SCREENING, on=INTAKE, intake_date=INTAKE)
    case = transition(case, Stage.ASSESSMENT, on=INTAKE)
    return transition(case, Stage.CASE_PLANNING, on=INTAKE)


@pytest.fixture
def strict(world: World) -> World:
    world.alpha.plan_needs_approval = True
    world.alpha.closure_needs_approval = True
    world.alpha.save()
    return world


def test_without_the_setting_a_caseworker_changes_stage_directly(world: World) -> None:
    case = to_planning(new_case(world))
    result = request_transition(case, Stage.ACTIVE, on=INTAKE, by=world.amina)
    assert isinstance(result, Case) and result.stage == Stage.ACTIVE


def test_a_plan_waits_for_a_supervisor_who_approves_it(strict: World) -> None:
    case = to_planning(new_case(strict))
    approval = request_transition(case, Stage.ACTIVE, on=INTAKE, by=strict.amina)
    assert isinstance(approval, Approval) and approval.status == ApprovalStatus.PENDING
    case.refresh_from_db()
    assert case.stage == Stage.CASE_PLANNING
    with pytest.raises(CaseRuleError, match="already waiting"):
        request_transition(case, Stage.ACTIVE, on=INTAKE, by=strict.amina)
    with pytest.raises(CaseRuleError, match="Only a supervisor"):
        decide_approval(approval, approve=True, by=strict.amina)
    with pytest.raises(CaseRuleError, match="Only a supervisor"):
        decide_approval(approval, approve=True, by=strict.beth)
    decide_approval(approval, approve=True, comment="Good plan", by=strict.sam)
    case.refresh_from_db()
    assert case.stage == Stage.ACTIVE
    summaries = [e.summary for e in case.events.filter(kind=EventKind.APPROVAL)]
    assert summaries == ["Case plan approved", "Case plan sent for approval"]
    event = case.events.filter(kind=EventKind.APPROVAL).first()
    assert event is not None and "comment" not in event.data  # sealed with the approval only
    assert case.approvals.get().comment == "Good plan"


def test_a_rejected_closure_needs_a_reason_and_changes_nothing(strict: World) -> None:
    case = to_planning(new_case(strict))
    case = transition(case, Stage.ACTIVE, on=INTAKE, by=strict.sam)  # a supervisor's own move
    approval = request_transition(
        case, Stage.CLOSED, on=INTAKE, exit_reason="withdrew", by=strict.amina
    )
    with pytest.raises(CaseRuleError, match="Say why"):
        decide_approval(approval, approve=False, by=strict.sam)
    decide_approval(approval, approve=False, comment="Talk to them first", by=strict.sam)
    case.refresh_from_db()
    assert case.stage == Stage.ACTIVE
    approval.refresh_from_db()
    assert (approval.status, approval.comment) == (ApprovalStatus.REJECTED, "Talk to them first")


def test_a_request_that_breaks_a_rule_is_refused_at_once(strict: World) -> None:
    case = to_planning(new_case(strict))
    case = transition(case, Stage.ACTIVE, on=INTAKE, by=strict.sam)
    with pytest.raises(CaseRuleError, match="needs its resolution outcome"):
        request_transition(case, Stage.CLOSED, on=INTAKE, exit_reason="resolved", by=strict.amina)
    assert not Approval.objects.exists()
    case.refresh_from_db()
    assert (
        case.stage == Stage.ACTIVE
        and not case.engagement_periods.filter(ended_on__isnull=False).exists()
    )


def test_cases_without_contact_for_the_alert_period_are_at_risk(world: World) -> None:
    today = timezone.localdate()
    quiet = new_case(world, referral_date=today - dt.timedelta(days=100))
    quiet = transition(
        quiet,
        Stage.SCREENING,
        on=today - dt.timedelta(days=90),
        intake_date=today - dt.timedelta(days=90),
    )
    recent = new_case(world, referral_date=today - dt.timedelta(days=100))
    recent = transition(
        recent,
        Stage.SCREENING,
        on=today - dt.timedelta(days=90),
        intake_date=today - dt.timedelta(days=90),
    )
    record_contact(recent, on=today - dt.timedelta(days=5), mode="phone")
    missed = new_case(world, referral_date=today - dt.timedelta(days=100))
    missed = transition(
        missed,
        Stage.SCREENING,
        on=today - dt.timedelta(days=90),
        intake_date=today - dt.timedelta(days=90),
    )
    record_contact(missed, on=today - dt.timedelta(days=5), mode="phone", attended=False)
    assert set(at_risk(Case.objects.all(), world.alpha)) == {quiet, missed}
    world.alpha.disengagement_alert_days = 120
    assert not at_risk(Case.objects.all(), world.alpha).exists()
