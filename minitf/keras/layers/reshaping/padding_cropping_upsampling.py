"""Spatial reshaping of images: ZeroPadding2D, UpSampling2D, Cropping2D (channels_last).

* ZeroPadding2D(((top, bottom), (left, right))): zeros around the image;
  (b, h, w, c) -> (b, top + h + bottom, left + w + right, c). Gradient: dy with the border cut off.
* UpSampling2D(size=(sh, sw)): (b, h, w, c) -> (b, sh * h, sw * w, c).
  "nearest" repeats each row sh times and each column sw times (gradient: dy summed over each
  sh x sw block); "bilinear" resizes with ``tf.image.resize``'s half-pixel rule.
* Cropping2D(((top, bottom), (left, right))): the inverse of ZeroPadding2D, a slice.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional._conv_args import check_rank, standardize_tuple
from minitf.keras.layers.preprocessing._image_ops import resize
from minitf.keras.layers.layer import Layer
from minitf.ops import shape_ops as S

__all__ = ["ZeroPadding2D", "UpSampling2D", "Cropping2D"]


def _channels_last_only(kind: str, data_format: Any) -> str:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{kind}: minitf supports data_format='channels_last' only, got data_format={data_format!r}")
    return "channels_last"


def _pairs(kind: str, name: str, value: Any) -> tuple:
    """An int, (sym_h, sym_w) or ((top, bottom), (left, right)) as ((top, bottom), (left, right))."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"{kind}: `{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value), (value, value))
    if hasattr(value, "__len__"):
        if len(value) != 2:
            raise ValueError(f"{kind}: `{name}` should have two elements. Received: {name}={value}.")
        return (standardize_tuple(value[0], 2, f"1st entry of {name}", allow_zero=True),
                standardize_tuple(value[1], 2, f"2nd entry of {name}", allow_zero=True))
    raise ValueError(f"{kind}: `{name}` should be either an int, a tuple of 2 ints (symmetric_height, "
                     f"symmetric_width), or a tuple of 2 tuples of 2 ints ((top, bottom), (left, right)). "
                     f"Received: {name}={value!r}.")


class ZeroPaddingBase(Layer):
    """Zeros around each image or volume, ``rank`` spatial axes (ZeroPadding2D, ZeroPadding3D):
    ``padding`` given as its subclass's ``parse`` reads it, (before, after) per spatial axis."""

    rank = 2

    @staticmethod
    def parse(kind: str, name: str, value: Any) -> tuple:  # -> ((before, after),) * rank
        raise NotImplementedError

    def __init__(self, padding: Any, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.padding = self.parse(kind, "padding", padding)
        self.data_format = _channels_last_only(kind, data_format)

    def build(self, input_shape) -> None:
        check_rank(self, type(self).__name__, tuple(input_shape), self.rank, self.data_format)

    def call(self, inputs):
        check_rank(self, type(self).__name__, tuple(inputs.shape), self.rank, self.data_format)
        return S.pad(inputs, ((0, 0), *self.padding, (0, 0)))

    def compute_output_shape(self, input_shape) -> tuple:
        b, *spatial, c = input_shape
        return (b, *(None if n is None else n + before + after for n, (before, after) in zip(spatial, self.padding)), c)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"padding": self.padding, "data_format": self.data_format})
        return config


class ZeroPadding2D(ZeroPaddingBase):
    """Add rows and columns of zeros around each image (``keras.layers.ZeroPadding2D``)."""

    rank, parse = 2, staticmethod(_pairs)

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class UpSampling2D(Layer):
    """Enlarge each image ``size`` times (``keras.layers.UpSampling2D``): "nearest" or "bilinear"."""

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest", **kwargs):
        super().__init__(**kwargs)
        self.size = standardize_tuple(size, 2, "size")
        self.data_format = _channels_last_only("UpSampling2D", data_format)
        if not isinstance(interpolation, str) or interpolation.lower() not in ("nearest", "bilinear"):
            raise ValueError(f"UpSampling2D: `interpolation` must be 'nearest' or 'bilinear' in minitf, "
                             f"got interpolation={interpolation!r}")
        self.interpolation = interpolation.lower()

    def build(self, input_shape) -> None:
        check_rank(self, "UpSampling2D", tuple(input_shape), 2, self.data_format)

    def call(self, inputs):
        check_rank(self, "UpSampling2D", tuple(inputs.shape), 2, self.data_format)
        sh, sw = self.size
        if self.interpolation == "nearest":
            b, h, w, c = inputs.shape
            # Repeat each row and column: a broadcast to (b, h, sh, w, sw, c) and a reshape (no gather).
            x = S.reshape(inputs, (b, h, 1, w, 1, c))
            x = S.broadcast_to(x, (b, h, sh, w, sw, c))
            return S.reshape(x, (b, h * sh, w * sw, c))
        x = inputs if inputs._value.dtype.kind == "f" else S.cast(inputs, "float32")
        return resize(x, inputs.shape[1] * sh, inputs.shape[2] * sw, "bilinear")

    def compute_output_shape(self, input_shape) -> tuple:
        b, h, w, c = input_shape
        return (b, None if h is None else h * self.size[0], None if w is None else w * self.size[1], c)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"size": self.size, "data_format": self.data_format, "interpolation": self.interpolation})
        return config


class Cropping2D(Layer):
    """Cut rows and columns off each image's border (``keras.layers.Cropping2D``)."""

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs("Cropping2D", "cropping", cropping)
        self.data_format = _channels_last_only("Cropping2D", data_format)

    def _check(self, shape: tuple) -> None:
        check_rank(self, "Cropping2D", shape, 2, self.data_format)
        for n, (lo, hi), what in zip(shape[1:3], self.cropping, ("height", "width")):
            if n is not None and lo + hi >= n:
                raise ValueError(f"Cropping2D layer '{self.name}': values in `cropping` argument should be smaller "
                                 f"than the corresponding spatial dimension of the input. Cropping {lo} + {hi} "
                                 f"of the {what} {n} leaves nothing. Received: input_shape={shape}, "
                                 f"cropping={self.cropping}")

    def build(self, input_shape) -> None:
        self._check(tuple(input_shape))

    def call(self, inputs):
        self._check(tuple(inputs.shape))
        (top, bottom), (left, right) = self.cropping
        h, w = inputs.shape[1:3]
        return inputs[:, top:h - bottom, left:w - right, :]

    def compute_output_shape(self, input_shape) -> tuple:
        self._check(tuple(input_shape))
        b, h, w, c = input_shape
        (top, bottom), (left, right) = self.cropping
        return (b, None if h is None else h - top - bottom, None if w is None else w - left - right, c)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"cropping": self.cropping, "data_format": self.data_format})
        return config
