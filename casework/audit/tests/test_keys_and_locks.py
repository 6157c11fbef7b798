"""The audit key lives in the keyring; appends to one chain wait only for that chain."""

from __future__ import annotations

import json
import threading
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from casework.audit.models import Action, AuditEntry
from casework.audit.services import record
from casework.core.crypto import Keyring


def test_keys_init_adds_an_audit_key_to_an_older_keyring(settings, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    Keyring.generate().save(path)
    older = json.loads(path.read_text())
    del older["audit"]  # as written before audit keys existed
    path.write_text(json.dumps(older))
    settings.CASEWORK_KEYS_FILE = path
    settings.DEBUG = False
    with pytest.raises(Exception, match="no audit key"):
        _ = Keyring.load(path).audit_key
    out = StringIO()
    call_command("keys", "init", stdout=out)
    assert "Added an audit key" in out.getvalue()
    upgraded = json.loads(path.read_text())
    assert {k: upgraded[k] for k in older} == older  # the other keys are untouched
    assert len(Keyring.load(path).audit_key) == 32
    with pytest.raises(CommandError, match="already exists"):
        call_command("keys", "init", stdout=StringIO())


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises every write transaction"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_an_open_transaction_in_one_organisation_does_not_hold_up_another() -> None:
    holding, release = threading.Event(), threading.Event()
    done: dict[int, float] = {}

    def writer(organisation_id: int, hold: bool) -> None:
        try:
            with transaction.atomic():
                record(Action.EXPORT, object_type="test.thing", organisation_id=organisation_id)
                if hold:
                    holding.set()
                    release.wait(20)
            done[organisation_id] = 1
        finally:
            connections.close_all()

    first = threading.Thread(target=writer, args=(1, True))
    first.start()
    assert holding.wait(20)
    other = threading.Thread(target=writer, args=(2, False))
    same = threading.Thread(target=writer, args=(1, False))
    other.start()
    same.start()
    other.join(10)
    assert 2 in done  # another organisation's chain went ahead
    same.join(0.5)
    assert 1 not in done  # the same chain waits for the open transaction
    release.set()
    first.join(10)
    same.join(10)
    assert sorted(AuditEntry.objects.filter(chain="org:1").values_list("seq", flat=True)) == [1, 2]


def test_anchoring_without_an_anchor_file_configured_is_a_clear_error(settings, db: None) -> None:
    settings.CASEWORK_AUDIT_ANCHORS = None  # production until it is set
    with pytest.raises(CommandError, match="CASEWORK_AUDIT_ANCHORS is not set"):
        call_command("audit", "anchor", stdout=StringIO())
