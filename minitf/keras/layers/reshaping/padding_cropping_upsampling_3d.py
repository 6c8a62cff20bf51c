"""Spatial reshaping of volumes: ZeroPadding3D, UpSampling3D, Cropping3D (channels_last), the 3-D
versions of ``padding_cropping_upsampling.py``:

* ZeroPadding3D(((d0, d1), (h0, h1), (w0, w1))): zeros around the volume.
* UpSampling3D(size=(sd, sh, sw)): each slice, row and column repeated (nearest), so the gradient
  sums dy over each sd x sh x sw block.
* Cropping3D(((d0, d1), (h0, h1), (w0, w1))): the inverse of ZeroPadding3D, a slice.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional._conv_args import check_rank, standardize_tuple
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.reshaping.padding_cropping_upsampling import ZeroPaddingBase, _channels_last_only
from minitf.ops import shape_ops as S

__all__ = ["ZeroPadding3D", "UpSampling3D", "Cropping3D"]


def _triples(kind: str, name: str, value: Any) -> tuple:
    """An int, (d, h, w) or ((d0, d1), (h0, h1), (w0, w1)) as three (before, after) pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{kind}: `{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * 3
    if hasattr(value, "__len__") and len(value) == 3:
        return tuple(standardize_tuple(v, 2, f"entry {i} of {name}", allow_zero=True) for i, v in enumerate(value))
    raise ValueError(f"{kind}: `{name}` should be either an int, a tuple of 3 ints (symmetric_dim1, symmetric_dim2, "
                     f"symmetric_dim3), or a tuple of 3 tuples of 2 ints ((left_dim1_pad, right_dim1_pad), "
                     f"(left_dim2_pad, right_dim2_pad), (left_dim3_pad, right_dim2_pad)). Received: {name}={value!r}.")


def _grown(n, before: int, after: int, sign: int = 1):
    return None if n is None else n + sign * (before + after)


class ZeroPadding3D(ZeroPaddingBase):
    """Add zeros around each volume (``keras.layers.ZeroPadding3D``)."""

    rank, parse = 3, staticmethod(_triples)

    def __init__(self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class UpSampling3D(Layer):
    """Enlarge each volume ``size`` times by repetition (``keras.layers.UpSampling3D``)."""

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 3, "size")
        self.data_format = _channels_last_only("UpSampling3D", data_format)

    def build(self, input_shape) -> None:
        check_rank(self, "UpSampling3D", tuple(input_shape), 3, self.data_format)

    def call(self, inputs):
        check_rank(self, "UpSampling3D", tuple(inputs.shape), 3, self.data_format)
        b, d, h, w, c = inputs.shape
        sd, sh, sw = self.size
        # Repeat each slice, row and column: a broadcast to (b, d, sd, h, sh, w, sw, c) and a reshape.
        x = S.broadcast_to(S.reshape(inputs, (b, d, 1, h, 1, w, 1, c)), (b, d, sd, h, sh, w, sw, c))
        return S.reshape(x, (b, d * sd, h * sh, w * sw, c))

    def compute_output_shape(self, input_shape) -> tuple:
        b, *spatial, c = input_shape
        return (b, *(None if n is None else n * s for n, s in zip(spatial, self.size)), c)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format})
        return config


class Cropping3D(Layer):
    """Cut slices, rows and columns off each volume's border (``keras.layers.Cropping3D``)."""

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _triples("Cropping3D", "cropping", cropping)
        self.data_format = _channels_last_only("Cropping3D", data_format)

    def _check(self, shape: tuple) -> None:
        check_rank(self, "Cropping3D", shape, 3, self.data_format)
        for n, (lo, hi) in zip(shape[1:4], self.cropping):
            if n is not None and lo + hi >= n:
                raise ValueError(f"Cropping3D layer '{self.name}': values in `cropping` argument should be smaller "
                                 f"than the corresponding spatial dimension of the input. Received: "
                                 f"input_shape={shape}, cropping={self.cropping}")

    def build(self, input_shape) -> None:
        self._check(tuple(input_shape))

    def call(self, inputs):
        self._check(tuple(inputs.shape))
        index = tuple(slice(lo, n - hi) for n, (lo, hi) in zip(inputs.shape[1:4], self.cropping))
        return inputs[(slice(None), *index, slice(None))]

    def compute_output_shape(self, input_shape) -> tuple:
        self._check(tuple(input_shape))
        b, *spatial, c = input_shape
        return (b, *(_grown(n, *crop, sign=-1) for n, crop in zip(spatial, self.cropping)), c)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
