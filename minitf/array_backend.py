"""The array module under every op: NumPy by default, CuPy on request.

(Named ``array_backend`` so that it is never confused with ``tf.keras.backend``, Keras's public
module of the same short name: code imports it as ``B``.) Every op reads ``B.xp`` at call time, so ``set_backend("cupy")`` switches
all later work to the GPU. Tensors keep the array of the module that made them;
ops never move data between host and device behind the user's back.

``"cupy-standin"`` is a strict CuPy stand-in built on NumPy (``minitf/_cupy_standin``): CuPy's
API and rules without a GPU, so that CI checks the GPU path on every run.
"""
from __future__ import annotations

import os
import types

import numpy

xp: types.ModuleType = numpy
name: str = "numpy"
cupyx: types.ModuleType | None = None  # CuPy's extras (scatter_add) on the GPU backends


def set_backend(backend: str) -> None:
    """Select ``"numpy"``, ``"cupy"`` or ``"cupy-standin"`` as the array module for all later ops."""
    global xp, name, cupyx
    if backend == "numpy":
        xp, name, cupyx = numpy, "numpy", None
    elif backend == "cupy-standin":
        from minitf import _cupy_standin  # noqa: PLC0415

        xp, name, cupyx = _cupy_standin.cupy, "cupy-standin", _cupy_standin.cupyx
    elif backend == "cupy":
        try:
            import cupy  # noqa: PLC0415 (optional dependency, imported on demand)
        except ModuleNotFoundError as e:
            if e.name != "cupy":  # CuPy is there but something it needs is not: show that
                raise
            # Not installed: one clear line, without the chained traceback of the failed import.
            chosen_by = " (chosen by MINITF_BACKEND)" if os.environ.get("MINITF_BACKEND") == "cupy" else ""
            raise ImportError(
                f"minitf: the 'cupy' backend{chosen_by} needs CuPy and a CUDA GPU, and CuPy is not installed: "
                f"run pip install -e \".[gpu]\" in the minitf checkout, or use the 'numpy' backend "
                f"(unset MINITF_BACKEND), which needs nothing") from None
        import cupyx as cupy_extras  # noqa: PLC0415

        xp, name, cupyx = cupy, "cupy", cupy_extras
    else:
        raise ValueError(f"minitf: unknown backend {backend!r}; expected 'numpy', 'cupy' or 'cupy-standin'")


def to_numpy(array) -> numpy.ndarray:
    """A host (NumPy) copy or view of ``array``, whichever module made it."""
    if isinstance(array, numpy.ndarray):
        return array
    if hasattr(array, "get"):  # a CuPy (or stand-in) array: the one explicit device-to-host copy
        return array.get()
    return numpy.asarray(array)


def module_of(array) -> types.ModuleType:
    """The module that computes on ``array``: NumPy for a host array, else the backend's.

    String tensors always live on the host, whatever the backend: a NumPy object array of
    ``bytes`` (CuPy has no strings; TF too keeps strings on the CPU). The kernels that strings
    pass through (reshape, concat, gather, where ...) pick their module with this, and the string
    ops (``minitf/ops/string_ops.py``) compute with NumPy; turning strings into numbers (a
    vocabulary lookup, ``tf.strings.length``) hands the numbers to the backend, one explicit copy.
    """
    return numpy if type(array) is numpy.ndarray and array.dtype.kind == "O" else xp


def zeros(shape, dtype):
    """Zeros of ``dtype``: an example or filler array (of empty strings, on the host, for strings)."""
    dtype = numpy.dtype(dtype)
    if dtype.kind == "O":
        return numpy.full(shape, b"", dtype=object)
    return xp.zeros(shape, dtype=dtype)


def device_count() -> int:
    """CUDA GPUs the backend sees: CuPy's count (the stand-in pretends one), 0 on NumPy."""
    if xp is numpy:
        return 0
    return xp.cuda.runtime.getDeviceCount()


def is_array(value) -> bool:
    """True for an array of the current backend (or NumPy's, which both accept)."""
    return isinstance(value, (numpy.ndarray, xp.ndarray))


set_backend(os.environ.get("MINITF_BACKEND", "numpy"))


# More rounds than this (an index repeated this often) and np.add.at is the faster choice.
_MAX_SCATTER_ROUNDS = 16


def scatter_add(target, index, values) -> None:
    """``target[index] += values`` with repeated indices adding up (in place).

    ``index`` is an integer array over ``target``'s first axis, or a tuple of them. On NumPy a
    1-D index (an embedding's gradient) goes by rounds, ~3x faster than ``np.add.at`` and the
    same bits (each slice added one at a time, in order): the positions are stably sorted by
    index and split by occurrence (round r holds the r-th occurrence of each index), so each
    round's indices are distinct and one fancy-indexed ``+=`` adds it. Few rounds are typical
    (a batch repeats a token a few times); past ``_MAX_SCATTER_ROUNDS``, ``np.add.at``.
    """
    if xp is not numpy:
        cupyx.scatter_add(target, index, values)
        return
    if isinstance(index, tuple) or index.ndim != 1 or index.size == 0:
        numpy.add.at(target, index, values)
        return
    order = numpy.argsort(index, kind="stable")
    sorted_index = index[order]
    starts_run = numpy.empty(index.size, dtype=bool)  # True where a new index value begins
    starts_run[0] = True
    numpy.not_equal(sorted_index[1:], sorted_index[:-1], out=starts_run[1:])
    position = numpy.arange(index.size)
    occurrence = position - numpy.maximum.accumulate(numpy.where(starts_run, position, 0))  # 0, 1, ... per index
    rounds = int(occurrence.max()) + 1
    if rounds > _MAX_SCATTER_ROUNDS:
        numpy.add.at(target, index, values)
        return
    sorted_values = values[order]
    for r in range(rounds):
        in_round = occurrence == r
        target[sorted_index[in_round]] += sorted_values[in_round]
