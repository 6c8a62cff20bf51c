"""GroupNormalization: normalize each example over groups of its channels (Keras's layer).

The ``dim`` channels of ``axis`` are split into ``groups`` groups of ``dim // groups`` channels;
for each example and group, a mean m and (biased) variance v are taken over the group's channels
and every other non-batch axis (``tf.nn.moments``), and

    y = gamma * (x - m) / sqrt(v + epsilon) + beta      (gamma, beta: one per channel)

computed as Keras writes it (so float32 results match to the bits):

    inv = rsqrt(v + epsilon) * gamma;     y = x * inv + (beta - m * inv)

on x reshaped to (batch, ..., groups, dim // groups, ...). ``groups=1`` is layer normalization over
all non-batch axes; ``groups=-1`` (one channel per group) is instance normalization. No batch
statistics, no moving state: the same in training and inference. Weights ``[gamma, beta]``, shape
(dim,); epsilon 1e-3; groups 32 by default (the channel count must be a multiple of it).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras import constraints, initializers, regularizers
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.normalization.normalization import (_add_gamma_and_beta, _axis_in_range, _normalize,
                                                             _to_compute_dtype, _upcast, moments)
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.ops import shape_ops as S

__all__ = ["GroupNormalization"]


class GroupNormalization(Layer):
    """Normalize each example over groups of channels along ``axis`` (see module doc)."""

    def __init__(self, groups: int = 32, axis: int = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, **kwargs):
        if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or (groups <= 0 and groups != -1):
            raise ValueError(f"GroupNormalization: received an invalid value for argument `groups`, expected a "
                             f"positive integer (or `-1` for instance normalization). Received: groups={groups!r}")
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"GroupNormalization: `axis` must be an int, got axis={axis!r}")
        if not float(epsilon) > 0:
            raise ValueError(f"GroupNormalization: `epsilon` must be positive, got epsilon={epsilon!r}")
        super().__init__(**kwargs)
        self.supports_masking = True
        self.autocast = False  # as Keras: inputs are not cast to float16 first (computed in float32 anyway)
        self.groups = int(groups)
        self.axis = int(axis)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = self.beta = None
        self._axis = None  # the channel axis, non-negative, once built

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        axis = _axis_in_range(self, self.axis, len(input_shape))
        if axis == 0:
            raise ValueError(f"GroupNormalization layer '{self.name}': axis {self.axis} is the batch axis of an "
                             f"input of shape {input_shape}; expected a channel axis")
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(f"GroupNormalization layer '{self.name}': axis {self.axis} of the input should have a "
                             f"defined dimension, but the layer received an input with shape {input_shape}.")
        if self.groups == -1:  # instance normalization (Keras stores the count in place of -1)
            self.groups = int(dim)
        if dim < self.groups:
            raise ValueError(f"GroupNormalization layer '{self.name}': the number of groups ({self.groups}) cannot be "
                             f"more than the number of channels ({dim}) of axis {self.axis}; input shape "
                             f"{input_shape}.")
        if dim % self.groups != 0:
            raise ValueError(f"GroupNormalization layer '{self.name}': the number of channels ({dim}) of axis "
                             f"{self.axis} must be a multiple of the number of groups ({self.groups}); "
                             f"input shape {input_shape}.")
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})
        self._axis = axis
        _add_gamma_and_beta(self, (dim,))

    def _grouped_shape(self, shape: tuple, batch: Any = -1) -> tuple:
        """``shape`` with the channel axis split in two: (..., groups, dim // groups, ...)."""
        dim = shape[self._axis]
        return (batch, *shape[1:self._axis], self.groups, dim // self.groups, *shape[self._axis + 1:])

    def call(self, inputs):
        x = _upcast(inputs)
        shape = tuple(x.shape)
        if any(d is None for d in shape[1:]):
            raise ValueError(f"GroupNormalization layer '{self.name}': only the batch size may be unknown; "
                             f"received an input of shape {shape}")
        grouped = S.reshape(x, self._grouped_shape(shape))
        # Statistics over every axis but the batch and the group axis (the group axis is self._axis).
        axes = tuple(i for i in range(1, grouped.ndim) if i != self._axis)
        mean, variance = moments(grouped, axes)
        # gamma and beta as (1, ..., groups, dim // groups, ..., 1), to broadcast against the groups
        per_channel = tuple(d if i in (self._axis, self._axis + 1) else 1
                            for i, d in enumerate(self._grouped_shape(shape, batch=1)))
        gamma = None if self.gamma is None else S.reshape(S.cast(self.gamma, x.dtype), per_channel)
        beta = None if self.beta is None else S.reshape(S.cast(self.beta, x.dtype), per_channel)
        out = _normalize(grouped, mean, variance, gamma, beta, self.epsilon)
        out = S.reshape(out, (-1, *shape[1:]))
        return _to_compute_dtype(self, out)

    def compute_output_shape(self, input_shape) -> tuple:
        _axis_in_range(self, self.axis, len(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
        })
        return config
