"""The cost pages as their users see them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from casework.finance.models import Amount, DetentionCost
from casework.finance.tests.test_costs import enrol, line
from casework.testing.personas import World


def test_the_cost_page_shows_each_projects_cost_per_person_day_and_saving(
    world: World, client: Any
) -> None:
    enrol(world, dt.date(2025, 1, 1))  # 365 person-days
    line(world)  # €3,650: €10.00 a person-day, saving 365 x (180 - 10) = €62,050
    client.force_login(world.sam)
    page = client.get(reverse("finance:costs"), {"period": "2025"}).content.decode()
    assert "10.00" in page and "62050.00" in page and "12 of 12 months" in page
    assert 'class="atd" x="0" y="1" width="5.56"' in page  # the chart: 10 ÷ 180 of the scale
    assert 'class="detention" x="0" y="8" width="100.0"' in page
    assert "spending in the period ÷ enrolled person-days" in page
    bad = client.get(reverse("finance:costs"), {"period": "sometime"})
    assert bad.status_code == 400 and "Write the period as" in bad.content.decode()


def test_a_line_is_added_with_its_errors_shown_and_withdrawn(world: World, client: Any) -> None:
    client.force_login(world.sam)
    url = reverse("finance:amounts")
    data = {
        "project": world.alpha_project.pk,
        "kind": "spent",
        "period": "2025",
        "category": "staff",
        "amount": "1200",
        "currency": "USD",
        "source": "eu",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "what one unit was worth in euros" in refused.content.decode()
    assert not Amount.objects.exists()
    saved = client.post(url, {**data, "rate": "0.9", "rate_on": "2025-12-31"})
    assert saved.status_code == 302
    amount = Amount.objects.get()
    assert str(amount.in_euros) == "1080.00"
    client.post(reverse("finance:amount-withdraw", args=[amount.uid]))
    amount.refresh_from_db()
    assert amount.withdrawn_at is not None
    assert "not counted" in client.get(url).content.decode()
    # A withdrawn line no longer blocks a corrected one for the same period.
    assert client.post(url, {**data, "currency": "EUR", "amount": "1100"}).status_code == 302


def test_the_projection_reproduces_the_plan_for_the_network(world: World, client: Any) -> None:
    client.force_login(world.nora)
    page = client.get(reverse("finance:projection")).content.decode()
    assert "100800.00" in page and "the scaling plan" in page
    asked = client.get(
        reverse("finance:projection"),
        {"baseline_cases": "100", "growth": "10", "monthly_cost": "200"},
    )
    assert "24000.00" in asked.content.decode()  # 10 cases x €200 x 12
    refused = client.get(reverse("finance:projection"), {"baseline_cases": "-4", "growth": "x"})
    assert refused.status_code == 400


def test_coordinators_keep_the_detention_costs(world: World, client: Any) -> None:
    url = reverse("finance:detention-costs")
    client.force_login(world.otto)
    assert "180.00" in client.get(url).content.decode()  # seeded: Belgium, 2015
    assert client.post(url, {}).status_code == 403
    client.force_login(world.nora)
    data = {"country": "BG", "per_day": "61.5", "year": "2024", "source": "Test report"}
    assert client.post(url, data).status_code == 302
    assert DetentionCost.objects.get(country="BG").per_day == 61.5


def test_the_cost_page_sets_spending_against_the_budget(world: World, client: Any) -> None:
    enrol(world, dt.date(2025, 1, 1))
    line(world)  # €3,650 spent in 2025
    line(world, kind="budget", amount="5000")  # against €5,000: 3,650 ÷ 5,000 = 73%
    client.force_login(world.sam)
    page = client.get(reverse("finance:costs"), {"period": "2025"}).content.decode()
    assert "5000.00" in page and "73% of the budget" in page
    # A quarter takes its share of both: 5,000 x 90 ÷ 365 = 1,232.88 and 900.00 spent.
    quarter = client.get(reverse("finance:costs"), {"period": "2025-Q1"}).content.decode()
    assert "1232.88" in quarter and "900.00" in quarter


def test_a_line_is_corrected_in_one_step_or_not_at_all(world: World, client: Any) -> None:
    old = line(world)  # €3,650 of staff in 2025
    client.force_login(world.sam)
    url = reverse("finance:amount-correct", args=[old.uid])
    form = client.get(url).content.decode()
    assert 'value="3650.00"' in form and 'value="2025"' in form
    data = {
        "project": world.alpha_project.pk,
        "kind": "spent",
        "period": "2025",
        "category": "staff",
        "currency": "EUR",
        "source": "foundation",
    }
    refused = client.post(url, {**data, "amount": "-1"})
    assert refused.status_code == 400 and "never negative" in refused.content.decode()
    old.refresh_from_db()
    assert old.withdrawn_at is None and Amount.objects.count() == 1  # nothing changed
    # The corrected line covers the old one's period: the old one is withdrawn first.
    assert client.post(url, {**data, "amount": "3900"}).status_code == 302
    new = Amount.objects.get(withdrawn_at__isnull=True)
    assert Amount.objects.get(pk=old.pk).withdrawn_at is not None
    assert str(new.amount) == "3900.00"
    again = client.post(url, {**data, "amount": "4000"})
    assert again.status_code == 400 and "withdrawn already" in again.content.decode()
    assert Amount.objects.count() == 2


def test_the_cost_table_downloads_as_shown(world: World, client: Any) -> None:
    import csv
    import io

    from openpyxl import load_workbook

    enrol(world, dt.date(2025, 1, 1))  # 365 person-days
    line(world)  # €3,650: €10.00 a person-day, saving 365 x (180 - 10) = €62,050
    client.force_login(world.sam)
    url = reverse("finance:costs-export", args=["csv"])
    response = client.get(url, {"period": "2025"})
    assert response["Content-Disposition"] == 'attachment; filename="casework-costs-2025.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "2025-01-01 to 2025-12-31" in rows[0][0]
    found = dict(zip(rows[1], rows[2], strict=True))
    assert found["project"] == world.alpha_project.name
    assert (found["per_person_day"], found["saving"], found["country"]) == ("10.0", "62050.0", "BE")
    assert rows[-1][0] == "all projects"
    workbook = load_workbook(
        io.BytesIO(
            client.get(reverse("finance:costs-export", args=["xlsx"]), {"period": "2025"}).content
        )
    )
    sheet = workbook["costs"]
    header = [cell.value for cell in sheet[2]]
    assert sheet.cell(3, header.index("person_days") + 1).value == 365
    assert client.get(reverse("finance:costs-export", args=["pdf"])).status_code == 404
    assert client.get(url, {"period": "later"}).status_code == 400
