from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.accounts.models import User
from casework.accounts.services import add_membership
from casework.cases.choices import EventKind, GoalStatus
from casework.cases.models import Case
from casework.cases.services import (
    CaseRuleError,
    add_goal,
    add_task,
    complete_task,
    reassign_cases,
    record_contact,
    set_goal_status,
)
from casework.cases.tests.conftest import new_case
from casework.testing.personas import World

TODAY = timezone.localdate()


def test_contacts_go_on_the_timeline_and_attended_ones_count_as_last_contact(case: Case) -> None:
    record_contact(
        case,
        on=TODAY - dt.timedelta(days=10),
        mode="in_person",
        interpreter_used=True,
        duration_minutes=45,
        note="Discussed the appeal",
    )
    record_contact(case, on=TODAY - dt.timedelta(days=2), mode="phone", attended=False)
    case.refresh_from_db()
    assert case.last_contact_on == TODAY - dt.timedelta(days=10)
    contacts = case.events.filter(kind=EventKind.CONTACT)
    assert [e.summary for e in contacts] == ["Phone contact, missed", "In person contact, attended"]
    assert all("appeal" not in e.summary for e in contacts)  # free text stays in the contact


def test_goals_and_tasks_are_planned_and_followed(case: Case, world: World) -> None:
    goal = add_goal(
        case,
        domain="housing",
        description="Find stable housing",
        target_date=TODAY + dt.timedelta(days=60),
    )
    set_goal_status(goal, GoalStatus.ACHIEVED)
    with pytest.raises(CaseRuleError):
        set_goal_status(goal, GoalStatus.ACHIEVED)
    task = add_task(case, title="Call the lawyer", due_on=TODAY, assignee=world.sam)
    complete_task(task)
    with pytest.raises(CaseRuleError, match="already done"):
        complete_task(task)
    kinds = [e.kind for e in case.events.order_by("pk")]
    assert kinds.count(EventKind.GOAL) == 2 and kinds.count(EventKind.TASK) == 2


def test_a_task_is_assigned_within_the_organisation_only(case: Case, world: World) -> None:
    with pytest.raises(CaseRuleError, match="organisation's staff"):
        add_task(case, title="x", due_on=TODAY, assignee=world.bilal)


def test_a_supervisor_reassigns_many_cases_at_once(world: World) -> None:
    cases = [new_case(world) for _ in range(120)]
    moved = reassign_cases(Case.objects.all(), world.sam, by=world.sam)
    assert moved == 120  # no cap at 100
    assert set(
        Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("case_manager", flat=True)
    ) == {world.sam.pk}
    assert Case.objects.get(pk=cases[0].pk).events.filter(kind=EventKind.ASSIGNMENT).count() == 1


def test_only_a_supervisor_reassigns_and_only_to_their_staff(world: World) -> None:
    new_case(world)
    new_case(world, "beta")
    with pytest.raises(CaseRuleError, match="Only a supervisor"):
        reassign_cases(Case.objects.all(), world.amina, by=world.amina)
    with pytest.raises(CaseRuleError, match="does not work in this organisation"):
        reassign_cases(Case.objects.all(), world.bilal, by=world.sam)
    outsider = User.objects.create(username="outsider")
    add_membership(outsider, "caseworker", world.alpha)
    assert reassign_cases(Case.objects.all(), outsider, by=world.sam) == 1  # Beta's case untouched


def test_consent_given_and_withdrawn_goes_on_the_timeline(case: Case, world: World) -> None:
    from casework.cases.services import end_consent, give_consent
    from casework.people.models import Person

    consent = give_consent(
        case,
        purpose="network_evidence",
        given_on=TODAY,
        method="written",
        language="fr",
        by=world.amina,
    )
    end_consent(case, consent, on=TODAY, by=world.amina)
    summaries = [e.summary for e in case.events.filter(kind=EventKind.CONSENT)]
    assert summaries == [
        "Consent withdrawn: Inclusion in pseudonymised network evidence",
        "Consent given: Inclusion in pseudonymised network evidence",
    ]
    assert not Person.objects.consented_to("network_evidence", on=TODAY).exists()
    other = new_case(world)
    with pytest.raises(CaseRuleError, match="someone else"):
        end_consent(other, consent, on=TODAY)
