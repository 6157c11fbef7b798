"""The network's figures: the live computation over every case, building the release that
publishes them (computation, suppression and the exact audit), and reading the network
dashboard from it, which should not depend on the number of cases."""

from __future__ import annotations

import statistics
import time

from django.utils import timezone

from casework.cases.models import Case
from casework.core import releases
from casework.core.access import Principal
from casework.core.periods import parse_period
from casework.core.publication import threshold
from casework.core.roles import ROLES
from casework.indicators.dashboard import Scope, build, scope_for

PERIOD = "2025"


def _median(fn, repeats: int) -> tuple[float, float, object]:
    timings, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), min(timings), result


def run(label: str, repeats: int = 3) -> None:
    start, end = parse_period(PERIOD)
    cases = Case.objects.count()
    everything = Scope("organisation", Case.objects.all(), True)  # the live path, network-wide
    median, low, _ = _median(lambda: build(everything, start, end, "country"), repeats)
    print(
        f"live network figures ({label}, {cases:,} cases, {PERIOD}, by country, curves and "
        f"series): median {median:.2f} s of {repeats} (min {low:.2f} s)"
    )
    started = time.perf_counter()
    try:
        release = releases.build(built_by="benchmark", periods=[PERIOD])
        summary = release.audit[PERIOD]
        cells = release.figures.filter(period=PERIOD).count()
    except releases.NothingToRelease:  # a year is frozen: time the same work without storing
        contribution, protection = releases.prepare(PERIOD, timezone.localdate(), threshold())
        summary, cells = protection.summary(), len(contribution.figures)
        covering = releases.covering(PERIOD)
        assert covering is not None  # the year is frozen: a release covers it
        release = covering
    print(
        f"release build ({label}, {PERIOD}): {time.perf_counter() - started:.1f} s, of which "
        f"the audit {summary['seconds']:.1f} s ({summary['programmes']:,} linear programmes in "
        f"{summary['rounds']} rounds; {summary['withheld']} of {cells} cells withheld)"
    )
    observer = Principal(user_id=0, role=ROLES["observer"])
    scope = scope_for(observer, "network")
    median, low, _ = _median(lambda: build(scope, start, end, "country", PERIOD), 20)
    print(
        f"network dashboard from {release.title} ({label}): median {1000 * median:.1f} ms "
        f"of 20 (min {1000 * low:.1f} ms)"
    )
