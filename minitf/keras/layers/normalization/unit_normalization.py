"""UnitNormalization: each sample scaled to unit L2 norm along ``axis`` (Keras's ``ops.normalize``):

    y = x * min(1 / sqrt(sum(x^2, axis)), 1e12)

(the reciprocal square root, as Keras computes the L2 case; the cap keeps an all-zero row at zero).
"""
from __future__ import annotations

from minitf.keras.layers.layer import Layer
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S

__all__ = ["UnitNormalization"]


def l2_normalize(x, axis, epsilon: float):
    """Keras's ``ops.normalize`` (order 2): x times min(1 / sqrt(sum(x^2, axis)), 1 / epsilon)."""
    square_sum = R.reduce_sum(E.square(x), axis=axis, keepdims=True)
    return E.multiply(x, E.minimum(E.rsqrt(square_sum), S.cast(1.0 / epsilon, x.dtype)))


class UnitNormalization(Layer):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int) and not isinstance(axis, bool):
            self.axis = axis
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis}")
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs):
        if inputs.ndim == 0:
            inputs = S.expand_dims(inputs, 0)
        return l2_normalize(inputs, self.axis, epsilon=1e-12)

    def compute_output_shape(self, input_shape):
        for axis in self.axis if isinstance(self.axis, list) else [self.axis]:
            if axis >= len(input_shape) or axis < -len(input_shape):
                raise ValueError(f"Axis {self.axis} is out of bounds for input shape {tuple(input_shape)}.")
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}
