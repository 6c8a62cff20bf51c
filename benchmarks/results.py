"""The data model of a benchmark run: rows of measurements, ratios, case results.

Everything here turns into plain JSON (``to_dict``) and is what the Markdown report
and the plots are drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .measure import Measurement
from .stats import Summary, paired_ratio, summarize

SUBJECT = "minitf"


@dataclass
class Ratio:
    """``numerator`` time / ``denominator`` time, from paired repetitions.

    The usual ratio is ``peer / minitf``: > 1 means minitf is faster. A ``target`` (an
    upper bound, e.g. "minitf within 3x of NumPy") is recorded with the ratio when a
    case states one.
    """

    numerator: str
    denominator: str
    summary: Summary | None = None
    target: float | None = None
    paired: bool = True

    @property
    def label(self) -> str:
        """Column header, e.g. ``tf/minitf``."""
        return f"{self.numerator}/{self.denominator}"

    @property
    def meets_target(self) -> bool | None:
        """Whether the median ratio is within ``target`` (None without a target or value)."""
        if self.target is None or self.summary is None:
            return None
        return self.summary.median <= self.target

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        out: dict[str, Any] = {"label": self.label, "numerator": self.numerator,
                               "denominator": self.denominator}
        if self.summary is not None:
            out.update(self.summary.to_dict())
        if not self.paired:
            out["paired"] = False
        if self.target is not None:
            out["target"] = self.target
            out["meets_target"] = self.meets_target
        return out


def make_ratio(measurements: dict[str, Measurement], numerator: str, denominator: str,
               target: float | None = None, paired: bool = True) -> Ratio:
    """A :class:`Ratio` of two measured candidates; empty when either has no timing.

    ``paired=False`` is for samples not taken in one interleaved loop (e.g. from another
    process): the ratio is then just the ratio of the medians, with no spread.
    """
    num, den = measurements.get(numerator), measurements.get(denominator)
    ratio = Ratio(numerator, denominator, target=target, paired=paired)
    if num is None or den is None or not (num.ok and den.ok):
        return ratio
    if paired and len(num.samples) == len(den.samples):
        ratio.summary = paired_ratio(num.samples, den.samples)
    elif not paired:
        ratio.summary = summarize([num.summary.median / den.summary.median])
    return ratio


@dataclass
class Row:
    """One line of a case's table: a benchmark point with every candidate's time.

    ``unit`` names what the per-unit time is per (``call``, ``step``, ``run``...).
    ``params`` are the knobs of that point (sizes); ``flops`` per unit, when given,
    lets the report show GFLOP/s; ``value_kind`` "bytes" marks rows whose numbers are
    memory sizes rather than seconds.
    """

    label: str
    measurements: dict[str, Measurement]
    ratios: list[Ratio] = field(default_factory=list)
    unit: str = "call"
    params: dict[str, Any] = field(default_factory=dict)
    flops: float | None = None
    value_kind: str = "seconds"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        out: dict[str, Any] = {
            "label": self.label,
            "unit": self.unit,
            "value_kind": self.value_kind,
            "params": dict(self.params),
            "candidates": {name: m.to_dict() for name, m in self.measurements.items()},
            "ratios": [r.to_dict() for r in self.ratios],
        }
        if self.flops is not None:
            out["flops"] = self.flops
        return out


def peer_ratios(measurements: dict[str, Measurement], subject: str = SUBJECT) -> list[Ratio]:
    """``peer/subject`` for every candidate other than the subject (> 1: subject faster)."""
    return [make_ratio(measurements, name, subject) for name in measurements if name != subject]


@dataclass
class CaseResult:
    """Everything one case produced, or why it produced nothing."""

    name: str
    title: str
    status: str = "ok"  # "ok", "skipped" or "failed"
    reason: str = ""
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plots: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {
            "name": self.name,
            "title": self.title,
            "status": self.status,
            "reason": self.reason,
            "seconds": round(self.seconds, 3),
            "notes": list(self.notes),
            "plots": list(self.plots),
            "rows": [r.to_dict() for r in self.rows],
        }
