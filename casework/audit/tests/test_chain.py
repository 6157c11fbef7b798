from __future__ import annotations

import hashlib
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from casework.audit.models import GENESIS_HASH, INSTALLATION_CHAIN, Action, AuditEntry
from casework.audit.services import read_anchors, record, verify_chain, write_anchors
from casework.testing.personas import World


def verify(*args: str) -> str:
    out = StringIO()
    call_command("audit", "verify", *args, stdout=out)
    return out.getvalue()


def test_an_untouched_log_verifies(world: World) -> None:
    total = AuditEntry.objects.count()
    assert total > 20  # building the world wrote entries
    chains = AuditEntry.objects.values("chain").distinct().count()
    assert f"Audit chains intact: {total:,} entries in {chains} chains verified." in verify()


def test_each_organisation_has_its_own_chain_numbered_from_one(world: World) -> None:
    alpha = record(Action.EXPORT, object_type="test.thing", organisation_id=world.alpha.pk)
    beta = record(Action.EXPORT, object_type="test.thing", organisation_id=world.beta.pk)
    installation = record(Action.EXPORT, object_type="test.thing", organisation_id=None)
    assert (alpha.chain, beta.chain, installation.chain) == (
        f"org:{world.alpha.pk}",
        f"org:{world.beta.pk}",
        INSTALLATION_CHAIN,
    )
    for entry in (alpha, beta, installation):
        chain = AuditEntry.objects.filter(chain=entry.chain)
        assert entry.seq == chain.count()
        assert sorted(chain.values_list("seq", flat=True)) == list(range(1, entry.seq + 1))
        assert set(chain.values_list("organisation_id", flat=True)) == {entry.organisation_id}
        previous = chain.get(seq=entry.seq - 1) if entry.seq > 1 else None
        assert entry.prev_hash == (previous.hash if previous else GENESIS_HASH)


def test_a_row_changed_with_plain_sql_is_found_and_named(world: World) -> None:
    victim = AuditEntry.objects.filter(organisation_id=world.alpha.pk).order_by("seq")[5]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET actor = %s WHERE id = %s", ["someone-else", victim.pk]
        )
    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1
    assert f"org:{world.alpha.pk}" in str(failure.value)
    report = verify_chain().chain(victim.chain)
    assert (report.broken_at, report.broken_id, report.checked) == (victim.seq, victim.pk, 5)
    assert "do not match its keyed hash" in report.reason
    assert verify_chain().chain(f"org:{world.beta.pk}").ok  # other chains are unaffected


def test_a_row_deleted_with_plain_sql_breaks_the_next_link(world: World) -> None:
    chain = f"org:{world.alpha.pk}"
    victim = AuditEntry.objects.get(chain=chain, seq=4)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [victim.pk])
    report = verify_chain().chain(chain)
    assert (report.broken_at, report.checked) == (4, 3)
    assert "missing" in report.reason


def forge_plain_chain(chain: str, from_seq: int) -> None:
    """What a database writer could do to the old log: rewrite a row, then recompute every
    later hash without a key (plain SHA-256 of the same canonical form)."""
    prev = AuditEntry.objects.get(chain=chain, seq=from_seq - 1).hash
    for entry in AuditEntry.objects.filter(chain=chain, seq__gte=from_seq).order_by("seq"):
        if entry.seq == from_seq:
            entry.actor = "forged"
        entry.prev_hash = prev
        canonical = json.dumps(entry.payload(), sort_keys=True, separators=(",", ":"))
        prev = hashlib.sha256(canonical.encode()).hexdigest()
        AuditEntry.objects.filter(pk=entry.pk).update(
            actor=entry.actor, prev_hash=entry.prev_hash, hash=prev
        )


def test_rewriting_a_row_and_recomputing_every_later_hash_is_found(world: World) -> None:
    chain = f"org:{world.alpha.pk}"
    forge_plain_chain(chain, from_seq=3)
    report = verify_chain().chain(chain)
    assert (report.broken_at, report.checked) == (3, 2)
    assert "keyed hash" in report.reason


def test_a_chain_rebuilt_with_another_key_is_found(world: World) -> None:
    chain = f"org:{world.beta.pk}"
    prev = GENESIS_HASH
    for entry in AuditEntry.objects.filter(chain=chain).order_by("seq"):
        entry.prev_hash = prev
        prev = entry.compute_hash(b"k" * 32)  # a writer's own key, not the keyring's
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, hash=prev)
    report = verify_chain().chain(chain)
    assert (report.broken_at, report.checked) == (1, 0)


def test_deleting_the_newest_entries_is_found_against_the_anchors(
    world: World, tmp_path: Path
) -> None:
    anchors = tmp_path / "anchors.jsonl"
    call_command("audit", "anchor", "--anchors", str(anchors), stdout=StringIO())
    chain = f"org:{world.alpha.pk}"
    head = AuditEntry.objects.filter(chain=chain).order_by("-seq").first()
    assert head is not None and head.seq > 3
    assert "Audit chains intact" in verify("--anchors", str(anchors))
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditentry WHERE chain = %s AND seq > %s", [chain, head.seq - 3]
        )
    assert verify_chain().chain(chain).ok  # what is left is a valid chain...
    with pytest.raises(CommandError) as failure:
        verify("--anchors", str(anchors))  # ...but shorter than the anchor says
    assert failure.value.returncode == 1
    report = verify_chain(anchors=read_anchors(anchors)).chain(chain)
    assert report.truncated
    assert f"names seq {head.seq}" in report.describe()
    # New entries appended since do not hide it: the anchored entry is not there any more.
    for _ in range(5):
        record(Action.EXPORT, object_type="test.thing", organisation_id=world.alpha.pk)
    report = verify_chain(anchors=read_anchors(anchors)).chain(chain)
    assert report.truncated and "no longer the one anchored" in report.describe()


def test_a_whole_chain_deleted_is_found_against_the_anchors(world: World, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    write_anchors(anchors)
    AuditEntry.objects.filter(organisation_id=world.beta.pk)._raw_delete("default")
    report = verify_chain(anchors=read_anchors(anchors)).chain(f"org:{world.beta.pk}")
    assert report.truncated and report.checked == 0


def test_an_anchor_edited_by_hand_is_refused(world: World, tmp_path: Path) -> None:
    anchors = tmp_path / "anchors.jsonl"
    write_anchors(anchors)
    lines = anchors.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["seq"] = 1
    anchors.write_text("\n".join([json.dumps(forged), *lines[1:]]) + "\n")
    with pytest.raises(CommandError) as failure:
        verify("--anchors", str(anchors))
    assert "not signed with this installation's audit key" in str(failure.value)


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


def test_the_name_of_the_api_token_is_covered_by_the_hash(world: World) -> None:
    from casework.audit import context

    token = context.activate(context.AuditContext(token_name="laptop script"))
    try:
        entry = record(Action.EXPORT, object_type="test.thing", organisation_id=world.alpha.pk)
    finally:
        context.deactivate(token)
    assert entry.token_name == "laptop script"
    plain = record(Action.EXPORT, object_type="test.thing", organisation_id=world.alpha.pk)
    assert "token_name" not in plain.payload()  # entries without one hash as they always did
    assert verify_chain().ok
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET token_name = %s WHERE id = %s", ["other", entry.pk]
        )
    assert verify_chain().chain(entry.chain).broken_at == entry.seq
