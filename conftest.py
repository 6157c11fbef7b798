"""Root conftest: fast password hashing and a throw-away keyring in tests; shared fixtures."""

import tempfile
from pathlib import Path

import pytest
from django.conf import settings

pytest_plugins = ["casework.testing.fixtures"]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # Argon2 is deliberately slow; tests create many users. Production keeps Argon2
    # (casework/accounts/tests/test_login.py checks the configured hashers).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests never touch a real keyring: a new one for each run, outside the checkout.
    from casework.core.crypto import Keyring

    path = Path(tempfile.mkdtemp(prefix="casework-test-keys-")) / "keys.json"
    Keyring.generate().save(path)
    settings.CASEWORK_KEYS_FILE = path


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How many requests the API fuzz test (tests/test_fuzz.py) sent, in which mode, so that
    every run's log says how much was tried. Each role's test records its count as a
    property of its report, which pytest-xdist carries back from the workers."""
    sent: dict[str, int] = {}
    mode = ""
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", "") != "call":
                continue
            found = dict(getattr(report, "user_properties", ()))
            if "fuzz_requests" in found:
                sent[report.nodeid] = found["fuzz_requests"]
                mode = found["fuzz_mode"]
    if sent:
        terminalreporter.write_line(
            f"schemathesis ({mode}): {sum(sent.values()):,} requests as {len(sent)} roles"
        )
