"""The Metric base class (``tf.keras.metrics.Metric``): a running statistic over batches.

A metric keeps *state variables* (totals, counts, confusion counts ...). ``update_state(y_true,
y_pred, sample_weight=None)`` folds a batch into them, ``result()`` computes the value from them,
``reset_state()`` zeroes them (``fit`` does that at the start of each epoch). ``metric(y_true,
y_pred)`` updates, then returns the result -- of *all* batches so far, not only this one.

Metrics need no gradients, but they are computed with ops and their state changes by
assignment ops, so that a traced training step (``fit``) updates them on every call.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.keras.naming import auto_name
from minitf.ops.shape_ops import cast, stop_gradient
from minitf.tensor import Tensor, Variable, convert_to_tensor

def as_array(x: Any, dtype=None):
    """The backend array under ``x`` (a Tensor, an array, a number, nested lists), optionally cast.
    For eager helpers only: code that runs in a training step computes with ops."""
    a = x._value if isinstance(x, Tensor) else convert_to_tensor(x)._value
    if dtype is not None and a.dtype != np.dtype(dtype):
        a = a.astype(dtype)
    return a


def as_tensor(x: Any, dtype=None) -> Tensor:
    """``x`` as a tensor, not recorded by any tape (metrics are never differentiated), optionally cast."""
    t = stop_gradient(convert_to_tensor(x))
    if dtype is not None and t.dtype != dtypes.as_dtype(dtype):
        t = cast(t, dtype)
    return t


class Metric:
    """Base class. Subclasses create state with ``add_variable`` and define ``update_state``/``result``."""

    def __init__(self, dtype=None, name: str | None = None):
        self.name = name or auto_name(type(self).__name__)
        self._dtype = dtypes.as_dtype(dtype or "float32")
        self._variables: list[Variable] = []

    @property
    def dtype(self) -> str:
        return self._dtype.name

    @property
    def _np_dtype(self) -> np.dtype:
        return self._dtype._np

    def add_variable(self, shape=(), initializer: Any = "zeros", dtype=None, aggregation: str = "sum",
                     name: str | None = None) -> Variable:
        """A non-trainable state variable (zeros unless ``initializer`` says otherwise)."""
        dt = self._np_dtype if dtype is None else dtypes.as_dtype(dtype)._np
        shape = tuple(int(d) for d in shape)
        if initializer is None or (isinstance(initializer, str) and initializer == "zeros"):
            value = B.xp.zeros(shape, dtype=dt)
        else:
            from minitf.keras import initializers
            value = as_array(initializers.get(initializer)(shape, dtype=dt.name), dt)
        variable = Variable(value, trainable=False, name=f"{self.name}/{name or 'variable'}")
        self._variables.append(variable)
        return variable

    def add_weight(self, shape=(), initializer: Any = None, dtype=None, name: str | None = None) -> Variable:
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables)

    def reset_state(self) -> None:
        for v in self._variables:
            v.assign(B.xp.zeros(v._value.shape, dtype=v._value.dtype))

    def update_state(self, *args, **kwargs) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement update_state")

    def result(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement result")

    def __call__(self, *args, **kwargs) -> Tensor:
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__
