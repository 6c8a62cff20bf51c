"""conv2d forward plus backward, as a FLOP rate against NumPy's own matmul at the same sizes.

minitf's convolution is im2col plus a matrix product, block by block (``minitf/nn/conv.py``);
its two gradients are two more products of the same size (the input's: dy correlated with the
flipped kernel). So the floor is the three bare matmuls of the same shapes, with
M = batch * out_h * out_w, K = kh * kw * c_in, N = c_out:

    forward   Y  = X_col @ W            (M, K) @ (K, N)
    input     dX_col = dY @ W^T         (M, N) @ (N, K)
    filter    dW = X_col^T @ dY         (K, M) @ (M, N)

3 * 2 M K N FLOPs in all, for every candidate. ``minitf/numpy`` is minitf's time over the
three bare products (target <= 2: at least half of NumPy's matmul FLOP rate); TF runs
``tf.nn.conv2d`` under a ``GradientTape`` with the same shapes.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..context import Context, prepare
from ..frameworks import Framework
from ..measure import Candidate, Unavailable
from ..results import CaseResult, Row, make_ratio

NAME = "conv2d_flops"
TITLE = "conv2d forward + backward (input and filter gradients) vs NumPy matmul FLOP rate"
TARGET = 2.0  # minitf's time <= 2x the bare matmuls, i.e. >= half of NumPy's FLOP rate

# (batch, height, width, c_in, c_out, kernel): the Udacity CNN's two layers (padding same),
# then a wider layer.
PROBLEMS_FULL = ((32, 28, 28, 1, 32, 3), (32, 14, 14, 32, 64, 3), (32, 32, 32, 64, 64, 3))
PROBLEMS_QUICK = ((8, 14, 14, 32, 64, 3),)


def run(ctx: Context) -> CaseResult:
    """One row per problem; time per forward + backward, shown as GFLOP/s."""
    result = CaseResult(NAME, TITLE)
    xp = ctx.xp
    for batch, height, width, c_in, c_out, k in (PROBLEMS_QUICK if ctx.quick else PROBLEMS_FULL):
        rng = np.random.default_rng(c_out)
        x = rng.standard_normal((batch, height, width, c_in), dtype=np.float32)
        w = rng.standard_normal((k, k, c_in, c_out), dtype=np.float32)
        dy = rng.standard_normal((batch, height, width, c_out), dtype=np.float32)  # padding "same"
        m, kk, n = batch * height * width, k * k * c_in, c_out
        cols, wm, dym = (xp.asarray(rng.standard_normal(s, dtype=np.float32)) for s in ((m, kk), (kk, n), (m, n)))

        def three_matmuls(cols=cols, wm=wm, dym=dym) -> None:
            xp.matmul(cols, wm)
            xp.matmul(dym, wm.T)
            xp.matmul(cols.T, dym)

        def framework(name: str, fw_handle: Framework,
                      sync: Callable[[], object] | None) -> Candidate | Unavailable:
            def factory() -> Candidate:
                fw = fw_handle.require()
                tx, tw, tdy = fw.constant(x), fw.Variable(w), fw.constant(dy)

                def step():
                    with fw.GradientTape() as tape:
                        tape.watch(tx)
                        y = fw.nn.conv2d(tx, tw, strides=1, padding="SAME")
                    return tape.gradient(y, [tx, tw], output_gradients=tdy)
                return Candidate(name, step, sync=sync)
            return prepare(name, factory)

        meas = ctx.measure([
            framework("minitf", ctx.subject, ctx.sync),
            framework("tf", ctx.tf, None),
            Candidate(ctx.xp_name, three_matmuls, sync=ctx.sync),
        ])
        result.rows.append(Row(
            label=f"{batch}x{height}x{width}x{c_in} * {k}x{k}x{c_in}x{c_out}, same",
            measurements=meas,
            ratios=[make_ratio(meas, "tf", "minitf"), make_ratio(meas, "minitf", ctx.xp_name, target=TARGET)],
            unit="fwd+bwd", params={"batch": batch, "height": height, "width": width, "c_in": c_in,
                                    "c_out": c_out, "kernel": k, "M": m, "K": kk, "N": n},
            flops=3 * 2.0 * m * kk * n))
    result.notes.append(
        f"minitf/{ctx.xp_name} is minitf's time over three bare matmuls of the im2col shapes "
        f"(forward, input gradient, filter gradient): <= {TARGET:g} means at least half of "
        f"{ctx.xp_name}'s matmul FLOP rate.")
    return result
