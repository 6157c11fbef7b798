"""Signing in safely: the lock-out after failed logins, the client address that the throttle
and the audit log believe, passwords, idle sessions and sessions after a password change."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from casework.accounts.demo import create_demo_network
from casework.accounts.middleware import LAST_SEEN
from casework.accounts.services import change_membership
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import PASSWORD, World

FORGED = {"HTTP_X_FORWARDED_FOR": "198.51.100.66"}


def fail(client: Any, username: str = "amina", **extra: Any) -> Any:
    return client.post(
        reverse("accounts:login"), {"username": username, "password": "wrong-guess"}, **extra
    )


def test_ten_wrong_passwords_lock_the_account_and_say_so(world: World, client: Any) -> None:
    for _attempt in range(settings.CASEWORK_LOCKOUT_FAILURES - 1):
        assert fail(client).status_code == 200
    locked = fail(client)
    assert locked.status_code == 429
    assert "Signing in is paused after too many failed attempts" in locked.content.decode()
    # Even the right password is refused now, from another address too.
    right = Client(REMOTE_ADDR="192.0.2.50").post(
        reverse("accounts:login"), {"username": "amina", "password": PASSWORD}
    )
    assert right.status_code == 429
    entry = AuditEntry.objects.get(action=Action.LOCKED_OUT)
    assert (entry.object_id, entry.organisation_id) == (str(world.amina.pk), world.alpha.pk)
    assert entry.ip == "127.0.0.1"


def test_an_unknown_account_locks_the_same_way(world: World, client: Any) -> None:
    """The lock-out does not tell whether an account exists."""
    for _attempt in range(settings.CASEWORK_LOCKOUT_FAILURES):
        response = fail(client, "nobody-here")
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert AuditEntry.objects.get(action=Action.LOCKED_OUT).object_id == ""


def test_wrong_passwords_for_many_accounts_lock_the_address(world: World, client: Any) -> None:
    for attempt in range(settings.CASEWORK_LOCKOUT_FAILURES):
        fail(client, f"guess-{attempt}")
    response = client.post(reverse("accounts:login"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 429
    elsewhere = Client(REMOTE_ADDR="192.0.2.51")
    ok = elsewhere.post(reverse("accounts:login"), {"username": "sam", "password": PASSWORD})
    assert ok.status_code == 302


def test_a_forged_forwarded_for_does_not_walk_around_the_lock_out(
    world: World, client: Any
) -> None:
    for attempt in range(settings.CASEWORK_LOCKOUT_FAILURES):
        fail(client, f"guess-{attempt}", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    response = client.post(
        reverse("accounts:login"),
        {"username": "sam", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429


def test_a_forged_forwarded_for_does_not_walk_around_the_token_throttle(
    world: World, api_client: Any
) -> None:
    cache.clear()
    statuses = [
        api_client.post(
            reverse("api:token"), {}, format="json", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429
    cache.clear()


@override_settings(CASEWORK_TRUSTED_PROXIES=1)
def test_the_audit_log_records_the_address_our_proxy_saw(world: World, client: Any) -> None:
    client.post(
        reverse("accounts:login"),
        {"username": "amina", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.7",
    )
    entry = AuditEntry.objects.get(action=Action.LOGIN)
    assert entry.ip == "203.0.113.7"


def test_the_audit_log_ignores_a_forwarded_for_without_a_trusted_proxy(
    world: World, client: Any
) -> None:
    client.post(reverse("accounts:login"), {"username": "amina", "password": PASSWORD}, **FORGED)
    entry = AuditEntry.objects.get(action=Action.LOGIN)
    assert entry.ip == "127.0.0.1"
    assert not AuditEntry.objects.filter(ip="198.51.100.66").exists()


def test_failed_logins_of_a_deactivated_member_reach_her_organisations_log(
    world: World, client: Any
) -> None:
    change_membership(world.amina.memberships.get(), role="caseworker", is_active=False)
    fail(client)
    entry = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert (entry.object_id, entry.organisation_id) == (str(world.amina.pk), world.alpha.pk)


@pytest.mark.parametrize("password", ["short-pass1", "password1234"])
def test_a_password_has_twelve_characters_and_is_not_a_common_one(
    world: World, password: str
) -> None:
    with pytest.raises(ValidationError):
        validate_password(password, world.amina)
    validate_password("a-long-and-unusual-one", world.amina)


@pytest.mark.django_db
def test_the_demo_login_page_says_that_two_factor_is_off(client: Any) -> None:
    assert (
        "Demo: two-factor sign-in is off"
        not in client.get(reverse("accounts:login")).content.decode()
    )
    create_demo_network(settings.DEMO_PASSWORD)
    page = client.get(reverse("accounts:login")).content.decode()
    assert "Demo: two-factor sign-in is off for the demo organisations." in page


def test_an_idle_session_ends_after_the_organisations_minutes(world: World, client: Any) -> None:
    world.alpha.session_idle_minutes = 10
    world.alpha.save()
    client.force_login(world.amina)
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 9 * 60
    session.save()
    assert client.get(reverse("core:home")).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 11 * 60
    session.save()
    response = client.get(reverse("accounts:member-list"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("accounts:login"))
    assert "signed out after 10 minutes without activity" in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor="amina").exists()


def test_a_password_change_ends_her_other_sessions(world: World, client: Any) -> None:
    other = Client()
    other.force_login(world.amina)
    client.force_login(world.amina)
    new = "a-new-and-longer-password-7"
    client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert not Session.objects.filter(session_key=other.session.session_key).exists()
    assert client.get(reverse("core:home")).status_code == 200
    assert other.get(reverse("core:home")).status_code == 302


def test_an_admin_sees_a_locked_out_member_and_unlocks_them(world: World, client: Any) -> None:
    """The organisation's admin unlocks from the member's page (audited); nobody else may,
    and an admin of another organisation does not find the member at all."""
    for _attempt in range(settings.CASEWORK_LOCKOUT_FAILURES):
        fail(client, "amina")
    membership = world.amina.memberships.get()
    page = reverse("accounts:member-detail", args=[membership.uid])
    unlock = reverse("accounts:member-unlock", args=[membership.uid])
    admin = Client(REMOTE_ADDR="192.0.2.60")
    admin.force_login(world.olga)
    shown = admin.get(page).content.decode()
    assert "paused after too many failed attempts" in shown and unlock in shown
    for other, status in ((world.sam, 403), (world.boris, 404)):
        outsider = Client(REMOTE_ADDR="192.0.2.61")
        outsider.force_login(other)
        assert outsider.post(unlock).status_code == status
    assert (
        Client(REMOTE_ADDR="192.0.2.62")
        .post(reverse("accounts:login"), {"username": "amina", "password": PASSWORD})
        .status_code
        == 429
    )
    assert admin.post(unlock).status_code == 302
    assert "paused after too many" not in admin.get(page).content.decode()
    entry = AuditEntry.objects.get(action=Action.UNLOCKED)
    assert (entry.object_id, entry.organisation_id) == (str(world.amina.pk), world.alpha.pk)
    signed_in = Client(REMOTE_ADDR="192.0.2.62").post(
        reverse("accounts:login"), {"username": "amina", "password": PASSWORD}
    )
    assert signed_in.status_code == 302
