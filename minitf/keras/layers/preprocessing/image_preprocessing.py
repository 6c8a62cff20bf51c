"""Image preprocessing and augmentation layers (Keras 3's ``keras.layers.Resizing`` ...).

Inputs are channels_last images: a batch (batch, height, width, channels) or one image
(height, width, channels).

Deterministic, applied in training and inference alike:

* ``Resizing(h, w)``: ``tf.image.resize`` with half-pixel centres (bilinear or nearest), optionally
  cropping to the target aspect ratio first. Integer images stay integer (rounded), as in Keras.
* ``CenterCrop(h, w)``: the centred h x w box (top = (H - h) // 2); an image smaller than that is
  cropped to the aspect ratio and resized up instead (Keras's ``smart_resize``).

Random augmentations, active only in training: ``fit`` calls them with training=True, and so
does calling the layer directly without a flag (Keras's default, ``call(..., training=True)``);
``predict``, ``evaluate`` and ``training=False`` pass images through unchanged. RandomFlip,
RandomRotation, RandomZoom, RandomTranslation and RandomContrast draw Keras 3.15's numbers: each
owns a ``SeedGenerator`` (``keras.random.layer_seed_generator(seed)``) and draws
``keras.random.uniform((N,), low, high, seed=generator)`` (one value per image; N = 1 for a single
image) exactly where Keras's ``get_random_transformation`` does, in Keras's order (zoom and
translation: height first). Every draw steps the generator, so a seeded layer repeats Keras's
sequence call after call, and a traced training step (``fit``) draws the same bits as eager calls.
Without a seed, the seed comes from the stream ``tf.random.set_seed`` resets.

* ``RandomFlip(mode)``: each image flipped with probability 1/2. As in Keras 3.15,
  "horizontal_and_vertical" flips BOTH ways for a chosen image (one draw), i.e. turns it 180 degrees.
* ``RandomRotation(factor)``: angle = uniform(lower, upper) * 360 degrees, about the image centre,
  where factor f means (-f, f), a fraction of a full turn.
* ``RandomZoom(height_factor, width_factor=None)``: zoom = 1 + uniform(lower, upper) per axis;
  zoom > 1 zooms *out* (shows more), < 1 zooms in. Without width_factor the aspect ratio is kept.
* ``RandomTranslation(height_factor, width_factor)``: shift by uniform(lower, upper) * size pixels.
* ``RandomHeight(factor)`` / ``RandomWidth(factor)`` (Keras 3's legacy tf.keras layers): the whole
  batch resized along one axis to ``int(size * (1 + uniform(lower, upper)))`` (one draw per batch),
  bilinear; the size along that axis is then unknown (None) to the layers after it.
* ``RandomContrast(factor)``: y = (x - mean) * c + mean per image and channel (mean over height and
  width), clipped to ``value_range``. As in Keras 3.15, a number f gives c in [1 - 0, 1 + f]
  (the lower bound is clamped at 0), i.e. contrast is only ever increased; pass (lower, upper)
  for c in [1 - lower, 1 + upper].

Rotation, zoom and translation resample with ``affine_transform`` (TF's
ImageProjectiveTransformV3): bilinear or nearest interpolation, and points that fall outside the
image filled by ``fill_mode``: "reflect" (default; d c b a | a b c d | d c b a), "wrap"
(a b c d | a b c d), "nearest" (a a a a | a b c d | d d d d) or "constant" (``fill_value``).
All the transforms are linear in the pixels, built from gathers, so gradients flow through them.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import random as mt_random
from minitf.errors import InvalidArgumentError
from minitf.keras.layers.preprocessing._image_ops import (FILL_MODES, INTERPOLATIONS, _bilinear_weights, _nearest_index,
                                                          affine_transform, aspect_crop_box, resize)
from minitf.keras import random as keras_random
from minitf.keras.layers.layer import Layer
from minitf.ops import creation as C
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom", "RandomTranslation",
           "RandomContrast", "RandomHeight", "RandomWidth"]


# --- shared helpers --------------------------------------------------------------------------
def _batched(layer: Layer, inputs: Tensor) -> tuple[Tensor, bool]:
    """(batch, h, w, c) from a batch or a single image, and whether a batch axis was added."""
    if inputs.ndim == 4:
        return inputs, False
    if inputs.ndim == 3:
        return S.expand_dims(inputs, 0), True
    raise ValueError(f"{type(layer).__name__} layer '{layer.name}' expects images of shape (batch, height, width, "
                     f"channels) or (height, width, channels), but received an input of shape {tuple(inputs.shape)} "
                     f"(rank {inputs.ndim}).")


def _unbatched(x: Tensor, added: bool) -> Tensor:
    return S.squeeze(x, axis=0) if added else x


def _as_float(x: Tensor, dtype: str) -> Tensor:
    return x if x._value.dtype == np.dtype(dtype) else S.cast(x, dtype)


def _channels_last_only(kind: str, data_format: Any) -> str:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{kind}: minitf supports data_format='channels_last' only, got data_format={data_format!r}")
    return "channels_last"


def _with_image_size(input_shape, height: int, width: int) -> tuple:
    """``input_shape`` (..., h, w, channels) with the image size (height, width)."""
    shape = list(input_shape)
    shape[-3], shape[-2] = height, width
    return tuple(shape)


def _positive_int(kind: str, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{kind}: `{name}` must be a positive integer, got {name}={value!r}")
    return int(value)


def _factor_range(kind: str, name: str, factor: Any, low: float, high: float, low_inclusive: bool = True) -> tuple:
    """A number f -> (-|f|, |f|); a pair -> sorted. The given value(s) must lie in [low, high]
    ((low, high] when ``low_inclusive`` is False), as Keras checks them."""
    message = (f"{kind}: `{name}` must be a number or a pair of numbers in the range "
               f"{'[' if low_inclusive else '('}{low}, {high}]. Received: {name}={factor!r}")

    def in_range(v: float) -> bool:
        return (low <= v if low_inclusive else low < v) and v <= high

    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(isinstance(f, (int, float, np.number)) and in_range(float(f)) for f in factor):
            raise ValueError(message)
        return tuple(sorted(float(f) for f in factor))
    if isinstance(factor, (int, float, np.number)) and not isinstance(factor, bool) and in_range(float(factor)):
        return (-abs(float(factor)), abs(float(factor)))
    raise ValueError(message)


def per_image_unit_uniform(images: Tensor, seed: Tensor, dtype) -> Tensor:
    """One uniform [0, 1) value per image of ``images``: the first N numbers of TF's stateless stream
    for the 2-int ``seed`` (a SeedGenerator's state, read and stepped by ops, so each call draws anew),
    i.e. ``StatelessRandomUniformV2`` of shape (N,); in a trace that leaves the batch size open, N is
    read when the function runs (``minitf.random._draw``). No gradient."""
    return mt_random._draw(seed, [S.shape(images)[0]], np.dtype(dtype), "uniform", False)


class _RandomImageLayer(Layer):
    """Base of the random augmentations: a SeedGenerator, training-only, batch or single image."""

    def __init__(self, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"{type(self).__name__}: `seed` must be an integer or None, got seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        self.generator = keras_random.layer_seed_generator(self.seed)

    def call(self, inputs, training=True):
        x, added = _batched(self, inputs)
        x = _as_float(x, self.compute_dtype)
        if not training:
            return _unbatched(x, added)
        return _unbatched(self._augment(x), added)

    def _augment(self, images: Tensor) -> Tensor:
        raise NotImplementedError

    def _uniform(self, images: Tensor, low: float, high: float, dtype="float32") -> Tensor:
        """One draw per image, shape (N,): ``keras.random.uniform((N,), low, high, dtype, seed=generator)``,
        i.e. ``u * (high - low) + low`` in ``dtype`` with u from the generator's next seed (Keras draws
        (N, 1), (N, 1, 1, 1) or, for one image, N = 1: the same numbers in the same order)."""
        unit = per_image_unit_uniform(images, keras_random.draw_seed(self.generator), dtype)
        return mt_random._scaled_uniform(unit, low, high, np.dtype(dtype))

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"seed": self.seed, "data_format": "channels_last"})
        return config


class _AffineImageLayer(_RandomImageLayer):
    """Rotation, zoom and translation: a random affine matrix per image, then ``affine_transform``."""

    def __init__(self, fill_mode: str = "reflect", interpolation: str = "bilinear", seed: int | None = None,
                 fill_value: float = 0.0, data_format: str | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        kind = type(self).__name__
        if fill_mode not in FILL_MODES:
            raise NotImplementedError(f"{kind}: unknown `fill_mode` {fill_mode!r}. Expected one of {FILL_MODES}.")
        if interpolation not in INTERPOLATIONS:
            raise NotImplementedError(f"{kind}: unknown `interpolation` {interpolation!r}. "
                                      f"Expected one of {INTERPOLATIONS}.")
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = float(fill_value)
        self.data_format = _channels_last_only(kind, data_format)

    def _matrices(self, images: Tensor, height: int, width: int) -> Tensor:
        """One transform per image, (N, 8) float32 (see ``affine_transform``)."""
        raise NotImplementedError

    def _augment(self, images: Tensor) -> Tensor:
        _, h, w, _ = images.shape
        return affine_transform(images, self._matrices(images, h, w), self.interpolation, self.fill_mode,
                                self.fill_value)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"fill_mode": self.fill_mode, "fill_value": self.fill_value,
                       "interpolation": self.interpolation})
        return config


# --- deterministic layers ---------------------------------------------------------------------
class Resizing(Layer):
    """Resize images to (height, width) (``keras.layers.Resizing``); training and inference alike."""

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.height = _positive_int("Resizing", "height", height)
        self.width = _positive_int("Resizing", "width", width)
        if interpolation not in INTERPOLATIONS:
            raise NotImplementedError(f"Resizing: minitf implements interpolation 'bilinear' and 'nearest', "
                                      f"got interpolation={interpolation!r}")
        if pad_to_aspect_ratio:
            raise NotImplementedError("Resizing: pad_to_aspect_ratio=True is not implemented in minitf")
        if antialias:
            raise NotImplementedError("Resizing: antialias=True is not implemented in minitf")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = False
        self.fill_mode = fill_mode
        self.fill_value = float(fill_value)
        self.antialias = False
        self.data_format = _channels_last_only("Resizing", data_format)

    def call(self, inputs):
        x, added = _batched(self, inputs)
        integer = x._value.dtype.kind in "iu"
        images = S.cast(x, "float32") if integer else x
        if self.crop_to_aspect_ratio:
            top, left, ch, cw = aspect_crop_box(images.shape[1], images.shape[2], self.height, self.width)
            images = images[:, top:top + ch, left:left + cw, :]
        out = resize(images, self.height, self.width, self.interpolation)
        if integer:  # Keras rounds and saturates back to the input's integer type
            info = np.iinfo(x._value.dtype)
            out = S.cast(E.clip_by_value(E.round(out), float(info.min), float(info.max)), x.dtype)
        return _unbatched(out, added)

    def compute_output_shape(self, input_shape) -> tuple:
        return _with_image_size(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "interpolation": self.interpolation,
                       "crop_to_aspect_ratio": self.crop_to_aspect_ratio, "pad_to_aspect_ratio": False,
                       "fill_mode": self.fill_mode, "fill_value": self.fill_value, "antialias": False,
                       "data_format": self.data_format})
        return config


class CenterCrop(Layer):
    """The centred (height, width) box of each image (``keras.layers.CenterCrop``)."""

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.height = _positive_int("CenterCrop", "height", height)
        self.width = _positive_int("CenterCrop", "width", width)
        self.data_format = _channels_last_only("CenterCrop", data_format)

    def call(self, inputs):
        x, added = _batched(self, inputs)
        x = _as_float(x, self.compute_dtype)
        h, w = x.shape[1], x.shape[2]
        if h >= self.height and w >= self.width:
            top, left = (h - self.height) // 2, (w - self.width) // 2
            out = x[:, top:top + self.height, left:left + self.width, :]
        else:  # too small: crop to the aspect ratio, then resize up (Keras's smart_resize)
            top, left, ch, cw = aspect_crop_box(h, w, self.height, self.width)
            out = resize(x[:, top:top + ch, left:left + cw, :], self.height, self.width, "bilinear")
        return _unbatched(out, added)

    def compute_output_shape(self, input_shape) -> tuple:
        return _with_image_size(input_shape, self.height, self.width)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height": self.height, "width": self.width, "data_format": self.data_format})
        return config


# --- random augmentations ----------------------------------------------------------------------
class RandomFlip(_RandomImageLayer):
    """Flip each image with probability 1/2: "horizontal", "vertical" or "horizontal_and_vertical"."""

    _MODES = ("horizontal", "vertical", "horizontal_and_vertical")

    def __init__(self, mode: str = "horizontal_and_vertical", seed: int | None = None, data_format: str | None = None,
                 **kwargs):
        super().__init__(seed=seed, **kwargs)
        if mode not in self._MODES:
            raise ValueError(f"RandomFlip: `mode` must be one of {self._MODES}, got mode={mode!r}")
        self.mode = mode
        self.data_format = _channels_last_only("RandomFlip", data_format)

    def _augment(self, images: Tensor) -> Tensor:
        flip = S.reshape(self._uniform(images, 0.0, 1.0) <= 0.5, (-1, 1, 1, 1))
        out = images
        if self.mode in ("horizontal", "horizontal_and_vertical"):
            out = E.where(flip, S.reverse(out, [2]), out)
        if self.mode in ("vertical", "horizontal_and_vertical"):
            out = E.where(flip, S.reverse(out, [1]), out)
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        config["mode"] = self.mode
        return config


class RandomRotation(_AffineImageLayer):
    """Rotate each image by a random angle: ``factor`` f -> uniform(-f, f) turns (f=0.1: +-36 degrees)."""

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.factor = _factor_range("RandomRotation", "factor", factor, -1.0, 1.0)

    def _matrices(self, images: Tensor, height: int, width: int) -> Tensor:
        degrees = self._uniform(images, self.factor[0] * 360.0, self.factor[1] * 360.0)
        angle = degrees * np.float32(math.pi / 180.0)
        cos, sin = E.cos(angle), E.sin(angle)
        cx, cy = np.float32(0.5) * np.float32(width - 1), np.float32(0.5) * np.float32(height - 1)
        # Output pixel (x, y) reads the input at the point rotated back about the centre (cx, cy).
        a0, a1, b0, b1 = cos, -sin, sin, cos
        a2 = cx - cx * a0 - cy * a1
        b2 = cy - cx * b0 - cy * b1
        zeros = C.zeros_like(a0)
        return S.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)

    def get_config(self) -> dict:
        config = super().get_config()
        config["factor"] = self.factor
        return config


class RandomZoom(_AffineImageLayer):
    """Zoom each image by 1 + uniform(lower, upper) per axis; factors in (-1, 1], positive = zoom out."""

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _factor_range("RandomZoom", "height_factor", height_factor, -1.0, 1.0,
                                                             low_inclusive=False)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _factor_range("RandomZoom", "width_factor", width_factor, -1.0, 1.0,
                                                               low_inclusive=False)

    def _matrices(self, images: Tensor, height: int, width: int) -> Tensor:
        zoom_y = self._uniform(images, 1.0 + self.height_lower, 1.0 + self.height_upper)
        zoom_x = zoom_y if self.width_factor is None else \
            self._uniform(images, 1.0 + self.width_lower, 1.0 + self.width_upper)
        # Input point = zoom * (output point - centre) + centre.
        x_offset = (np.float32(width) - np.float32(1)) / np.float32(2) * (np.float32(1) - zoom_x)
        y_offset = (np.float32(height) - np.float32(1)) / np.float32(2) * (np.float32(1) - zoom_y)
        zeros = C.zeros_like(zoom_y)
        return S.stack([zoom_x, zeros, x_offset, zeros, zoom_y, y_offset, zeros, zeros], axis=1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


class RandomTranslation(_AffineImageLayer):
    """Shift each image by uniform(lower, upper) * (height, width) pixels; factors in [-1, 1]."""

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs):
        super().__init__(fill_mode=fill_mode, interpolation=interpolation, seed=seed, fill_value=fill_value,
                         data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.width_factor = width_factor
        self.height_lower, self.height_upper = _factor_range("RandomTranslation", "height_factor", height_factor,
                                                             -1.0, 1.0)
        self.width_lower, self.width_upper = _factor_range("RandomTranslation", "width_factor", width_factor,
                                                           -1.0, 1.0)

    def _matrices(self, images: Tensor, height: int, width: int) -> Tensor:
        dy = self._uniform(images, self.height_lower, self.height_upper) * np.float32(height)
        dx = self._uniform(images, self.width_lower, self.width_upper) * np.float32(width)
        ones, zeros = C.ones_like(dy), C.zeros_like(dy)
        # Output pixel (x, y) reads input (x - dx, y - dy): the content moves by (+dx, +dy).
        return S.stack([ones, zeros, -dx, zeros, ones, -dy, zeros, zeros], axis=1)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"height_factor": self.height_factor, "width_factor": self.width_factor})
        return config


class RandomContrast(_RandomImageLayer):
    """Scale each image's deviation from its (per-channel) mean by a random factor, then clip."""

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.data_format = _channels_last_only("RandomContrast", data_format)
        message = (f"RandomContrast: `factor` must be a number or a pair of numbers in the range [0, 1]. "
                   f"Received: factor={factor!r}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > 1 or factor[1] < 0:
                raise ValueError(message)
            lower, upper = sorted(float(f) for f in factor)
        elif isinstance(factor, (int, float, np.number)) and not isinstance(factor, bool):
            if not 0 <= factor <= 1:
                raise ValueError(message)
            lower, upper = max(-float(factor), 0.0), float(factor)  # Keras 3.15's clamp: lower becomes 0
        else:
            raise ValueError(message)
        self.factor = (lower, upper)
        if not (isinstance(value_range, (tuple, list)) and len(value_range) == 2 and value_range[0] < value_range[1]):
            raise ValueError(f"RandomContrast: `value_range` must be (low, high) with low < high, got {value_range!r}")
        self.value_range = tuple(value_range)

    def _augment(self, images: Tensor) -> Tensor:
        factor = convert_to_tensor(self._uniform(images, 1.0 - self.factor[0], 1.0 + self.factor[1],
                                                 dtype=self.compute_dtype))
        factor = S.cast(S.reshape(factor, (-1, 1, 1, 1)), images.dtype)
        mean = R.reduce_mean(R.reduce_mean(images, axis=1, keepdims=True), axis=2, keepdims=True)
        out = (images - mean) * factor + mean
        return E.clip_by_value(out, float(self.value_range[0]), float(self.value_range[1]))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "value_range": self.value_range})
        return config


# --- random resizing along one axis (Keras 3's legacy RandomHeight / RandomWidth) -------------
class RandomAxisResize(Op):
    """Resize a (N, H, W, C) batch along ``axis`` (1: height, 2: width) to ``int(size * f)``, with
    ``f = uniform(1 + low, 1 + high)`` drawn from ``stream`` (one draw per batch, as Keras), by
    half-pixel bilinear or nearest sampling (``tf.image.resize``). Stateful: a traced step draws anew
    on every call; the size along ``axis`` is then unknown. No gradient (an input augmentation)."""

    stateful = True

    def forward(images, axis, low, high, interpolation, stream):
        factor = np.float32(stream.uniform(1.0 + low, 1.0 + high))
        n_in = images.shape[axis]
        n_out = int(factor * np.float32(n_in))  # TF: cast(float32 product, int32) truncates
        if n_out <= 0:
            raise InvalidArgumentError(f"Random{'Height' if axis == 1 else 'Width'}: the resized size is {n_out}: "
                                       "output dimensions must be positive", "ResizeBilinear")
        x = images if images.dtype == np.float32 else images.astype(np.float32)
        if interpolation == "nearest":
            return B.xp.take(x, B.xp.asarray(_nearest_index(n_out, n_in)), axis=axis)
        lower, upper, lerp = _bilinear_weights(n_out, n_in)
        shape = [1] * x.ndim
        shape[axis] = n_out
        lo = B.xp.take(x, B.xp.asarray(lower), axis=axis)
        hi = B.xp.take(x, B.xp.asarray(upper), axis=axis)
        return lo + (hi - lo) * B.xp.asarray(lerp.reshape(shape))

    def trace_forward(images, axis, low, high, interpolation, stream):
        return images.astype(np.float32)

    def shape(images_shape, axis, low, high, interpolation, stream):
        out = list(images_shape)
        out[axis] = None
        return tuple(out)


class _RandomAxisResizeLayer(Layer):
    """RandomHeight / RandomWidth (Keras 3 keeps them as legacy tf.keras layers): in training, the
    whole batch resized along one axis by a random factor ``1 + uniform(lower, upper)``, where
    ``factor`` f means (-f, f); in inference (``training=False``) the images pass unchanged.
    The result is float32, cast to the layer's compute dtype, as in Keras."""

    _axis = 1

    def __init__(self, factor: Any, interpolation: str = "bilinear", seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.factor = factor
        if isinstance(factor, (tuple, list)):
            lower, upper = factor[0], factor[1]
        else:
            lower, upper = -factor, factor
        if upper < lower:
            raise ValueError(f"`factor` argument cannot have an upper bound lesser than the lower bound. "
                             f"Received: factor={factor}")
        if lower < -1.0 or upper < -1.0:
            raise ValueError(f"`factor` argument must have values larger than -1. Received: factor={factor}")
        if interpolation not in INTERPOLATIONS:
            raise NotImplementedError(f"{kind}: unknown `interpolation` {interpolation!r}. "
                                      f"Expected one of {INTERPOLATIONS}.")
        self._lower, self._upper = float(lower), float(upper)
        self.interpolation = interpolation
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise ValueError(f"{kind}: `seed` must be an integer or None, got seed={seed!r}")
        self.seed = None if seed is None else int(seed)
        stream_seed = self.seed if self.seed is not None else int(mt_random.global_numpy_rng().integers(2**62))
        self._rng = np.random.default_rng(stream_seed)

    def call(self, inputs, training=True):
        x = _as_float(convert_to_tensor(inputs), self.compute_dtype)
        if not training:
            return x
        batch, added = (x, False) if x.ndim == 4 else (S.expand_dims(x, 0), True)
        axis = self._axis
        out = RandomAxisResize.apply(batch, axis=axis, low=self._lower, high=self._upper,
                                     interpolation=self.interpolation, stream=self._rng)
        out = S.cast(out, self.compute_dtype) if out.dtype.name != self.compute_dtype else out
        return S.squeeze(out, axis=0) if added else out

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        shape[-3 if self._axis == 1 else -2] = None
        return tuple(shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"factor": self.factor, "interpolation": self.interpolation, "seed": self.seed})
        return config


class RandomHeight(_RandomAxisResizeLayer):
    """Resize the height by a random factor in training (``tf.keras.layers.RandomHeight``)."""

    _axis = 1


class RandomWidth(_RandomAxisResizeLayer):
    """Resize the width by a random factor in training (``tf.keras.layers.RandomWidth``)."""

    _axis = 2
