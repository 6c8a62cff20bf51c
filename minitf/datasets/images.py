"""Generated "shapes" images: the course's pizza/steak and food-10 replacement for CNN lessons.

Each image shows one shape (circle, square, triangle, ...) drawn at a random position, size,
rotation and brightness on a darker background, with Gaussian pixel noise. Position and size
jitter is what makes a convolutional network (translation-tolerant features + pooling) beat a
Dense network on raw pixels, the point of lesson 08.

How it is drawn: every pixel gets coordinates in [-1, 1]; each image's coordinates are moved to
its shape's centre, rotated and divided by its size, giving "shape coordinates" (u, v) where
every shape is defined by a simple inequality (e.g. a disk is u^2 + v^2 <= 1). All images of a
class are drawn at once with array operations; the only Python loop is over classes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["SHAPE_CLASS_NAMES", "shape_class_names", "make_shapes"]

SHAPE_CLASS_NAMES = [
    "circle",
    "square",
    "triangle",
    "plus",
    "horizontal_bar",
    "vertical_bar",
    "diagonal_line",
    "ring",
    "x",
    "hollow_square",
]

_SQRT3 = np.sqrt(3.0)
_LINE = 0.22  # half-thickness of strokes (plus, x, bars, lines), in shape units


def _rotate45(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shape coordinates turned by 45 degrees: the x is a plus drawn in these."""
    return (u + v) / np.sqrt(2.0), (v - u) / np.sqrt(2.0)


# Each mask function maps shape coordinates (u, v) (v points up) to a boolean mask. Every
# shape reaches about 1 unit from its centre, so size alone does not give the class away.


def _circle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u**2 + v**2 <= 1.0


def _square(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return np.maximum(np.abs(u), np.abs(v)) <= 0.8


def _triangle(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    # Equilateral, pointing up, circumradius 1: above the base, below both slanted edges.
    return (v >= -0.5) & (v <= 1.0 - _SQRT3 * np.abs(u))


def _plus(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    arm = 0.95
    return ((np.abs(u) <= _LINE) & (np.abs(v) <= arm)) | ((np.abs(v) <= _LINE) & (np.abs(u) <= arm))


def _horizontal_bar(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (np.abs(u) <= 1.0) & (np.abs(v) <= 0.3)


def _vertical_bar(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return _horizontal_bar(v, u)


def _diagonal_line(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    along, across = _rotate45(u, v)  # "/" direction
    return (np.abs(along) <= 1.1) & (np.abs(across) <= _LINE)


def _ring(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    r2 = u**2 + v**2
    return (r2 <= 1.0) & (r2 >= 0.55**2)


def _x(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return _plus(*_rotate45(u, v))


def _hollow_square(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    r = np.maximum(np.abs(u), np.abs(v))
    return (r <= 0.85) & (r >= 0.5)


_MASKS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "circle": _circle,
    "square": _square,
    "triangle": _triangle,
    "plus": _plus,
    "horizontal_bar": _horizontal_bar,
    "vertical_bar": _vertical_bar,
    "diagonal_line": _diagonal_line,
    "ring": _ring,
    "x": _x,
    "hollow_square": _hollow_square,
}
assert list(_MASKS) == SHAPE_CLASS_NAMES


def shape_class_names(num_classes: int = 10) -> list[str]:
    """Names of the classes ``make_shapes(num_classes=...)`` draws; index = label.
    ``num_classes=2`` gives ``['circle', 'square']`` (the binary pizza/steak stand-in)."""
    if not 2 <= num_classes <= len(SHAPE_CLASS_NAMES):
        raise ValueError(f"shape_class_names: num_classes must be in 2..{len(SHAPE_CLASS_NAMES)}, got {num_classes}")
    return SHAPE_CLASS_NAMES[:num_classes]


def make_shapes(
    n_samples: int = 1000,
    image_size: int = 28,
    num_classes: int = 10,
    noise: float = 0.1,
    seed: int = 0,
    channels: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate images of simple shapes for image classification.

    Classes are the first ``num_classes`` of ``SHAPE_CLASS_NAMES`` (circle, square, triangle,
    plus, horizontal_bar, vertical_bar, diagonal_line, ring, x, hollow_square); the labels
    are balanced (counts differ by at most one) and shuffled. Each image has a random centre
    (within +-0.2 of the middle, in units of half the image), size (0.4-0.7 of half the image),
    rotation (+-15 degrees: enough to vary, too little to turn a plus into an x), foreground
    brightness 0.6-1 and background 0-0.25. With ``channels=3`` the shape and the background
    get random colours, unrelated to the class (colour must not give the answer away).

    Args:
        image_size: height and width in pixels; 16 to 32 is the intended range (>= 8).
        noise: standard deviation of the Gaussian pixel noise (before clipping to [0, 1]).

    Returns:
        images: ``(n_samples, image_size, image_size, channels)`` float32 in [0, 1] (NHWC, as
            TensorFlow's Conv2D expects).
        labels: ``(n_samples,)`` int32 in ``[0, num_classes)``.
    """
    names = shape_class_names(num_classes)
    if n_samples < 1:
        raise ValueError(f"make_shapes: n_samples must be >= 1, got {n_samples}")
    if image_size < 8:
        raise ValueError(f"make_shapes: image_size must be >= 8 pixels (16-32 intended), got {image_size}")
    if channels not in (1, 3):
        raise ValueError(f"make_shapes: channels must be 1 (grey) or 3 (RGB), got {channels}")
    if noise < 0:
        raise ValueError(f"make_shapes: noise is a standard deviation and must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)

    labels = rng.permutation(np.arange(n_samples) % num_classes).astype(np.int32)
    # Per-image jitter, drawn for all images at once; shape (n, 1, 1) to broadcast over pixels.
    cx, cy = rng.uniform(-0.2, 0.2, size=(2, n_samples, 1, 1))
    size = rng.uniform(0.4, 0.7, size=(n_samples, 1, 1))
    angle = np.deg2rad(rng.uniform(-15.0, 15.0, size=(n_samples, 1, 1)))

    # Pixel centres in [-1, 1]; y is flipped so that v points up in the picture.
    coords = (np.arange(image_size) + 0.5) / image_size * 2.0 - 1.0
    x, y = coords[None, None, :], -coords[None, :, None]
    dx, dy = x - cx, y - cy
    cos, sin = np.cos(angle), np.sin(angle)
    u = (cos * dx + sin * dy) / size
    v = (-sin * dx + cos * dy) / size

    mask = np.zeros((n_samples, image_size, image_size), dtype=bool)
    for label, name in enumerate(names):
        idx = np.flatnonzero(labels == label)
        mask[idx] = _MASKS[name](u[idx], v[idx])

    if channels == 1:
        foreground = rng.uniform(0.6, 1.0, size=(n_samples, 1))
        background = rng.uniform(0.0, 0.25, size=(n_samples, 1))
    else:
        # A random hue scaled so its brightest channel is 0.6-1: always visible on the background.
        hue = rng.uniform(0.2, 1.0, size=(n_samples, 3))
        foreground = hue / hue.max(axis=1, keepdims=True) * rng.uniform(0.6, 1.0, size=(n_samples, 1))
        background = rng.uniform(0.0, 0.25, size=(n_samples, 3))
    foreground = foreground[:, None, None, :]  # (n, 1, 1, C)
    background = background[:, None, None, :]

    images = background + (foreground - background) * mask[..., None]
    images = images + rng.normal(0.0, noise, size=images.shape)
    return np.clip(images, 0.0, 1.0).astype(np.float32), labels
