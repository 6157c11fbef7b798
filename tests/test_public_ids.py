"""Rows numbered across the whole network (timeline and procedure events, submissions,
approvals, appointments, memberships) are named by a random uid wherever a name leaves the
database: in the API, in URLs, in the audit log and in exports. Their ids would tell a
caseworker how many the network holds. Routes are checked in test_permission_matrix.py."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from casework.assessments.exports import table
from casework.assessments.services import import_form, save_draft, submit
from casework.audit.models import AuditEntry
from casework.cases.models import Approval, TimelineEvent
from casework.cases.services import request_transition, transition
from casework.cases.tests.conftest import REFERRED, new_case
from casework.immigration.services import record_procedure_event, schedule_appointment
from casework.testing.personas import World

FORM = b"""
| survey |
|        | type | name | label |
|        | text | why  | Why?  |
"""


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def integer_ids(data: Any, path: str = "") -> list[str]:
    """Where `data` holds an integer under a name that says id (id, pk, x_id)."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            named_id = key in ("id", "pk") or key.endswith("_id")
            if named_id and isinstance(value, int) and not isinstance(value, bool):
                found.append(f"{path}.{key}")
            found += integer_ids(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += integer_ids(value, f"{path}[{i}]")
    return found


def test_events_in_the_api_are_named_by_their_uid(world: World) -> None:
    case = new_case(world)
    answer = client_for(world.amina).get(f"/api/v1/cases/{case.code}/events/").json()
    events = answer["results"]
    assert events and not integer_ids(answer)
    rows = {str(e.uid) for e in TimelineEvent.objects.filter(case=case)}
    assert {e["id"] for e in events} == rows
    assert all(uuid.UUID(e["id"]) for e in events)


def test_submissions_in_the_api_are_named_by_their_uid(world: World) -> None:
    case = new_case(world)
    submission = save_draft(case, import_form(FORM, "why.md"), {"why": "So"}, by=world.amina)
    api = client_for(world.amina)
    url = f"/api/v1/cases/{case.code}/submissions/"
    listed = api.get(url).json()
    assert [s["id"] for s in listed["results"]] == [str(submission.uid)]
    one = api.get(f"{url}{submission.uid}/").json()
    assert one["id"] == str(submission.uid)
    changed = api.patch(f"{url}{submission.uid}/", {"answers": {}}, format="json").json()
    for answer in (listed, one, changed):
        assert not integer_ids(answer), answer
    assert api.get(f"{url}{submission.pk}/").status_code == 404


def test_an_approval_waited_for_is_named_by_its_uid(world: World) -> None:
    world.alpha.closure_needs_approval = True
    world.alpha.save()
    case = new_case(world)
    response = client_for(world.amina).post(
        f"/api/v1/cases/{case.code}/close/", {"exit_reason": "withdrew"}, format="json"
    )
    assert response.status_code == 202
    approval = Approval.objects.get(case=case)
    assert response.json()["approval"] == str(approval.uid)
    assert not integer_ids(response.json())


def test_memberships_in_the_api_and_the_switcher_are_named_by_their_uid(
    world: World, client: Any
) -> None:
    me = client_for(world.mia).get("/api/v1/me/").json()
    mine = {str(m.uid) for m in world.mia.memberships.all()}
    assert {m["id"] for m in me["memberships"]} == mine
    # The organisations themselves keep their ids: the network's members are no secret.
    assert not integer_ids([{**m, "organisation": None} for m in me["memberships"]])
    client.force_login(world.mia)
    page = client.get(reverse("core:home")).content.decode()
    for uid in mine:
        assert f'value="{uid}"' in page


def test_the_audit_log_names_these_rows_by_their_uid(world: World) -> None:
    world.alpha.closure_needs_approval = True
    world.alpha.save()
    case = transition(new_case(world), "screening", on=REFERRED, intake_date=REFERRED)
    rows = [
        request_transition(case, "closed", on=REFERRED, exit_reason="withdrew", by=world.amina),
        schedule_appointment(case, "reporting", on=REFERRED),
        record_procedure_event(case, "application", on=REFERRED),
        submit(case, import_form(FORM, "why.md"), {"why": "Because"}, by=world.amina),
        TimelineEvent.objects.filter(case=case).first(),
        world.amina.memberships.get(),
    ]
    for row in rows:
        assert isinstance(row.uid, uuid.UUID)
        entries = AuditEntry.objects.filter(object_type=row._meta.label_lower)
        assert entries.filter(object_id=str(row.uid)).exists(), row._meta.label_lower
        assert not entries.filter(object_id=str(row.pk)).exists(), row._meta.label_lower


def test_the_submissions_export_names_each_by_its_uid(world: World) -> None:
    case = new_case(world)
    version = import_form(FORM, "why.md")
    submission = submit(case, version, {"why": "Because"}, by=world.amina)
    header, rows = table(version.form, [submission])
    assert header[0] == "submission" and rows[0][0] == str(submission.uid)
