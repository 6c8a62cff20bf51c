"""Per-op overhead: what one small op costs in minitf, TF eager and bare NumPy.

32x100 float32 tensors (matmul: 32x100 @ 100x100), so the arithmetic is tiny and the
time is mostly the framework's Python/dispatch overhead. Each op is timed outside any
tape and inside a ``GradientTape`` that records it (its input is watched), the way a
training step runs it. Targets from the design: minitf within 3x of NumPy outside a
tape, within 6x inside one.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np

from ..context import Context, prepare
from ..frameworks import Framework
from ..measure import Candidate, Unavailable
from ..results import CaseResult, Row, make_ratio

NAME = "op_overhead"
TITLE = "Per-op overhead (32x100 float32; matmul 32x100 @ 100x100)"
TARGET_NO_TAPE = 3.0
TARGET_IN_TAPE = 6.0
OPS = ("add", "multiply", "matmul")


def op_fn(fw: ModuleType, op: str, x: np.ndarray, y: np.ndarray,
          taped: bool) -> Callable[[], Any]:
    """``tf.<op>(a, b)`` on constants, optionally inside a tape that watches ``a``."""
    fn = getattr(fw, op)
    a, b = fw.constant(x), fw.constant(y)
    if not taped:
        return lambda: fn(a, b)

    def run() -> Any:
        with fw.GradientTape() as tape:
            tape.watch(a)
            return fn(a, b)
    return run


def framework_candidate(name: str, framework: Framework, op: str, x: np.ndarray,
                        y: np.ndarray, taped: bool,
                        sync: Callable[[], object] | None) -> Candidate | Unavailable:
    """A timed op of ``framework`` (set-up failures become a skip)."""
    return prepare(name, lambda: Candidate(
        name, op_fn(framework.require(), op, x, y, taped), sync=sync))


def run(ctx: Context) -> CaseResult:
    """Time each op, outside and inside a tape, for minitf, TF and the array module."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((32, 100), dtype=np.float32)
    b = rng.standard_normal((32, 100), dtype=np.float32)
    w = rng.standard_normal((100, 100), dtype=np.float32)
    xp = ctx.xp
    result = CaseResult(NAME, TITLE)
    for op in OPS:
        other = w if op == "matmul" else b
        xa, xo = xp.asarray(a), xp.asarray(other)
        bare = getattr(xp, op)
        for taped in (False, True):
            cands = [
                framework_candidate("minitf", ctx.subject, op, a, other, taped, ctx.sync),
                framework_candidate("tf", ctx.tf, op, a, other, taped, None),
                Candidate(ctx.xp_name, lambda bare=bare, xa=xa, xo=xo: bare(xa, xo), sync=ctx.sync),
            ]
            meas = ctx.measure(cands)
            target = TARGET_IN_TAPE if taped else TARGET_NO_TAPE
            result.rows.append(Row(
                label=f"{op}, {'inside GradientTape' if taped else 'no tape'}",
                measurements=meas,
                ratios=[make_ratio(meas, "tf", "minitf"),
                        make_ratio(meas, "minitf", ctx.xp_name, target=target)],
                unit="op",
                params={"op": op, "taped": taped},
            ))
    result.notes.append(
        f"minitf/{ctx.xp_name} is the overhead factor over the bare array call "
        f"(target <= {TARGET_NO_TAPE:g} outside a tape, <= {TARGET_IN_TAPE:g} inside); "
        f"the {ctx.xp_name} column is the bare op in both rows.")
    return result
