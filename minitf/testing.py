"""``minitf.testing.gradcheck``: compare the tape's gradient with finite differences.

For f: R^n -> R, the central difference (f(x + h e_i) - f(x - h e_i)) / 2h
approximates df/dx_i with error O(h^2). Done in float64 it checks the
analytic gradient to about 1e-7 relative.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from minitf import array_backend as B
from minitf.autodiff import GradientTape
from minitf.ops import reductions
from minitf.tensor import Tensor, convert_to_tensor


@dataclass
class GradcheckResult:
    """How the analytic gradient compared; ``worst`` names the element furthest off."""

    ok: bool
    max_abs_error: float
    max_rel_error: float
    worst_input: int
    worst_index: tuple
    analytic: float
    numeric: float

    def __str__(self) -> str:
        verdict = "ok" if self.ok else "MISMATCH"
        return (f"gradcheck {verdict}: worst at input {self.worst_input} index {self.worst_index}: "
                f"analytic {self.analytic:.8g} vs numeric {self.numeric:.8g} "
                f"(abs err {self.max_abs_error:.3g}, rel err {self.max_rel_error:.3g})")


def _scalar(f: Callable, tensors: list[Tensor], weights: Tensor | None) -> Tensor:
    out = f(*tensors)
    if weights is not None:  # a random projection checks every output, not only their sum
        out = out * weights
    return reductions.reduce_sum(out)


def gradcheck(f: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-4, seed: int = 0, raise_on_failure: bool = True) -> GradcheckResult:
    """Check d(sum(w * f(*inputs)))/d(input) from the tape against central differences.

    Inputs are converted to float64 first; ``w`` is a fixed random weighting of
    f's outputs. Raises AssertionError naming the worst element (input number,
    index, analytic and numeric value) unless ``raise_on_failure`` is False.
    """
    arrays = [np.array(B.to_numpy(convert_to_tensor(x)._value), dtype=np.float64) for x in inputs]
    tensors = [Tensor(B.xp.asarray(a)) for a in arrays]
    probe = f(*tensors)
    # The weights take f's output dtype, so that an f returning float32 is projected, not refused.
    weights = Tensor(B.xp.asarray(np.random.default_rng(seed).uniform(0.5, 1.5, probe._value.shape)
                                  .astype(probe._value.dtype)))
    with GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        y = _scalar(f, tensors, weights)
    analytic = tape.gradient(y, tensors, unconnected_gradients="zero")

    worst = (-1.0, 0, (), 0.0, 0.0)
    max_abs = max_rel = 0.0
    for k, a in enumerate(arrays):
        g = np.asarray(B.to_numpy(analytic[k]._value), dtype=np.float64)
        if g.shape != a.shape:
            raise AssertionError(f"gradcheck: gradient of input {k} has shape {g.shape}, input has {a.shape}")
        for index in np.ndindex(a.shape):
            saved = a[index]
            a[index] = saved + eps
            plus = float(_scalar(f, [Tensor(B.xp.asarray(v)) for v in arrays], weights))
            a[index] = saved - eps
            minus = float(_scalar(f, [Tensor(B.xp.asarray(v)) for v in arrays], weights))
            a[index] = saved
            numeric = (plus - minus) / (2 * eps)
            err = abs(g[index] - numeric)
            max_abs = max(max_abs, err)
            max_rel = max(max_rel, err / max(abs(numeric), 1e-12))
            badness = err - (atol + rtol * abs(numeric))
            if badness > worst[0]:
                worst = (badness, k, index, float(g[index]), numeric)
    result = GradcheckResult(worst[0] <= 0, max_abs, max_rel, worst[1], tuple(int(i) for i in worst[2]),
                             worst[3], worst[4])
    if raise_on_failure and not result.ok:
        raise AssertionError(str(result))
    return result
