"""Image augmentations that draw Keras 3.15's random numbers: ``RandomCrop``, ``RandomBrightness``,
``RandomGrayscale``, ``RandomInvert``, ``Solarization``.

Each layer owns a ``SeedGenerator`` (``keras.random.layer_seed_generator(seed)``) and draws with
``keras.random.uniform(..., seed=generator)`` exactly where Keras's ``get_random_transformation``
does, in the same order and shapes; every draw steps the generator. So a layer made with ``seed=s``
gives Keras's images bit for bit, call after call, eager or traced (``fit``): the draws are
stateless ops on the generator's state variable. Without a seed, the seed comes from the stream
``tf.random.set_seed`` resets (a deliberate difference from Keras, see ``layer_seed_generator``).

As in Keras, the random transformation applies only in training: calling the layer directly
(``layer(x)``) trains (``call``'s default ``training=True``), ``fit`` trains, ``predict``/``evaluate``
and ``training=False`` pass the images through unchanged (not even cast). Inputs are a batch
(N, H, W, C) or one image (H, W, C) (channels_first: (N, C, H, W) / (C, H, W)).

* ``RandomCrop(height, width)``: one window for the whole batch. When the image is larger than the
  target in both height and width (strictly), the window's top-left corner is
  ``top = int32(uniform((), 0, H - height + 1))``, then ``left = int32(uniform((), 0, W - width + 1))``
  (two draws; float32, truncated). Otherwise Keras takes the corner of the centred box with the
  target's aspect ratio, ``top = int((H - min(H, int(W * height / width))) / 2)`` (left alike), but
  cuts ``height x width`` pixels from there, and whatever that gives (smaller near an edge) is
  resized to (height, width) by ``tf.image.resize`` (bilinear). In training the images are first
  cast to the compute dtype.
* ``RandomBrightness(factor, value_range=(0, 255))``: ``y = clip(x + delta, low, high)`` with one
  ``delta = uniform(lower, upper) * (high - low)`` per image (a draw of shape (N, 1, 1, 1), or
  (1, 1, 1) for one image), float32 cast to the images' dtype (an integer image gets the delta
  truncated). ``factor`` f means (-f, f); a pair (lower, upper) is sorted; values in [-1, 1].
* ``RandomGrayscale(factor=0.5)``: image i turned gray where ``u_i < factor``, ``u = uniform((N,), 0, 1)``;
  gray = 0.2989 R + 0.5870 G + 0.1140 B (Keras's weights, added in that order, in float32 for
  float images), repeated over the 3 channels. As Keras, it draws on EVERY call, inference too
  (the images then pass unchanged), and its config holds no seed.
* ``RandomInvert(factor=1.0, value_range=(0, 255))``: image i becomes ``high - x`` where
  ``t_i < p_i``, with ``p = uniform((N,), lower, upper)`` drawn first, then ``t = uniform((N,), 0, 1)``;
  f means (0, f) (so by default each image is inverted with probability 1/2).
* ``Solarization(addition_factor=0, threshold_factor=0, value_range=(0, 255))``: on the image mapped
  to [0, 255], ``y = clip(x + a, 0, 255)``, then ``y`` where ``y < t`` else ``255 - y``, mapped back;
  per image ``a = uniform(lower_a, upper_a * 255)`` drawn first, then ``t = uniform(lower_t,
  upper_t * 255)`` (Keras scales only the upper bound by 255). f means (0, f), values in [0, 1].
  The images are cast to the compute dtype, in inference too.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import random as mt_random
from minitf.keras import random as keras_random
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.preprocessing._image_ops import resize
from minitf.keras.layers.preprocessing.image_preprocessing import per_image_unit_uniform
from minitf.ops import creation as C
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["RandomCrop", "RandomBrightness", "RandomGrayscale", "RandomInvert", "Solarization"]


def _data_format(kind: str, data_format: Any) -> str:
    if data_format is None:
        return "channels_last"
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"{kind}: The `data_format` argument must be one of {{'channels_first', 'channels_last'}}. "
                         f"Received: data_format={data_format!r}")
    return data_format


def _check_image_rank(layer: Layer, x: Tensor) -> None:
    if x.ndim not in (3, 4):
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}' expects images of rank 3 (single image) or 4 "
                         f"(batch of images), but received an input of shape {tuple(x.shape)} (rank {x.ndim}).")


def _check_seed(kind: str, seed: Any) -> int | None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise ValueError(f"{kind}: `seed` must be an integer or None, got seed={seed!r}")
    return None if seed is None else int(seed)


class RandomCrop(Layer):
    """Crop a random (height, width) window, the same for the whole batch, in training (see the module
    docstring for Keras's rules when the image is not larger than the target)."""

    def __init__(self, height: int, width: int, seed: int | None = None, data_format: str | None = None,
                 name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        for arg, value in (("height", height), ("width", width)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"RandomCrop: `{arg}` must be a positive integer, got {arg}={value!r}")
        self.height, self.width = int(height), int(width)
        self.generator = keras_random.layer_seed_generator(_check_seed("RandomCrop", seed))
        # Keras's config always holds an int seed (a drawn one when none was given).
        self.seed = self.generator._initial_seed
        self.data_format = _data_format("RandomCrop", data_format)
        self._height_axis, self._width_axis = (-3, -2) if self.data_format == "channels_last" else (-2, -1)

    def _window_corner(self, image_height: int, image_width: int, training: bool):
        """(top, left): int32 tensors drawn from the generator, or Python ints of the centred box."""
        if training and image_height > self.height and image_width > self.width:
            top = keras_random.uniform((), 0, float(image_height - self.height + 1), seed=self.generator)
            left = keras_random.uniform((), 0, float(image_width - self.width + 1), seed=self.generator)
            return S.cast(top, "int32"), S.cast(left, "int32")
        crop_height = max(min(image_height, int(float(image_width * self.height) / self.width)), 1)
        crop_width = max(min(image_width, int(float(image_height * self.width) / self.height)), 1)
        return int(float(image_height - crop_height) / 2), int(float(image_width - crop_width) / 2)

    def _cut(self, images: Tensor, start, size: int, axis: int) -> Tensor:
        """``size`` positions from ``start`` along ``axis`` (fewer past the edge, as a Python slice)."""
        if isinstance(start, int):
            key = [slice(None)] * images.ndim
            key[axis] = slice(start, start + size)
            return images[tuple(key)]
        # A drawn corner is a tensor (known only when a traced step runs): gather the positions.
        return S.gather(images, start + C.range(size, dtype="int32"), axis=axis)

    def call(self, inputs, training=True):
        x = convert_to_tensor(inputs)
        _check_image_rank(self, x)
        image_height, image_width = x.shape[self._height_axis], x.shape[self._width_axis]
        if image_height is None or image_width is None:
            raise ValueError(f"RandomCrop requires the input to have a fully defined height and width. "
                             f"Received: images.shape={tuple(x.shape)}")
        top, left = self._window_corner(image_height, image_width, training)
        if not training:
            return x
        images = x if x.dtype.name == self.compute_dtype else S.cast(x, self.compute_dtype)
        images = self._cut(images, top, self.height, images.ndim + self._height_axis)
        images = self._cut(images, left, self.width, images.ndim + self._width_axis)
        if (images.shape[self._height_axis], images.shape[self._width_axis]) != (self.height, self.width):
            images = self._resize(images)
        return images

    def _resize(self, images: Tensor) -> Tensor:
        """Bilinear ``tf.image.resize`` to (height, width), in float32 then the compute dtype, as Keras."""
        batch = images if images.ndim == 4 else S.expand_dims(images, 0)
        if self.data_format == "channels_first":
            batch = S.transpose(batch, (0, 2, 3, 1))
        batch = batch if batch.dtype.name == "float32" else S.cast(batch, "float32")
        out = resize(batch, self.height, self.width, "bilinear")
        if self.data_format == "channels_first":
            out = S.transpose(out, (0, 3, 1, 2))
        out = out if images.ndim == 4 else S.squeeze(out, axis=0)
        return out if out.dtype.name == self.compute_dtype else S.cast(out, self.compute_dtype)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = list(input_shape)
        shape[self._height_axis], shape[self._width_axis] = self.height, self.width
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "height": self.height, "width": self.width,
                "seed": self.seed}


class RandomBrightness(Layer):
    """Add a random brightness ``delta`` to each image in training, then clip to ``value_range``."""

    def __init__(self, factor: Any, value_range=(0, 255), seed: int | None = None, data_format: str | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.factor = self._factor_range(factor)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"RandomBrightness: The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range!r}")
        self.value_range = sorted(value_range)
        self.seed = _check_seed("RandomBrightness", seed)
        self.generator = keras_random.layer_seed_generator(self.seed)
        self.data_format = _data_format("RandomBrightness", data_format)

    @staticmethod
    def _factor_range(factor: Any) -> tuple:
        """Keras's ``_set_factor`` with bounds [-1, 1]: f -> (max(-|f|, -1), |f|); a pair -> sorted."""
        message = ("RandomBrightness: The `factor` argument should be a number (or a list of two numbers) in the "
                   f"range [-1, 1]. Received: factor={factor!r}")
        factor = factor or 0.0
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > 1 or factor[1] < -1:
                raise ValueError(message)
            return tuple(sorted(factor))
        if isinstance(factor, (int, float, np.number)) and not isinstance(factor, bool):
            if not -1 <= factor <= 1:
                raise ValueError(message)
            return (max(-abs(factor), -1), abs(factor))
        raise ValueError(message)

    def call(self, inputs, training=True):
        x = convert_to_tensor(inputs)
        _check_image_rank(self, x)
        if not training:
            return x
        # Keras draws uniform((N, 1, 1, 1) or (1, 1, 1), lower, upper): the same numbers as (N,) per image.
        batch = x if x.ndim == 4 else S.expand_dims(x, 0)
        unit = per_image_unit_uniform(batch, keras_random.draw_seed(self.generator), "float32")
        delta = S.reshape(mt_random._scaled_uniform(unit, self.factor[0], self.factor[1], np.dtype("float32")),
                          (-1, 1, 1, 1) if x.ndim == 4 else (1, 1, 1))
        low, high = self.value_range
        delta = delta * np.float32(high - low)
        images = x + (delta if delta.dtype == x.dtype else S.cast(delta, x.dtype))
        return E.clip_by_value(images, low, high)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


def _per_image_uniform(layer: Layer, images: Tensor, low: float, high: float, dtype="float32") -> Tensor:
    """``keras.random.uniform((N,), low, high, dtype, seed=layer.generator)`` for a batch (N = 1 for one
    image), with N read when the op runs (a trace with an unknown batch size works)."""
    batch = images if images.ndim == 4 else S.expand_dims(images, 0)
    unit = per_image_unit_uniform(batch, keras_random.draw_seed(layer.generator), dtype)
    return mt_random._scaled_uniform(unit, low, high, np.dtype(dtype))


def _per_image_mask(chosen: Tensor, images: Tensor) -> Tensor:
    """(N,) booleans -> (N, 1, 1, 1), or (1, 1, 1) for one image, to pick whole images with ``where``."""
    return S.reshape(chosen, (-1, 1, 1, 1) if images.ndim == 4 else (1, 1, 1))


class RandomGrayscale(Layer):
    """Turn each image gray with probability ``factor`` (in training; Keras draws in inference too)."""

    _WEIGHTS = (0.2989, 0.5870, 0.1140)  # Keras's (and tf.image.rgb_to_grayscale's) luma weights

    def __init__(self, factor: float = 0.5, data_format: str | None = None, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(factor, bool) or not isinstance(factor, (int, float, np.number)) or not 0 <= factor <= 1:
            raise ValueError(f"RandomGrayscale: `factor` should be between 0 and 1. Received: factor={factor!r}")
        self.factor = factor
        self.data_format = _data_format("RandomGrayscale", data_format)
        self.seed = _check_seed("RandomGrayscale", seed)
        self.generator = keras_random.layer_seed_generator(self.seed)

    def _grayscale(self, images: Tensor) -> Tensor:
        """0.2989 R + 0.5870 G + 0.1140 B, one channel, computed in float (then back to an integer dtype)."""
        axis = -1 if self.data_format == "channels_last" else -3
        channels = images.shape[axis]
        if channels == 1:
            return images
        if channels != 3:
            raise ValueError(f"RandomGrayscale layer '{self.name}': expected images with 3 (RGB) or 1 (grayscale) "
                             f"channels, got images of shape {tuple(images.shape)}")
        work = images if images.dtype.is_floating else S.cast(images, "float32")
        red, green, blue = S.split(work, 3, axis=axis)
        weights = [np.asarray(w, dtype=work.dtype.as_numpy_dtype) for w in self._WEIGHTS]
        gray = red * weights[0] + green * weights[1] + blue * weights[2]
        return gray if gray.dtype == images.dtype else S.cast(gray, images.dtype)

    def call(self, inputs, training=True):
        x = convert_to_tensor(inputs)
        _check_image_rank(self, x)
        chosen = _per_image_uniform(self, x, 0.0, 1.0) < np.float32(self.factor)  # drawn in inference too
        if not training:
            return x
        return E.where(_per_image_mask(chosen, x), self._grayscale(x), x)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "factor": self.factor}


class RandomInvert(Layer):
    """Invert each image (``high - x``) with a random probability, in training."""

    def __init__(self, factor: Any = 1.0, value_range=(0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        message = ("RandomInvert: The `factor` argument should be a number (or a list of two numbers) in the range "
                   f"[0, 1]. Received: factor={factor!r}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > 1 or factor[1] < 0:
                raise ValueError(message)
            self.factor = tuple(sorted(factor))
        elif isinstance(factor, (int, float, np.number)) and not isinstance(factor, bool) and 0 <= factor <= 1:
            self.factor = (max(-abs(factor), 0), abs(factor))  # Keras's _set_factor with bounds (0, 1)
        else:
            raise ValueError(message)
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"RandomInvert: `value_range` must be (low, high), got value_range={value_range!r}")
        self.value_range = tuple(value_range)  # a tuple, as given to Keras, also after a JSON round trip
        self.seed = _check_seed("RandomInvert", seed)
        self.generator = keras_random.layer_seed_generator(self.seed)
        self.data_format = _data_format("RandomInvert", data_format)

    def call(self, inputs, training=True):
        x = convert_to_tensor(inputs)
        _check_image_rank(self, x)
        if not training:
            return x
        probability = _per_image_uniform(self, x, self.factor[0], self.factor[1])
        threshold = _per_image_uniform(self, x, 0.0, 1.0)
        images = x if x.dtype.name == self.compute_dtype else S.cast(x, self.compute_dtype)
        inverted = np.asarray(self.value_range[1], dtype=images.dtype.as_numpy_dtype) - images
        return E.where(_per_image_mask(threshold < probability, images), inverted, images)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "factor": self.factor,
                "value_range": self.value_range, "seed": self.seed}


class Solarization(Layer):
    """Add a random amount, then invert the pixels above a random threshold (on the [0, 255] scale)."""

    def __init__(self, addition_factor: Any = 0.0, threshold_factor: Any = 0.0, value_range=(0, 255),
                 seed: int | None = None, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        self.seed = _check_seed("Solarization", seed)
        self.generator = keras_random.layer_seed_generator(self.seed)
        self.addition_factor = self._factor_range(addition_factor, "addition_factor")
        self.threshold_factor = self._factor_range(threshold_factor, "threshold_factor")
        if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
            raise ValueError(f"Solarization: The `value_range` argument should be a list of two numbers. "
                             f"Received: value_range={value_range!r}")
        self.value_range = sorted(value_range)
        self.data_format = _data_format("Solarization", data_format)  # per pixel: the layout does not matter

    @staticmethod
    def _factor_range(factor: Any, name: str) -> tuple:
        """f -> (0, f); a pair -> sorted; every value in [0, 1]."""
        message = (f"Solarization: The `addition_factor` and `threshold_factor` arguments should be a number (or a "
                   f"list of two numbers) in the range [0, 1]. Received: {name}={factor!r}")

        def checked(value):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not 0 <= value <= 1:
                raise ValueError(message)
            return value

        if isinstance(factor, (tuple, list)):
            if len(factor) != 2:
                raise ValueError(message)
            return tuple(sorted(checked(f) for f in factor))
        return (0, checked(factor))

    def _rescale(self, images: Tensor, source, target) -> Tensor:
        """Keras's ``_transform_value_range``: (x - source_low) / (source_high - source_low) *
        (target_high - target_low) + target_low, in the compute dtype (nothing when the ranges agree)."""
        if source[0] == target[0] and source[1] == target[1]:
            return images
        dtype = images.dtype.as_numpy_dtype
        source_low, source_high = np.asarray(source[0], dtype), np.asarray(source[1], dtype)
        target_low, target_high = np.asarray(target[0], dtype), np.asarray(target[1], dtype)
        unit = (images - source_low) / (source_high - source_low)
        return unit * (target_high - target_low) + target_low

    def call(self, inputs, training=True):
        x = convert_to_tensor(inputs)
        _check_image_rank(self, x)
        images = x if x.dtype.name == self.compute_dtype else S.cast(x, self.compute_dtype)
        if not training:
            return images
        dtype = self.compute_dtype
        additions = _per_image_uniform(self, x, self.addition_factor[0], self.addition_factor[1] * 255, dtype)
        thresholds = _per_image_uniform(self, x, self.threshold_factor[0], self.threshold_factor[1] * 255, dtype)
        additions, thresholds = (S.reshape(t, (-1, 1, 1, 1) if x.ndim == 4 else (1, 1, 1))
                                 for t in (additions, thresholds))
        full = np.asarray(255, images.dtype.as_numpy_dtype)
        results = E.clip_by_value(self._rescale(images, self.value_range, (0, 255)) + additions, 0, 255)
        results = E.where(results < thresholds, results, full - results)
        return self._rescale(results, (0, 255), self.value_range)

    def compute_output_shape(self, input_shape) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "value_range": self.value_range,
                "addition_factor": self.addition_factor, "threshold_factor": self.threshold_factor,
                "seed": self.seed}
