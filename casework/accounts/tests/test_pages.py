from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from casework.accounts.models import Membership, User
from casework.accounts.services import add_membership
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import World
from casework.testing.queries import count_queries


def test_the_organisation_page_lists_its_projects_and_sites(world: World, client: Any) -> None:
    client.force_login(world.amina)
    page = client.get(reverse("accounts:organisation-detail", args=["alpha"])).content.decode()
    assert "Alpha Association pilot" in page
    assert "Ghent office" in page
    assert "Beta" not in page


def test_network_roles_see_every_organisation(world: World, client: Any) -> None:
    client.force_login(world.eva)
    page = client.get(reverse("accounts:organisation-list")).content.decode()
    assert "Alpha Association" in page
    assert "Beta Foundation" in page


def test_the_staff_list_shows_one_organisation_and_searches(world: World, client: Any) -> None:
    client.force_login(world.olga)
    page = client.get(reverse("accounts:member-list")).content.decode()
    assert "amina" in page and "sam" in page
    assert "boris" not in page and "bilal" not in page
    found = client.get(reverse("accounts:member-list"), {"q": "ami"}).content.decode()
    assert "amina" in found and ">sam<" not in found


def test_reading_a_staff_member_is_audited(world: World, client: Any) -> None:
    client.force_login(world.olga)
    membership = world.amina.memberships.get()
    response = client.get(reverse("accounts:member-detail", args=[membership.uid]))
    assert "amina@test.invalid" in response.content.decode()
    entry = AuditEntry.objects.get(action=Action.READ)
    assert (entry.actor, entry.object_type, entry.object_id) == (
        "olga",
        "accounts.membership",
        str(membership.uid),
    )


def test_list_pages_do_not_query_per_row(world: World, client: Any) -> None:
    client.force_login(world.olga)
    pages = [reverse("accounts:member-list"), reverse("accounts:organisation-list")]
    client.get(
        pages[0]
    )  # the first request after signing in stamps the session's last activity (one write)
    before = [count_queries(partial(client.get, url)) for url in pages]
    for i in range(15):
        user = User.objects.create(username=f"extra{i}")
        add_membership(user, "caseworker", world.alpha)
    assert Membership.objects.filter(organisation=world.alpha).count() > 15
    after = [count_queries(partial(client.get, url)) for url in pages]
    assert after == before


def test_an_org_admin_adds_a_staff_member_who_can_then_log_in(world: World, client: Any) -> None:
    client.force_login(world.olga)
    password = "first-password-to-hand-over"
    response = client.post(
        reverse("accounts:member-create"),
        {
            "username": "newcomer",
            "first_name": "New",
            "last_name": "Comer",
            "email": "new@test.invalid",
            "role": "caseworker",
            "password1": password,
            "password2": password,
        },
        follow=True,
    )
    assert "New Comer can now log in." in response.content.decode()
    membership = Membership.objects.get(user__username="newcomer")
    assert (membership.organisation, membership.role) == (world.alpha, "caseworker")
    client.logout()
    # django-axes watches every sign-in, so it needs the request (the test client has none).
    assert client.login(request=HttpRequest(), username="newcomer", password=password)
    created = AuditEntry.objects.filter(action=Action.CREATE, object_type="accounts.membership")
    assert created.filter(object_id=str(membership.uid), organisation_id=world.alpha.pk).exists()


def test_a_taken_username_or_a_weak_password_is_refused(world: World, client: Any) -> None:
    client.force_login(world.olga)
    data = {"username": "bilal", "role": "caseworker", "password1": "x", "password2": "x"}
    page = client.post(reverse("accounts:member-create"), data).content.decode()
    assert "A user with that username already exists." in page
    assert "too short" in page
    assert User.objects.filter(username="bilal").count() == 1


def test_an_org_admin_changes_a_role_and_deactivates_a_member(world: World, client: Any) -> None:
    client.force_login(world.olga)
    membership = world.amina.memberships.get()
    url = reverse("accounts:member-update", args=[membership.uid])
    client.post(url, {"role": "supervisor", "is_active": "on"})
    membership.refresh_from_db()
    assert membership.role == "supervisor"
    client.post(url, {"role": "supervisor"})  # unticked: deactivated
    membership.refresh_from_db()
    assert not membership.is_active
    client.force_login(world.amina)
    assert client.get(reverse("accounts:organisation-list")).status_code == 403


def test_the_last_admin_cannot_be_removed(world: World, client: Any) -> None:
    client.force_login(world.olga)
    own = world.olga.memberships.get()
    response = client.post(
        reverse("accounts:member-update", args=[own.uid]), {"role": "caseworker", "is_active": "on"}
    )
    assert "at least one active member who manages its staff" in response.content.decode()
    own.refresh_from_db()
    assert own.role == "org_admin"
    add_membership(User.objects.create(username="second-admin"), "org_admin", world.alpha)
    client.post(
        reverse("accounts:member-update", args=[own.uid]), {"role": "caseworker", "is_active": "on"}
    )
    own.refresh_from_db()
    assert own.role == "caseworker"


def test_an_admin_cannot_give_a_network_role(world: World, client: Any) -> None:
    client.force_login(world.olga)
    membership = world.amina.memberships.get()
    response = client.post(
        reverse("accounts:member-update", args=[membership.uid]),
        {"role": "network_coordinator", "is_active": "on"},
    )
    assert "Select a valid choice" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "caseworker"
