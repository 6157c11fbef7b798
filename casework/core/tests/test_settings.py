"""Start-up configuration: bad values stop the app with a message that names them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def start(
    tmp_path: Path, code: str = "print('started')", **env: str
) -> subprocess.CompletedProcess:
    unset = ("CASEWORK_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    clean.update({"CASEWORK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "casework.settings"})
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_development_mode_starts_and_keeps_a_generated_secret_key(tmp_path: Path) -> None:
    result = start(tmp_path, CASEWORK_DEBUG="1")
    assert result.stdout.strip() == "started", result.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    start(tmp_path, CASEWORK_DEBUG="1")
    assert (tmp_path / "secret_key").read_text() == key


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CASEWORK_DEBUG": "perhaps"}, "CASEWORK_DEBUG='perhaps' is not a yes/no value"),
        ({"CASEWORK_DEBUG": "0", "ALLOWED_HOSTS": "x.org"}, "SECRET_KEY is not set"),
        ({"CASEWORK_DEBUG": "0", "SECRET_KEY": "k" * 40}, "ALLOWED_HOSTS is empty"),
        ({"CASEWORK_DEBUG": "1", "SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
        (
            {"CASEWORK_DEBUG": "1", "DATABASE_URL": "mysql://u@h/db"},
            "supports SQLite and PostgreSQL",
        ),
        ({"CASEWORK_DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL is not a database URL"),
        ({"CASEWORK_DEBUG": "1", "CASEWORK_DISCLOSURE_THRESHOLD": "2"}, "outside 3..100"),
        ({"CASEWORK_DEBUG": "1", "CASEWORK_DEMO_PASSWORD": "short"}, "at least 8 characters"),
        ({"CASEWORK_DEBUG": "1", "CASEWORK_TRUSTED_PROXIES": "-1"}, "outside 0..10"),
        ({"CASEWORK_DEBUG": "1", "CASEWORK_LOCKOUT_FAILURES": "many"}, "is not a whole number"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_clear_message(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = start(tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_mode_starts_with_its_required_settings(tmp_path: Path) -> None:
    result = start(
        tmp_path,
        CASEWORK_DEBUG="0",
        SECRET_KEY="a-production-secret-key-that-is-long-enough",
        ALLOWED_HOSTS="casework.example.org",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/casework",
    )
    assert result.stdout.strip() == "started", result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_default_database_is_sqlite_in_wal_mode_under_var(tmp_path: Path) -> None:
    code = (
        "from django.db import connection; c = connection.cursor(); "
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    result = start(tmp_path, code, CASEWORK_DEBUG="1")
    assert result.stdout.strip() == "wal", result.stderr
    assert (tmp_path / "casework.sqlite3").exists()


def test_the_command_reports_a_configuration_error_in_one_line(tmp_path: Path) -> None:
    unset = ("CASEWORK_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env["CASEWORK_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "casework.cli", "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("casework: configuration error: SECRET_KEY is not set.")
    assert "Traceback" not in result.stderr
