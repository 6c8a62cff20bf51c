"""The course's circles MLP (2-100-10-1, relu/relu/sigmoid, BCE, Adam(0.01), batch 32).

Time per training step five ways: ``model.fit`` (minitf and Keras), the eager
``GradientTape`` loop and the same loop with its step in ``tf.function`` (minitf and TF),
and a hand-written NumPy model
(:class:`benchmarks.numpy_models.NumpyMLP`). ``fit`` per step is epoch time / steps,
so it includes each ``fit`` call's fixed cost; a fit on one batch measures that cost,
and the marginal step time removes it (see :mod:`benchmarks.fit_overhead`).
"""

from __future__ import annotations

from ..candidates import numpy_candidate, tape_candidate
from ..context import Context
from ..fit_overhead import ONE_BATCH, fit_pair, marginal_step
from ..models import build_circles_mlp, circles_data, compile_circles_mlp, steps_per_epoch
from ..numpy_models import NumpyMLP
from ..results import CaseResult, Row, peer_ratios

NAME = "mlp_circles"
TITLE = "Circles MLP 2-100-10-1 training step (batch 32, Adam, BCE)"
LR = 0.01
BATCH = 32


def run(ctx: Context) -> CaseResult:
    """Rows: fit per step, fit on one batch, fit marginal step, eager and traced tape loops per step
    (the traced one beside the hand-written NumPy step)."""
    n = 256 if ctx.quick else 1024
    steps = steps_per_epoch(n, BATCH)
    x, y = circles_data(n)
    xp = ctx.xp
    result = CaseResult(NAME, TITLE)
    compile_ = lambda fw, m: compile_circles_mlp(fw, m, LR)  # noqa: E731
    fw_names = ("minitf", "tf")

    meas = ctx.measure([
        *fit_pair("minitf", ctx.subject, build_circles_mlp, compile_, x, y, BATCH, ctx.sync),
        *fit_pair("tf", ctx.tf, build_circles_mlp, compile_, x, y, BATCH),
        numpy_candidate(ctx.xp_name, lambda: NumpyMLP(lr=LR, xp=xp), xp.asarray(x),
                        xp.asarray(y), BATCH, ctx.sync),
    ])
    per_step = {k: meas[k] for k in (*fw_names, ctx.xp_name)}
    result.rows.append(Row(f"model.fit, {n} samples: epoch time / {steps} steps "
                           f"(tf = Keras; {ctx.xp_name} = by hand)", per_step,
                           peer_ratios(per_step), unit="step",
                           params={"samples": n, "steps": steps}))
    one = {k: meas[k + ONE_BATCH] for k in fw_names}
    for k, m in one.items():
        m.name = k
    result.rows.append(Row("model.fit on 1 batch (fixed cost of a fit call + 1 step)", one,
                           peer_ratios(one), unit="fit", params={"samples": BATCH}))
    marginal = {k: marginal_step(meas, k, steps) for k in fw_names}
    marginal[ctx.xp_name] = meas[ctx.xp_name]
    result.rows.append(Row("model.fit, marginal step (fixed cost removed)", marginal,
                           peer_ratios(marginal), unit="step", params={"samples": n}))

    bce = lambda fw: fw.keras.losses.BinaryCrossentropy()  # noqa: E731
    meas = ctx.measure([
        tape_candidate("minitf", ctx.subject, build_circles_mlp, bce, LR, x, y, BATCH, ctx.sync),
        tape_candidate("tf", ctx.tf, build_circles_mlp, bce, LR, x, y, BATCH),
    ])
    result.rows.append(Row(f"eager GradientTape loop, {n} samples", meas,
                           peer_ratios(meas), unit="step", params={"samples": n}))

    meas = ctx.measure([
        tape_candidate("minitf", ctx.subject, build_circles_mlp, bce, LR, x, y, BATCH, ctx.sync, traced=True),
        tape_candidate("tf", ctx.tf, build_circles_mlp, bce, LR, x, y, BATCH, traced=True),
        # the hand-written step again, in the same interleaving: what NumPy itself needs per step
        numpy_candidate(ctx.xp_name, lambda: NumpyMLP(lr=LR, xp=xp), xp.asarray(x),
                        xp.asarray(y), BATCH, ctx.sync),
    ])
    result.rows.append(Row(f"@tf.function GradientTape loop, {n} samples ({ctx.xp_name} = by hand)", meas,
                           peer_ratios(meas), unit="step", params={"samples": n}))
    return result
