"""The service directory as its users see it: found by a case manager, kept by the
organisations and coordinators, printed for a visit, and through the API."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casework.referrals import services
from casework.referrals.demo import create_demo_services
from casework.referrals.models import Service
from casework.testing.personas import PASSWORD, World

TODAY = timezone.localdate()
ANTWERP: dict[str, Any] = {"service_type": "legal_aid", "country": "BE", "city": "Antwerp"}


def service(world: World, provider: str, **fields: Any) -> Service:
    """An entry kept by the network's coordinators: free legal aid in Antwerp unless told."""
    defaults: dict[str, Any] = {**ANTWERP, "languages": ["nl", "ar"], "serves_undocumented": True}
    return services.save_service(world.nora, provider=provider, **(defaults | fields))


@pytest.fixture
def directory(world: World) -> World:
    service(world, "Antwerp Rights Desk", languages=["nl", "fr", "ar"])  # the one to find
    service(world, "Antwerp Paying Lawyers", cost="paid")
    service(world, "Antwerp Dutch Clinic", languages=["nl", "fr"])
    service(world, "Antwerp Aramaic Desk", languages=["arc"])  # "ar" is not "arc"
    service(world, "Antwerp Residents' Desk", serves_undocumented=False)
    service(world, "Antwerp Night Shelter", service_type="shelter")
    service(world, "Brussels Legal Line", city="Brussels")
    service(world, "Antwerp Closed Desk", active=False)
    return world


ALL = (
    "Antwerp Rights Desk",
    "Antwerp Paying Lawyers",
    "Antwerp Dutch Clinic",
    "Antwerp Aramaic Desk",
    "Antwerp Residents&#x27; Desk",
    "Antwerp Night Shelter",
    "Brussels Legal Line",
    "Antwerp Closed Desk",
)


def names(page: str) -> set[str]:
    return {name for name in ALL if name in page}


def new_entry(**fields: Any) -> dict[str, Any]:
    """What the form sends for a new entry."""
    return {
        "provider": "Ghent Legal Aid Desk",
        "service_type": "legal_aid",
        "country": "BE",
        "city": "Ghent",
        "languages": "nl, EN, ar",
        "serves_undocumented": "on",
        "cost": "free",
        "verified_on": str(TODAY),
    } | fields


def test_a_case_manager_finds_free_legal_aid_in_antwerp_for_someone_without_papers(
    directory: World, client: Any
) -> None:
    client.force_login(directory.amina)  # a case manager in Belgium
    url = reverse("referrals:services")
    home = client.get(reverse("core:home")).content.decode()
    assert f'href="{url}"' in home  # "Services" in the menu
    wanted = {
        "service_type": "legal_aid",
        "country": "BE",
        "city": "antwerp",
        "language": "AR",
        "serves_undocumented": "on",
        "free": "on",
    }
    found = client.get(url, wanted).content.decode()
    assert names(found) == {"Antwerp Rights Desk"}
    assert "1 service<" in found
    by_name = client.get(url, {"q": "ANTW"}).content.decode()  # provider or city, any case
    assert names(by_name) == set(ALL) - {"Brussels Legal Line", "Antwerp Closed Desk"}
    assert names(client.get(url, {"active": "no"}).content.decode()) == {"Antwerp Closed Desk"}
    assert names(client.get(url, {"active": "all"}).content.decode()) == set(ALL)
    bad = client.get(url, {"language": "not a code"}).content.decode()
    assert "Not a language code" in bad and "Antwerp Closed Desk" not in bad
    client.force_login(directory.otto)  # an observer: figures in releases only
    assert client.get(url).status_code == 403
    assert f'href="{url}"' not in client.get(reverse("core:home")).content.decode()


def test_the_directory_shows_when_an_entry_was_last_verified(world: World, client: Any) -> None:
    service(world, "Checked lately", verified_on=TODAY - dt.timedelta(days=30))
    service(world, "Checked long ago", verified_on=TODAY - dt.timedelta(days=400))
    service(world, "Never checked", verified_on=None)
    client.force_login(world.amina)
    page = client.get(reverse("referrals:services")).content.decode()
    assert f'datetime="{TODAY - dt.timedelta(days=30)}"' in page
    assert page.count("not verified for over a year") == 1
    assert page.count("Not verified yet") == 1
    flagged = page.index("not verified for over a year")
    assert page.rindex("Checked long ago", 0, flagged) > page.rindex("Checked lately", 0, flagged)


def test_supervisors_and_admins_add_their_organisations_entries_and_change_only_those(
    world: World, client: Any
) -> None:
    create = reverse("referrals:service-create")
    client.force_login(world.amina)  # a case manager reads the directory only
    assert client.post(create, new_entry()).status_code == 403
    assert not Service.objects.exists()
    client.force_login(world.sam)
    assert client.post(create, new_entry()).status_code == 302
    desk = Service.objects.get()
    assert (desk.organisation, desk.languages) == (world.alpha, ["nl", "en", "ar"])
    update = reverse("referrals:service-update", args=[desk.uid])
    client.force_login(world.olga)  # Alpha's admin: Alpha's entry
    changed = client.post(update, new_entry(opening_hours="Mon 9-12", active="on"))
    assert changed.status_code == 302
    desk.refresh_from_db()
    assert (desk.opening_hours, desk.active) == ("Mon 9-12", True)
    client.force_login(world.boris)  # Beta's admin reads it, but it is not Beta's to change
    assert client.get(reverse("referrals:service", args=[desk.uid])).status_code == 200
    assert client.post(update, new_entry(opening_hours="Never")).status_code == 403
    client.force_login(world.nora)  # a coordinator changes every entry: withdraws this one
    assert client.post(update, new_entry()).status_code == 302  # no `active`: withdrawn
    desk.refresh_from_db()
    assert desk.active is False and desk.opening_hours == ""
    theirs = service(world, "Network interpreting line", service_type="other")
    assert theirs.organisation is None
    client.force_login(world.sam)
    refused = client.post(reverse("referrals:service-update", args=[theirs.uid]), new_entry())
    assert refused.status_code == 403
    for caller in (world.amina, world.eva, world.otto):
        with pytest.raises(PermissionDenied):
            services.save_service(caller, provider="x", **ANTWERP)
    with pytest.raises(PermissionDenied):
        services.save_service(world.sam, theirs, active=False)
    reactivated = services.save_service(world.olga, desk, active=True)
    assert reactivated.active is True


def test_duplicates_and_bad_input_are_refused_with_nothing_stored(
    world: World, client: Any
) -> None:
    client.force_login(world.sam)
    create = reverse("referrals:service-create")
    assert client.post(create, new_entry()).status_code == 302
    again = client.post(create, new_entry(provider="ghent legal AID desk", city="GHENT"))
    assert again.status_code == 400
    assert "legal aid in GHENT is in the directory already" in again.content.decode()
    future = client.post(
        create, new_entry(provider="Other", verified_on=str(TODAY + dt.timedelta(days=1)))
    )
    assert future.status_code == 400 and "in the future" in future.content.decode()
    codes = client.post(create, new_entry(provider="Other", languages="english, ar"))
    assert codes.status_code == 400 and "Not a language code: english" in codes.content.decode()
    assert Service.objects.count() == 1
    # Another service of the same provider, or the same in another city, is another entry.
    assert client.post(create, new_entry(service_type="psychosocial")).status_code == 302
    assert client.post(create, new_entry(city="Bruges")).status_code == 302
    bruges = Service.objects.get(city="Bruges")
    moved = client.post(reverse("referrals:service-update", args=[bruges.uid]), new_entry())
    assert moved.status_code == 400
    bruges.refresh_from_db()
    assert bruges.city == "Bruges"
    with pytest.raises(ValidationError) as bad:
        services.save_service(world.sam, provider="X", languages=["en", "xx_y"], **ANTWERP)
    assert "xx_y" in str(bad.value.message_dict["languages"])
    with pytest.raises(ValidationError) as empty:
        services.save_service(world.sam, provider="  ", **ANTWERP)
    assert "provider" in empty.value.message_dict
    with pytest.raises(TypeError):
        services.save_service(world.sam, provider="X", organisation=world.beta, **ANTWERP)
    assert Service.objects.count() == 3
    kept = services.save_service(
        world.sam, provider=" Y ", languages=["EN", "en", " fr"], **ANTWERP
    )
    assert (kept.provider, kept.languages) == ("Y", ["en", "fr"])


def test_an_entry_is_marked_as_verified_today(world: World, client: Any) -> None:
    desk = services.save_service(
        world.sam, provider="Desk", verified_on=TODAY - dt.timedelta(days=400), **ANTWERP
    )
    url = reverse("referrals:service", args=[desk.uid])
    verify = reverse("referrals:service-verify", args=[desk.uid])
    client.force_login(world.boris)  # not Beta's entry
    assert client.post(verify).status_code == 403
    client.force_login(world.olga)
    assert "not verified for over a year" in client.get(url).content.decode()
    assert client.post(verify).status_code == 302
    desk.refresh_from_db()
    assert desk.verified_on == TODAY
    assert "not verified for over a year" not in client.get(url).content.decode()
    with pytest.raises(ValidationError):
        services.verify_service(world.olga, desk, on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        services.verify_service(world.olga, desk, on=TODAY - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.verify_service(world.amina, desk)


def test_the_printable_list_holds_the_filtered_services_without_the_menu(
    directory: World, client: Any
) -> None:
    client.force_login(directory.amina)
    page = client.get(
        reverse("referrals:services-print"), {"city": "Antwerp", "free": "on", "language": "ar"}
    ).content.decode()
    assert names(page) == {
        "Antwerp Rights Desk",
        "Antwerp Residents&#x27; Desk",
        "Antwerp Night Shelter",
    }
    assert 'class="main-nav"' not in page and "Log out" not in page
    assert "3 services, as listed on" in page and "City: Antwerp" in page
    assert "Free only: yes" in page and "Language: ar" in page
    assert "referrals/services-print.css" in page
    css = Path(__file__).parents[1] / "static" / "referrals" / "services-print.css"
    assert "@media print" in css.read_text()
    listed = client.get(reverse("referrals:services"), {"city": "Antwerp", "free": "on"})
    assert "/services/print/?city=Antwerp&amp;free=on" in listed.content.decode()


def test_the_api_lists_with_the_filters_and_keeps_the_rules(directory: World) -> None:
    api = APIClient()
    api.force_authenticate(directory.amina)
    query = {**ANTWERP, "country": "be", "language": "ar", "serves_undocumented": "true"}
    found = api.get("/api/v1/services/", {**query, "free": "true"}).json()
    assert [s["provider"] for s in found["results"]] == ["Antwerp Rights Desk"]
    assert found["results"][0]["languages"] == ["nl", "fr", "ar"]
    assert found["results"][0]["kept_by"] is None
    assert api.get("/api/v1/services/", {"active": "all"}).json()["count"] == len(ALL)
    for bad in ({"serves_undocumented": "maybe"}, {"language": "a_b"}, {"active": "yes!"}):
        assert api.get("/api/v1/services/", bad).status_code == 400, bad
    body = {"provider": "Ghent Legal Aid Desk", **ANTWERP, "city": "Ghent", "languages": ["nl"]}
    assert api.post("/api/v1/services/", body, format="json").status_code == 403
    api.force_authenticate(directory.sam)
    made = api.post("/api/v1/services/", body, format="json")
    assert made.status_code == 201, made.json()
    entry = made.json()
    assert (entry["kept_by"], entry["cost"], entry["active"]) == ("alpha", "free", True)
    twice = api.post("/api/v1/services/", {**body, "city": "ghent"}, format="json")
    assert twice.status_code == 400 and "provider" in twice.json()
    long = api.post("/api/v1/services/", {**body, "provider": " " + "x" * 200}, format="json")
    assert long.status_code == 400 and "provider" in long.json()  # checked as sent
    url = f"/api/v1/services/{entry['id']}/"
    changed = api.patch(url, {"active": False, "opening_hours": " Mon 9-12 "}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["active"], changed.json()["opening_hours"]) == (False, "Mon 9-12")
    checked = api.post(f"{url}verify/", {"on": str(TODAY - dt.timedelta(days=2))}, format="json")
    assert checked.status_code == 200 and checked.json()["verified_on"] == str(
        TODAY - dt.timedelta(days=2)
    )
    late = api.post(f"{url}verify/", {"on": str(TODAY + dt.timedelta(days=1))}, format="json")
    assert late.status_code == 400 and "verified_on" in late.json()
    assert Service.objects.filter(provider="Ghent Legal Aid Desk").count() == 1
    api.force_authenticate(directory.boris)  # reads Alpha's entry, may not change it
    assert api.get(url).status_code == 200
    assert api.patch(url, {"active": True}, format="json").status_code == 403
    assert api.post(f"{url}verify/", {}, format="json").status_code == 403
    assert api.get("/api/v1/services/00000000-0000-4000-8000-000000000000/").status_code == 404
    api.force_authenticate(directory.otto)
    assert api.get("/api/v1/services/").status_code == 403
    api.force_authenticate(None)
    assert api.get("/api/v1/services/").status_code == 401


def test_the_directory_page_asks_the_same_queries_for_more_services(
    directory: World, client: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(directory.amina)
    url = reverse("referrals:services")
    client.get(url)  # the first request after signing in writes the session
    for batch in range(2):
        for i in range(5):
            service(directory, f"Desk {batch}-{i}")
        # Session, user, memberships, the second-factor check; the count and the page.
        with django_assert_num_queries(6):
            assert client.get(url, {"language": "ar"}).status_code == 200


def test_the_api_list_asks_the_same_queries_for_more_services(
    directory: World, client: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(directory.amina)
    url = "/api/v1/services/"
    client.get(url)  # the first request after signing in writes the session
    for batch in range(2):
        for i in range(5):
            services.save_service(directory.sam, provider=f"Desk {batch}-{i}", **ANTWERP)
        # Session, user, memberships, the second-factor check; the count and the page (with
        # the organisations that keep the entries).
        with django_assert_num_queries(6):
            assert client.get(url, {"free": "true"}).status_code == 200


def test_the_demo_directory_has_legal_aid_for_people_without_papers_in_every_pilot(
    db: None,
) -> None:
    from casework.accounts.demo import create_demo_network

    create_demo_network(PASSWORD)
    added = create_demo_services()
    assert 25 <= added == Service.objects.count()
    legal = Service.objects.filter(service_type="legal_aid", serves_undocumented=True)
    assert set(legal.values_list("country", flat=True)) == {
        "BE",
        "BG",
        "CY",
        "GR",
        "IT",
        "PL",
        "GB",
    }
    assert Service.objects.filter(organisation=None).count() == 1
    assert all(s.email.endswith("@example.org") for s in Service.objects.all())
    out = io.StringIO()
    call_command("services", "demo", stdout=out)  # once only (no active case: no referral)
    assert out.getvalue() == "0 demo services added to the directory; 0 demo referrals.\n"


def test_the_demo_refers_some_active_cases_with_follow_ups_due(db: None, client: Any) -> None:
    from casework.accounts.demo import create_demo_network
    from casework.referrals.models import Referral

    create_demo_network(PASSWORD)
    call_command("generate", cases=120, seed=2020, stdout=io.StringIO())
    call_command("services", "demo", stdout=io.StringIO())
    referrals = Referral.objects.select_related("case", "service")
    assert referrals.count() >= 5
    for referral in referrals:
        assert referral.service is not None
        assert referral.service.country == referral.case.organisation.country
        assert referral.consent is None  # the demo shares nothing
    assert {r.status for r in referrals} >= {"sent", "completed", "accepted"}
    due = referrals.filter(status="sent", follow_up_on__lt=timezone.localdate()).first()
    assert due is not None and due.case.case_manager is not None
    client.force_login(due.case.case_manager)
    assert due.case.code in client.get("/").content.decode()
