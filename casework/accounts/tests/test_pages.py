from __future__ import annotations

from typing import Any

from django.urls import reverse

from casework.accounts.models import Membership, User
from casework.accounts.services import add_membership
from casework.audit.models import Action, AuditEntry
from casework.core.testing.personas import World
from casework.core.testing.queries import count_queries


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
    response = client.get(reverse("accounts:member-detail", args=[membership.pk]))
    assert "amina@test.invalid" in response.content.decode()
    entry = AuditEntry.objects.get(action=Action.READ)
    assert (entry.actor, entry.object_type, entry.object_id) == (
        "olga",
        "accounts.membership",
        str(membership.pk),
    )


def test_list_pages_do_not_query_per_row(world: World, client: Any) -> None:
    client.force_login(world.olga)
    pages = [reverse("accounts:member-list"), reverse("accounts:organisation-list")]
    before = [count_queries(lambda url=url: client.get(url)) for url in pages]
    for i in range(15):
        user = User.objects.create(username=f"extra{i}")
        add_membership(user, "caseworker", world.alpha)
    assert Membership.objects.filter(organisation=world.alpha).count() > 15
    after = [count_queries(lambda url=url: client.get(url)) for url in pages]
    assert after == before
