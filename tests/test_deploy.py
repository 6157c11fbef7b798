"""Production settings pass Django's deployment checks, and pages carry the security headers."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]


def production_env(tmp_path: Path) -> dict[str, str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests' fixture, refused by check --deploy
    unset = ("CASEWORK_", "DATABASE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    return env | {
        "CASEWORK_DEBUG": "0",
        "CASEWORK_VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "casework.example.org",
    }


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "casework.cli", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_production_pages_redirect_to_https_and_carry_hsts(tmp_path: Path) -> None:
    """The same settings, read in a fresh interpreter: plain HTTP is redirected; over HTTPS
    the answer carries HSTS, the CSP, and the other headers."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from django.test import Client\n"
        "c = Client(HTTP_HOST='casework.example.org')\n"
        "plain = c.get('/api/v1/me/')\n"
        "print(plain.status_code, plain['Location'])\n"
        "tls = c.get('/api/v1/me/', secure=True)\n"
        "for h in ('Strict-Transport-Security', 'Content-Security-Policy', "
        "'X-Content-Type-Options', 'Referrer-Policy', 'X-Frame-Options', "
        "'Cross-Origin-Opener-Policy'):\n"
        "    print(h + ': ' + tls.get(h, 'MISSING'))\n"
    )
    env = production_env(tmp_path) | {"DJANGO_SETTINGS_MODULE": "casework.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "301 https://casework.example.org/api/v1/me/"
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_development_serves_plain_http(client: Client, db: None) -> None:
    """The tests (and `make run`) run in development mode: no redirect, no HSTS."""
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
