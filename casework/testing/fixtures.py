"""pytest fixtures shared by every app (loaded from the root conftest.py)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from rest_framework.test import APIClient

from casework.testing.personas import World, build_world

CHROMIUM = os.environ.get("CASEWORK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def release_scopes(settings: Any) -> None:
    """Releases whose country and organisation tables break down by every person attribute
    and by quarter too (CASEWORK_RELEASE_SCOPE_BREAKDOWNS; by default they break down by
    their parts only), and the network's by quarter (CASEWORK_RELEASE_QUARTERS), so that the
    audit sees every link between tables."""
    settings.RELEASE_SCOPES = ["country", "organisation"]
    settings.RELEASE_QUARTERS = True
    settings.RELEASE_SCOPE_BREAKDOWNS = [*settings.PERSON_BREAKDOWNS, "quarter"]


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture(scope="session")
def _browser() -> Iterator[Any]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls our tests make
    # between page actions are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser tab against the live test server; `page.base_url` is its address."""
    context = _browser.new_context(base_url=live_server.url, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.base_url = live_server.url
    # Anything the Content Security Policy blocks is a page that breaks in production.
    blocked: list[str] = []
    tab.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield tab
    context.close()
    assert not blocked, f"the Content Security Policy blocked: {blocked}"
