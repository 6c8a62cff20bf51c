"""The course's circles MLP (2-100-10-1, relu/relu/sigmoid, BCE, Adam(0.01), batch 32).

Time per training step four ways: ``model.fit`` (minitf and Keras), the eager
``GradientTape`` loop (minitf and TF) and a hand-written NumPy model
(:class:`benchmarks.numpy_models.NumpyMLP`). A ``fit`` on a single batch isolates the
fixed cost of one ``fit`` call, which the per-step fit times include (divided by the steps).
"""

from __future__ import annotations

from ..candidates import fit_candidate, numpy_candidate, tape_candidate
from ..context import Context
from ..models import build_circles_mlp, circles_data, compile_circles_mlp, steps_per_epoch
from ..numpy_models import NumpyMLP
from ..results import CaseResult, Row, peer_ratios

NAME = "mlp_circles"
TITLE = "Circles MLP 2-100-10-1 training step (batch 32, Adam, BCE)"
LR = 0.01
BATCH = 32


def run(ctx: Context) -> CaseResult:
    """Rows: fit per step, tape loop per step, one-batch fit (the per-call overhead)."""
    n = 256 if ctx.quick else 1024
    x, y = circles_data(n)
    xp = ctx.xp
    x_dev, y_dev = xp.asarray(x), xp.asarray(y)
    result = CaseResult(NAME, TITLE)
    build = build_circles_mlp
    compile_ = lambda fw, m: compile_circles_mlp(fw, m, LR)  # noqa: E731

    meas = ctx.measure([
        fit_candidate("minitf", ctx.subject, build, compile_, x, y, BATCH, ctx.sync),
        fit_candidate("tf", ctx.tf, build, compile_, x, y, BATCH),
        numpy_candidate(ctx.xp_name, lambda: NumpyMLP(lr=LR, xp=xp), x_dev, y_dev, BATCH, ctx.sync),
    ])
    result.rows.append(Row(f"model.fit, {n} samples, per step (tf = Keras fit; "
                           f"{ctx.xp_name} = by hand)", meas, peer_ratios(meas),
                           unit="step", params={"samples": n, "steps": steps_per_epoch(n, BATCH)}))

    bce = lambda fw: fw.keras.losses.BinaryCrossentropy()  # noqa: E731
    meas = ctx.measure([
        tape_candidate("minitf", ctx.subject, build, bce, LR, x, y, BATCH, ctx.sync),
        tape_candidate("tf", ctx.tf, build, bce, LR, x, y, BATCH),
    ])
    result.rows.append(Row(f"eager GradientTape loop, {n} samples, per step", meas,
                           peer_ratios(meas), unit="step", params={"samples": n}))

    x1, y1 = x[:BATCH], y[:BATCH]
    meas = ctx.measure([
        fit_candidate("minitf", ctx.subject, build, compile_, x1, y1, BATCH, ctx.sync),
        fit_candidate("tf", ctx.tf, build, compile_, x1, y1, BATCH),
    ])
    result.rows.append(Row("model.fit on 1 batch (fixed cost of a fit call + 1 step)", meas,
                           peer_ratios(meas), unit="fit", params={"samples": BATCH}))
    result.notes.append("Per-step fit times include each fit call's fixed cost divided by "
                        "the steps; the last row shows that cost.")
    return result
