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
