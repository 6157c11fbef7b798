"""Publication: the one path by which figures leave an organisation (docs/disclosure.md).

A release publishes many tables at once. Every figure in it counts units (people, or
appointments) of a *universe*, described as atoms: groups of units that every figure of the
release counts wholly or not at all (cases with the same organisation, groups and outcomes).
A figure is then the sum of a set of atoms, and whatever links figures (shared totals,
families that add up, the resolved count behind time to resolution and the resolution rates,
overlapping vulnerability groups, zero cells) is simply that they share atoms.

`protect` decides what is withheld:

- primary: a cell that counts 0 < n < k units, or leaves out 0 < d - n < k (its complement),
  for anyone outside, or for the staff of one organisation once their own units are taken
  away (they know those exactly);
- then an exact audit: for every withheld count (n, d and d - n of each withheld cell) and
  every attacker (the staff of each organisation, who know their own atoms; an outsider
  where some atoms belong to nobody), two linear programmes find the smallest and largest
  value consistent with everything published. Where that range is narrower than k, one more
  published figure touching the count is withheld and the audit runs again, until every
  range is at least k wide. Withholding more only widens ranges, so figures that passed once
  pass for good, and the loop ends (at worst with everything withheld).

The programmes are solved with HiGHS (highspy), warm-started from one count to the next.
They are the linear relaxation: the integer range is rounded inwards (ceil of the minimum,
floor of the maximum); see docs/disclosure.md for what that leaves.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.conf import settings

MINIMUM_THRESHOLD = 3
PRIMARY = "primary"  # fewer than k counted
COMPLEMENT = "complement"  # fewer than k left out of the denominator
INSIDER = "insider"  # small once one organisation's own figures are taken away
SECONDARY = "secondary"  # withheld so that a withheld figure cannot be worked out
REASONS = {
    PRIMARY: "fewer than k people are counted",
    COMPLEMENT: "fewer than k people are left out, so the rate would reveal them",
    INSIDER: "fewer than k people of the other organisations are counted or left out, so "
    "an organisation's staff could subtract their own",
    SECONDARY: "it would let a withheld figure be worked out from the others",
}
OUTSIDE = "outside"  # the attacker who knows no organisation's figures


def threshold(k: int | None = None) -> int:
    value = settings.DISCLOSURE_THRESHOLD if k is None else k
    if value < MINIMUM_THRESHOLD:
        raise ValueError(f"The disclosure threshold is never below {MINIMUM_THRESHOLD}.")
    return value


def count_withheld(n: int, k: int | None = None) -> bool:
    return 0 < n < threshold(k)


def rate_withheld(n: int, d: int, k: int | None = None) -> bool:
    return count_withheld(n, k) or count_withheld(d - n, k)


@dataclass(frozen=True)
class Universe:
    """The units some figures count, as atoms. `units[a]` is atom a's true count; `people`,
    where the units are events, the people behind them (the primary rule counts people);
    `owners[a]` the organisations whose staff know atom a exactly (empty: nobody)."""

    name: str
    units: tuple[int, ...]
    owners: tuple[frozenset[str], ...]
    people: tuple[int, ...] | None = None

    def total(self, atoms: Iterable[int], of: tuple[int, ...] | None = None) -> int:
        values = self.units if of is None else of
        return sum(values[a] for a in atoms)

    def others(self, atoms: Iterable[int], owner: str, of: tuple[int, ...] | None = None) -> int:
        """What atoms not known to `owner` add to the count."""
        values = self.units if of is None else of
        return sum(values[a] for a in atoms if owner not in self.owners[a])


@dataclass(frozen=True)
class Cell:
    """A published cell: a count (numerator only) or a rate (numerator over denominator),
    each the sum of a set of atoms of one universe. `key` names it in the release:
    (period, scope, table, breakdown, group), the last empty for a total."""

    key: tuple[str, ...]
    universe: str
    numerator: frozenset[int]
    denominator: frozenset[int] | None = None

    def forms(self) -> list[frozenset[int]]:
        """The counts it publishes (n, d), and the one it implies (d - n)."""
        if self.denominator is None:
            return [self.numerator]
        return [self.numerator, self.denominator, self.denominator - self.numerator]


@dataclass
class Check:
    """The audit of one withheld count against one attacker."""

    cell: tuple[str, ...]
    attacker: str
    value: int
    low: int | None
    high: int | None  # None: unbounded
    # The published counts that pin the range (their constraints bind at the optimum).
    binding: tuple[frozenset[int], ...] = ()

    @property
    def width(self) -> float:
        if self.high is None or self.low is None:
            return math.inf
        return self.high - self.low


@dataclass
class Protection:
    """What `protect` decided: the withheld cells and why, and the audit's result."""

    withheld: dict[tuple[str, ...], str]
    checks: list[Check] = field(default_factory=list)
    programmes: int = 0
    rounds: int = 0
    seconds: float = 0.0
    threshold: int = 5

    def summary(self) -> dict:
        narrowest = min((c for c in self.checks), key=lambda c: c.width, default=None)
        return {
            "method": "linear programmes (HiGHS), integer range rounded inwards",
            "threshold": self.threshold,
            "withheld": len(self.withheld),
            "by_reason": {
                reason: sum(1 for r in self.withheld.values() if r == reason) for reason in REASONS
            },
            "counts_audited": len(self.checks),
            "attackers": sorted({c.attacker for c in self.checks}),
            "programmes": self.programmes,
            "rounds": self.rounds,
            "seconds": round(self.seconds, 3),
            "narrowest": None
            if narrowest is None
            else {
                "cell": list(narrowest.cell),
                "attacker": narrowest.attacker,
                "low": narrowest.low,
                "high": narrowest.high,
            },
            "passed": all(c.width >= self.threshold for c in self.checks),
        }


def primary(universe: Universe, cell: Cell, k: int) -> str | None:
    """Why `cell` is withheld before any audit, if it is: too few units counted or left out,
    for an outsider or for one organisation's staff after subtracting their own."""
    people = universe.people or universe.units
    n_atoms = cell.numerator
    rest = cell.denominator - cell.numerator if cell.denominator is not None else None
    # The staff of one organisation, subtracting their own people, must not learn that the
    # others count, leave out or have in the denominator fewer than k.
    n = universe.total(n_atoms, people)
    if count_withheld(n, k):
        return PRIMARY
    if rest is not None and count_withheld(universe.total(rest, people), k):
        return COMPLEMENT
    owners = {o for a in (cell.denominator or n_atoms) for o in universe.owners[a]}
    parts = [n_atoms]
    if rest is not None and cell.denominator is not None:
        parts += [rest, cell.denominator]
    for owner in owners:
        if any(count_withheld(universe.others(atoms, owner, people), k) for atoms in parts):
            return INSIDER
    return None


def protect(
    universes: dict[str, Universe],
    cells: list[Cell],
    k: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> Protection:
    """Primary suppression, then the audit and more suppression until the audit passes."""
    k = threshold(k)
    started = time.monotonic()
    withheld: dict[tuple[str, ...], str] = {}
    for cell in cells:
        reason = primary(universes[cell.universe], cell, k)
        if reason:
            withheld[cell.key] = reason
    result = Protection(withheld, threshold=k)
    by_universe: dict[str, list[Cell]] = defaultdict(list)
    for cell in cells:
        by_universe[cell.universe].append(cell)
    for name, of_universe in by_universe.items():
        if progress:
            progress(name)
        _audit_universe(universes[name], of_universe, withheld, k, result)
    result.seconds = time.monotonic() - started
    return result


def _audit_universe(
    universe: Universe, cells: list[Cell], withheld: dict, k: int, result: Protection
) -> None:
    attackers = _attackers_of(universe)
    passed: set[tuple[frozenset[int], str]] = set()
    checks: dict[tuple[frozenset[int], str], Check] = {}
    while True:
        result.rounds += 1
        published = _published_forms(cells, withheld)
        targets: dict[frozenset[int], Cell] = {}
        for cell in cells:
            if cell.key in withheld:
                forms = cell.forms()
                if cell.denominator in published:  # d is public: d - n moves with n
                    forms = forms[:1]
                for form in forms:
                    # A zero reveals nobody; a count another cell publishes is public.
                    if universe.total(form) > 0 and form not in published:
                        targets.setdefault(form, cell)
        model = _Model(universe, list(published))
        failures: list[tuple[Cell, frozenset[int], tuple[frozenset[int], ...]]] = []
        failed: set[frozenset[int]] = set()
        for attacker in attackers:
            for form, cell in targets.items():
                if (form, attacker) in passed or form in failed:
                    continue  # a count that fails for one attacker is blurred first
                if attacker != OUTSIDE and universe.others(form, attacker) == 0:
                    continue  # they know every unit of it already
                check = model.check(form, attacker, k)
                check.cell = cell.key
                checks[(form, attacker)] = check
                if check.width >= k:
                    passed.add((form, attacker))
                else:
                    failed.add(form)
                    failures.append((cell, form, check.binding))
        result.programmes += model.solved
        if not failures:
            break
        extended = False
        for cell, form, binding in failures:
            # An earlier extension this round may already have freed this count: it is
            # checked again next round rather than blurred twice.
            changed = (b for b in binding if all(c.key in withheld for c in published[b]))
            if (extended and not binding) or any(changed):
                continue
            if _extend(universe, cell, form, binding, withheld, published):
                extended = True
        if not extended:  # cannot happen: a pinned count always touches a published form
            raise RuntimeError("The audit failed and no further figure could be withheld.")
    result.checks.extend(checks.values())


def _attackers_of(universe: Universe) -> list[str]:
    """The staff of each organisation, who know their own atoms. Each knows more than an
    outsider, so the outsider is checked only where no two organisations share a universe."""
    owners = sorted({o for owners in universe.owners for o in owners})
    return owners if len(owners) > 1 else [*owners, OUTSIDE]


def _published_forms(cells: list[Cell], withheld: dict) -> dict[frozenset[int], list[Cell]]:
    """Every published count (numerators and denominators) and the cells that publish it."""
    out: dict[frozenset[int], list[Cell]] = defaultdict(list)
    for cell in cells:
        if cell.key in withheld:
            continue
        out[cell.numerator].append(cell)
        if cell.denominator is not None:
            out[cell.denominator].append(cell)
    return out


def _extend(
    universe: Universe,
    failing: Cell,
    form: frozenset[int],
    binding: tuple[frozenset[int], ...],
    withheld: dict,
    published: dict[frozenset[int], list[Cell]],
) -> bool:
    """Withhold the published figure that best blurs `form`: among those that pin its range
    (their constraints bind in the audit's programmes), else among those that touch it: a
    group rather than a total, then the one in the failing cell's own line (same table and
    breakdown), its breakdown, its table; then the one that costs fewest cells and the
    smallest count."""
    best = None
    pinning = set(binding)
    for candidate, publishing in published.items():
        publishing = [c for c in publishing if c.key not in withheld]
        if not publishing or (candidate not in pinning if pinning else not candidate & form):
            continue
        distance = min(_distance(failing.key, c.key) for c in publishing)
        total = any(not c.key[-1] for c in publishing)  # totals are withheld last
        cost = (total, distance, len(publishing), universe.total(candidate))
        if best is None or cost < best[0]:
            best = (cost, publishing)
    if best is None:
        return bool(pinning) and _extend(universe, failing, form, (), withheld, published)
    for cell in best[1]:
        withheld[cell.key] = SECONDARY
    return True


def _distance(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    """How far apart two cells sit: keys are (period, scope, table, breakdown, group), and
    a line is one table's breakdown in one scope."""
    same_table = a[1:3] == b[1:3]
    same_breakdown = (a[1], a[3:4]) == (b[1], b[3:4])
    if same_table and same_breakdown:
        return 0
    if same_breakdown:
        return 1
    if same_table:
        return 2
    return 3


class _Model:
    """The attacker's linear programme over one universe: a variable per atom, an equation
    per published count. Bounds change per attacker, the objective per withheld count, and
    HiGHS starts each solve from the last optimal basis."""

    def __init__(self, universe: Universe, published: list[frozenset[int]]) -> None:
        import highspy

        self.universe = universe
        self.rows = published
        self.binding: set[int] = set()
        self.solved = 0
        self.attacker: str | None = None
        atoms = len(universe.units)
        self.highs = _quiet_highs(highspy)
        self.inf = highspy.kHighsInf
        self.status = highspy.HighsModelStatus
        lp = highspy.HighsLp()
        lp.num_col_ = atoms
        lp.num_row_ = len(published)
        lp.col_cost_ = np.zeros(atoms)
        lp.col_lower_ = np.zeros(atoms)
        lp.col_upper_ = np.full(atoms, self.inf)
        values = np.array([universe.total(form) for form in published], dtype=float)
        lp.row_lower_ = values
        lp.row_upper_ = values.copy()
        columns: list[list[int]] = [[] for _ in range(atoms)]
        for row, form in enumerate(published):
            for atom in form:
                columns[atom].append(row)
        starts, index = [0], []
        for rows in columns:
            index.extend(rows)
            starts.append(len(index))
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(index))
        lp.sense_ = highspy.ObjSense.kMinimize
        self.highs.passModel(lp)
        self.everything = np.arange(atoms, dtype=np.int32)

    def _know(self, attacker: str) -> None:
        """Fix the atoms the attacker knows to their true counts."""
        if attacker == self.attacker:
            return
        units = np.array(self.universe.units, dtype=float)
        known = np.array([attacker in owners for owners in self.universe.owners])
        lower = np.where(known, units, 0.0)
        upper = np.where(known, units, self.inf)
        self.highs.changeColsBounds(len(units), self.everything, lower, upper)
        self.attacker = attacker

    def _optimum(self, form: frozenset[int], sign: float) -> float | None:
        """min (sign 1) or max (sign -1) of the count over `form`; None when unbounded."""
        cost = np.zeros(len(self.universe.units))
        cost[list(form)] = sign
        self.highs.changeColsCost(len(cost), self.everything, cost)
        self.highs.run()
        self.solved += 1
        status = self.highs.getModelStatus()
        if status == self.status.kUnbounded:
            return None
        if status != self.status.kOptimal:  # the true data is always feasible
            raise RuntimeError(f"The audit's programme ended with {status}.")
        duals = np.abs(np.asarray(self.highs.getSolution().row_dual))
        self.binding.update(int(row) for row in np.flatnonzero(duals > 1e-9))
        return sign * self.highs.getInfo().objective_function_value

    def check(self, form: frozenset[int], attacker: str, k: int) -> Check:
        self._know(attacker)
        self.binding = set()
        value = self.universe.total(form)
        high = self._optimum(form, -1.0)
        if high is None:
            return Check((), attacker, value, 0, None)
        top = math.floor(high + 1e-6)
        if top - value >= k:  # wide enough above the truth: the minimum cannot narrow it
            return Check((), attacker, value, value, top)
        low = self._optimum(form, 1.0)
        assert low is not None  # counts are never negative
        binding = tuple(self.rows[row] for row in sorted(self.binding))
        return Check((), attacker, value, math.ceil(low - 1e-6), top, binding)


@contextlib.contextmanager
def _stdout_silenced() -> Iterator[None]:
    """HiGHS prints a banner on its first use, straight to file descriptor 1."""
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _quiet_highs(highspy: Any) -> Any:
    with _stdout_silenced():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    # Warm starts: without presolve, each solve starts from the previous optimal basis.
    highs.setOptionValue("presolve", "off")
    highs.setOptionValue("solver", "simplex")
    highs.setOptionValue("simplex_strategy", 4)  # primal: a new objective keeps the basis feasible
    return highs
