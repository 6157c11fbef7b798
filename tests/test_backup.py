"""`casework backup` then `casework restore` as an operator runs them, on SQLite and PostgreSQL.

Each side is a separate process with its own settings (database, keyring), as on two servers.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "correct horse battery staple"
FILL = """
import datetime as dt
from casework.testing.personas import build_world
from casework.people.identity import IdentityData
from casework.people.services import register_person
from casework.cases.services import open_case
world = build_world()
for n in range(3):
    person = register_person(world.alpha, IdentityData(given_names="Test", family_name=f"P{n}"))
    open_case(world.alpha_project, person, referral_date=dt.date(2025, 1, 6),
              referral_source="ngo", detention_status="released_from_detention",
              immigration_status="return_order", case_manager=world.amina)
"""


def casework(var: Path, *args: str, database: str | None = None, **extra: str) -> Any:
    unset = ("CASEWORK_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env.update({"CASEWORK_VAR_DIR": str(var), "CASEWORK_DEBUG": "1", **extra})
    if database is not None:
        env["DATABASE_URL"] = database
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(done: Any) -> Any:
    assert done.returncode == 0, done.stderr
    return done


def sqlite_tables(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: sorted(db.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}  # noqa: S608


def postgres_tables(url: str) -> dict[str, list[tuple]]:
    import psycopg

    with psycopg.connect(url) as db:
        names = [
            r[0]
            for r in db.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
        tables = {n: sorted(db.execute(f'SELECT * FROM "{n}"'), key=repr) for n in names}  # noqa: S608
        sequences = db.execute("SELECT sequencename, last_value FROM pg_sequences").fetchall()
        tables["(sequences)"] = sorted(sequences, key=repr)
        return tables


def without_the_backup_entry(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The source made one entry after its snapshot: that the backup was made."""
    tables = dict(tables)
    tables["audit_auditentry"] = [r for r in tables["audit_auditentry"] if "backed_up" not in r]
    for name in ("sqlite_sequence", "(sequences)"):
        if name in tables:
            tables[name] = [r for r in tables[name] if not str(r[0]).startswith("audit_")]
    return tables


def test_a_backup_restores_into_an_empty_sqlite_database_with_identical_tables(
    tmp_path: Path,
) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    ok(casework(source, "migrate", "-v0"))
    ok(casework(source, "shell", "-c", FILL))
    (tmp_path / "pass").write_text(PASSPHRASE + "\n")
    (tmp_path / "wrong").write_text("not the passphrase at all\n")
    backup = tmp_path / "casework.backup"
    ok(casework(source, "backup", str(backup), "--passphrase-file", str(tmp_path / "pass")))
    assert b"Person" not in backup.read_bytes() and b"auditentry" not in backup.read_bytes()

    wrong = casework(target, "restore", str(backup), "--passphrase-file", str(tmp_path / "wrong"))
    assert wrong.returncode == 1 and "Wrong passphrase" in wrong.stderr
    assert not (target / "keys.json").exists()
    assert sqlite_tables(target / "casework.sqlite3") == {}  # nothing written

    restored = casework(target, "restore", str(backup), CASEWORK_BACKUP_PASSPHRASE=PASSPHRASE)
    assert restored.returncode == 0, restored.stderr
    before = sqlite_tables(source / "casework.sqlite3")
    after = sqlite_tables(target / "casework.sqlite3")
    assert len(before["audit_auditentry"]) == len(after["audit_auditentry"]) + 1
    assert without_the_backup_entry(before) == without_the_backup_entry(after)
    assert len(after["people_identity"]) == 3 and len(after["cases_case"]) == 3
    assert (target / "keys.json").read_bytes() == (source / "keys.json").read_bytes()
    assert "Audit chains intact" in ok(casework(target, "audit", "verify")).stdout

    again = casework(target, "restore", str(backup), CASEWORK_BACKUP_PASSPHRASE=PASSPHRASE)
    assert again.returncode == 1 and "The database is not empty" in again.stderr


def test_a_damaged_or_cut_backup_is_refused_before_the_database_is_touched(
    tmp_path: Path,
) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    ok(casework(source, "migrate", "-v0"))
    backup = tmp_path / "casework.backup"
    ok(casework(source, "backup", str(backup), CASEWORK_BACKUP_PASSPHRASE=PASSPHRASE))
    data = backup.read_bytes()
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 1
    for name, damaged in (("flipped", bytes(flipped)), ("cut", data[: len(data) - 100])):
        (tmp_path / name).write_bytes(damaged)
        done = casework(
            target, "restore", str(tmp_path / name), CASEWORK_BACKUP_PASSPHRASE=PASSPHRASE
        )
        assert done.returncode == 1
        assert "damaged" in done.stderr or "incomplete" in done.stderr
        assert not (target / "keys.json").exists()
        assert sqlite_tables(target / "casework.sqlite3") == {}


@pytest.fixture
def postgres_databases() -> Iterator[tuple[str, str]]:
    """Two throw-away databases beside the test database: one to back up, one to restore to."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (CI runs the suite on both)")
    import psycopg

    settings = connection.settings_dict
    base = f"postgres://{settings['USER']}"
    if settings.get("PASSWORD"):
        base += f":{settings['PASSWORD']}"
    base += f"@{settings.get('HOST') or '127.0.0.1'}:{settings.get('PORT') or 5432}"
    names = [f"{settings['NAME']}_backup_{side}" for side in ("source", "target")]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_a_backup_restores_into_an_empty_postgresql_database_with_identical_tables(
    tmp_path: Path, postgres_databases: tuple[str, str]
) -> None:
    source_url, target_url = postgres_databases
    source, target = tmp_path / "source", tmp_path / "target"
    ok(casework(source, "migrate", "-v0", database=source_url))
    ok(casework(source, "shell", "-c", FILL, database=source_url))
    backup = tmp_path / "casework.backup"
    ok(
        casework(
            source,
            "backup",
            str(backup),
            database=source_url,
            CASEWORK_BACKUP_PASSPHRASE=PASSPHRASE,
        )
    )
    wrong = casework(
        target, "restore", str(backup), database=target_url, CASEWORK_BACKUP_PASSPHRASE="x" * 20
    )
    assert wrong.returncode == 1 and "Wrong passphrase" in wrong.stderr
    assert postgres_tables(target_url) == {"(sequences)": []}

    ok(
        casework(
            target,
            "restore",
            str(backup),
            database=target_url,
            CASEWORK_BACKUP_PASSPHRASE=PASSPHRASE,
        )
    )
    before, after = postgres_tables(source_url), postgres_tables(target_url)
    assert len(before["audit_auditentry"]) == len(after["audit_auditentry"]) + 1
    assert without_the_backup_entry(before) == without_the_backup_entry(after)
    assert len(after["people_identity"]) == 3 and len(after["cases_case"]) == 3
    assert (
        "Audit chains intact" in ok(casework(target, "audit", "verify", database=target_url)).stdout
    )
