"""Normalization (the preprocessing layer): ``y = (x - mean) / max(sqrt(variance), epsilon)``.

``mean`` and ``variance`` are per feature (per position along ``axis``; ``axis=-1``, the default,
means one pair per column). Either pass them, or learn them from data with ``adapt(data)``,
which, as Keras, uses the *population* variance (divide by n, not n - 1):

    mean = sum(x) / n          variance = sum((x - mean)^2) / n      (over every axis not in ``axis``)

epsilon is ``keras.backend.epsilon()`` = 1e-7, so a constant feature gives 0, not a division by
zero. ``invert=True`` undoes the normalization: y = mean + x * max(sqrt(variance), epsilon).

Weights (adapt case, ``get_weights()`` order): ``[mean, variance, count]``, all non-trainable.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf.keras import backend
from minitf.keras.layers.layer import Layer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


class Normalization(Layer):
    """Standardizes features to mean 0 and variance 1 with a fixed (or adapted) mean and variance."""

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None, invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        self.axis = tuple(int(a) for a in axis)
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        if (mean is None) != (variance is None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. "
                             f"Received: mean={mean} and variance={variance}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have the same shape. "
                                 f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number of axes "
                                 f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"All `axis` values must be in the range [-ndim, ndim). Received inputs with "
                             f"ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"All `axis` values to be kept must have a known shape. Received axis={self.axis}, "
                                 f"inputs.shape={input_shape}, with unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = tuple(input_shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=self._mean_and_var_shape, initializer="zeros",
                                              trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=self._mean_and_var_shape,
                                                  initializer="ones", trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros",
                                         trainable=False)
        else:
            self._fixed = tuple(self._broadcast(np.asarray(v, dtype=np.float64)) for v in
                                (self.input_mean, self.input_variance))

    def _broadcast(self, value: np.ndarray) -> np.ndarray:
        """A mean/variance of the kept axes' shape (or a scalar), reshaped to broadcast against inputs."""
        ndim = len(self._broadcast_shape)
        if value.ndim == 0:
            return np.broadcast_to(value, self._broadcast_shape).astype(self._np_dtype)
        expanded = [1] * ndim
        for i in range(1, value.ndim + 1):
            expanded[self._keep_axis[-i]] = value.shape[-i]
        return np.broadcast_to(value.reshape(expanded), self._broadcast_shape).astype(self._np_dtype)

    def adapt(self, data: Any) -> None:
        """Set mean and variance (population) from ``data``: an array, a tensor, or an iterable of batches."""
        if isinstance(data, Tensor):
            data = data.numpy()
        if (not isinstance(data, np.ndarray) and hasattr(data, "__iter__") and not isinstance(data, (list, tuple))
                and not hasattr(data, "__array__")):  # a pandas DataFrame is data, not an iterable of batches
            batches = [np.asarray(b[0] if isinstance(b, tuple) else b) for b in data]
            if not batches:
                raise ValueError("adapt() received an empty iterable (no batches). Expected at least one batch.")
            data = np.concatenate(batches, axis=0)
        data = np.asarray(data)
        if data.dtype.kind not in "fiub":
            raise TypeError(f"Normalization.adapt: expected numeric data, got dtype {data.dtype}")
        if not self.built:
            self.build(data.shape)
            self.built = True
        else:
            for d in self._keep_axis:
                if data.shape[d] != self._build_input_shape[d]:
                    raise ValueError(f"The layer was built with input_shape={self._build_input_shape}, but adapt() "
                                     f"is being called with data with an incompatible shape, data.shape={data.shape}")
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}': adapt() cannot be used when `mean` and `variance` were given")
        # As Keras: NumPy's mean and (population) variance of the data as given.
        self.adapt_mean.assign(np.mean(data, axis=self._reduce_axis))
        self.adapt_variance.assign(np.var(data, axis=self._reduce_axis))

    def _stats(self) -> tuple:
        if self.input_mean is not None:
            mean, variance = self._fixed
            return Tensor(B.xp.asarray(mean)), Tensor(B.xp.asarray(variance))
        mean = S.reshape(self.adapt_mean.value(), self._broadcast_shape)
        variance = S.reshape(self.adapt_variance.value(), self._broadcast_shape)
        return mean, variance

    @property
    def mean(self) -> Tensor:
        """The mean subtracted, shaped to broadcast against the input (Keras: ``layer.mean``);
        None until the layer is built."""
        return self._stats()[0] if self.built else None

    @property
    def variance(self) -> Tensor:
        """The variance (the input is divided by its square root), shaped like ``mean``."""
        return self._stats()[1] if self.built else None

    def call(self, inputs):
        x = S.cast(inputs, self.compute_dtype) if inputs.dtype != self.compute_dtype else inputs
        mean, variance = self._stats()
        scale = E.maximum(E.sqrt(variance), backend.epsilon())
        if self.invert:
            return mean + x * scale
        return (x - mean) / scale

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"axis": list(self.axis), "invert": self.invert,
                       "mean": None if self.input_mean is None else np.asarray(self.input_mean).tolist(),
                       "variance": None if self.input_variance is None else np.asarray(self.input_variance).tolist()})
        return config
