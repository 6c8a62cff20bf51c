"""Separating a ``fit`` call's fixed cost from its cost per training step.

Keras pays tens of milliseconds per ``fit`` call (data adapter, callbacks, iterator)
before its first step; "epoch time / steps" spreads that over the steps and so depends
on how many there were. Timing, in the same interleaved loop and on the same model, a
fit over S steps (time T_S) and a fit over one batch (time T_1) gives both parts:

    fixed cost + one step = T_1,      marginal step = (T_S - T_1) / (S - 1)

Paired per repetition, like the ratios, so that drift cancels.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from . import models
from .candidates import Builder, Compiler
from .context import prepare
from .frameworks import Framework
from .measure import Candidate, Measurement, Unavailable
from .stats import summarize

ONE_BATCH = "@1batch"  # suffix of the one-batch twin of a candidate


def fit_pair(name: str, framework: Framework, build: Builder, compile_: Compiler,
             x: np.ndarray, y: np.ndarray, batch_size: int = 32,
             sync: Callable[[], object] | None = None) -> list[Candidate | Unavailable]:
    """``[name: fit over all of x, name@1batch: fit over its first batch]``, one shared model.

    The one-batch fit has the full batch shape, so Keras reuses its traced step.
    """
    steps = models.steps_per_epoch(len(x), batch_size)
    if steps < 2:
        raise ValueError(f"fit_pair needs at least 2 steps, got {len(x)} samples / {batch_size}")
    built: dict[str, Any] = {}

    def model() -> Any:
        if "model" not in built:
            fw = framework.require()
            built["model"] = compile_(fw, build(fw))
        return built["model"]

    full = prepare(name, lambda: Candidate(
        name, models.fit_epoch_fn(model(), x, y, batch_size), work=steps, sync=sync))
    if isinstance(full, Unavailable):
        return [full, Unavailable(name + ONE_BATCH, full.status, full.reason)]
    one = prepare(name + ONE_BATCH, lambda: Candidate(
        name + ONE_BATCH, models.fit_epoch_fn(model(), x[:batch_size], y[:batch_size],
                                              batch_size), work=1, sync=sync))
    return [full, one]


def marginal_step(measurements: dict[str, Measurement], name: str, steps: int) -> Measurement:
    """Per-step time without the fixed cost, from ``name`` (per step over ``steps``) and its twin.

    Each repetition gives ``(T_S - T_1) / (S - 1)`` with ``T_S = steps * per-step sample``.
    A missing twin or timing passes its skip/failure through.
    """
    full = measurements.get(name)
    one = measurements.get(name + ONE_BATCH)
    for meas in (full, one):
        if meas is None:
            return Measurement(name, "failed", f"no measurement for {name}")
        if not meas.ok:
            return Measurement(name, meas.status, meas.reason)
    if len(full.samples) != len(one.samples):
        return Measurement(name, "failed", "unpaired samples")
    samples = [(f * steps - o) / (steps - 1) for f, o in zip(full.samples, one.samples)]
    return Measurement(name, samples=samples, summary=summarize(samples),
                       calls_per_block=full.calls_per_block)
