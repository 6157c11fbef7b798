"""Releases: the network's figures, built in one go, protected together, audited, stored.

Domain apps contribute their figures for a reference period (`register`); this module runs
publication (`casework.core.publication.protect`) over everything a period publishes and
stores the result as an immutable, numbered `Release`. A period, once published, is frozen:
later releases carry its figures unchanged, so no two releases of one period can be
subtracted from each other (docs/disclosure.md).

Figures that count no person (network building: places, documents, events) are also
published for the current year to date (`running`), recomputed by every release and never
carried forward: such figures can be subtracted from each other without revealing anyone. A
release is built when an ended period is new, or when those figures have changed.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from casework.core.jobs import JobError
from casework.core.models import NETWORK, Job, Release, ReleaseCurve, ReleaseFigure
from casework.core.publication import Cell, Protection, Universe, protect, threshold


@dataclass(frozen=True)
class Figure:
    """A contributed cell with the values it shows when published."""

    cell: Cell
    numerator: int | None
    denominator: int | None
    value: float | None = None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class CurveFigure:
    """A contributed curve, published only when the cell `follows` is."""

    scope: str
    table: str
    follows: tuple[str, ...]
    points: list[dict[str, Any]]
    median: tuple[int | None, int | None, int | None]


@dataclass
class Contribution:
    universes: dict[str, Universe] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    # Figures that count no person (money spent, projects funded): published as they are,
    # outside publication's audit. A figure about people never goes here.
    unprotected: list[Figure] = field(default_factory=list)
    curves: list[CurveFigure] = field(default_factory=list)
    # Each scope with tables (beside the network), with the name readers know it by.
    scopes: dict[str, str] = field(default_factory=dict)
    # Each scope (the network included) → the breakdowns its tables have.
    breakdowns: dict[str, list[str]] = field(default_factory=dict)


class Contributor(Protocol):
    def periods(self, today: dt.date) -> list[str]:
        """The ended reference periods it has figures for."""

    def contribute(self, period: str, cutoff: dt.date) -> Contribution: ...


# A contributor may also have `running(label, start, end) -> list[Figure]`: figures that
# count no person, for the year to date [start, end], each keyed by the period `label`.


CONTRIBUTORS: list[Contributor] = []


def register(contributor: Contributor) -> None:
    """Called from an app's `ready()`: its figures go into every release."""
    if contributor not in CONTRIBUTORS:
        CONTRIBUTORS.append(contributor)


class NothingToRelease(Exception):
    pass


def latest() -> Release | None:
    return Release.objects.first()


def covering(period: str) -> Release | None:
    """The newest release that publishes `period` (periods are carried forward, so the newest
    release covers every period ever published)."""
    release = latest()
    return release if release is not None and release.covers(period) else None


def to_date(cutoff: dt.date) -> dict[str, str]:
    """The current year to date: its label in a release's figures, and its days."""
    return {
        "period": f"{cutoff.year}-YTD",
        "start": str(dt.date(cutoff.year, 1, 1)),
        "end": str(cutoff),
    }


def running(cutoff: dt.date) -> tuple[dict[str, str], list[Figure]]:
    """The year to date and every contributor's running figures for it."""
    span = to_date(cutoff)
    start, end = dt.date.fromisoformat(span["start"]), dt.date.fromisoformat(span["end"])
    found: list[Figure] = []
    for contributor in CONTRIBUTORS:
        figures_of = getattr(contributor, "running", None)
        if figures_of is not None:
            found += figures_of(span["period"], start, end)
    return span, found


def _running_changed(previous: Release | None, span: dict[str, str], found: list[Figure]) -> bool:
    """Whether the running figures differ from those the previous release published (a
    year with nothing recorded yet is no news)."""
    now = {figure.cell.key[1:]: figure.value for figure in found}
    before: dict[tuple[str, ...], float | None] = {}
    published = previous.changes.get("to_date") if previous is not None else None
    if published:
        if published["period"] != span["period"]:
            return any(now.values())
        for row in previous.figures.filter(period=published["period"]):  # type: ignore[union-attr]
            before[(row.scope, row.table, row.breakdown, row.group)] = row.value
    if not before and not any(now.values()):
        return False
    return now != before


def has_news(today: dt.date | None = None) -> bool:
    """Whether a new release would publish anything: an ended period, or changed running
    figures."""
    today = today or timezone.localdate()
    if unreleased(today):
        return True
    span, found = running(today)
    return _running_changed(latest(), span, found)


def releasable(today: dt.date | None = None) -> list[str]:
    today = today or timezone.localdate()
    return sorted({p for c in CONTRIBUTORS for p in c.periods(today)})


def unreleased(today: dt.date | None = None) -> list[str]:
    """The ended periods with data that no release publishes yet."""
    newest = latest()
    return [p for p in releasable(today) if newest is None or not newest.covers(p)]


def code_version() -> str:
    """The package version, and the commit when run from a git checkout."""
    version = importlib.metadata.version("casework")
    head = Path(__file__).resolve().parents[2] / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref = (head.parent / ref[5:]).read_text().strip()
        return f"{version}+{ref[:12]}"
    except OSError:
        return version


def _number(now: dt.datetime) -> str:
    base = f"{now:%Y-%m}"
    taken = Release.objects.filter(number__startswith=base).count()
    return base if not taken else f"{base}.{taken + 1}"


def build(
    *,
    built_by: str = "",
    periods: list[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Release:
    """Build and store a new release: new periods computed, protected and audited; periods
    already published carried over unchanged. Raises NothingToRelease when nothing is new."""
    now = timezone.now()
    cutoff = timezone.localdate(now)
    k = threshold()
    previous = latest()
    wanted = sorted(periods if periods is not None else releasable(cutoff))
    new = [p for p in wanted if previous is None or not previous.covers(p)]
    span, found = running(cutoff)
    if not new and not _running_changed(previous, span, found):
        raise NothingToRelease("Every period with data is already published.")
    if not any(f.value for f in found) and not (previous and previous.changes.get("to_date")):
        found = []  # nothing recorded this year, and nothing before to supersede
    built: list[tuple[str, Contribution, Protection]] = []
    steps = STEPS_PER_PERIOD * len(new) + 1
    for i, period in enumerate(new):

        def step(label: str, done: int, i: int = i, period: str = period) -> None:
            if progress:
                progress(f"{period}: {label}", STEPS_PER_PERIOD * i + done, steps)

        built.append((period, *prepare(period, cutoff, k, step)))
    if progress:
        progress("storing", steps - 1, steps)
    release = _store(now, cutoff, k, built_by, previous, built, (span, found))
    if progress:
        progress("stored", steps, steps)
    return release


STEPS_PER_PERIOD = 4  # computing the figures, then auditing each of (about) three universes


def prepare(
    period: str,
    cutoff: dt.date,
    k: int,
    progress: Callable[[str, int], None] | None = None,
) -> tuple[Contribution, Protection]:
    """Every contributor's figures for `period`, and what publication withholds of them."""
    contribution = Contribution()
    if progress:
        progress("computing the figures", 0)
    for contributor in CONTRIBUTORS:
        part = contributor.contribute(period, cutoff)
        contribution.universes |= part.universes
        contribution.figures += part.figures
        contribution.unprotected += part.unprotected
        contribution.curves += part.curves
        contribution.scopes |= part.scopes
        for scope, breakdowns in part.breakdowns.items():
            known = contribution.breakdowns.setdefault(scope, [])
            known += [b for b in breakdowns if b not in known]
    cells = [figure.cell for figure in contribution.figures]
    audited = iter(range(1, STEPS_PER_PERIOD))

    def auditing(universe: str) -> None:
        if progress:
            done = min(next(audited, STEPS_PER_PERIOD - 1), STEPS_PER_PERIOD - 1)
            progress(f"auditing the {universe.split(':')[-1]} tables", done)

    return contribution, protect(contribution.universes, cells, k, auditing)


def build_job(job: Job, progress: Callable[[str, int, int], None]) -> dict[str, Any]:
    """The "release.build" job: build the next release, as the page's coordinator asked."""
    user = job.requested_by
    try:
        release = build(built_by=user.get_username() if user else "", progress=progress)
    except NothingToRelease as error:
        raise JobError(str(error)) from None
    url = reverse("indicators:release", args=[release.number])
    return {"release": release.number, "title": release.title, "url": url}


@transaction.atomic
def _store(
    now: dt.datetime,
    cutoff: dt.date,
    k: int,
    built_by: str,
    previous: Release | None,
    built: list[tuple[str, Contribution, Protection]],
    to_date_figures: tuple[dict[str, str], list[Figure]] = ({}, []),
) -> Release:
    number = _number(now)
    span, found = to_date_figures
    carried = list(previous.periods) if previous is not None else []
    audit = dict(previous.audit) if previous is not None else {}
    new_periods = []
    for period, contribution, protection in built:
        summary = protection.summary()
        if not summary["passed"]:  # protect() only returns once every range is wide enough
            raise RuntimeError(f"The audit of {period} did not pass.")
        audit[period] = summary | {"published_in": number}
        scopes = [
            {"scope": scope, "label": label, "breakdowns": contribution.breakdowns.get(scope, [])}
            for scope, label in [(NETWORK, ""), *contribution.scopes.items()]
        ]
        new_periods.append(
            {"period": period, "published_in": number, "cutoff": str(cutoff), "scopes": scopes}
        )
    release = Release(
        number=number,
        periods=sorted(carried + new_periods, key=lambda p: p["period"]),
        built_at=now,
        cutoff=now,
        threshold=k,
        code_version=code_version(),
        built_by=built_by,
        audit=audit,
        changes={
            "previous": previous.number if previous else None,
            "new_periods": [p["period"] for p in new_periods],
            "carried_periods": [p["period"] for p in carried],
            # The year to date of the running figures (never carried to the next release).
            **({"to_date": span} if found else {}),
        },
    )
    release.save()
    rows = []
    if previous is not None:  # frozen: the same figures, as first published
        superseded = (previous.changes.get("to_date") or {}).get("period", "")
        for kept in previous.figures.exclude(period=superseded).iterator():
            kept.pk, kept.release = None, release
            rows.append(kept)
    for period, contribution, protection in built:
        for figure in [*contribution.figures, *contribution.unprotected]:
            _period, scope, table, breakdown, group = figure.cell.key
            reason = protection.withheld.get(figure.cell.key, "")
            rows.append(
                ReleaseFigure(
                    release=release,
                    period=period,
                    scope=scope,
                    table=table,
                    breakdown=breakdown,
                    group=group,
                    suppressed=bool(reason),
                    reason=reason,
                    **(
                        {}
                        if reason
                        else {
                            "numerator": figure.numerator,
                            "denominator": figure.denominator,
                            "value": figure.value,
                            "low": figure.low,
                            "high": figure.high,
                        }
                    ),
                )
            )
    for figure in found:  # the year to date: nobody is counted, nothing is withheld
        _period, scope, table, breakdown, group = figure.cell.key
        rows.append(
            ReleaseFigure(
                release=release,
                period=span["period"],
                scope=scope,
                table=table,
                breakdown=breakdown,
                group=group,
                numerator=figure.numerator,
                value=figure.value,
            )
        )
    ReleaseFigure.objects.bulk_create(rows, batch_size=2000)
    curves = []
    if previous is not None:
        for kept_curve in previous.curves.all():
            kept_curve.pk, kept_curve.release = None, release
            curves.append(kept_curve)
    for period, contribution, protection in built:
        for curve in contribution.curves:
            withheld = curve.follows in protection.withheld or not curve.points
            curves.append(
                ReleaseCurve(
                    release=release,
                    period=period,
                    scope=curve.scope,
                    table=curve.table,
                    suppressed=withheld,
                    points=[] if withheld else curve.points,
                    **(
                        {}
                        if withheld
                        else dict(
                            zip(("median", "median_low", "median_high"), curve.median, strict=True)
                        )
                    ),
                )
            )
    ReleaseCurve.objects.bulk_create(curves)
    return release
