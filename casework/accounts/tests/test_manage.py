"""Organisation admins keep their organisation's details, sites and projects up to date."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from casework.accounts.models import Project, Site
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import World


def test_an_admin_edits_the_organisations_languages(world: World, client: Any) -> None:
    client.force_login(world.olga)
    url = reverse("accounts:organisation-update", args=["alpha"])
    data = {"name": "Alpha Association", "disengagement_alert_days": 45, "session_idle_minutes": 20}
    response = client.post(
        url,
        {
            **data,
            "languages": "NL, fr, nl, en",
            "closure_needs_approval": "on",
        },
    )
    assert response.status_code == 302
    world.alpha.refresh_from_db()
    assert world.alpha.languages == ["nl", "fr", "en"]
    assert (world.alpha.disengagement_alert_days, world.alpha.closure_needs_approval) == (45, True)
    assert world.alpha.plan_needs_approval is False
    # Left unticked: Alpha signs in without a second factor (turning it on would send olga
    # to set hers up before the next page; test_two_factor.py covers that).
    assert (world.alpha.require_two_factor, world.alpha.session_idle_minutes) == (False, 20)
    bad = client.post(url, {**data, "languages": "dutch!"})
    assert "Not a language code: dutch!." in bad.content.decode()


def test_an_admin_adds_a_site_and_a_project_to_their_own_organisation(
    world: World, client: Any
) -> None:
    client.force_login(world.olga)
    client.post(reverse("accounts:site-create"), {"name": "Antwerp office", "city": "Antwerp"})
    site = Site.objects.get(name="Antwerp office")
    assert site.organisation == world.alpha
    response = client.post(
        reverse("accounts:project-create"),
        {
            "name": "Families pilot",
            "start_date": "2025-03-01",
            "target_cohort": "families_with_children",
            "sites": [site.pk],
        },
    )
    assert response.status_code == 302
    project = Project.objects.get(name="Families pilot")
    assert (project.organisation, list(project.sites.all())) == (world.alpha, [site])
    assert AuditEntry.objects.filter(
        action=Action.CREATE, object_type="accounts.project", organisation_id=world.alpha.pk
    ).exists()


def test_a_project_cannot_use_another_organisations_site(world: World, client: Any) -> None:
    client.force_login(world.olga)
    response = client.post(
        reverse("accounts:project-create"),
        {
            "name": "Sneaky",
            "start_date": "2025-03-01",
            "target_cohort": "other",
            "sites": [world.beta_site.pk],
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Project.objects.filter(name="Sneaky").exists()


def test_project_dates_and_names_are_checked(world: World, client: Any) -> None:
    client.force_login(world.olga)
    url = reverse("accounts:project-update", args=[world.alpha_project.pk])
    data = {"name": "Alpha Association pilot", "target_cohort": "other"}
    backwards = client.post(url, {**data, "start_date": "2025-03-01", "end_date": "2025-01-01"})
    assert "A project cannot end before it starts." in backwards.content.decode()
    again = client.post(reverse("accounts:site-create"), {"name": "Ghent office", "city": "Ghent"})
    assert "Site with this Organisation and Name already exists." in again.content.decode()
    assert Site.objects.filter(organisation=world.alpha, name="Ghent office").count() == 1
    # Beta may use the same name: names are unique within an organisation only.
    client.force_login(world.boris)
    client.post(reverse("accounts:site-create"), {"name": "Ghent office", "city": "Ghent"})
    assert Site.objects.filter(name="Ghent office").count() == 2


def test_the_organisation_page_offers_editing_to_its_admin_only(world: World, client: Any) -> None:
    url = reverse("accounts:organisation-detail", args=["alpha"])
    client.force_login(world.olga)
    assert "Edit organisation" in client.get(url).content.decode()
    client.force_login(world.amina)
    assert "Edit organisation" not in client.get(url).content.decode()
    client.force_login(world.nora)
    assert "Edit organisation" not in client.get(url).content.decode()
