"""Disclosure control: the one function every figure passes before it leaves an organisation.

DOMAIN.md defines what "suppressed" means, with a threshold k (settings
CASEWORK_DISCLOSURE_THRESHOLD, default 5, never below 3):

- primary: a count of people with 0 < n < k is withheld; zero is shown (it reveals nobody);
- complements: a rate n/d is withheld when 0 < n < k or 0 < d - n < k (95% of 40 engaged
  reveals the 2 who were not);
- secondary: in a table with totals, a line (row or column, totals included) with exactly one
  withheld cell gets a second one withheld, the smallest remaining, until no withheld cell can
  be recovered by subtraction.

Withheld values are None; callers show them as "<k" and say `suppressed: true`.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

from django.conf import settings

TOTAL = "__total__"
MINIMUM_THRESHOLD = 3


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
class Table:
    """A published table: cells by (row, column), with row, column and grand totals under
    the key TOTAL. A withheld value is None."""

    values: dict[tuple[Hashable, Hashable], int | None]

    def withheld(self) -> set[tuple[Hashable, Hashable]]:
        return {key for key, value in self.values.items() if value is None}


def with_totals(cells: Mapping[tuple[Hashable, Hashable], int]) -> dict:
    """The cells plus their row, column and grand totals (keys use TOTAL)."""
    table = dict(cells)
    rows = {r for r, _ in cells}
    columns = {c for _, c in cells}
    for r in rows:
        table[(r, TOTAL)] = sum(cells.get((r, c), 0) for c in columns)
    for c in columns:
        table[(TOTAL, c)] = sum(cells.get((r, c), 0) for r in rows)
    table[(TOTAL, TOTAL)] = sum(cells.values())
    return table


def suppress_table(cells: Mapping[tuple[Hashable, Hashable], int], k: int | None = None) -> Table:
    """Publish a table of counts with its totals, primary and secondary suppression applied."""
    full = with_totals(cells)
    k = threshold(k)
    hidden = {key for key, n in full.items() if count_withheld(n, k)}
    rows = {r for r, _ in full}
    columns = {c for _, c in full}
    lines = [[(r, c) for c in columns if (r, c) in full] for r in rows]
    lines += [[(r, c) for r in rows if (r, c) in full] for c in columns]
    changed = True
    while changed:
        changed = False
        for line in lines:
            exposed = [key for key in line if key in hidden]
            if len(exposed) == 1:
                # The smallest remaining cell, preferring inner cells to totals.
                candidates = [key for key in line if key not in hidden]
                if not candidates:
                    continue
                key = min(candidates, key=lambda x: (TOTAL in x, full[x], str(x)))
                hidden.add(key)
                changed = True
    return Table({key: (None if key in hidden else n) for key, n in full.items()})
