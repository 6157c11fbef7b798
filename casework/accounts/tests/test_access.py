"""The access layer over accounts' rows: who sees which organisations, sites and projects."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from casework.accounts.models import Organisation, Project, Site
from casework.core.access import get_visible_or_404, principal_of
from casework.core.roles import Capability
from casework.testing.personas import World


def test_an_anonymous_caller_sees_nothing(world: World) -> None:
    assert not Project.objects.visible_to(AnonymousUser()).exists()
    assert not principal_of(AnonymousUser()).is_authenticated


def test_an_account_without_membership_sees_nothing(world: World) -> None:
    assert principal_of(world.nadia).role is None
    assert not Organisation.objects.visible_to(world.nadia).exists()
    assert not Project.objects.visible_to(world.nadia).exists()


def test_organisation_staff_see_their_own_organisation_only(world: World) -> None:
    for user in (world.amina, world.sam, world.olga):
        assert list(Project.objects.visible_to(user)) == [world.alpha_project]
        assert list(Organisation.objects.visible_to(user)) == [world.alpha]
        assert list(Site.objects.visible_to(user)) == [world.alpha_site]


def test_network_roles_see_every_organisation_but_no_personal_rows(world: World) -> None:
    class PersonalSite(Site):  # a stand-in for any model whose rows are about a person
        identifies_person = True

        class Meta:
            proxy = True
            app_label = "accounts"

    for user in (world.nora, world.eva, world.otto):
        assert set(Organisation.objects.visible_to(user)) == {world.alpha, world.beta}
        assert Project.objects.visible_to(user).count() == 2
        assert not PersonalSite.objects.visible_to(user).exists()
    assert PersonalSite.objects.visible_to(world.amina).count() == 1


def test_a_row_of_another_organisation_is_not_found(world: World) -> None:
    with pytest.raises(Http404):
        get_visible_or_404(Project.objects, world.boris, pk=world.alpha_project.pk)
    with pytest.raises(Http404):
        get_visible_or_404(Project.objects, world.boris, pk=999_999)
    assert get_visible_or_404(Project.objects, world.boris, pk=world.beta_project.pk)


def test_a_deactivated_membership_gives_no_access(world: World) -> None:
    membership = world.amina.memberships.get()
    membership.is_active = False
    membership.save()
    world.amina.refresh_from_db()
    assert principal_of(world.amina).role is None
    assert not Project.objects.visible_to(world.amina).exists()


def test_a_user_in_two_organisations_sees_the_active_one_only(world: World) -> None:
    assert list(Project.objects.visible_to(world.mia)) == [world.alpha_project]
    world.mia.active_membership = world.mia.memberships.get(organisation=world.beta)
    world.mia.save()
    world.mia.refresh_from_db()
    assert list(Project.objects.visible_to(world.mia)) == [world.beta_project]
    assert principal_of(world.mia).can(Capability.AUDIT_VIEW)
