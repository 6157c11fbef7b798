"""The evidence pages: dashboards by scope, the cases behind a figure, downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.test import Client
from django.urls import reverse

from casework.cases.models import Case
from casework.cases.services import close_case
from casework.core import releases
from casework.indicators.tests.conftest import enrol
from casework.testing.personas import World

URL = "/evidence/"
# The network dashboard from a release: session, user, memberships, whether the user has set
# up a second factor (the sign-in check), the latest release (for the year picker, then for
# the figures), its cells, its curve, the targets, each country's and organisation's cost
# cells, the detention costs they are compared with and the organisations' countries, the
# network-building figures.
QUERIES = 13


def test_staff_see_their_organisation_exactly_with_links_to_the_cases(
    cohort_2020: World, client: Client
) -> None:
    client.force_login(cohort_2020.amina)
    page = client.get(URL, {"period": "2019"}).content.decode()
    assert "Evidence — Alpha Association" in page
    assert "<strong>86%</strong>" in page and "108</a> / 126" in page  # engagement
    assert "<strong>99%</strong>" in page  # improved informed decision-making
    assert "Exact figures: your own organisation." in page
    assert "indicator=removal_rate&amp;period=2019" in page
    behind = client.get(
        reverse("indicators:cases-behind"), {"indicator": "removal_rate", "period": "2019"}
    ).content.decode()
    removed = Case.objects.filter(exit_reason="removed")
    assert "3 cases in the numerator" in behind
    assert all(case.code in behind for case in removed)


def test_an_observer_sees_the_network_only_from_its_release(
    cohort_2020: World, client: Client
) -> None:
    client.force_login(cohort_2020.otto)
    unreleased = client.get(URL, {"period": "2019"})
    assert unreleased.status_code == 400 and "No release" in unreleased.content.decode()
    releases.build(periods=["2019"])
    page = client.get(URL).content.decode()  # the latest released year by default
    assert "Evidence — the network" in page and "Network release" in page
    assert '<th scope="col">BE</th>' in page  # broken down by country by default
    assert 'class="withheld" title="Withheld: fewer than 5 people are counted."' in page
    assert "&lt;5" not in page and "cases-behind" not in page
    assert client.get(URL, {"scope": "organisation", "period": "2019"}).status_code == 400
    behind = client.get(
        reverse("indicators:cases-behind"), {"indicator": "removal_rate", "period": "2019"}
    )
    assert behind.status_code == 403


def test_the_network_dashboard_asks_the_same_queries_at_any_size(
    released_2020: World, client: Client
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(released_2020.otto)
    client.get(URL)  # the first request after signing in stamps the session's last activity
    counts = []
    for batch in range(2):
        for i in range(6):  # more cases: the release does not change, nor its cost
            enrol(released_2020, 200 + 10 * batch + i)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"period": "2019"}).status_code == 200
        counts.append(len(queries))
    assert counts == [QUERIES] * 2, counts


def test_a_closure_shows_on_the_next_load(world: World, client: Client) -> None:
    cases = [enrol(world, i) for i in range(6)]
    client.force_login(world.amina)
    before = client.get(URL, {"period": "2019", "by": ""}).content.decode()
    assert "0</a> / 6" in before.split("Case resolution rate")[1][:600]
    assert cases[0].intake_date is not None
    close_case(
        cases[0],
        exit_reason="resolved",
        resolution="humanitarian_permit",
        on=cases[0].intake_date + dt.timedelta(days=30),
    )
    after = client.get(URL, {"period": "2019", "by": ""}).content.decode()
    assert "1</a> / 6" in after.split("Case resolution rate")[1][:600]


def test_bad_choices_are_explained(world: World, client: Client) -> None:
    client.force_login(world.amina)
    response = client.get(URL, {"period": "last year"})
    assert response.status_code == 400 and "2025-Q2" in response.content.decode()
    page = client.get(URL, {"period": "2019", "by": "nationality"}).content.decode()
    assert "Break down by one of" in page


def test_the_table_downloads_as_shown(released_2020: World, client: Client) -> None:
    cohort_2020 = released_2020
    client.force_login(cohort_2020.otto)
    response = client.get(reverse("indicators:export", args=["csv"]), {"period": "2019"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "Network release" in rows[0][0] and "withheld" in rows[0][0]
    header = rows[1]
    removal = next(r for r in rows[2:] if r[0] == "removal_rate" and r[1] == "all")
    assert removal[header.index("suppressed")] == "True" and removal[2] == ""
    resolved = next(r for r in rows[2:] if r[0] == "resolution_rate" and r[1] == "BE")
    assert resolved[header.index("numerator")] == "32"
    assert not [r for r in rows[2:] if r[1].startswith("intake ")]  # no series outside
    client.force_login(cohort_2020.amina)
    mine = client.get(reverse("indicators:export", args=["csv"]), {"period": "2019"})
    series = [
        r[0]
        for r in csv.reader(io.StringIO(mine.content.decode("utf-8-sig")))
        if len(r) > 1 and r[1] == "intake 2019-Q1"
    ]
    assert series == [
        "engagement_rate",
        "engagement_rate_cumulative",
        "resolution_rate",
        "resolution_rate_cumulative",
    ]
    client.force_login(cohort_2020.otto)
    xlsx = client.get(reverse("indicators:export", args=["xlsx"]), {"period": "2019"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_every_indicator_has_its_definition(world: World, client: Client) -> None:
    client.force_login(world.otto)
    page = client.get(reverse("indicators:definitions")).content.decode()
    for code in ("engagement_rate", "retention", "time_to_resolution", "reporting_compliance"):
        assert f'id="{code}"' in page


def test_the_dashboard_asks_the_same_number_of_queries_for_more_cases(
    world: World, client: Client
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.amina)
    client.get(URL)  # the first request after signing in stamps the session's last activity
    counts = []
    for batch in range(2):
        for i in range(6):
            enrol(world, 10 * batch + i)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL, {"period": "2019", "by": "age_band"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_name_that_looks_like_a_formula_downloads_as_text(
    cohort_2020: World, client: Client
) -> None:
    """A project called =HYPERLINK(…) must not become a live formula in a coordinator's
    spreadsheet: in CSV it is behind an apostrophe, in XLSX a text cell."""
    from openpyxl import load_workbook

    evil = '=HYPERLINK("http://x.invalid","click")'
    project = cohort_2020.alpha_project
    project.name = evil
    project.save()
    client.force_login(cohort_2020.amina)
    query = {"period": "2019", "by": "project"}
    response = client.get(reverse("indicators:export", args=["csv"]), query)
    cells = [c for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) for c in r]
    assert f"'{evil}" in cells and evil not in cells
    xlsx = client.get(reverse("indicators:export", args=["xlsx"]), query)
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    found = [c for row in sheet.iter_rows() for c in row if c.value == evil]
    assert found and all(c.data_type == "s" and c.quotePrefix for c in found)
