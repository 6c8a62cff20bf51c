"""The Udacity MNIST CNN training step (batch 32, SCCE from logits, Adam).

Conv2D(32,3,same,relu)-MaxPool-Conv2D(64,3,same,relu)-MaxPool-Flatten-Dense(128,relu)-
Dense(10) on 28x28x1: minitf ``fit`` vs Keras ``fit`` vs a hand-written im2col NumPy
model (:class:`benchmarks.numpy_models.NumpyCNN`).
"""

from __future__ import annotations

from ..candidates import fit_candidate, numpy_candidate
from ..context import Context
from ..models import build_cnn, compile_cnn, image_data, steps_per_epoch
from ..numpy_models import NumpyCNN
from ..results import CaseResult, Row, peer_ratios

NAME = "cnn_step"
TITLE = "MNIST CNN training step (28x28x1, batch 32, Adam, SCCE from logits)"
BATCH = 32


def run(ctx: Context) -> CaseResult:
    """One row: time per training step of a one-epoch fit."""
    n = 64 if ctx.quick else 512
    x, y = image_data(n)
    xp = ctx.xp
    meas = ctx.measure([
        fit_candidate("minitf", ctx.subject, build_cnn, compile_cnn, x, y, BATCH, ctx.sync),
        fit_candidate("tf", ctx.tf, build_cnn, compile_cnn, x, y, BATCH),
        numpy_candidate(ctx.xp_name, lambda: NumpyCNN(xp=xp), xp.asarray(x), xp.asarray(y),
                        BATCH, ctx.sync),
    ])
    result = CaseResult(NAME, TITLE)
    result.rows.append(Row(f"model.fit, {n} samples: epoch time / steps (tf = Keras; "
                           f"{ctx.xp_name} = by hand, im2col)", meas, peer_ratios(meas),
                           unit="step", params={"samples": n, "steps": steps_per_epoch(n, BATCH)}))
    return result
