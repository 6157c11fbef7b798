"""The network-building indicators in releases: each year and the year to date, shown on the
network's dashboard (to observers too) and measured against a network target."""

from __future__ import annotations

from typing import Any

import pytest

from casework.core import releases
from casework.finance.tests.test_costs import enrol
from casework.indicators.models import Target
from casework.indicators.services import progress, set_target
from casework.network import services
from casework.network.tests.test_indicators import LAST_YEAR, TODAY, built, on
from casework.testing.personas import World

__all__ = ["built"]  # the fixture


def test_releases_publish_each_year_and_the_year_to_date(built: World, client: Any) -> None:
    enrol(built, on(3))  # a case, so that last year is a period of the releases
    first = releases.build()
    year = {
        f.table: f.value
        for f in first.figures.filter(
            period=str(LAST_YEAR), table__in=["new_pilot_cities", "concept_notes"]
        )
    }
    assert year == {"new_pilot_cities": 1, "concept_notes": 2}
    ytd = f"{TODAY.year}-YTD"
    assert first.changes["to_date"] == {
        "period": ytd,
        "start": f"{TODAY.year}-01-01",
        "end": str(TODAY),
    }
    assert first.figures.get(period=ytd, table="new_pilot_cities").value == 0
    assert not releases.has_news()
    with pytest.raises(releases.NothingToRelease):
        releases.build()
    # This year: Spain launches a pilot; the next release publishes it to date.
    spain = services.save_expansion(
        built.nora, place_kind="city", country="ES", city="Madrid", on=TODAY
    )
    services.move(built.nora, spain, stage="pilot_launched", on=TODAY, note="Launched")
    assert releases.has_news()
    second = releases.build()
    assert second.changes["new_periods"] == []
    assert second.figures.get(period=ytd, table="new_pilot_cities").value == 1
    assert second.figures.filter(period=ytd).count() == first.figures.filter(period=ytd).count()
    assert second.figures.get(period=str(LAST_YEAR), table="new_pilot_cities").value == 1
    # The network's dashboard shows them from the release, to an observer too.
    client.force_login(built.otto)
    page = client.get("/evidence/", {"scope": "network", "period": str(LAST_YEAR)}).content.decode()
    section = page[page.index('id="building-h"') :]
    assert "New pilots in cities" in section and f"{TODAY.year} to {TODAY}" in section
    # Against the plan's target, two new cities in two years: one last year, one this year.
    set_target(
        built.nora,
        "new_pilot_cities",
        baseline_value=0,
        baseline_period=str(LAST_YEAR - 1),
        target_value=2,
        target_period=f"{LAST_YEAR}-01-01..{TODAY.year}-12-31",
    )
    measured = progress(Target.objects.get(indicator="new_pilot_cities"), built.nora)
    assert measured.current == 2 and measured.percent == 100
