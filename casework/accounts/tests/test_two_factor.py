"""Two-factor sign-in: enrolment, the second step of signing in, recovery codes, the API token,
the throttle and lock-out on wrong codes, and an admin's reset."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.models import Organisation, User
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import PASSWORD, World


def code_of(device: TOTPDevice, offset: int = 0) -> str:
    """What her authenticator app shows now (offset: that many 30-second steps later)."""
    return f"{totp(device.bin_key, t0=device.t0 - offset * device.step):06d}"


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    """A confirmed app and two recovery codes, as if she had set them up earlier."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    codes = ["abcd2345", "efgh6723"]
    for code in codes:
        StaticToken.objects.create(device=recovery, token=code)
    return device, codes


@pytest.fixture
def strict(world: World) -> World:
    """Alpha requires two-factor sign-in (the personas' organisations do not by default)."""
    world.alpha.require_two_factor = True
    world.alpha.save()
    return world


def log_in(client: Any, username: str = "amina") -> Any:
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def actions(user: User) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=str(user.pk), object_type="accounts.user")
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.mark.django_db
def test_a_new_organisation_requires_two_factor_sign_in() -> None:
    organisation = Organisation.objects.create(name="New", slug="new", country="FR")
    assert organisation.require_two_factor is True
    assert organisation.session_idle_minutes == 30


def test_without_a_second_factor_she_is_sent_to_set_one_up(strict: World, client: Any) -> None:
    log_in(client)
    url = reverse("accounts:member-list")
    response = client.get(url)
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('accounts:two-factor-setup')}?next=%2Faccount%2Fstaff%2F"
    )
    # The API, with the same session, refuses too.
    assert client.get("/api/v1/me/").status_code == 403


def test_she_enrols_with_a_code_and_keeps_ten_recovery_codes(strict: World, client: Any) -> None:
    log_in(client)
    setup = reverse("accounts:two-factor-setup") + "?next=/account/staff/"
    page = client.get(setup)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html
    assert "<script>" not in html and "style=" not in html  # no inline script or style
    device = TOTPDevice.objects.get(user=strict.amina, confirmed=False)
    wrong = client.post(setup, {"code": "000000", "next": "/account/staff/"})
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_timestamp = None  # no need to wait the second out in a test
    device.save()
    done = client.post(setup, {"code": code_of(device), "next": "/account/staff/"})
    assert done.status_code == 200
    codes = StaticToken.objects.filter(device__user=strict.amina)
    assert codes.count() == 10
    for token in codes:
        assert token.token in done.content.decode()
    assert TOTPDevice.objects.get(user=strict.amina).confirmed
    assert client.get("/account/staff/").status_code == 200
    assert actions(strict.amina)[-2:] == [Action.TWO_FACTOR_FAILED, Action.TWO_FACTOR_ENROLLED]
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_ENROLLED)
    assert entry.organisation_id == strict.alpha.pk
    # The codes are shown once: the page now asks for a code instead.
    assert client.get(setup)["Location"].startswith(reverse("accounts:two-factor-verify"))


def test_with_an_app_she_types_its_code_after_her_password(strict: World, client: Any) -> None:
    device, _codes = enrolled(strict.amina)
    log_in(client)
    response = client.get("/account/staff/")
    assert response["Location"].startswith(reverse("accounts:two-factor-verify"))
    verify = reverse("accounts:two-factor-verify")
    response = client.post(verify, {"code": code_of(device), "next": "/account/staff/"})
    assert response["Location"] == "/account/staff/"
    assert client.get("/account/staff/").status_code == 200
    assert actions(strict.amina)[-1] == Action.TWO_FACTOR_VERIFIED


def test_a_user_who_set_up_a_second_factor_is_asked_for_it_everywhere(
    world: World, client: Any
) -> None:
    enrolled(world.amina)  # Alpha does not require it; she chose to
    log_in(client)
    assert client.get("/account/staff/")["Location"].startswith(
        reverse("accounts:two-factor-verify")
    )


def test_a_recovery_code_signs_in_once(strict: World, client: Any) -> None:
    _device, codes = enrolled(strict.amina)
    verify = reverse("accounts:two-factor-verify")
    log_in(client)
    response = client.post(verify, {"code": codes[0].upper(), "next": "/"}, follow=True)
    assert "You used a recovery code; 1 is left." in response.content.decode()
    assert actions(strict.amina)[-1] == Action.RECOVERY_CODE_USED
    client.post(reverse("accounts:logout"))
    log_in(client)
    again = client.post(verify, {"code": codes[0], "next": "/"})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()


def test_wrong_codes_are_throttled_then_lock_the_sign_in_out(strict: World, client: Any) -> None:
    device, _codes = enrolled(strict.amina)
    verify = reverse("accounts:two-factor-verify")
    log_in(client)
    client.post(verify, {"code": "123456"})
    # Straight away, even the right code waits: each failure doubles the wait.
    waiting = client.post(verify, {"code": code_of(device)})
    assert "Too many wrong codes" in waiting.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = settings.CASEWORK_LOCKOUT_FAILURES - 1
    device.throttling_failure_timestamp = timezone.now() - timedelta(days=1)
    device.save()
    response = client.post(verify, {"code": "123456"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "you have been signed out" in response.content.decode()
    assert Action.LOCKED_OUT in actions(strict.amina)
    assert client.get("/account/staff/")["Location"].startswith(reverse("accounts:login"))


def test_an_api_token_needs_the_second_factor_too(strict: World, api_client: Any) -> None:
    url = reverse("api:token")
    credentials = {"username": "amina", "password": PASSWORD}
    not_set_up = api_client.post(url, credentials)
    assert not_set_up.status_code == 400 and "otp" in not_set_up.json()
    device, _codes = enrolled(strict.amina)
    assert "otp" in api_client.post(url, credentials).json()
    assert api_client.post(url, {**credentials, "otp": "000000"}).status_code == 400
    device.refresh_from_db()
    device.throttling_failure_timestamp = None
    device.save()
    response = api_client.post(url, {**credentials, "otp": code_of(device)})
    assert response.status_code == 200 and response.json()["token"]
    assert actions(strict.amina)[-2:] == [Action.TWO_FACTOR_FAILED, Action.TWO_FACTOR_VERIFIED]
    issued = AuditEntry.objects.order_by("id").last()
    assert issued is not None and (issued.action, issued.actor) == (Action.TOKEN_ISSUED, "amina")
    assert issued.object_id == response.json()["id"]  # the entry names the token


def test_an_admin_resets_a_members_second_factor(strict: World, client: Any) -> None:
    enrolled(strict.amina)
    membership = strict.amina.memberships.get()
    url = reverse("accounts:member-two-factor-reset", args=[membership.uid])
    client.force_login(strict.boris)  # Beta's admin: not his member
    assert client.post(url).status_code == 404
    client.force_login(strict.olga)
    enrolled(strict.olga)
    client.post(reverse("accounts:login"), {"username": "olga", "password": PASSWORD})
    olga_device = TOTPDevice.objects.get(user=strict.olga)
    client.post(reverse("accounts:two-factor-verify"), {"code": code_of(olga_device)})
    detail = client.get(reverse("accounts:member-detail", args=[membership.uid]))
    assert "Reset two-factor sign-in" in detail.content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=strict.amina).exists()
    assert not StaticDevice.objects.filter(user=strict.amina).exists()
    entry = AuditEntry.objects.get(action=Action.TWO_FACTOR_RESET)
    assert (entry.actor, entry.organisation_id) == ("olga", strict.alpha.pk)
    assert entry.object_id == str(strict.amina.pk)
