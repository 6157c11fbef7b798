"""End-to-end flows in Debian's Chromium (Playwright). Every issue adds its main flow here."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings

from casework.accounts.demo import create_demo_network
from casework.core.testing.personas import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_demo_user_logs_in_and_sees_the_home_page(page: Any) -> None:
    create_demo_network(settings.DEMO_PASSWORD)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    log_in(page, "caseworker.be", settings.DEMO_PASSWORD)
    page.get_by_role("heading", name="Welcome, Caseworker BE").wait_for()
    assert "You work in Demo pilot Belgium as Case manager." in page.content()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Organisations").is_visible()
    assert nav.get_by_role("link", name="Audit log").count() == 0
    # Every request the page made went to Casework itself: no CDN, no third party.
    assert hosts == {urlparse(page.base_url).netloc}


def test_a_wrong_password_shows_an_error_and_the_skip_link_works(page: Any, world: World) -> None:
    log_in(page, "amina", "not-the-password")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "correct username and password" in alert.inner_text()
    log_in(page, "amina", PASSWORD)
    page.get_by_role("heading", name="Welcome, Amina Persona").wait_for()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_user_switches_organisation_in_the_header(page: Any, world: World) -> None:
    log_in(page, "mia", PASSWORD)
    page.get_by_text("You work in Alpha Association as Case manager.").wait_for()
    page.get_by_label("Working as").select_option(label="Organisation admin — Beta Foundation")
    page.get_by_role("button", name="Switch").click()
    page.get_by_text("You work in Beta Foundation as Organisation admin.").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    page.get_by_role("heading", name="Audit log").wait_for()
    assert "Switched organisation" in page.content()
