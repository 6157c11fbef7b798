"""People with lived experience of detention involved in the members' case management: a
count per organisation and year, recorded by its admins, published by releases for ended
years only and withheld like any small count of people."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from casework.core import releases
from casework.core.publication import INSIDER, PRIMARY
from casework.network import services
from casework.network.models import Involvement
from casework.testing.personas import World

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1
CODE = "lived_experience_involved"


def involved(world: World, **people: int) -> None:
    """Last year's counts, by organisation: `involved(world, alpha=3, beta=4)`."""
    admins = {"alpha": world.olga, "beta": world.boris}
    for slug, n in people.items():
        services.record_involvement(admins[slug], year=LAST_YEAR, people=n)


def figure(release: Any, period: str = str(LAST_YEAR)) -> Any:
    return release.figures.get(period=period, table=CODE)


def test_an_admin_records_and_corrects_their_organisations_year(world: World, client: Any) -> None:
    url = reverse("network:involvement")
    client.force_login(world.olga)
    data = {"year": LAST_YEAR, "people": 2, "note": "Peer mentors"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "people": 3}).status_code == 302  # a correction
    row = Involvement.objects.get()
    assert (row.organisation, row.year, row.people, row.note) == (
        world.alpha,
        LAST_YEAR,
        3,
        "Peer mentors",
    )
    future = client.post(url, {**data, "year": TODAY.year + 1})
    assert future.status_code == 400 and "has not started" in future.content.decode()
    negative = client.post(url, {**data, "people": -1})
    assert negative.status_code == 400 and "0 or more" in negative.content.decode()
    assert Involvement.objects.get().people == 3
    services.record_involvement(world.boris, year=LAST_YEAR, people=7, note="Beta's own")
    page = client.get(url).content.decode()
    assert "Peer mentors" in page and "Beta&#x27;s own" not in page  # only Alpha's rows
    assert 'href="/network/involvement/"' in page  # a tab of the network pages


def test_only_an_organisations_admins_record_and_read_its_counts(world: World) -> None:
    row = services.record_involvement(world.olga, year=LAST_YEAR, people=2)
    for user in (world.nora, world.eva, world.otto, world.amina, world.sam):
        with pytest.raises(PermissionDenied):
            services.record_involvement(user, year=LAST_YEAR, people=1)
        assert not Involvement.objects.visible_to(user).exists()  # the network: releases only
    assert list(Involvement.objects.visible_to(world.olga)) == [row]
    assert not Involvement.objects.visible_to(world.boris).exists()
    with pytest.raises(ValidationError):
        services.record_involvement(world.olga, year=TODAY.year + 1, people=1)


def test_the_page_asks_the_same_queries_for_more_years(
    world: World, client: Any, django_assert_num_queries: Any
) -> None:
    client.force_login(world.olga)
    url = reverse("network:involvement")
    client.get(url)  # the first request after signing in stamps the session
    for year in range(LAST_YEAR - 5, LAST_YEAR + 1):
        services.record_involvement(world.olga, year=year, people=1)
    # Session, user, memberships, the second-factor check; the rows.
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200


def test_a_release_publishes_the_sum_when_every_organisation_leaves_enough(world: World) -> None:
    assert str(LAST_YEAR) not in releases.releasable()
    involved(world, alpha=5, beta=6)
    assert str(LAST_YEAR) in releases.releasable()  # a year with counts is released
    cell = figure(releases.build())
    assert (cell.suppressed, cell.numerator, cell.value) == (False, 11, 11)


def test_one_organisations_small_count_is_withheld(world: World) -> None:
    involved(world, alpha=2)
    cell = figure(releases.build())
    assert (cell.suppressed, cell.reason, cell.numerator, cell.value) == (True, PRIMARY, None, None)


def test_a_sum_an_organisation_could_subtract_its_own_from_is_withheld(world: World) -> None:
    involved(world, alpha=10, beta=2)  # Alpha's staff would learn Beta's 2
    cell = figure(releases.build())
    assert (cell.suppressed, cell.reason, cell.value) == (True, INSIDER, None)


def test_it_is_never_published_for_the_year_to_date(world: World) -> None:
    for admin in (world.olga, world.boris):
        services.record_involvement(admin, year=TODAY.year, people=8)
    assert str(TODAY.year) not in releases.releasable()  # the year has not ended
    _span, running = releases.running(TODAY)
    assert CODE not in {f.cell.key[2] for f in running}
    involved(world, alpha=5, beta=6)
    release = releases.build()
    assert not release.figures.filter(period=f"{TODAY.year}-YTD", table=CODE).exists()
    assert figure(release).value == 11
