"""How long the network dashboard takes to compute (every indicator, by country, two years)."""

from __future__ import annotations

import datetime as dt
import statistics
import time

from casework.core.access import Principal
from casework.core.roles import ROLES
from casework.indicators.dashboard import build, scope_for

START, END = dt.date(2024, 7, 1), dt.date(2026, 6, 30)


def run(label: str, repeats: int = 3) -> None:
    observer = Principal(user_id=0, role=ROLES["observer"])
    scope = scope_for(observer, "network")
    cases = scope.cases.count()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        dashboard = build(scope, START, END, "country")
        timings.append(time.perf_counter() - started)
    print(
        f"network dashboard ({label}, {cases:,} cases, {len(dashboard.rows)} rate indicators "
        f"by {len(dashboard.groups) - 1} countries, curves and series): "
        f"median {statistics.median(timings):.2f} s of {repeats} runs "
        f"(min {min(timings):.2f} s)"
    )
