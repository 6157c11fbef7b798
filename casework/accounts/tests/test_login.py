from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from casework import settings as casework_settings
from casework.accounts.models import Membership
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import PASSWORD, World


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    assert casework_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_a_user_logs_in_and_sees_their_role(world: World, client: Any) -> None:
    response = client.post(
        reverse("accounts:login"), {"username": "amina", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("core:home")
    page = response.content.decode()
    assert "You work in Alpha Association as Case manager." in page
    assert AuditEntry.objects.filter(action=Action.LOGIN, actor="amina").count() == 1


def test_a_wrong_password_is_refused_and_audited_without_the_typed_name(
    world: World, client: Any
) -> None:
    response = client.post(reverse("accounts:login"), {"username": "amina", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    entry = AuditEntry.objects.get(action=Action.LOGIN_FAILED)
    assert entry.object_id == str(world.amina.pk)
    assert entry.actor == ""
    client.post(reverse("accounts:login"), {"username": "hunter2-typed-here", "password": "x"})
    unknown = AuditEntry.objects.filter(action=Action.LOGIN_FAILED).first()
    assert unknown is not None
    assert unknown.object_id == ""
    assert "hunter2" not in str(unknown.payload())


def test_logout_ends_the_session(world: World, client: Any) -> None:
    client.force_login(world.amina)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 302
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor="amina").exists()


def test_a_user_changes_their_password(world: World, client: Any) -> None:
    client.force_login(world.amina)
    new = "a-new-and-longer-password-7"
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    world.amina.refresh_from_db()
    assert world.amina.check_password(new)
    entry = AuditEntry.objects.get(action=Action.PASSWORD_CHANGED)
    assert entry.actor == "amina"
    assert entry.changed_fields == []


def test_a_weak_new_password_is_refused(world: World, client: Any) -> None:
    client.force_login(world.amina)
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": "12345", "new_password2": "12345"},
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_a_user_in_two_organisations_switches_between_them(world: World, client: Any) -> None:
    client.force_login(world.mia)
    home = client.get(reverse("core:home")).content.decode()
    assert "You work in Alpha Association as Case manager." in home
    beta = world.mia.memberships.get(organisation=world.beta)
    response = client.post(reverse("accounts:switch"), {"membership": beta.uid}, follow=True)
    assert "You work in Beta Foundation as Organisation admin." in response.content.decode()
    assert client.get(reverse("accounts:organisation-detail", args=["alpha"])).status_code == 404
    assert client.get(reverse("accounts:organisation-detail", args=["beta"])).status_code == 200
    entry = AuditEntry.objects.get(action=Action.SWITCHED)
    assert entry.organisation_id == world.beta.pk


def test_a_user_cannot_switch_to_someone_elses_membership(world: World, client: Any) -> None:
    client.force_login(world.mia)
    boris_membership = world.boris.memberships.get()
    response = client.post(
        reverse("accounts:switch"), {"membership": boris_membership.uid}, follow=True
    )
    assert "You have no such membership." in response.content.decode()
    world.mia.refresh_from_db()
    membership = world.mia.active_membership
    assert membership is not None and membership.organisation == world.alpha


def test_the_switch_only_redirects_to_this_site(world: World, client: Any) -> None:
    client.force_login(world.mia)
    beta = world.mia.memberships.get(organisation=world.beta)
    response = client.post(
        reverse("accounts:switch"), {"membership": beta.uid, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("core:home")


@pytest.mark.parametrize(
    ("role", "with_org"), [("network_coordinator", True), ("caseworker", False)]
)
def test_a_role_must_match_its_scope(world: World, role: str, with_org: bool) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.nadia, role=role, organisation=world.alpha if with_org else None
        )


def test_one_role_per_organisation(world: World) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=world.amina, role="supervisor", organisation=world.alpha)


def test_the_navigation_follows_the_role(world: World, client: Any) -> None:
    client.force_login(world.olga)
    admin_page = client.get(reverse("core:home")).content.decode()
    client.force_login(world.otto)
    observer_page = client.get(reverse("core:home")).content.decode()
    assert reverse("audit:entry-list") in admin_page
    assert reverse("accounts:member-list") in admin_page
    assert reverse("audit:entry-list") not in observer_page
    assert reverse("accounts:member-list") not in observer_page
