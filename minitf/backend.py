"""The array module under every op: NumPy by default, CuPy on request.

Every op reads ``backend.xp`` at call time, so ``set_backend("cupy")`` switches
all later work to the GPU. Tensors keep the array of the module that made them;
ops never move data between host and device behind the user's back.
"""
from __future__ import annotations

import os
import types

import numpy

xp: types.ModuleType = numpy
name: str = "numpy"


def set_backend(backend: str) -> None:
    """Select ``"numpy"`` or ``"cupy"`` as the array module for all later ops."""
    global xp, name
    if backend == "numpy":
        xp, name = numpy, "numpy"
    elif backend == "cupy":
        try:
            import cupy  # noqa: PLC0415 (optional dependency, imported on demand)
        except ImportError as e:
            raise ImportError(
                "minitf: the 'cupy' backend needs CuPy and a CUDA GPU "
                "(pip install 'minitf[gpu]'); the 'numpy' backend needs nothing"
            ) from e
        xp, name = cupy, "cupy"
    else:
        raise ValueError(f"minitf: unknown backend {backend!r}; expected 'numpy' or 'cupy'")


def to_numpy(array) -> numpy.ndarray:
    """A host (NumPy) copy or view of ``array``, whichever module made it."""
    if isinstance(array, numpy.ndarray):
        return array
    if hasattr(array, "get"):  # a CuPy array: the one explicit device-to-host copy
        return array.get()
    return numpy.asarray(array)


def is_array(value) -> bool:
    """True for an array of the current backend (or NumPy's, which both accept)."""
    return isinstance(value, (numpy.ndarray, xp.ndarray))


set_backend(os.environ.get("MINITF_BACKEND", "numpy"))


def scatter_add(target, index, values) -> None:
    """``target[index] += values`` with repeated indices adding up (in place)."""
    if xp is numpy:
        numpy.add.at(target, index, values)
    else:
        import cupyx  # noqa: PLC0415

        cupyx.scatter_add(target, index, values)
