"""Square matmul throughput, GFLOP/s: minitf vs TF vs the bare array module.

Large enough that overhead vanishes and the BLAS (or oneDNN, or cuBLAS) underneath
decides: minitf should match NumPy here, since it calls the same routine.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..context import Context, prepare
from ..frameworks import Framework
from ..measure import Candidate, Unavailable
from ..plots import line_plot
from ..results import CaseResult, Row, peer_ratios

NAME = "matmul"
TITLE = "Square matmul throughput (float32)"
SIZES_FULL = (128, 256, 512, 1024, 2048, 4096)
SIZES_QUICK = (128, 256, 512)


def run(ctx: Context) -> CaseResult:
    """One row per size n: time per n x n @ n x n product, shown as GFLOP/s (2 n^3 flops)."""
    result = CaseResult(NAME, TITLE)
    xp = ctx.xp
    sizes = SIZES_QUICK if ctx.quick else SIZES_FULL
    for n in sizes:
        rng = np.random.default_rng(n)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        xa, xb = xp.asarray(a), xp.asarray(b)

        def framework(name: str, fw_handle: Framework,
                      sync: Callable[[], object] | None) -> Candidate | Unavailable:
            def factory() -> Candidate:
                fw = fw_handle.require()
                ta, tb = fw.constant(a), fw.constant(b)
                return Candidate(name, lambda: fw.matmul(ta, tb), sync=sync)
            return prepare(name, factory)

        meas = ctx.measure([
            framework("minitf", ctx.subject, ctx.sync),
            framework("tf", ctx.tf, None),
            Candidate(ctx.xp_name, lambda xa=xa, xb=xb: xp.matmul(xa, xb), sync=ctx.sync),
        ])
        result.rows.append(Row(label=f"n = {n}", measurements=meas, ratios=peer_ratios(meas),
                               unit="matmul", params={"n": n}, flops=2.0 * n ** 3))
    series = {}
    for row in result.rows:
        for name, m in row.measurements.items():
            if m.ok:
                gflops = row.flops / m.summary.median / 1e9
                series.setdefault(name, []).append((row.params["n"], gflops))
    if series:
        path = line_plot(ctx.plot_path("matmul_gflops"), series, title=TITLE,
                         xlabel="n (n x n @ n x n)", ylabel="GFLOP/s", logy=False)
        result.plots.append(path.name)
    return result
