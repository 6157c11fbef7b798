"""Small, tested statistics: the Wilson score interval for a proportion."""

from __future__ import annotations

import math

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
