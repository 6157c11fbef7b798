"""Charts drawn on the server as SVG geometry (no script, no third-party request): a bar
with its 95% interval for a rate, and a step curve with its band for Kaplan-Meier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PALETTE = ["#1f5f8b", "#c2571a", "#2e7d32", "#6a3d9a", "#b8860b", "#00838f", "#ad1457", "#555"]


@dataclass(frozen=True)
class Bar:
    """A rate as a bar (0-100% of the width) with a whisker from low to high."""

    value: float
    low: float
    high: float
    label: str

    @property
    def width(self) -> float:
        return round(100 * self.value, 2)

    @property
    def whisker_from(self) -> float:
        return round(100 * self.low, 2)

    @property
    def whisker_to(self) -> float:
        return round(100 * self.high, 2)


def bar(value: Any) -> Bar | None:
    """The bar of a published cell (None for a withheld one or a non-rate)."""
    if value.suppressed or value.denominator is None or value.rate is None or value.rate > 1:
        return None
    label = f"{value.rate:.0%} (95% interval {value.low:.0%} to {value.high:.0%})"
    return Bar(value.rate, value.low, value.high, label)


@dataclass(frozen=True)
class Curve:
    """One survival curve as SVG paths in a `width` x `height` box (y: 1 at the top)."""

    name: str
    colour: str
    line: str
    band: str


def curves(
    named_points: list[tuple[str, list[dict[str, Any]]]],
    width: int = 600,
    height: int = 240,
) -> tuple[list[Curve], int]:
    """Step lines (and interval bands) for each curve's points, on a shared day axis.
    Returns the curves and the last day shown."""
    last_day = max((p["day"] for _name, points in named_points for p in points), default=0) or 1

    def x(day: float) -> float:
        return round(width * day / last_day, 1)

    def y(share: float) -> float:
        return round(height * (1 - share), 1)

    out = []
    for i, (name, points) in enumerate(named_points):
        if len(points) < 2:  # nothing shown beyond the start
            continue
        line, upper, lower = [], [], []
        previous = None
        for point in points:
            if previous is not None:  # a step: along at the old level, then down
                line.append(f"{x(point['day'])},{y(previous['survival'])}")
                upper.append(f"{x(point['day'])},{y(previous['high'])}")
                lower.append(f"{x(point['day'])},{y(previous['low'])}")
            line.append(f"{x(point['day'])},{y(point['survival'])}")
            upper.append(f"{x(point['day'])},{y(point['high'])}")
            lower.append(f"{x(point['day'])},{y(point['low'])}")
            previous = point
        # The line stops at the last point shown: beyond it the curve is not published.
        band = " ".join([*upper, *reversed(lower)])
        out.append(Curve(name, PALETTE[i % len(PALETTE)], " ".join(line), band))
    return out, last_day


@dataclass(frozen=True)
class Column:
    label: str
    value: float | None  # None: withheld
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class ColumnChart:
    """Columns (people served per year, say) against a target and a baseline line."""

    columns: list[Column]
    target_y: float
    baseline_y: float
    column_width: float
    top: float


def column_chart(
    values: list[tuple[str, float | None]],
    target: float,
    baseline: float,
    width: int = 480,
    height: int = 200,
) -> ColumnChart:
    top = max([target, baseline, *(v for _label, v in values if v is not None)]) * 1.1 or 1.0
    step = width / max(len(values), 1)

    def y(value: float) -> float:
        return round(height * (1 - value / top), 1)

    columns = [
        Column(
            label,
            value,
            round(i * step + step * 0.15, 1),
            y(value or 0),
            round(height - y(value or 0), 1),
        )
        for i, (label, value) in enumerate(values)
    ]
    return ColumnChart(columns, y(target), y(baseline), round(step * 0.7, 1), top)
