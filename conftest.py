"""Root conftest: fast password hashing in tests, and the shared fixtures."""

import pytest
from django.conf import settings

pytest_plugins = ["casework.core.testing.fixtures"]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    # Argon2 is deliberately slow; tests create many users. Production keeps Argon2
    # (casework/accounts/tests/test_login.py checks the configured hashers).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
