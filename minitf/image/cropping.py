"""Cut, pad and turn images: ``tf.image``'s crops, pads, ``rot90`` and ``transpose``.

An image is (height, width, channels) or a batch (batch, height, width, channels). Each function is
a slice, a pad with zeros, a reverse or a transpose (minitf ops, so gradients flow through), with
TF's arithmetic for where a crop starts:

    central_crop(x, f):                 start = int((size - size * f) / 2) on each side
    crop_to_bounding_box(x, oh, ow, h, w) = x[oh:oh + h, ow:ow + w]
    pad_to_bounding_box(x, oh, ow, h, w)  = zeros (h, w) with x at (oh, ow)
    resize_with_crop_or_pad(x, h, w):   cropped or padded evenly, the odd pixel at the end
    rot90(x, k):                        k quarter turns counter-clockwise
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import random as mt_random
from minitf.ops import elementwise as E
from minitf.ops import scatter_ops as SC
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["central_crop", "crop_to_bounding_box", "pad_to_bounding_box", "resize_with_crop_or_pad", "rot90",
           "transpose", "random_crop"]


def _image(image: Any, op: str) -> Tensor:
    image = convert_to_tensor(image)
    if image.ndim not in (3, 4):
        raise ValueError(f"{op}: 'image' (shape {tuple(image.shape)}) must have either 3 or 4 dimensions.")
    if 0 in tuple(image.shape[-3:]):
        raise ValueError(f"{op}: inner 3 dims of 'image.shape' must be > 0: {tuple(image.shape)}")
    return image


def _height_width(image: Tensor) -> tuple[int, int]:
    return tuple(image.shape[-3:-1])


def central_crop(image: Any, central_fraction: float) -> Tensor:
    """The central ``central_fraction`` (in (0, 1]) of the height and of the width."""
    image = _image(image, "central_crop")
    fraction = float(central_fraction)
    if fraction <= 0.0 or fraction > 1.0:
        raise ValueError("central_fraction must be within (0, 1]")
    if fraction == 1.0:
        return image
    height, width = _height_width(image)
    top = int((float(height) - float(height) * fraction) / 2)
    left = int((float(width) - float(width) * fraction) / 2)
    return crop_to_bounding_box(image, top, left, height - 2 * top, width - 2 * left)


def crop_to_bounding_box(image: Any, offset_height: int, offset_width: int, target_height: int,
                         target_width: int) -> Tensor:
    """The (target_height, target_width) window whose top-left pixel is (offset_height, offset_width)."""
    image = _image(image, "crop_to_bounding_box")
    height, width = _height_width(image)
    top, left, rows, cols = int(offset_height), int(offset_width), int(target_height), int(target_width)
    for ok, message in ((left >= 0, "offset_width must be >= 0."), (top >= 0, "offset_height must be >= 0."),
                        (cols > 0, "target_width must be > 0."), (rows > 0, "target_height must be > 0."),
                        (width >= cols + left, "width must be >= target + offset."),
                        (height >= rows + top, "height must be >= target + offset.")):
        if not ok:
            raise ValueError(message)
    begin, size = [top, left, 0], [rows, cols, -1]
    if image.ndim == 4:
        begin, size = [0] + begin, [-1] + size
    return SC.slice(image, begin, size)


def pad_to_bounding_box(image: Any, offset_height: int, offset_width: int, target_height: int,
                        target_width: int) -> Tensor:
    """A (target_height, target_width) image of zeros with ``image`` at (offset_height, offset_width)."""
    image = _image(image, "pad_to_bounding_box")
    height, width = _height_width(image)
    top, left = int(offset_height), int(offset_width)
    bottom, right = int(target_height) - top - height, int(target_width) - left - width
    for ok, message in ((top >= 0, "offset_height must be >= 0"), (left >= 0, "offset_width must be >= 0"),
                        (right >= 0, "width must be <= target - offset"),
                        (bottom >= 0, "height must be <= target - offset")):
        if not ok:
            raise ValueError(message)
    paddings = [[top, bottom], [left, right], [0, 0]]
    return S.pad(image, ([[0, 0]] if image.ndim == 4 else []) + paddings)


def resize_with_crop_or_pad(image: Any, target_height: int, target_width: int) -> Tensor:
    """The image cut or padded with zeros to (target_height, target_width), centred: each side loses or
    gains half of the difference (the odd pixel at the bottom or right)."""
    image = _image(image, "resize_with_crop_or_pad")
    rows, cols = int(target_height), int(target_width)
    if cols <= 0:
        raise ValueError("target_width must be > 0.")
    if rows <= 0:
        raise ValueError("target_height must be > 0.")
    height, width = _height_width(image)
    cropped = crop_to_bounding_box(image, max((height - rows) // 2, 0), max((width - cols) // 2, 0),
                                   min(rows, height), min(cols, width))
    return pad_to_bounding_box(cropped, max((rows - height) // 2, 0), max((cols - width) // 2, 0), rows, cols)


def rot90(image: Any, k: int = 1, name: str | None = None) -> Tensor:
    """The image turned counter-clockwise by k quarter turns (k may be negative)."""
    image = _image(image, "rot90")
    k = int(k) % 4
    h, w = image.ndim - 3, image.ndim - 2  # the height and width axes
    swapped = list(range(image.ndim))
    swapped[h], swapped[w] = w, h
    if k == 1:
        return S.transpose(S.reverse(image, [w]), swapped)
    if k == 2:
        return S.reverse(image, [h, w])
    if k == 3:
        return S.reverse(S.transpose(image, swapped), [w])
    return image


def transpose(image: Any, name: str | None = None) -> Tensor:
    """Height and width swapped (the image mirrored along its main diagonal)."""
    image = _image(image, "transpose")
    return S.transpose(image, [1, 0, 2] if image.ndim == 3 else [0, 2, 1, 3])


def random_crop(value: Any, size, seed: int | None = None, name: str | None = None) -> Tensor:
    """A ``size`` window of ``value`` (any rank) at a random offset, each offset uniform over the places the
    window fits (TF's draw: a random int32 modulo the number of places; minitf's random stream is its own)."""
    return _crop_at_drawn_offset(value, size, "random_crop",
                                 lambda n: mt_random.uniform([n], 0, np.iinfo(np.int32).max, dtype="int32", seed=seed))


def stateless_random_crop(value: Any, size, seed, name: str | None = None) -> Tensor:
    """``random_crop`` drawing the offset from ``stateless_uniform(seed)``: TF's window for the same seed."""
    return _crop_at_drawn_offset(value, size, "stateless_random_crop",
                                 lambda n: mt_random.stateless_uniform([n], seed, 0, np.iinfo(np.int32).max,
                                                                       dtype="int32"))


def _crop_at_drawn_offset(value: Any, size, op: str, draw) -> Tensor:
    value = convert_to_tensor(value)
    size = [int(s) for s in np.asarray(size.numpy() if isinstance(size, Tensor) else size).reshape(-1)]
    shape = list(value.shape)
    if len(size) != len(shape) or any(s > n for s, n in zip(size, shape)):
        from minitf.errors import InvalidArgumentError
        raise InvalidArgumentError(f"{op}: Need value.shape >= size, got {shape} {size}", op)
    limit = convert_to_tensor(np.array([n - s + 1 for n, s in zip(shape, size)], np.int32))
    return SC.slice(value, E.mod(draw(len(shape)), limit), size)