"""How step time grows: MLP vs batch size, MLP vs hidden width, LSTM vs sequence length.

Each point is its own interleaved measurement of minitf and TF (and, for the MLP, the
hand-written NumPy model). The step time is the *marginal* step of ``fit``
(:mod:`benchmarks.fit_overhead`): with a fit call's fixed cost left in, the small and
cheap points would only show that constant. The curves are plotted log-log to PNG: a
flat start is a fixed cost per step, a steeper slope is worse scaling.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from ..candidates import numpy_candidate
from ..context import Context
from ..fit_overhead import ONE_BATCH, fit_pair, marginal_step
from ..measure import Candidate, Unavailable
from ..models import (build_circles_mlp, build_lstm, circles_data, compile_circles_mlp,
                      compile_lstm, token_data)
from ..numpy_models import NumpyMLP
from ..plots import line_plot
from ..results import CaseResult, Row, peer_ratios

NAME = "scaling"
TITLE = "Scaling of the training step (batch size, width, sequence length)"

BATCHES_FULL, BATCHES_QUICK = (1, 4, 16, 64, 256, 1024), (4, 64)
WIDTHS_FULL, WIDTHS_QUICK = (16, 32, 64, 128, 256, 512, 1024), (16, 256)
SEQ_FULL, SEQ_QUICK = (5, 10, 20, 50, 100), (5, 20)
FRAMEWORKS = ("minitf", "tf")


def _point(ctx: Context, build: Callable[[Any], Any], compile_: Callable[[Any, Any], Any],
           x: np.ndarray, y: np.ndarray, batch: int,
           extra: Sequence[Candidate | Unavailable] = ()) -> tuple[dict, dict]:
    """Measure one point; returns (per-step measurements for the row, one-batch fit medians)."""
    steps = -(-len(x) // batch)
    meas = ctx.measure([
        *fit_pair("minitf", ctx.subject, build, compile_, x, y, batch, ctx.sync),
        *fit_pair("tf", ctx.tf, build, compile_, x, y, batch),
        *extra,
    ])
    row = {k: marginal_step(meas, k, steps) for k in FRAMEWORKS}
    row.update({c.name: meas[c.name] for c in extra})
    fixed = {k: meas[k + ONE_BATCH].summary.median for k in FRAMEWORKS
             if meas[k + ONE_BATCH].ok}
    return row, fixed


def _plot(ctx: Context, result: CaseResult, rows: Sequence[Row], key: str, stem: str,
          title: str, xlabel: str) -> None:
    """Time per step vs ``params[key]``, one line per candidate that has timings."""
    series: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        for name, m in row.measurements.items():
            if m.ok and m.summary.median > 0:  # log axes
                series.setdefault(name, []).append((row.params[key], m.summary.median))
    if series:
        path = line_plot(ctx.plot_path(stem), series, title=title, xlabel=xlabel,
                         ylabel="seconds per training step (marginal)")
        result.plots.append(path.name)


def run(ctx: Context) -> CaseResult:
    """Three sweeps, each a list of rows and a plot."""
    result = CaseResult(NAME, TITLE)
    xp = ctx.xp
    compile_ = lambda fw, m: compile_circles_mlp(fw, m, 0.01)  # noqa: E731
    # Many steps per fit: the marginal step is a difference of two fit times, and it
    # is only as precise as the steps' share of the S-step fit is large.
    steps = 4 if ctx.quick else 48

    # 1. batch size, the same number of steps at every point.
    rows = []
    for batch in BATCHES_QUICK if ctx.quick else BATCHES_FULL:
        x, y = circles_data(batch * steps)
        numpy_ref = numpy_candidate(ctx.xp_name, lambda: NumpyMLP(lr=0.01, xp=xp),
                                    xp.asarray(x), xp.asarray(y), batch, ctx.sync)
        meas, fixed = _point(ctx, build_circles_mlp, compile_, x, y, batch, [numpy_ref])
        rows.append(Row(f"MLP 2-100-10-1, batch {batch}", meas, peer_ratios(meas), unit="step",
                        params={"sweep": "batch", "batch": batch, "samples": len(x),
                                "fit_one_batch_s": fixed}))
    _plot(ctx, result, rows, "batch", "scaling_batch", "Circles MLP: step time vs batch size",
          "batch size")
    result.rows.extend(rows)

    # 2. hidden width: 2-W-W-1, batch 32.
    rows = []
    x, y = circles_data(32 * steps)
    for width in WIDTHS_QUICK if ctx.quick else WIDTHS_FULL:
        build = lambda fw, w=width: build_circles_mlp(fw, w, w)  # noqa: E731
        numpy_ref = numpy_candidate(ctx.xp_name,
                                    lambda w=width: NumpyMLP((2, w, w, 1), lr=0.01, xp=xp),
                                    xp.asarray(x), xp.asarray(y), 32, ctx.sync)
        meas, fixed = _point(ctx, build, compile_, x, y, 32, [numpy_ref])
        rows.append(Row(f"MLP 2-{width}-{width}-1, batch 32", meas, peer_ratios(meas),
                        unit="step", params={"sweep": "width", "width": width,
                                             "samples": len(x), "fit_one_batch_s": fixed}))
    _plot(ctx, result, rows, "width", "scaling_width", "MLP 2-W-W-1: step time vs width",
          "hidden width W")
    result.rows.extend(rows)

    # 3. LSTM sequence length, batch 32.
    rows = []
    lstm_steps = 2 if ctx.quick else 16  # LSTM steps are slower: fewer suffice
    for seq_len in SEQ_QUICK if ctx.quick else SEQ_FULL:
        x, y = token_data(32 * lstm_steps, seq_len)
        build = lambda fw, s=seq_len: build_lstm(fw, s)  # noqa: E731
        meas, fixed = _point(ctx, build, compile_lstm, x, y, 32)
        rows.append(Row(f"LSTM(64), length {seq_len}, batch 32", meas, peer_ratios(meas),
                        unit="step", params={"sweep": "seq_len", "seq_len": seq_len,
                                             "samples": len(x), "fit_one_batch_s": fixed}))
    _plot(ctx, result, rows, "seq_len", "scaling_seqlen",
          "Embedding-LSTM(64): step time vs sequence length", "sequence length")
    result.rows.extend(rows)
    result.notes.append("Marginal step time of fit: (T_S - T_1) / (S - 1), fit over S steps "
                        "vs over one batch, paired per repetition; the one-batch fit times "
                        "are in the JSON (params.fit_one_batch_s).")
    return result
