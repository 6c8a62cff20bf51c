"""How step time grows: MLP vs batch size, MLP vs hidden width, LSTM vs sequence length.

Each point is its own interleaved measurement (minitf, TF, and for the MLP the
hand-written NumPy model); the curves are plotted log-log to PNG. A framework with a
large fixed cost per step shows a flat start; one that scales worse than the others
shows a steeper slope.
"""

from __future__ import annotations

from typing import Sequence

from ..candidates import fit_candidate, numpy_candidate
from ..context import Context
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


def _plot(ctx: Context, result: CaseResult, rows: Sequence[Row], key: str, stem: str,
          title: str, xlabel: str) -> None:
    """Time per step vs ``params[key]``, one line per candidate that has timings."""
    series: dict[str, list[tuple[float, float]]] = {}
    for row in rows:
        for name, m in row.measurements.items():
            if m.ok:
                series.setdefault(name, []).append((row.params[key], m.summary.median))
    if series:
        path = line_plot(ctx.plot_path(stem), series, title=title, xlabel=xlabel,
                         ylabel="seconds per training step")
        result.plots.append(path.name)


def run(ctx: Context) -> CaseResult:
    """Three sweeps, each a list of rows and a plot."""
    result = CaseResult(NAME, TITLE)
    xp = ctx.xp
    compile_ = lambda fw, m: compile_circles_mlp(fw, m, 0.01)  # noqa: E731

    # 1. batch size. Enough samples that small batches run many steps: a fit call's
    # fixed cost would otherwise dominate their per-step time.
    rows = []
    for batch in BATCHES_QUICK if ctx.quick else BATCHES_FULL:
        n = max(batch * 4, 64) if ctx.quick else max(batch * 16, 256)
        x, y = circles_data(n)
        meas = ctx.measure([
            fit_candidate("minitf", ctx.subject, build_circles_mlp, compile_, x, y, batch, ctx.sync),
            fit_candidate("tf", ctx.tf, build_circles_mlp, compile_, x, y, batch),
            numpy_candidate(ctx.xp_name, lambda: NumpyMLP(lr=0.01, xp=xp), xp.asarray(x),
                            xp.asarray(y), batch, ctx.sync),
        ])
        rows.append(Row(f"MLP 2-100-10-1, batch {batch}", meas, peer_ratios(meas), unit="step",
                        params={"sweep": "batch", "batch": batch, "samples": n}))
    _plot(ctx, result, rows, "batch", "scaling_batch", "Circles MLP: step time vs batch size",
          "batch size")
    result.rows.extend(rows)

    # 2. hidden width: 2-W-W-1, batch 32.
    rows = []
    n = 128 if ctx.quick else 512
    x, y = circles_data(n)
    for width in WIDTHS_QUICK if ctx.quick else WIDTHS_FULL:
        build = lambda fw, w=width: build_circles_mlp(fw, w, w)  # noqa: E731
        meas = ctx.measure([
            fit_candidate("minitf", ctx.subject, build, compile_, x, y, 32, ctx.sync),
            fit_candidate("tf", ctx.tf, build, compile_, x, y, 32),
            numpy_candidate(ctx.xp_name, lambda w=width: NumpyMLP((2, w, w, 1), lr=0.01, xp=xp),
                            xp.asarray(x), xp.asarray(y), 32, ctx.sync),
        ])
        rows.append(Row(f"MLP 2-{width}-{width}-1, batch 32", meas, peer_ratios(meas),
                        unit="step", params={"sweep": "width", "width": width, "samples": n}))
    _plot(ctx, result, rows, "width", "scaling_width", "MLP 2-W-W-1: step time vs width",
          "hidden width W")
    result.rows.extend(rows)

    # 3. LSTM sequence length, batch 32.
    rows = []
    n = 64 if ctx.quick else 256
    for seq_len in SEQ_QUICK if ctx.quick else SEQ_FULL:
        x, y = token_data(n, seq_len)
        build = lambda fw, s=seq_len: build_lstm(fw, s)  # noqa: E731
        meas = ctx.measure([
            fit_candidate("minitf", ctx.subject, build, compile_lstm, x, y, 32, ctx.sync),
            fit_candidate("tf", ctx.tf, build, compile_lstm, x, y, 32),
        ])
        rows.append(Row(f"LSTM(64), length {seq_len}, batch 32", meas, peer_ratios(meas),
                        unit="step", params={"sweep": "seq_len", "seq_len": seq_len, "samples": n}))
    _plot(ctx, result, rows, "seq_len", "scaling_seqlen",
          "Embedding-LSTM(64): step time vs sequence length", "sequence length")
    result.rows.extend(rows)
    return result
