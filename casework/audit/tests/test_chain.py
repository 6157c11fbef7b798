from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from casework.audit.models import Action, AuditEntry
from casework.audit.services import record, verify_chain
from casework.testing.personas import World


def verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_an_untouched_log_verifies(world: World) -> None:
    total = AuditEntry.objects.count()
    assert total > 20  # building the world wrote entries
    assert f"Audit chain intact: {total:,} entries verified." in verify()


def test_a_row_changed_with_plain_sql_is_found_and_named(world: World) -> None:
    victim = AuditEntry.objects.order_by("id")[5]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["someone-else", victim.pk]
        )
    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1
    assert f"Audit chain broken at entry #{victim.pk}" in str(failure.value)
    assert "do not match its hash" in str(failure.value)


def test_a_row_deleted_with_plain_sql_breaks_the_next_link(world: World) -> None:
    ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [ids[3]])
    report = verify_chain()
    assert report.broken_at == ids[4]
    assert report.checked == 3


def test_rewriting_a_row_and_its_hash_still_breaks_the_chain(world: World) -> None:
    entry = AuditEntry.objects.order_by("id")[2]
    entry.actor = "forged"
    forged_hash = entry.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor = %s, hash = %s WHERE id = %s",
            ["forged", forged_hash, entry.pk],
        )
    report = verify_chain()
    assert not report.ok
    assert report.broken_at > entry.pk


def test_the_application_cannot_change_or_delete_an_entry(world: World) -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.actor = "x"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_a_change_names_the_fields_but_never_their_values(world: World) -> None:
    project = world.alpha_project
    project.name = "Secret-looking new name"
    project.save()
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None
    assert (entry.action, entry.object_type, entry.object_id) == (
        Action.UPDATE,
        "accounts.project",
        str(project.pk),
    )
    assert entry.changed_fields == ["name"]
    assert entry.organisation_id == world.alpha.pk
    assert "Secret-looking" not in str(entry.payload())


def test_a_save_without_changes_writes_nothing(world: World) -> None:
    project = world.alpha_project
    project.refresh_from_db()
    before = AuditEntry.objects.count()
    project.save()
    assert AuditEntry.objects.count() == before


def test_creation_and_deletion_are_recorded(world: World) -> None:
    project = world.beta_project  # the personas' rows come from the same services and receivers
    created = AuditEntry.objects.get(
        action=Action.CREATE, object_type="accounts.project", object_id=str(project.pk)
    )
    assert {"name", "start_date", "organisation"} <= set(created.changed_fields)
    pk = project.pk
    project.delete()
    deleted = AuditEntry.objects.order_by("-id").first()
    assert deleted is not None
    assert (deleted.action, deleted.object_id, deleted.organisation_id) == (
        Action.DELETE,
        str(pk),
        world.beta.pk,
    )
    assert verify_chain().ok


def test_entries_made_outside_a_request_have_no_user(world: World) -> None:
    entry = record(Action.EXPORT, object_type="test.thing", organisation_id=None)
    assert (entry.actor_id, entry.actor, entry.request_id) == (None, "", "")
