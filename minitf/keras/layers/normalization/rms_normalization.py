"""RMSNormalization: scale each example by the reciprocal of its root mean square (Keras's layer).

For the axes ``axis`` (the last by default) of each example,

    y = x * rsqrt(mean(x^2, axis) + epsilon) * scale

(Zhang & Sennrich 2019), in that order, as Keras's ``ops.rms_normalization`` computes it: no mean
subtracted, no offset. One weight, ``scale`` (initialized to ones), of the normalized axes' shape;
epsilon 1e-6. Float16 inputs are computed in float32 and cast back.

As in Keras, ``scale`` multiplies the result by ordinary broadcasting, i.e. against the TRAILING
axes: for normalized axes that are not the last ones, the shapes must line up that way (Keras's
rule, kept for its numbers; ``build`` says so when they do not).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras.layers.layer import Layer
from minitf.keras.layers.normalization.normalization import _axis_in_range, _upcast
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S

__all__ = ["RMSNormalization"]


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


class RMSNormalization(Layer):
    """y = x * rsqrt(mean(x^2 over ``axis``) + epsilon) * scale (see module doc)."""

    def __init__(self, axis: Any = -1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis or not all(_is_int(a) for a in axis):
                raise TypeError(f"RMSNormalization: expected an int or a list/tuple of ints for the argument "
                                f"'axis', but received: axis={axis!r}")
            axis = [int(a) for a in axis]
        elif _is_int(axis):
            axis = int(axis)
        else:
            raise TypeError(f"RMSNormalization: expected an int or a list/tuple of ints for the argument 'axis', "
                            f"but received: axis={axis!r}")
        if not float(epsilon) >= 0:
            raise ValueError(f"RMSNormalization: `epsilon` must be non-negative, got epsilon={epsilon!r}")
        self.axis = axis  # as given; a sorted list once built (Keras's config shows either)
        self.epsilon = float(epsilon)
        self.scale = None

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        axes = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            _axis_in_range(self, a, rank)
        shape = tuple(input_shape[a] for a in axes)
        if any(d is None for d in shape):
            raise ValueError(f"RMSNormalization layer '{self.name}': the normalized axes {axes} must have known "
                             f"sizes; received input_shape={input_shape}")
        trailing = input_shape[rank - len(shape):]
        if any(s != 1 and t is not None and s != t for s, t in zip(shape, trailing)):
            raise ValueError(f"RMSNormalization layer '{self.name}': its `scale` of shape {shape} (the sizes of axes "
                             f"{axes}) multiplies the result by broadcasting against the trailing axes "
                             f"{trailing} (Keras's rule), and they differ; input_shape={input_shape}. Normalize "
                             f"the last axes, or move the axes to the end first.")
        self.axis = axes
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")

    def call(self, inputs):
        x = _upcast(inputs)
        mean_square = R.reduce_mean(E.square(x), axis=tuple(self.axis), keepdims=True)
        reciprocal_rms = E.rsqrt(mean_square + self.epsilon)
        out = E.multiply(x, reciprocal_rms)
        out = E.multiply(out, S.cast(self.scale, out.dtype))
        return out if out.dtype == inputs.dtype else S.cast(out, inputs.dtype)

    def compute_output_shape(self, input_shape) -> tuple:
        for a in self.axis if isinstance(self.axis, list) else [self.axis]:
            _axis_in_range(self, a, len(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
