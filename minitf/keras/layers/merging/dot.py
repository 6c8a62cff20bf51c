"""Dot: the dot product of two batches of tensors, sample by sample, along ``axes``.

For (batch, n) and (batch, n): ``out[b] = sum_i x[b, i] * y[b, i]``, shape (batch, 1). In general
(Keras's ``batch_dot``): each sample's tensors are contracted over one axis each, ``axes=(a, b)``
(an int: the same axis of both), the remaining axes of x then those of y. ``normalize=True``
L2-normalizes both along those axes first, so the result is the cosine similarity.

How: the contracted axis is moved last in x and second in y (after the batch), middle axes are
folded, and one batched matmul does the rest, as Keras's ``batch_dot``.
"""
from __future__ import annotations

from minitf.keras.layers.merging.merging import _Merge
from minitf.keras.layers.normalization.unit_normalization import l2_normalize
from minitf.ops import linalg as L
from minitf.ops import shape_ops as S

__all__ = ["Dot", "dot"]


def batch_dot(x, y, axes):
    x_ndim, y_ndim = x.ndim, y.ndim
    if x_ndim < 2 or y_ndim < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}.")
    if x.shape[0] != y.shape[0]:
        raise ValueError(f"Cannot do batch_dot on inputs with different batch sizes. Received inputs with shapes "
                         f"{tuple(x.shape)} and {tuple(y.shape)}.")
    a0, a1 = [a + n if a < 0 else a for a, n in zip(axes, (x_ndim, y_ndim))]
    if 0 in (a0, a1):
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not batched, add a dummy batch "
                         "dimension to your inputs using keras.ops.expand_dims(x, 0)")
    if x.shape[a0] != y.shape[a1]:
        raise ValueError(f"Cannot do batch_dot on inputs with shapes {tuple(x.shape)} and {tuple(y.shape)} with "
                         f"axes={[a0, a1]}. x.shape[{a0}] != y.shape[{a1}] ({x.shape[a0]} != {y.shape[a1]}).")
    orig_x_ndim, orig_y_ndim = x_ndim, y_ndim
    if x_ndim == 2:
        x, a0, x_ndim = S.expand_dims(x, 1), a0 + 1, 3
    if y_ndim == 2:
        y, y_ndim = S.expand_dims(y, 2), 3
    if a0 != x_ndim - 1:  # the contracted axis of x goes last
        x = S.transpose(x, [d for d in range(x_ndim) if d != a0] + [a0])
    if a1 != 1:  # and that of y second
        y = S.transpose(y, [0, a1] + [d for d in range(1, y_ndim) if d != a1])
    x_mid = tuple(x.shape[1:-1])
    y_trail = tuple(y.shape[2:])
    if x_ndim > 3:
        x = S.reshape(x, (x.shape[0], -1, x.shape[-1]))
    if y_ndim > 3:
        y = S.reshape(y, (y.shape[0], y.shape[1], -1))
    result = L.matmul(x, y)
    if x_ndim > 3 or y_ndim > 3:
        shape = tuple(result.shape)
        shape = shape[:1] + (x_mid if x_ndim > 3 else shape[1:-1]) + (y_trail if y_ndim > 3 else shape[-1:])
        result = S.reshape(result, shape)
    if orig_x_ndim == 2:
        result = S.squeeze(result, 1)
    elif orig_y_ndim == 2:
        result = S.squeeze(result, -1)
    return result


class Dot(_Merge):
    """``batch_dot(x, y, axes)`` of the two inputs (after L2 normalization when ``normalize``)."""

    _min_inputs = 2

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(f"Invalid type for argument `axes`: it should be a list or an int. Received: "
                                f"axes={axes}")
            if len(axes) != 2:
                raise ValueError(f"Invalid format for argument `axes`: it should contain two elements. Received: "
                                 f"axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(f"Invalid format for argument `axes`: list elements should be integers. "
                                 f"Received: axes={axes}")
        self.axes, self.normalize = axes, normalize

    def _axes(self, ndims) -> list:
        axes = [self.axes] * 2 if isinstance(self.axes, int) else list(self.axes)
        return [a % n if a < 0 else a for a, n in zip(axes, ndims)]

    def _check_list(self, inputs):
        super()._check_list(inputs)
        if len(inputs) != 2:
            raise ValueError(f"A `Dot` layer should be called on a list of 2 inputs. Received: {len(inputs)} inputs")

    def _output_shape(self, shapes):
        shape1, shape2 = list(shapes[0]), list(shapes[1])
        a0, a1 = self._axes((len(shape1), len(shape2)))
        if shape1[a0] is not None and shape2[a1] is not None and shape1[a0] != shape2[a1]:
            raise ValueError(f"Incompatible input shapes: axis values {shape1[a0]} (at axis {a0}) != {shape2[a1]} "
                             f"(at axis {a1}). Full input shapes: {tuple(shape1)}, {tuple(shape2)}")
        shape1.pop(a0)
        shape2.pop(a1)
        shape2.pop(0)
        out = shape1 + shape2
        return tuple(out + [1] if len(out) == 1 else out)

    def _merge(self, inputs):
        x1, x2 = inputs
        axes = self._axes((x1.ndim, x2.ndim))
        if self.normalize:
            x1, x2 = l2_normalize(x1, axes[0], 1e-7), l2_normalize(x2, axes[1], 1e-7)  # Keras's default epsilon
        return batch_dot(x1, x2, axes)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """``Dot(axes, **kwargs)(inputs)``."""
    return Dot(axes=axes, **kwargs)(inputs)
