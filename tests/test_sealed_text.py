"""Free text about a person is sealed at rest: notes, goals, tasks, comments, form answers."""

from __future__ import annotations

import datetime as dt
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from casework.assessments.models import Submission
from casework.audit.models import Action, AuditEntry
from casework.cases.models import Contact, Goal, Task
from casework.cases.services import add_goal, add_task, record_contact, transition
from casework.cases.tests.conftest import new_case
from casework.core.crypto import DecryptionError
from casework.core.fields import SealedWriteError
from casework.testing.personas import World

NOTE = "Afraid of her husband, lives at Rue Cachée 3"
ON = dt.date(2025, 3, 1)


def stored(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def active_case(world: World, org: str = "alpha"):
    case = new_case(world, org, referral_date=ON)
    return transition(case, "screening", on=ON, intake_date=ON)


def test_notes_goals_and_tasks_are_sealed_in_the_database_and_clear_in_python(
    world: World,
) -> None:
    case = active_case(world)
    contact = record_contact(case, on=ON, mode="in_person", note=NOTE)
    goal = add_goal(case, domain="housing", description="A flat near the school")
    task = add_task(case, title="Call the shelter", due_on=ON)
    for table, column, pk, text in (
        ("cases_contact", "note", contact.pk, NOTE),
        ("cases_goal", "description", goal.pk, "A flat near the school"),
        ("cases_task", "title", task.pk, "Call the shelter"),
    ):
        raw = stored(table, column, pk)
        assert raw.startswith("cw1:k") and text not in raw and "Rue" not in raw
    assert Contact.objects.get(pk=contact.pk).note == NOTE
    assert Goal.objects.get(pk=goal.pk).description == "A flat near the school"
    assert str(Task.objects.get(pk=task.pk)) == "Call the shelter"
    empty = record_contact(case, on=ON, mode="phone")
    assert stored("cases_contact", "note", empty.pk) == ""  # nothing to hide
    assert Contact.objects.get(pk=empty.pk).note == ""


def test_a_sealed_value_opens_only_in_its_own_column_and_organisation(world: World) -> None:
    mine = record_contact(active_case(world), on=ON, mode="in_person", note=NOTE)
    theirs = record_contact(active_case(world, "beta"), on=ON, mode="in_person", note="x")
    sealed = stored("cases_contact", "note", mine.pk)
    with connection.cursor() as cursor:  # someone with the database copies a note across
        cursor.execute("UPDATE cases_contact SET note = %s WHERE id = %s", [sealed, theirs.pk])
    with pytest.raises(DecryptionError):
        _ = Contact.objects.get(pk=theirs.pk).note
    goal = add_goal(mine.case, domain="housing", description="y")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_goal SET description = %s WHERE id = %s", [sealed, goal.pk])
    with pytest.raises(DecryptionError):
        _ = Goal.objects.get(pk=goal.pk).description


def test_clear_text_cannot_be_written_past_the_model(world: World) -> None:
    contact = record_contact(active_case(world), on=ON, mode="in_person", note=NOTE)
    with pytest.raises(SealedWriteError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(note="in clear")
    assert Contact.objects.get(pk=contact.pk).note == NOTE


def test_a_list_does_not_open_what_it_does_not_show(world: World, monkeypatch) -> None:
    case = active_case(world)
    for i in range(3):
        record_contact(case, on=ON, mode="in_person", note=f"{NOTE} {i}")
    from casework.core import crypto

    opened: list[bytes] = []
    real = crypto.Keyring.open

    def counting(ring: crypto.Keyring, blob: bytes, associated: bytes) -> bytes:
        opened.append(associated)
        return real(ring, blob, associated)

    monkeypatch.setattr(crypto.Keyring, "open", counting)
    assert [c.mode for c in Contact.objects.filter(case=case)] == ["in_person"] * 3
    assert opened == []
    assert [c.note[-1] for c in Contact.objects.filter(case=case).order_by("pk")] == list("012")
    assert len(opened) == 3


def test_saving_without_touching_a_note_does_not_audit_it_as_changed(world: World) -> None:
    contact = record_contact(active_case(world), on=ON, mode="in_person", note=NOTE)
    again = Contact.objects.get(pk=contact.pk)
    again.duration_minutes = 40
    again.save()
    entry = AuditEntry.objects.filter(action=Action.UPDATE, object_type="cases.contact").get()
    assert entry.changed_fields == ["duration_minutes"]
    again.note = NOTE + "!"
    again.save()
    updates = AuditEntry.objects.filter(action=Action.UPDATE, object_type="cases.contact")
    latest = updates.order_by("pk").last()
    assert latest is not None and "note" in latest.changed_fields


def test_keys_rotate_re_seals_free_text_and_form_answers(
    world: World, settings, tmp_path: Path
) -> None:
    from casework.assessments.choices import OutcomeDimension
    from casework.assessments.models import Form
    from casework.assessments.services import load_standard, submit

    path = tmp_path / "keys.json"
    shutil.copy(settings.CASEWORK_KEYS_FILE, path)
    settings.CASEWORK_KEYS_FILE = path
    case = active_case(world)
    contact = record_contact(case, on=ON, mode="in_person", note=NOTE)
    load_standard()
    ratings = Form.objects.get(form_id="casework_outcome_ratings").current_version()
    assert ratings is not None
    answers = {"rating_date": ON.isoformat(), "timepoint": "intake"}
    answers |= {d.value: "1" for d in OutcomeDimension}
    submission = submit(case, ratings, answers, by=world.amina)
    raw = stored("assessments_submission", "answers", submission.pk)
    assert raw.startswith("cw1:k") and "intake" not in raw
    old = raw.split(":")[1]
    out = StringIO()
    call_command("keys", "rotate", stdout=out)
    new = stored("cases_contact", "note", contact.pk).split(":")[1]
    assert new != old
    assert stored("assessments_submission", "answers", submission.pk).split(":")[1] == new
    assert Contact.objects.get(pk=contact.pk).note == NOTE
    assert Submission.objects.get(pk=submission.pk).answers["timepoint"] == "intake"
    status = StringIO()
    call_command("keys", "status", stdout=status)
    assert f"{old}  old           0 records" in status.getvalue()
    call_command("keys", "retire", old, stdout=StringIO())


def test_generated_cases_seal_their_free_text_too(world: World) -> None:
    from casework.synthetic.generator import generate

    generate(20, 1, dt.date(2026, 6, 30), [world.alpha])
    for table, column in (
        ("cases_goal", "description"),
        ("cases_contact", "note"),
        ("assessments_submission", "answers"),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
            values = [row[0] for row in cursor.fetchall()]
        assert all(v.startswith("cw1:k") for v in values), table
    assert Goal.objects.exists() and all(g.description for g in Goal.objects.all())


def test_a_referrals_reason_outcome_and_notes_are_sealed_too(world: World) -> None:
    from casework.referrals.models import Referral, ReferralStep
    from casework.referrals.services import refer_case, update_referral

    case = active_case(world)
    referral = refer_case(
        case, by=world.amina, provider="Shelter", service_type="shelter", reason=NOTE, sent_on=ON
    )
    update_referral(
        referral,
        by=world.amina,
        status="declined",
        on=ON,
        note="No bed at Rue Cachée",
        outcome=NOTE,
    )
    step = referral.steps.get(status="declined")
    for table, column, pk in (
        ("referrals_referral", "reason", referral.pk),
        ("referrals_referral", "outcome", referral.pk),
        ("referrals_referralstep", "note", step.pk),
    ):
        raw = stored(table, column, pk)
        assert raw.startswith("cw1:k") and "Rue" not in raw and "husband" not in raw
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.reason, fresh.outcome) == (NOTE, NOTE)
    assert ReferralStep.objects.get(pk=step.pk).note == "No bed at Rue Cachée"
    assert stored("referrals_referralstep", "note", referral.steps.get(status="sent").pk) == ""
