"""Mirror images: ``flip_left_right`` / ``flip_up_down`` and their random versions (``tf.image``).

An image is (height, width, channels) or a batch (batch, height, width, channels). Left-right
reverses the width axis, up-down the height axis (``tf.reverse``, so gradients flow through).

The random versions flip with probability 1/2, as TF computes them: one image draws u ~ U[0, 1)
and is flipped when u < 0.5; a batch draws one u per image and blends
``round(u) * flipped + (1 - round(u)) * image`` (TF's formula, which also turns a -0.0 pixel into
+0.0). minitf's random stream is its own, so the draws are not TF's.
"""
from __future__ import annotations

from typing import Any

from minitf import random as mt_random
from minitf.ops import control_flow as C
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["flip_left_right", "flip_up_down", "random_flip_left_right", "random_flip_up_down"]


def _image(image: Any, op: str) -> Tensor:
    image = convert_to_tensor(image)
    if image.ndim not in (3, 4):
        raise ValueError(f"{op}: 'image' (shape {tuple(image.shape)}) must have either 3 or 4 dimensions "
                         "(height, width, channels) or (batch, height, width, channels).")
    return image


def _flip(image: Any, axis: int, op: str) -> Tensor:
    """Reverse ``axis`` of a single image (0 height, 1 width), one axis later for a batch."""
    image = _image(image, op)
    return S.reverse(image, [axis + (image.ndim - 3)])


def flip_left_right(image: Any) -> Tensor:
    """The image mirrored left to right (its width axis reversed)."""
    return _flip(image, 1, "flip_left_right")


def flip_up_down(image: Any) -> Tensor:
    """The image mirrored top to bottom (its height axis reversed)."""
    return _flip(image, 0, "flip_up_down")


def _random_flip(image: Any, axis: int, seed: int | None, op: str) -> Tensor:
    image = _image(image, op)
    if image.ndim == 3:
        u = mt_random.uniform([], 0.0, 1.0, seed=seed)
        return C.cond(E.less(u, 0.5), lambda: S.reverse(image, [axis]), lambda: image)
    batch = image.shape[0]
    flips = E.cast(E.round(S.reshape(mt_random.uniform([batch], 0.0, 1.0, seed=seed), [batch, 1, 1, 1])),
                   image.dtype)
    flipped = S.reverse(image, [axis + 1])
    return E.add(E.multiply(flips, flipped), E.multiply(E.subtract(E.cast(1, image.dtype), flips), image))


def random_flip_left_right(image: Any, seed: int | None = None) -> Tensor:
    """Each image mirrored left to right with probability 1/2 (see the module docstring)."""
    return _random_flip(image, 1, seed, "random_flip_left_right")


def random_flip_up_down(image: Any, seed: int | None = None) -> Tensor:
    """Each image mirrored top to bottom with probability 1/2."""
    return _random_flip(image, 0, seed, "random_flip_up_down")
