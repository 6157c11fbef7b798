"""Behaviour found missing in review: each test names what it protects."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from casework.audit.models import Action, AuditEntry
from casework.cases.models import Case
from casework.cases.services import (
    CaseRuleError,
    add_goal,
    close_case,
    reassign_cases,
    set_vulnerabilities,
    transition,
)
from casework.cases.tests.conftest import REFERRED, new_case
from casework.testing.personas import World


def test_filtering_the_timeline_opens_no_identity(case: Case, world: World, client: Any) -> None:
    client.force_login(world.amina)
    client.get(
        case.get_absolute_url(),
        {"kind": "stage"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="timeline",
    )
    assert not AuditEntry.objects.filter(action=Action.READ, object_type="people.identity").exists()
    assert AuditEntry.objects.filter(action=Action.READ, object_type="cases.case").exists()


def test_a_reassignment_makes_an_older_edit_form_stale(case: Case, world: World) -> None:
    opened_at = case.version
    reassign_cases(Case.objects.filter(pk=case.pk), world.sam, by=world.sam)
    assert Case.objects.get(pk=case.pk).version == opened_at + 1


def test_a_change_of_vulnerabilities_is_audited(case: Case) -> None:
    set_vulnerabilities(case, ["trafficking"])
    entry = AuditEntry.objects.filter(object_type="cases.case", object_id=case.code).first()
    assert entry is not None
    assert (entry.action, entry.changed_fields) == (Action.UPDATE, ["vulnerabilities"])
    before = AuditEntry.objects.count()
    set_vulnerabilities(case, ["trafficking"])  # no change, no entry
    assert AuditEntry.objects.count() == before


def test_nothing_is_planned_on_a_closed_case(case: Case) -> None:
    case = transition(case, "screening", on=REFERRED, intake_date=REFERRED)
    close_case(case, exit_reason="withdrew", on=REFERRED + dt.timedelta(days=1))
    with pytest.raises(CaseRuleError, match="closed"):
        add_goal(Case.objects.get(pk=case.pk), domain="legal", description="x")


def test_reading_a_case_through_the_api_is_audited(world: World) -> None:
    case = new_case(world)
    api = APIClient()
    api.force_authenticate(world.amina)
    api.get(f"/api/v1/cases/{case.code}/")
    entry = AuditEntry.objects.get(action=Action.READ)
    assert (entry.object_type, entry.object_id, entry.actor) == (
        "cases.case",
        case.code,
        "amina",
    )
