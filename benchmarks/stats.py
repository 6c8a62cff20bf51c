"""Summary statistics of repeated timings, and ratios between paired timings.

Kept free of clocks and frameworks so that the tests can check the arithmetic exactly.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Sequence


def quantile(values: Sequence[float], q: float) -> float:
    """The ``q``-quantile (0..1) with linear interpolation (NumPy's default method)."""
    if not values:
        raise ValueError("quantile of no values")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be in [0, 1], got {q}")
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass(frozen=True)
class Summary:
    """Median and spread of a list of samples (seconds per unit of work, or a ratio)."""

    median: float
    q1: float
    q3: float
    min: float
    max: float
    n: int

    @property
    def iqr(self) -> float:
        """Inter-quartile range q3 - q1."""
        return self.q3 - self.q1

    @property
    def rel_spread(self) -> float:
        """Half the IQR relative to the median: the ``±x%`` shown in tables."""
        return 0.5 * self.iqr / self.median if self.median else float("nan")

    def to_dict(self) -> dict[str, float]:
        """Plain dict for JSON."""
        return asdict(self)


def summarize(samples: Sequence[float]) -> Summary:
    """Median, quartiles, min and max of ``samples`` (at least one)."""
    samples = list(samples)
    return Summary(
        median=quantile(samples, 0.5),
        q1=quantile(samples, 0.25),
        q3=quantile(samples, 0.75),
        min=min(samples),
        max=max(samples),
        n=len(samples),
    )


def paired_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> Summary:
    """Summary of the per-repetition ratios ``numerator[i] / denominator[i]``.

    Both lists come from the same interleaved loop, so sample ``i`` of each was taken
    at nearly the same moment: dividing pairwise cancels slow drifts of machine speed
    (another job starting, CPU clocking down) that would bias a ratio of two medians
    taken minutes apart.

    With times, ``paired_ratio(peer, minitf)`` > 1 means minitf is faster.
    """
    if len(numerator) != len(denominator):
        raise ValueError(
            f"paired_ratio needs equal-length samples, got {len(numerator)} and {len(denominator)}"
        )
    if not numerator:
        raise ValueError("paired_ratio of no samples")
    ratios = [n / d if d > 0 else float("inf") for n, d in zip(numerator, denominator)]
    return summarize(ratios)
