"""The cost chart, drawn on the server as SVG geometry (no script, no third-party request):
each scope's or project's cost per person per day beside detention's."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CostBar:
    """One scope's cost per person per day beside detention's, as widths (0-100) on a scale
    shared by every bar of the chart."""

    label: str
    cost: float | None
    detention: float | None
    cost_width: float
    detention_width: float


def cost_bars(rows: list[tuple[str, float | None, float | None]]) -> list[CostBar]:
    """Bars for (label, cost per day, detention cost per day) rows; a missing value has no
    bar. The scale is the largest value, so detention's bar shows how much smaller the
    community's is."""
    largest = max((v for _label, *values in rows for v in values if v), default=0.0) or 1.0

    def width(value: float | None) -> float:
        return round(100 * value / largest, 2) if value else 0.0

    return [
        CostBar(label, cost, detention, width(cost), width(detention))
        for label, cost, detention in rows
    ]
