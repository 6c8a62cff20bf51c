"""Pixel values: ``convert_image_dtype``, brightness, contrast and grayscale, as ``tf.image`` computes them.

An image is stored either as integers in [0, MAX] (uint8: 0..255) or as floats in [0, 1].
``convert_image_dtype`` moves between the two, and the adjustments work in float32 and come back:

    convert_image_dtype(x, float32)  = cast(x) * float32(1 / MAX)           (ints -> floats)
    convert_image_dtype(x, uint8)    = cast(x * (255 + 0.5))                (floats -> ints; clipped first
                                                                             to [0, 255] with saturate=True)
    adjust_brightness(x, delta)      = x + delta
    adjust_contrast(x, c)            = mean + c * (x - mean)     mean over height and width, per channel
    adjust_gamma(x, gamma, gain)     = gain * x ** gamma
    rgb_to_grayscale(x)              = 0.2989 R + 0.5870 G + 0.1140 B

Every step is a minitf op, so the float versions work inside traced functions and pass gradients.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import dtypes
from minitf import random as mt_random
from minitf._tf_compat import contrast_image_mean, no_gradient_registered
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["convert_image_dtype", "adjust_brightness", "adjust_contrast", "adjust_gamma", "random_brightness",
           "random_contrast", "rgb_to_grayscale", "grayscale_to_rgb", "per_image_standardization", "rgb_to_yiq",
           "yiq_to_rgb", "rgb_to_yuv", "yuv_to_rgb"]


def _max(dtype: dtypes.DType) -> int:
    return int(np.iinfo(dtype._np).max)


def _saturate_cast(x: Tensor, dtype: dtypes.DType) -> Tensor:
    """Clip into the target's range (as far as both dtypes can hold it), then cast (``tf.dtypes.saturate_cast``)."""
    source = x.dtype
    if dtype.is_integer:
        info = np.iinfo(dtype._np)
        low, high = info.min, info.max
        if source.is_floating:
            # The bounds as the source float type can hold them, never beyond the target's range.
            low_f, high_f = source._np.type(low), source._np.type(high)
            if int(high_f) > high:
                high_f = np.nextafter(high_f, source._np.type(-np.inf))
            if int(low_f) < low:
                low_f = np.nextafter(low_f, source._np.type(np.inf))
            x = E.clip_by_value(x, low_f, high_f)
        else:
            source_info = np.iinfo(source._np)
            if source_info.min < low or source_info.max > high:
                x = E.clip_by_value(x, source._np.type(max(low, source_info.min)),
                                    source._np.type(min(high, source_info.max)))
    return E.cast(x, dtype)


def convert_image_dtype(image: Any, dtype, saturate: bool = False, name: str | None = None) -> Tensor:
    """Convert ``image`` to ``dtype``, rescaling between [0, MAX] integers and [0, 1] floats (see above).

    Integer to integer multiplies or floor-divides by the ratio of (MAX + 1)s; float to float
    only casts. ``saturate`` clips before a cast that could overflow.
    """
    image = convert_to_tensor(image)
    dtype = dtypes.as_dtype(dtype)
    if not (dtype.is_floating or dtype.is_integer):
        raise AttributeError("dtype must be either floating point or integer")
    if not (image.dtype.is_floating or image.dtype.is_integer):
        raise AttributeError("image dtype must be either floating point or integer")
    if dtype == image.dtype:
        return S.identity(image)
    if image.dtype.is_integer and dtype.is_integer:
        scale_in, scale_out = _max(image.dtype), _max(dtype)
        if scale_in > scale_out:  # scale down, then cast
            scaled = E.floordiv(image, image.dtype._np.type((scale_in + 1) // (scale_out + 1)))
            return _saturate_cast(scaled, dtype) if saturate else E.cast(scaled, dtype)
        cast = _saturate_cast(image, dtype) if saturate else E.cast(image, dtype)  # cast, then scale up
        return E.multiply(cast, dtype._np.type((scale_out + 1) // (scale_in + 1)))
    if image.dtype.is_floating and dtype.is_floating:
        return E.cast(image, dtype)
    if image.dtype.is_integer:  # to float: cast, then scale by 1 / MAX (a double, rounded to the float type)
        return E.multiply(E.cast(image, dtype), dtype._np.type(1.0 / _max(image.dtype)))
    scaled = E.multiply(image, image.dtype._np.type(_max(dtype) + 0.5))  # from float: scale, then cast
    return _saturate_cast(scaled, dtype) if saturate else E.cast(scaled, dtype)


def _as_float(image: Tensor) -> Tensor:
    """float16/float32 images as they are; anything else converted to float32 (TF's rule)."""
    return image if image.dtype.name in ("float16", "float32") else convert_image_dtype(image, dtypes.float32)


def adjust_brightness(image: Any, delta: Any) -> Tensor:
    """``image + delta`` in float (integer images: converted to float32 and back, saturating)."""
    image = convert_to_tensor(image)
    flt = _as_float(image)
    adjusted = E.add(flt, E.cast(convert_to_tensor(delta), flt.dtype))
    return convert_image_dtype(adjusted, image.dtype, saturate=True)


def adjust_contrast(images: Any, contrast_factor: Any) -> Tensor:
    """``mean + contrast_factor * (x - mean)`` per image and channel, the mean over height and
    width (TF's AdjustContrastv2, computed in float32; its order of additions: ``contrast_image_mean``).
    Images are at least 3-D: [..., height, width, channels]."""
    images = convert_to_tensor(images)
    if images.ndim < 3:
        raise ValueError(f"adjust_contrast: images must be at least 3-D (height, width, channels), got shape "
                         f"{tuple(images.shape)}")
    flt = images if images.dtype == dtypes.float32 else convert_image_dtype(images, dtypes.float32)
    factor = E.cast(convert_to_tensor(contrast_factor), dtypes.float32)
    mean = contrast_image_mean(flt)  # TF's order of additions (see there)
    adjusted = E.add(mean, E.multiply(factor, E.subtract(flt, mean)))  # TF's kernel: mean + c * (x - mean)
    adjusted = no_gradient_registered("AdjustContrastv2", adjusted)  # TF has no gradient for it (LookupError)
    return convert_image_dtype(adjusted, images.dtype, saturate=True)


def adjust_gamma(image: Any, gamma: float = 1, gain: float = 1) -> Tensor:
    """``gain * x ** gamma`` (gamma >= 0) in float (integer images through float32 and back, saturated),
    the gamma correction of an image's brightness curve."""
    image = convert_to_tensor(image)
    if float(np.asarray(gamma.numpy() if isinstance(gamma, Tensor) else gamma)) < 0:
        raise ValueError("Gamma should be a non-negative real number.")
    flt = image if image.dtype in (dtypes.float16, dtypes.float32) else convert_image_dtype(image, dtypes.float32)
    gamma, gain = E.cast(convert_to_tensor(gamma), flt.dtype), E.cast(convert_to_tensor(gain), flt.dtype)
    adjusted = E.multiply(gain, E.pow(flt, gamma))
    return convert_image_dtype(adjusted, image.dtype, saturate=True)


def random_brightness(image: Any, max_delta: float, seed: int | None = None) -> Tensor:
    """``adjust_brightness`` by one delta drawn uniformly from [-max_delta, max_delta)."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    delta = mt_random.uniform([], -max_delta, max_delta, seed=seed)
    return adjust_brightness(image, delta)


def random_contrast(image: Any, lower: float, upper: float, seed: int | None = None) -> Tensor:
    """``adjust_contrast`` by one factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    factor = mt_random.uniform([], lower, upper, seed=seed)
    return adjust_contrast(image, factor)


def stateless_random_brightness(image: Any, max_delta: float, seed) -> Tensor:
    """``random_brightness`` with its delta from ``stateless_uniform(seed)``: TF's image for the same seed."""
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_brightness(image, mt_random.stateless_uniform([], seed, -max_delta, max_delta))


def stateless_random_contrast(image: Any, lower: float, upper: float, seed) -> Tensor:
    """``random_contrast`` with its factor from ``stateless_uniform(seed)``: TF's image for the same seed."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_contrast(image, mt_random.stateless_uniform([], seed, lower, upper))


def rgb_to_grayscale(images: Any, name: str | None = None) -> Tensor:
    """One channel, ``0.2989 R + 0.5870 G + 0.1140 B`` (computed in float32, then back to the images' dtype)."""
    images = convert_to_tensor(images)
    if images.ndim < 1 or images.shape[-1] != 3:
        raise ValueError(f"rgb_to_grayscale: the last dimension must be 3 (R, G, B), got shape {tuple(images.shape)}")
    flt = convert_image_dtype(images, dtypes.float32)
    weights = np.array([0.2989, 0.5870, 0.1140], np.float32)
    gray = S.expand_dims(R.reduce_sum(E.multiply(flt, weights), axis=-1), -1)
    return convert_image_dtype(gray, images.dtype)


def grayscale_to_rgb(images: Any, name: str | None = None) -> Tensor:
    """The one channel repeated three times."""
    images = convert_to_tensor(images)
    if images.ndim < 2 or images.shape[-1] != 1:
        raise ValueError(f"grayscale_to_rgb: the last dimension must be 1, got shape {tuple(images.shape)}")
    return S.tile(images, [1] * (images.ndim - 1) + [3])


def per_image_standardization(image: Any) -> Tensor:
    """``(x - mean) / max(std, 1 / sqrt(N))`` over each image's N = height * width * channels values."""
    image = convert_to_tensor(image)
    if image.ndim < 3:
        raise ValueError(f"per_image_standardization: image must be at least 3-D, got shape {tuple(image.shape)}")
    flt = E.cast(image, dtypes.float32)
    n = int(np.prod(image.shape[-3:]))
    mean = R.reduce_mean(flt, axis=(-3, -2, -1), keepdims=True)
    std = R.reduce_std(flt, axis=(-3, -2, -1), keepdims=True)
    adjusted_std = E.maximum(std, E.rsqrt(np.float32(n)))
    return E.divide(E.subtract(flt, mean), adjusted_std)


# --- YIQ and YUV: linear colour spaces (a 3x3 matrix on the channel axis, TF's coefficients) ----------------
_RGB_TO_YIQ = [[0.299, 0.59590059, 0.2115], [0.587, -0.27455667, -0.52273617], [0.114, -0.32134392, 0.31119955]]
_YIQ_TO_RGB = [[1, 1, 1], [0.95598634, -0.27201283, -1.10674021], [0.6208248, -0.64720424, 1.70423049]]
_RGB_TO_YUV = [[0.299, -0.14714119, 0.61497538], [0.587, -0.28886916, -0.51496512], [0.114, 0.43601035, -0.10001026]]
_YUV_TO_RGB = [[1, 1, 1], [0, -0.394642334, 2.03206185], [1.13988303, -0.58062185, 0]]


def _channels_times(images: Any, kernel) -> Tensor:
    from minitf.ops.linalg import tensordot
    images = convert_to_tensor(images)
    return tensordot(images, convert_to_tensor(kernel, dtype=images.dtype), axes=[[images.ndim - 1], [0]])


def rgb_to_yiq(images: Any) -> Tensor:
    """RGB in [0, 1] to YIQ (luma and two chroma axes)."""
    return _channels_times(images, _RGB_TO_YIQ)


def yiq_to_rgb(images: Any) -> Tensor:
    return _channels_times(images, _YIQ_TO_RGB)


def rgb_to_yuv(images: Any) -> Tensor:
    """RGB in [0, 1] to YUV (luma, blue and red differences)."""
    return _channels_times(images, _RGB_TO_YUV)


def yuv_to_rgb(images: Any) -> Tensor:
    return _channels_times(images, _YUV_TO_RGB)
