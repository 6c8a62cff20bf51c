"""Timing that survives a noisy shared machine.

Three ideas, each answering one way a naive ``time.time()`` loop lies:

* **Blocks**: a single fast call (a few microseconds) is below the clock's useful
  resolution and dominated by timer overhead, so each sample times a *block* of N
  calls, N auto-calibrated so that a block lasts ~20-50 ms, and reports time / N.
* **Repetitions, median and IQR**: a shared machine has bursts of other work; the
  median of >= 5 blocks ignores them, and the inter-quartile range says how noisy it was.
* **Interleaving**: the candidates of one comparison (minitf, TF, NumPy) take turns
  in one loop (rep 1: minitf, tf, numpy; rep 2: minitf, tf, numpy; ...), so that when
  the machine slows down it slows all of them alike and their *ratio* still holds.

The clock is injectable so that tests can drive everything with a fake clock.
"""

from __future__ import annotations

import gc
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .skips import describe
from .stats import Summary, summarize

Clock = Callable[[], float]


@dataclass
class Candidate:
    """One contender of a comparison: a zero-argument callable and how to read its time.

    ``work`` is how many units one call does (e.g. the number of training steps in one
    ``fit`` epoch), so the reported time is per unit. ``sync``, if given, runs at the end
    of each block before the clock stops: GPU work is asynchronous and must be waited for.
    """

    name: str
    fn: Callable[[], object]
    work: float = 1.0
    sync: Callable[[], object] | None = None


@dataclass
class Unavailable:
    """A candidate that could not even be set up (framework missing, layer not implemented)."""

    name: str
    status: str
    reason: str


@dataclass
class Measurement:
    """The outcome for one candidate: a summary of per-unit seconds, or why there is none."""

    name: str
    status: str = "ok"  # "ok", "skipped" or "failed"
    reason: str = ""
    summary: Summary | None = None
    samples: list[float] = field(default_factory=list)  # seconds per unit, one per rep
    calls_per_block: int = 0

    @property
    def ok(self) -> bool:
        """True when there is a timing."""
        return self.status == "ok" and self.summary is not None

    def to_dict(self) -> dict[str, object]:
        """Plain dict for JSON."""
        out: dict[str, object] = {"status": self.status}
        if self.reason:
            out["reason"] = self.reason
        if self.summary is not None:
            out.update(self.summary.to_dict())
            out["samples"] = list(self.samples)
            out["calls_per_block"] = self.calls_per_block
        return out

    @classmethod
    def from_dict(cls, name: str, data: dict[str, object]) -> "Measurement":
        """Inverse of :meth:`to_dict` (used to read a worker process's results)."""
        samples = [float(s) for s in data.get("samples", [])]  # type: ignore[union-attr]
        meas = cls(name, str(data.get("status", "ok")), str(data.get("reason", "")),
                   samples=samples, calls_per_block=int(data.get("calls_per_block", 0)))
        if meas.status == "ok" and samples:
            meas.summary = summarize(samples)
        return meas


@dataclass(frozen=True)
class Settings:
    """How hard to measure: repetitions, warm-up calls and the block-duration window."""

    reps: int = 5
    warmup: int = 2
    min_block_s: float = 0.02
    target_block_s: float = 0.035
    max_calls: int = 1_000_000


def time_block(fn: Callable[[], object], calls: int, clock: Clock,
               sync: Callable[[], object] | None = None) -> float:
    """Seconds taken by ``calls`` back-to-back calls of ``fn`` (plus one ``sync``)."""
    start = clock()
    for _ in range(calls):
        fn()
    if sync is not None:
        sync()
    return clock() - start


def calibrate(fn: Callable[[], object], clock: Clock, settings: Settings,
              sync: Callable[[], object] | None = None) -> int:
    """Number of calls per block so that one block lasts about ``settings.target_block_s``.

    Grows N geometrically from 1 until a block reaches ``min_block_s``; a call that is
    already slower than the window gives N = 1 (one fit epoch of several seconds is
    measured as is). The calibration blocks double as extra warm-up.
    """
    calls = 1
    while True:
        elapsed = time_block(fn, calls, clock, sync)
        if elapsed >= settings.min_block_s or calls >= settings.max_calls:
            return calls
        if elapsed > 0:
            # Aim at the target from the measured rate, but never grow more than 10x
            # at once: the first calls are often slower or faster than the steady state.
            estimate = math.ceil(calls * settings.target_block_s / elapsed)
            calls = min(max(calls * 2, estimate), calls * 10)
        else:  # the clock did not even tick
            calls *= 10
        calls = min(calls, settings.max_calls)


def measure_interleaved(
    candidates: Sequence[Candidate | Unavailable],
    settings: Settings,
    clock: Clock = time.perf_counter,
) -> dict[str, Measurement]:
    """Measure ``candidates`` in turns; returns ``{name: Measurement}`` in the given order.

    Each runnable candidate is warmed up (at least one call: first calls pay for
    tracing, caches, lazy imports) and calibrated (its own block size).
    Then, for each repetition, every candidate times one block, in the given order.
    A candidate that raises (during warm-up or later) is reported as skipped/failed and
    drops out of the loop; the others go on.
    """
    results: dict[str, Measurement] = {}
    active: list[tuple[Candidate, int]] = []
    for cand in candidates:
        if isinstance(cand, Unavailable):
            results[cand.name] = Measurement(cand.name, cand.status, cand.reason)
            continue
        try:
            last_warmup = 0.0
            for _ in range(max(settings.warmup, 1)):
                last_warmup = time_block(cand.fn, 1, clock, cand.sync)
            # A call that alone fills a block (a fit epoch) needs no calibration: N = 1.
            if last_warmup >= settings.min_block_s:
                calls = 1
            else:
                calls = calibrate(cand.fn, clock, settings, cand.sync)
        except Exception as exc:  # noqa: BLE001 - any error becomes a reported skip/failure
            status, reason = describe(exc)
            results[cand.name] = Measurement(cand.name, status, reason)
            continue
        results[cand.name] = Measurement(cand.name, calls_per_block=calls)
        active.append((cand, calls))

    # Start the timed loop from a clean heap so that garbage left by set-up and
    # calibration is not collected inside somebody's block. GC stays enabled inside
    # blocks: collecting the cycles a framework creates (tapes, graphs) is part of its cost.
    gc.collect()
    for _ in range(settings.reps):
        for cand, calls in list(active):
            try:
                elapsed = time_block(cand.fn, calls, clock, cand.sync)
            except Exception as exc:  # noqa: BLE001
                status, reason = describe(exc)
                results[cand.name] = Measurement(cand.name, status, reason)
                active.remove((cand, calls))
                continue
            results[cand.name].samples.append(elapsed / calls / cand.work)

    for meas in results.values():
        if meas.status == "ok" and meas.samples:
            meas.summary = summarize(meas.samples)
    return results
