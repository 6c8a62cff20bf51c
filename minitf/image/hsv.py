"""Hue, saturation and value: ``tf.image.rgb_to_hsv`` / ``hsv_to_rgb``, and the hue and saturation
adjustments of data augmentation (``adjust_hue``, ``adjust_saturation`` and their random versions).

RGB values in [0, 1] (the last axis: R, G, B) map to hue, saturation and value in [0, 1]:

    V = max(R, G, B),   range = V - min(R, G, B),   S = range / V (0 where V = 0)
    H = (G - B) / (6 range)          where R is the max      (+1 if negative)
        (B - R) / (6 range) + 2/6    where G is the max
        (R - G) / (6 range) + 4/6    otherwise                (0 where range = 0)

and back: with h = 6 H, R = ((1 - S) + S * clip(|h - 3| - 1, 0, 1)) * V, and G, B alike around
2 and 4. ``rgb_to_hsv`` is written in minitf ops (differentiable, as TF's); ``hsv_to_rgb`` has
no gradient in TF (None), nor here.

The adjustments are TF's own per-pixel CPU kernels, which take other routes to the same colours
(so their float32 bits differ from composing the two functions above): adjust_hue moves the hue
along the six sectors between max, middle and min channel; adjust_saturation scales S, clipped
to [0, 1]. Integer images are converted to float32 and back, as TF does. TF registers no
gradient for either (a GradientTape raises LookupError through them; so does minitf's), nor a
float16 kernel on the CPU (NotFoundError, in both).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf import random as mt_random
from minitf.errors import InvalidArgumentError, NotFoundError
from minitf.image.color import convert_image_dtype
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["rgb_to_hsv", "hsv_to_rgb", "adjust_hue", "adjust_saturation", "random_hue", "random_saturation"]


def _rgb(images: Any, op: str) -> Tensor:
    images = convert_to_tensor(images)
    if images.ndim < 1 or images.shape[-1] != 3:  # (TF's kernels refuse it: InvalidArgumentError)
        raise InvalidArgumentError(f"{op}: input must have 3 channels (the last dimension), got shape "
                                   f"{tuple(images.shape)}", op)
    return images


def rgb_to_hsv(images: Any, name: str | None = None) -> Tensor:
    """(..., 3) RGB in [0, 1] to hue, saturation, value (see the module docstring), in the images' float dtype.
    TF's Eigen kernel in minitf ops, so its gradient is the formula's (divisions guarded where V or the
    range is 0, so that no NaN reaches the gradient)."""
    images = E.float_operand("RGBToHSV", _rgb(images, "rgb_to_hsv"))
    dtype = images.dtype

    def const(value):  # (in the images' dtype, not through float32)
        return convert_to_tensor(value, dtype=dtype)

    r, g, b = S.unstack(images, axis=-1)
    value, least = const(np.finfo(images._value.dtype).min), const(np.finfo(images._value.dtype).max)
    for channel in (r, g, b):  # Eigen's max and min over the channels: a channel replaces the running value
        value = E.where(channel < value, value, channel)  # unless smaller (larger), which NaN never is
        least = E.where(least < channel, least, channel)
    spread = value - least
    zero, one = const(0), const(1)
    lit = value > 0
    saturation = E.where(lit, spread / E.where(lit, value, one), zero)
    colourful = spread > 0
    norm = E.where(colourful, E.reciprocal(E.where(colourful, spread, one)), zero) * const(1 / 6)
    hue = E.where(E.equal(r, value), norm * (g - b),
                  E.where(E.equal(g, value), norm * (b - r) + const(2 / 6), norm * (r - g) + const(4 / 6)))
    hue = E.where(colourful, hue, zero)
    hue = E.where(hue < 0, hue + one, hue)
    return S.stack([hue, saturation, value], axis=-1)


class HSVToRGB(Op):
    """(..., 3) hue, saturation, value to RGB (TF's Eigen kernel). No gradient (None), as in TF."""

    elementwise = False

    def forward(hsv):
        h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
        one, two = hsv.dtype.type(1), hsv.dtype.type(2)
        dh = h * hsv.dtype.type(6)
        dr = B.xp.clip(B.xp.abs(dh - hsv.dtype.type(3)) - one, 0, 1)
        dg = B.xp.clip(-B.xp.abs(dh - two) + two, 0, 1)
        db = B.xp.clip(-B.xp.abs(dh - hsv.dtype.type(4)) + two, 0, 1)
        one_s = -s + one
        return B.xp.stack([(one_s + s * dr) * v, (one_s + s * dg) * v, (one_s + s * db) * v], axis=-1)

    def shape(hsv_shape):
        return hsv_shape


def hsv_to_rgb(images: Any, name: str | None = None) -> Tensor:
    """(..., 3) hue, saturation, value in [0, 1] to RGB."""
    return HSVToRGB.apply(E.float_operand("HSVToRGB", _rgb(images, "hsv_to_rgb")))


# --- TF's per-pixel CPU kernels (float32) ---------------------------------------------------------
def _hue_sector(rgb):
    """Each pixel's sector (0-5: which channel is max, middle, min), its hue in [0, 6), and its min and
    max channel (TF's rgb_to_hv_range; equal channels may count on either side)."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    sector = B.xp.where(r < g, B.xp.where(b < r, 1, B.xp.where(b > g, 3, 2)),
                        B.xp.where(b < g, 0, B.xp.where(b > r, 4, 5)))
    high = B.xp.choose(sector, [r, g, g, b, b, r])
    middle = B.xp.choose(sector, [g, r, b, g, r, b])
    low = B.xp.choose(sector, [b, b, r, r, g, g])
    one = rgb.dtype.type(1)
    with np.errstate(all="ignore"):  # 0 / 0 where the channels are equal: hue 0 there
        ratio = (middle - low) / (high - low)
    hue = sector.astype(rgb.dtype) + B.xp.where(sector % 2 == 0, ratio, one - ratio)
    return B.xp.where(high == low, rgb.dtype.type(0), hue), low, high


def _from_hue_sector(hue, low, high):
    """TF's hv_range_to_rgb: the channels back from hue in [0, 6) and the min and max channel."""
    sector = hue.astype(np.int32)
    ratio = hue - sector.astype(hue.dtype)
    ratio = B.xp.where(sector % 2 == 0, ratio, hue.dtype.type(1) - ratio)
    middle = low + ratio * (high - low)
    sector = B.xp.clip(sector, 0, 5)
    return B.xp.stack([B.xp.choose(sector, [high, middle, low, low, middle, high]),
                       B.xp.choose(sector, [middle, high, high, middle, low, low]),
                       B.xp.choose(sector, [low, low, middle, high, high, middle])], axis=-1)


class AdjustHue(Op):
    """Hue turned by ``delta`` (a fraction of the circle): TF's AdjustHue CPU kernel, per pixel."""

    def forward(rgb, delta):
        hue, low, high = _hue_sector(rgb)
        six = rgb.dtype.type(6)
        hue = B.xp.fmod(hue + rgb.dtype.type(delta) * six, six)
        hue = B.xp.where(hue < 0, hue + six, hue)
        return _from_hue_sector(hue, low, high)

    def backward(ctx, dy):
        raise LookupError("gradient registry has no entry for: AdjustHue")  # as TF: no gradient registered

    def shape(rgb_shape, delta):
        return rgb_shape


class AdjustSaturation(Op):
    """Saturation times ``scale``, clipped to [0, 1]: TF's AdjustSaturation CPU kernel, per pixel (its
    hue adds 2/6 and 4/6 in double precision, rounding once to float32)."""

    def forward(rgb, scale):
        f32 = rgb.dtype.type
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        value = B.xp.maximum(r, B.xp.maximum(g, b))
        spread = value - B.xp.minimum(r, B.xp.minimum(g, b))
        with np.errstate(all="ignore"):
            saturation = B.xp.where(value > 0, spread / value, f32(0))
            norm = f32(1) / (f32(6) * spread)
            hue = B.xp.where(r == value, norm * (g - b),
                             B.xp.where(g == value, ((norm * (b - r)).astype(np.float64) + 2 / 6).astype(rgb.dtype),
                                        ((norm * (r - g)).astype(np.float64) + 4 / 6).astype(rgb.dtype)))
        hue = B.xp.where(spread <= 0, f32(0), hue)
        hue = B.xp.where(hue < 0, hue + f32(1), hue)
        saturation = B.xp.minimum(f32(1), B.xp.maximum(f32(0), saturation * f32(scale)))
        chroma = saturation * value  # TF's hsv_to_rgb, per pixel
        lowest = value - chroma
        dh = hue * f32(6)
        sector = dh.astype(np.int32)
        within = B.xp.mod(dh, f32(2))  # TF: add or subtract 2 until in (0, 2): 0 becomes 2
        within = B.xp.where(within <= 0, within + f32(2), within)
        x = chroma * (f32(1) - B.xp.abs(within - f32(1)))
        zero = B.xp.zeros_like(chroma)
        sector = B.xp.where((sector >= 0) & (sector <= 5), sector, 6)
        return B.xp.stack([B.xp.choose(sector, [chroma, x, zero, zero, x, chroma, zero]) + lowest,
                           B.xp.choose(sector, [x, chroma, chroma, x, zero, zero, zero]) + lowest,
                           B.xp.choose(sector, [zero, zero, x, chroma, chroma, x, zero]) + lowest], axis=-1)

    def backward(ctx, dy):
        raise LookupError("gradient registry has no entry for: AdjustSaturation")  # as TF

    def shape(rgb_shape, scale):
        return rgb_shape


def _adjusted(image: Any, op: str, kernel: type[Op], **attrs) -> Tensor:
    """Run a float32 kernel on ``image`` as TF does: float32 as it is, integer and float64 images converted to
    float32 and back; float16 refused (TF's CPU has no half kernel for it: NotFoundError)."""
    image = _rgb(image, op)
    if image.dtype == dtypes.float16:
        raise NotFoundError(f"{kernel.name}: no CPU kernel for float16 (half) images; cast to float32 first",
                            kernel.name)
    flt = image if image.dtype == dtypes.float32 else convert_image_dtype(image, dtypes.float32)
    adjusted = kernel.apply(flt, **attrs)
    return convert_image_dtype(adjusted, image.dtype)


def adjust_hue(image: Any, delta: float, name: str | None = None) -> Tensor:
    """The hue of each pixel turned by ``delta`` in [-1, 1] (a whole turn is 1); saturation and value kept."""
    delta = float(np.asarray(delta.numpy() if isinstance(delta, Tensor) else delta))
    if not -1 <= delta <= 1:
        raise ValueError(f"adjust_hue: delta must be in the interval [-1, 1], got {delta}")
    return _adjusted(image, "adjust_hue", AdjustHue, delta=delta)


def adjust_saturation(image: Any, saturation_factor: float, name: str | None = None) -> Tensor:
    """The saturation of each pixel times ``saturation_factor`` (>= 0), clipped to [0, 1]."""
    factor = float(np.asarray(saturation_factor.numpy() if isinstance(saturation_factor, Tensor)
                              else saturation_factor))
    return _adjusted(image, "adjust_saturation", AdjustSaturation, scale=factor)


def random_hue(image: Any, max_delta: float, seed: int | None = None) -> Tensor:
    """``adjust_hue`` by one delta drawn uniformly from [-max_delta, max_delta), max_delta in [0, 0.5]."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, mt_random.uniform([], -max_delta, max_delta, seed=seed))


def random_saturation(image: Any, lower: float, upper: float, seed: int | None = None) -> Tensor:
    """``adjust_saturation`` by one factor drawn uniformly from [lower, upper)."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_saturation(image, mt_random.uniform([], lower, upper, seed=seed))


def stateless_random_hue(image: Any, max_delta: float, seed) -> Tensor:
    """``random_hue`` with its delta from ``stateless_uniform(seed)``: TF's image for the same seed."""
    if max_delta > 0.5:
        raise ValueError("max_delta must be <= 0.5.")
    if max_delta < 0:
        raise ValueError("max_delta must be non-negative.")
    return adjust_hue(image, mt_random.stateless_uniform([], seed, -max_delta, max_delta))


def stateless_random_saturation(image: Any, lower: float, upper: float, seed=None) -> Tensor:
    """``random_saturation`` with its factor from ``stateless_uniform(seed)``: TF's image for the same seed."""
    if upper <= lower:
        raise ValueError("upper must be > lower.")
    if lower < 0:
        raise ValueError("lower must be non-negative.")
    return adjust_saturation(image, mt_random.stateless_uniform([], seed, lower, upper))
