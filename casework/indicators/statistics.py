"""Small, tested statistics: the Wilson interval of a proportion, and the Kaplan-Meier
estimate of a survival curve with its median."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution


def wilson(n: int, d: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of n successes out of d (95% by default)."""
    if d <= 0:
        raise ValueError("A proportion needs a denominator above zero.")
    if not 0 <= n <= d:
        raise ValueError("The numerator must lie between 0 and the denominator.")
    p = n / d
    denominator = 1 + z * z / d
    centre = (p + z * z / (2 * d)) / denominator
    half = z * math.sqrt(p * (1 - p) / d + z * z / (4 * d * d)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Step:
    """The Kaplan-Meier estimate just after `time`, with its 95% (log-log) interval."""

    time: int
    at_risk: int
    events: int
    censored: int
    survival: float
    low: float
    high: float


def _log_log(survival: float, greenwood: float, z: float) -> tuple[float, float]:
    """The interval of S on the log(-log S) scale (Kalbfleisch and Prentice), which stays
    inside [0, 1]; Greenwood's sum gives the variance."""
    if survival >= 1.0:
        return 1.0, 1.0
    if survival <= 0.0 or math.isinf(greenwood):
        return 0.0, 0.0
    se = math.sqrt(greenwood) / abs(math.log(survival))
    return survival ** math.exp(z * se), survival ** math.exp(-z * se)


def kaplan_meier(table: Iterable[tuple[int, int, int]], z: float = Z95) -> list[Step]:
    """The Kaplan-Meier curve from (time, events, censored) counts per distinct time.

    The counts come from a database aggregate (one row per time, not per person). At a time
    with both, events come before censoring, as is conventional.
    """
    rows: dict[int, list[int]] = {}
    for time, events, censored in table:
        if time < 0 or events < 0 or censored < 0:
            raise ValueError("Times and counts cannot be negative.")
        counts = rows.setdefault(int(time), [0, 0])
        counts[0] += events
        counts[1] += censored
    at_risk = sum(e + c for e, c in rows.values())
    survival, greenwood = 1.0, 0.0
    low, high = 1.0, 1.0
    steps = []
    for time in sorted(rows):
        events, censored = rows[time]
        if events:
            survival *= 1 - events / at_risk
            greenwood += events / (at_risk * (at_risk - events)) if at_risk > events else math.inf
            low, high = _log_log(survival, greenwood, z)
        steps.append(Step(time, at_risk, events, censored, survival, low, high))
        at_risk -= events + censored
    return steps


def median_survival(steps: list[Step]) -> tuple[int | None, int | None, int | None]:
    """The median time and its 95% interval (Brookmeyer-Crowley: where the interval's
    bounds cross one half); None where the curve does not come down to one half."""

    def first(attribute: str) -> int | None:
        return next((s.time for s in steps if s.events and getattr(s, attribute) <= 0.5), None)

    return first("survival"), first("low"), first("high")
