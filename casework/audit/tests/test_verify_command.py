"""`casework audit verify` as an operator runs it: a real database file, a real exit code."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def casework(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    unset = ("CASEWORK_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env.update({"CASEWORK_VAR_DIR": str(tmp_path), "CASEWORK_DEBUG": "1"})
    return subprocess.run(
        [sys.executable, "-m", "casework.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_verify_exits_1_naming_the_entry_changed_with_plain_sql(tmp_path: Path) -> None:
    assert casework(tmp_path, "migrate", "-v0").returncode == 0
    assert casework(tmp_path, "demo").returncode == 0
    intact = casework(tmp_path, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "Audit chains intact" in intact.stdout

    with sqlite3.connect(tmp_path / "casework.sqlite3") as db:
        chain, seq = db.execute("SELECT chain, seq FROM audit_auditentry WHERE id = 17").fetchone()
        db.execute("UPDATE audit_auditentry SET action = 'read' WHERE id = 17")
    broken = casework(tmp_path, "audit", "verify")
    assert broken.returncode == 1
    assert f"{chain}: broken at seq {seq} (entry #17)" in broken.stdout
    assert chain in broken.stderr


def test_verify_exits_1_when_the_newest_entries_were_deleted_after_an_anchor(
    tmp_path: Path,
) -> None:
    assert casework(tmp_path, "migrate", "-v0").returncode == 0
    assert casework(tmp_path, "demo").returncode == 0
    anchored = casework(tmp_path, "audit", "anchor")
    assert anchored.returncode == 0, anchored.stderr
    assert (tmp_path / "audit-anchors.jsonl").exists()  # development default, under var/
    with sqlite3.connect(tmp_path / "casework.sqlite3") as db:
        db.execute("DELETE FROM audit_auditentry WHERE chain = 'org:1' AND seq > 3")
    truncated = casework(tmp_path, "audit", "verify")
    assert truncated.returncode == 1
    assert "org:1: truncated" in truncated.stdout
