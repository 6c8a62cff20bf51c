"""Mirror images: ``flip_left_right`` / ``flip_up_down`` and their random versions (``tf.image``).

An image is (height, width, channels) or a batch (batch, height, width, channels). Left-right
reverses the width axis, up-down the height axis (``tf.reverse``, so gradients flow through).

The random versions flip with probability 1/2, as TF computes them: one image draws u ~ U[0, 1)
and is flipped when u < 0.5; a batch draws one u per image and blends
``round(u) * flipped + (1 - round(u)) * image`` (TF's formula, which also turns a -0.0 pixel into
+0.0). minitf's random stream is its own, so the draws of ``random_*`` are not TF's; the
``stateless_random_*`` versions draw from ``tf.random.stateless_uniform`` with the given seed,
whose numbers are TF's, so for the same seed they flip exactly the images TF flips.
"""
from __future__ import annotations

from typing import Any

from minitf import random as mt_random
from minitf.ops import control_flow as C
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["flip_left_right", "flip_up_down", "random_flip_left_right", "random_flip_up_down",
           "stateless_random_flip_left_right", "stateless_random_flip_up_down"]


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


def _random_flip(image: Any, axis: int, draw, op: str) -> Tensor:
    """``draw(shape)``: uniform numbers in [0, 1) of that shape (minitf's stream, or a stateless one)."""
    image = _image(image, op)
    if image.ndim == 3:
        u = draw([])
        return C.cond(E.less(u, 0.5), lambda: S.reverse(image, [axis]), lambda: image)
    batch = image.shape[0]
    flips = E.cast(E.round(S.reshape(draw([batch]), [batch, 1, 1, 1])), image.dtype)
    flipped = S.reverse(image, [axis + 1])
    return E.add(E.multiply(flips, flipped), E.multiply(E.subtract(E.cast(1, image.dtype), flips), image))


def _stream(seed):
    return lambda shape: mt_random.uniform(shape, 0.0, 1.0, seed=seed)


def _stateless(seed):
    return lambda shape: mt_random.stateless_uniform(shape, seed, 0.0, 1.0)


def random_flip_left_right(image: Any, seed: int | None = None) -> Tensor:
    """Each image mirrored left to right with probability 1/2 (see the module docstring)."""
    return _random_flip(image, 1, _stream(seed), "random_flip_left_right")


def random_flip_up_down(image: Any, seed: int | None = None) -> Tensor:
    """Each image mirrored top to bottom with probability 1/2."""
    return _random_flip(image, 0, _stream(seed), "random_flip_up_down")


def stateless_random_flip_left_right(image: Any, seed) -> Tensor:
    """``random_flip_left_right`` drawing from ``stateless_uniform(seed)``: TF's flips for the same seed."""
    return _random_flip(image, 1, _stateless(seed), "stateless_random_flip_left_right")


def stateless_random_flip_up_down(image: Any, seed) -> Tensor:
    """``random_flip_up_down`` drawing from ``stateless_uniform(seed)``: TF's flips for the same seed."""
    return _random_flip(image, 0, _stateless(seed), "stateless_random_flip_up_down")
