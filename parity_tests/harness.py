"""Run one function under TensorFlow and under minitf; compare values and gradients.

The function takes the framework module first, so the very same code runs twice::

    check_parity("softmax of a product", lambda tf, x, y: tf.nn.softmax(x @ y), [x, y])

Forward values are compared elementwise (shape and dtype must match exactly);
gradients come from ``tf.GradientTape`` and ``minitf.GradientTape`` on the same
scalar, ``sum(w * f(*inputs))`` with fixed random weights ``w`` (so every output
element matters, not only their sum). Inputs may be non-contiguous NumPy views:
each framework gets them as they are.

Tolerances are float32's: ``|minitf - tf| <= atol + rtol * |tf|`` with rtol 1e-5,
atol 1e-6 unless a check states (and says why) it needs more. A failure names the
op, what diverged (forward, or the gradient of input k) and the worst element.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

RTOL, ATOL = 1e-5, 1e-6  # float32, one op


def frameworks():
    """(tensorflow, minitf), imported on first use."""
    import tensorflow

    import minitf

    return tensorflow, minitf


def to_numpy(value: Any) -> Any:
    if value is None:
        return None
    return value.numpy() if hasattr(value, "numpy") else np.asarray(value)


def assert_close(what: str, expected: Any, actual: Any, rtol: float = RTOL, atol: float = ATOL,
                 check_dtype: bool = True) -> None:
    """``actual`` (minitf) equals ``expected`` (TF) within rtol/atol; NaNs and infs must sit in the same places."""
    if expected is None or actual is None:
        if expected is not None or actual is not None:
            raise AssertionError(f"{what}: tf gave {'None' if expected is None else 'a value'}, "
                                 f"minitf gave {'None' if actual is None else 'a value'}")
        return
    e, a = to_numpy(expected), to_numpy(actual)
    if e.shape != a.shape:
        raise AssertionError(f"{what}: shape differs: tf {e.shape}, minitf {a.shape}")
    if check_dtype and e.dtype != a.dtype:
        raise AssertionError(f"{what}: dtype differs: tf {e.dtype}, minitf {a.dtype}")
    if e.dtype.kind not in "fc":
        bad = e != a
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            raise AssertionError(f"{what}: {int(bad.sum())} of {e.size} elements differ (exact comparison); "
                                 f"first at index {idx}: tf={e[idx]!r}, minitf={a[idx]!r}")
        return
    e64, a64 = e.astype(np.float64), a.astype(np.float64)
    same_special = (np.isnan(e64) == np.isnan(a64)) & ((~np.isinf(e64)) | (e64 == a64))
    with np.errstate(invalid="ignore"):
        err = np.where(np.isfinite(e64) & np.isfinite(a64), np.abs(a64 - e64), 0.0)
    err = np.where(same_special, err, np.inf)
    excess = err - (atol + rtol * np.abs(np.nan_to_num(e64)))
    if (excess > 0).any():
        idx = np.unravel_index(int(np.argmax(excess)), e.shape) if e.ndim else ()
        idx = tuple(int(i) for i in idx)
        rel = err[idx] / max(abs(float(e64[idx])), 1e-30)
        raise AssertionError(
            f"{what}: {int((excess > 0).sum())} of {e.size} elements differ beyond rtol={rtol:g}, atol={atol:g}; "
            f"worst at index {idx}: tf={e64[idx]!r}, minitf={a64[idx]!r} (abs err {err[idx]:.3g}, rel err {rel:.3g})")


def run(framework, fn: Callable, arrays: Sequence[np.ndarray], params: dict, grads: bool, seed: int):
    """fn's value and the gradients of sum(w * value) with respect to each array, under one framework."""
    is_tf = framework.__name__ == "tensorflow"
    inputs = [framework.constant(a) if is_tf else framework.convert_to_tensor(a) for a in arrays]
    with framework.GradientTape(persistent=True) as tape:
        for x in inputs:
            tape.watch(x)
        y = fn(framework, *inputs, **params)
        if not grads or not y.dtype.is_floating:
            return y, None
        w = np.random.default_rng(seed).uniform(0.5, 1.5, tuple(y.shape)).astype(y.dtype.as_numpy_dtype)
        target = framework.reduce_sum(y * w)
    grads_out = tape.gradient(target, inputs)
    if is_tf:  # gather's gradient is an IndexedSlices: densify it
        grads_out = [None if g is None else framework.convert_to_tensor(g) for g in grads_out]
    return y, grads_out


def check_parity(name: str, fn: Callable, arrays: Sequence[np.ndarray] = (), params: dict | None = None, *,
                 rtol: float = RTOL, atol: float = ATOL, grad_rtol: float | None = None,
                 grad_atol: float | None = None, grads: bool = True, seed: int = 0) -> tuple:
    """Run ``fn(tf, *arrays, **params)`` under both frameworks and compare the value and the gradients.

    ``grad_rtol``/``grad_atol`` default to the forward tolerances. Returns (tf value, minitf value).
    """
    tf, mtf = frameworks()
    params = params or {}
    y_tf, g_tf = run(tf, fn, arrays, params, grads, seed)
    y_m, g_m = run(mtf, fn, arrays, params, grads, seed)
    assert_close(f"{name} forward", y_tf, y_m, rtol, atol)
    if g_tf is not None or g_m is not None:
        if g_tf is None or g_m is None:
            raise AssertionError(f"{name}: tf {'gave no' if g_tf is None else 'gave'} gradients, minitf "
                                 f"{'gave none' if g_m is None else 'did'}")
        for k, (gt, gm) in enumerate(zip(g_tf, g_m)):
            assert_close(f"{name} gradient of input {k}", gt, gm,
                         rtol if grad_rtol is None else grad_rtol, atol if grad_atol is None else grad_atol)
    return y_tf, y_m


def traced_and_eager(name: str, train: Callable[[bool], tuple], differ: Sequence[str] = ()) -> tuple:
    """Train minitf twice, with compile()'s default (steps traced) and ``run_eagerly=True``.

    ``train(run_eagerly)`` builds, compiles and fits a fresh minitf model and returns a tuple whose
    first item is its ``History.history``. The two histories must be identical, bit for bit, for
    every key but those in ``differ``: where Keras's own eager and compiled steps differ (the
    per-output ``<name>_loss`` means of a multi-output model, see ``keras.backend.in_compiled_step``).
    Returns the traced run's tuple (to compare with TF's compiled ``fit``) and the eager one's.
    """
    traced, eager = train(False), train(True)
    assert list(traced[0]) == list(eager[0]), f"{name}: History keys differ traced {list(traced[0])} / eager"
    for key, values in traced[0].items():
        if key not in differ:
            assert values == eager[0][key], (f"{name}: History[{key!r}] traced and eager differ: {values} vs "
                                             f"{eager[0][key]}")
    return traced, eager
