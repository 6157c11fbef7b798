"""Rights of the data subject: subject access (JSON and PDF) and erasure, by the org admin."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from casework.assessments.choices import OutcomeDimension
from casework.assessments.models import Form, OutcomeRating, Submission
from casework.assessments.services import load_standard, submit
from casework.audit.models import Action, AuditEntry
from casework.cases.models import Case, Contact, Document, Goal, Task
from casework.cases.services import (
    add_goal,
    add_task,
    attach_document,
    record_contact,
    transition,
)
from casework.cases.tests.conftest import new_case
from casework.people.identity import IdentityData
from casework.people.models import BlindIndex
from casework.people.services import ErasedError, erase_person, find_people, read_identity
from casework.referrals.models import Referral, ReferralStep
from casework.referrals.services import refer_case, update_referral
from casework.testing.personas import World

ON = dt.date(2025, 3, 1)
NOTE = "Afraid of her husband"


@pytest.fixture
def held(world: World) -> Case:
    """A person with a bit of everything: identity, note, goal, task, form, document,
    referral."""
    case = new_case(world, referral_date=ON)
    case = transition(case, "screening", on=ON, intake_date=ON)
    record_contact(case, on=ON, mode="in_person", note=NOTE, by=world.amina)
    add_goal(case, domain="housing", description="A flat near the school")
    add_task(case, title="Call the shelter", due_on=ON)
    load_standard()
    version = Form.objects.get(form_id="casework_outcome_ratings").current_version()
    assert version is not None
    answers = {"rating_date": ON.isoformat(), "timepoint": "intake"}
    answers |= {d.value: "2" for d in OutcomeDimension}
    submit(case, version, answers, by=world.amina)
    scan = SimpleUploadedFile("passport-scan.pdf", b"%PDF-1.4 passport", "application/pdf")
    attach_document(case, scan, kind="identity", by=world.amina)
    referral = refer_case(
        case, by=world.amina, provider="Clinic", service_type="medical", reason="Chest pain"
    )
    update_referral(
        referral, by=world.amina, status="completed", note="Seen by a doctor", outcome="Treated"
    )
    return case


def test_the_admin_downloads_everything_held_as_json_and_pdf(
    held: Case, world: World, client: Client
) -> None:
    read_identity(held.person, world.amina)  # a read the export must show
    client.force_login(world.olga)
    page = client.get(reverse("people:rights", args=[held.person.code])).content.decode()
    assert "Download as PDF" in page and "Erase this person" in page
    url = reverse("people:subject-access", args=[held.person.code, "json"])
    response = client.get(url)
    assert response["Content-Disposition"].endswith('.json"')
    report = json.loads(response.content)
    sections = {s["key"]: s["records"] for s in report["sections"]}
    assert sections["identity"][0]["family_name"] == "Person"
    assert sections["contacts"][0]["note"] == NOTE
    assert sections["goals"][0]["goal"] == "A flat near the school"
    assert sections["tasks"][0]["task"] == "Call the shelter"
    assert sections["submissions"][0]["answers"]["timepoint"] == "intake"
    assert sections["documents"][0]["document"] == "passport-scan.pdf"
    assert sections["cases"][0]["case"] == held.code
    referral = sections["referrals"][0]
    assert (referral["provider"], referral["why"], referral["outcome"]) == (
        "Clinic",
        "Chest pain",
        "Treated",
    )
    assert [(s["status"], s["note"]) for s in referral["steps"]] == [
        ("Sent", ""),
        ("Completed", "Seen by a doctor"),
    ]
    readers = {(e["who"], e["what"]) for e in sections["access_log"]}
    assert ("amina", "Read") in readers
    pdf = client.get(reverse("people:subject-access", args=[held.person.code, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    exports = AuditEntry.objects.filter(action=Action.EXPORT, object_type="people.person")
    assert exports.count() == 2 and all(e.actor == "olga" for e in exports)


def test_only_the_organisations_admin_exercises_rights(
    held: Case, world: World, client: Client
) -> None:
    code = held.person.code
    urls = [
        reverse("people:rights", args=[code]),
        reverse("people:subject-access", args=[code, "json"]),
        reverse("people:erase", args=[code]),
    ]
    for user, status in ((world.amina, 403), (world.sam, 403), (world.boris, 404)):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [status] * 3
    client.force_login(world.olga)
    assert client.get(reverse("people:subject-access", args=[code, "xml"])).status_code == 404


def test_erasure_keeps_only_coded_data_and_is_audited_without_values(
    held: Case, world: World, client: Client
) -> None:
    person = held.person
    client.force_login(world.olga)
    url = reverse("people:erase", args=[person.code])
    assert "cannot be undone" in client.get(url).content.decode()
    wrong = client.post(url, {"confirm": "NOT-THE-CODE"})
    assert "not this person" in wrong.content.decode()
    assert read_identity(person, world.olga).family_name == "Person"  # nothing erased yet
    done = client.post(url, {"confirm": person.code.lower()}, follow=True)
    assert "is erased" in done.content.decode()
    person.refresh_from_db()
    assert person.erased_at is not None
    assert read_identity(person, world.olga) == IdentityData()
    assert not BlindIndex.objects.filter(person=person).exists()
    assert not find_people(world.olga, name="Test Person").exists()
    assert [c.note for c in Contact.objects.filter(case=held)] == [""]
    assert [g.description for g in Goal.objects.filter(case=held)] == [""]
    assert [t.title for t in Task.objects.filter(case=held)] == [""]
    assert [s.answers for s in Submission.objects.filter(case=held)] == [{}]
    assert not Document.objects.filter(person=person).exists()
    referral = Referral.objects.get(case=held)
    assert (referral.reason, referral.outcome, referral.status) == ("", "", "completed")
    steps = ReferralStep.objects.filter(referral=referral)
    assert [(s.status, s.note) for s in steps] == [("sent", ""), ("completed", "")]
    # What the statistics count stays: the case, its stage and dates, the coded ratings.
    assert Case.objects.get(pk=held.pk).intake_date == ON
    assert OutcomeRating.objects.filter(case=held).count() == len(OutcomeDimension)
    entry = AuditEntry.objects.get(action=Action.ERASED)
    assert entry.actor == "olga" and person.code in entry.subject
    assert "Person" not in json.dumps(entry.changed_fields)
    with pytest.raises(ErasedError):
        erase_person(person, world.olga)
    edit = client.get(reverse("people:person-update", args=[person.code]), follow=True)
    assert "was erased" in edit.content.decode()
    after = client.get(reverse("people:subject-access", args=[person.code, "json"]))
    sections = {s["key"]: s["records"] for s in json.loads(after.content)["sections"]}
    assert sections["identity"] == [] and sections["contacts"][0]["note"] == ""
