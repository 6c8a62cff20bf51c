"""Image resampling for the image layers: resize and affine (projective) transforms, NHWC.

Both are *linear* in the image: every output pixel is a weighted sum of a few input pixels
whose positions and weights depend only on the geometry. So each is written as gathers of
input pixels (minitf ops, with gradients) times constant weights: the gradient with respect to
the image comes for free, and there is no Python loop over pixels.

The arithmetic follows TensorFlow's kernels, operation for operation, in float32:

* ``resize`` is ``tf.image.resize`` (``ResizeBilinear`` / ``ResizeNearestNeighbor`` with
  ``half_pixel_centers=True``). Output pixel i of n_out samples input coordinate
  ``c = (i + 0.5) * (n_in / n_out) - 0.5``. Bilinear: lower = max(floor(c), 0),
  upper = min(ceil(c), n_in - 1), lerp = c - floor(c);
  top = tl + (tr - tl) * x_lerp, bottom = bl + (br - bl) * x_lerp, out = top + (bottom - top) * y_lerp.
  Nearest: ``min(floor((i + 0.5) * n_in / n_out), n_in - 1)``.
* ``affine_transform`` is ``ImageProjectiveTransformV3``: with transform
  ``[a0, a1, a2, b0, b1, b2, c0, c1]`` the output pixel (x, y) reads the input at
  ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``. A point
  outside the image is first mapped back in by ``fill_mode`` (reflect, wrap, nearest) or,
  for ``constant``, reads ``fill_value``.
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

FILL_MODES = ("reflect", "wrap", "constant", "nearest")
INTERPOLATIONS = ("nearest", "bilinear")


# --- resize -------------------------------------------------------------------------
def _bilinear_weights(n_out: int, n_in: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """lower index, upper index and lerp weight for each output position (TF's half-pixel rule)."""
    scale = np.float32(n_in / n_out)
    centre = (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)
    floor = np.floor(centre)
    lower = np.maximum(floor, 0).astype(np.int64)
    upper = np.minimum(np.ceil(centre), n_in - 1).astype(np.int64)
    return lower, upper, (centre - floor).astype(np.float32)


def _nearest_index(n_out: int, n_in: int) -> np.ndarray:
    scale = np.float32(n_in / n_out)
    picked = np.floor((np.arange(n_out, dtype=np.float32) + np.float32(0.5)) * scale)
    return np.clip(picked, 0, n_in - 1).astype(np.int64)


def resize(images: Tensor, height: int, width: int, interpolation: str = "bilinear") -> Tensor:
    """Resize a (batch, height, width, channels) tensor to (batch, ``height``, ``width``, channels)."""
    x = convert_to_tensor(images)
    _, h_in, w_in, _ = x.shape
    if interpolation == "nearest":
        rows = S.gather(x, Tensor(B.xp.asarray(_nearest_index(height, h_in))), axis=1)
        return S.gather(rows, Tensor(B.xp.asarray(_nearest_index(width, w_in))), axis=2)
    if interpolation != "bilinear":
        raise ValueError(f"resize: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    y_lo, y_hi, y_lerp = _bilinear_weights(height, h_in)
    x_lo, x_hi, x_lerp = _bilinear_weights(width, w_in)
    dtype = x._value.dtype
    y_lerp = Tensor(B.xp.asarray(y_lerp.astype(dtype).reshape(1, height, 1, 1)))
    x_lerp = Tensor(B.xp.asarray(x_lerp.astype(dtype).reshape(1, 1, width, 1)))
    x_lo, x_hi = Tensor(B.xp.asarray(x_lo)), Tensor(B.xp.asarray(x_hi))
    top_rows = S.gather(x, Tensor(B.xp.asarray(y_lo)), axis=1)
    bottom_rows = S.gather(x, Tensor(B.xp.asarray(y_hi)), axis=1)
    top_left, top_right = S.gather(top_rows, x_lo, axis=2), S.gather(top_rows, x_hi, axis=2)
    bottom_left, bottom_right = S.gather(bottom_rows, x_lo, axis=2), S.gather(bottom_rows, x_hi, axis=2)
    top = top_left + (top_right - top_left) * x_lerp
    bottom = bottom_left + (bottom_right - bottom_left) * x_lerp
    return top + (bottom - top) * y_lerp


# --- affine (projective) transform -------------------------------------------------------
def _map_coordinate(c: np.ndarray, length: int, fill_mode: str) -> np.ndarray:
    """Bring input coordinates back into [0, length - 1] the way TF's MapCoordinate does."""
    c = c.copy()
    if fill_mode == "constant":
        return c  # out-of-range reads become fill_value later
    if fill_mode in ("reflect", "wrap") and length <= 1:
        return np.zeros_like(c)
    if fill_mode == "reflect":
        size2 = np.float32(2 * length)
        low, high = c < 0, c > length - 1  # decided on the original coordinate, as TF's if/else
        cl = c[low]
        cl = size2 * np.trunc(-cl / size2) + cl
        c[low] = np.where(cl < -length, cl + size2, -cl - 1)
        ch = c[high]
        ch = ch - size2 * np.trunc(ch / size2)
        c[high] = np.where(ch >= length, size2 - ch - 1, ch)
    elif fill_mode == "wrap":
        size = np.float32(length - 1)
        low, high = c < 0, c > length - 1
        c[low] = c[low] + length * (np.trunc(-c[low] / size) + 1)
        c[high] = c[high] - length * np.trunc(c[high] / size)
    return np.clip(c, 0, length - 1).astype(np.float32)


def _round_half_away(v: np.ndarray) -> np.ndarray:
    """C's std::round (halves away from zero), which NumPy's round (halves to even) is not."""
    return np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))


class ProjectiveSampling(Op):
    """Where each output pixel of ``affine_transform`` reads its input, and with what weights.

    ``transforms`` (N, 8) (or (1, 8), one for every image), ``like`` the (N, H, W, C) images (read
    only for their shape). Output pixel (x, y) of image b samples the input at

        in_x = (a0 x + a1 y + a2) / k,   in_y = (b0 x + b1 y + b2) / k,   k = c0 x + c1 y + 1

    mapped back into the image by ``fill_mode``. Its corners: one, the nearest pixel (halves
    rounded away from zero), or four, the floor and ceil neighbours. For each corner the kernel
    returns the flat index b*H*W + y*W + x (clipped into the image), ``keep`` (1 inside the
    image, 0 outside) and ``fill`` (0 inside, ``fill_value`` outside), each (N, H, W[, 1]); for
    bilinear also the weights (x1 - in_x, in_x - x0, y1 - in_y, in_y - y0), each (N, H, W, 1).
    The transform is data, so this is an op (no gradient: the geometry is not differentiated);
    the image is then read with gathers, through which its gradient flows.
    """

    def forward(transforms, like, interpolation, fill_mode, fill_value):
        n, h, w, _ = like.shape
        dtype = like.dtype
        t = B.to_numpy(transforms).astype(np.float32, copy=False).reshape(-1, 8)
        if t.shape[0] == 1 and n != 1:
            t = np.repeat(t, n, axis=0)
        ys, xs = np.meshgrid(np.arange(h, dtype=np.float32), np.arange(w, dtype=np.float32), indexing="ij")
        a = [t[:, i].reshape(n, 1, 1) for i in range(8)]
        projection = a[6] * xs + a[7] * ys + np.float32(1)
        zero = projection == 0
        safe = np.where(zero, np.float32(1), projection)
        in_x = _map_coordinate((a[0] * xs + a[1] * ys + a[2]) / safe, w, fill_mode)
        in_y = _map_coordinate((a[3] * xs + a[4] * ys + a[5]) / safe, h, fill_mode)
        batch = np.arange(n).reshape(n, 1, 1)
        if interpolation == "nearest":
            corners = [(_round_half_away(in_y), _round_half_away(in_x))]
        else:
            y0, x0 = np.floor(in_y), np.floor(in_x)
            corners = [(y0, x0), (y0, x0 + 1), (y0 + 1, x0), (y0 + 1, x0 + 1)]
        indices, keeps, fills = [], [], []
        for cy, cx in corners:
            inside = (cy >= 0) & (cy < h) & (cx >= 0) & (cx < w) & ~zero
            indices.append((batch * h + np.clip(cy, 0, h - 1).astype(np.int64)) * w
                           + np.clip(cx, 0, w - 1).astype(np.int64))
            keeps.append(inside[..., None].astype(dtype))
            fills.append(np.where(inside, 0, np.float32(fill_value))[..., None].astype(dtype))
        weights = []
        if interpolation != "nearest":
            y1, x1 = y0 + 1, x0 + 1
            weights = [(v[..., None]).astype(dtype) for v in (x1 - in_x, in_x - x0, y1 - in_y, in_y - y0)]
        return tuple(B.xp.asarray(v) for v in indices + keeps + fills + weights)


def affine_transform(images: Tensor, transforms, interpolation: str = "bilinear",
                     fill_mode: str = "constant", fill_value: float = 0.0) -> Tensor:
    """Apply one projective transform per image: images (N, H, W, C), transforms (N, 8) (a tensor,
    or an array).

    Out-of-range reads under ``fill_mode="constant"`` give ``fill_value``; the others map the
    coordinate back into the image first. Computed as a gather of up to 4 input pixels per
    output pixel times weights (``ProjectiveSampling``), so it is differentiable in the images.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"affine_transform: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
    x = convert_to_tensor(images)
    plan = ProjectiveSampling.apply(convert_to_tensor(transforms), x, interpolation=interpolation,
                                    fill_mode=fill_mode, fill_value=float(fill_value))
    k = 1 if interpolation == "nearest" else 4
    indices, keeps, fills, weights = plan[:k], plan[k:2 * k], plan[2 * k:3 * k], plan[3 * k:]
    # Read each corner pixel: a gather where it lies inside the image, fill_value where not.
    flat = S.reshape(x, (-1, x.shape[-1]))
    reads = [S.gather(flat, index) * keep + fill for index, keep, fill in zip(indices, keeps, fills)]
    if interpolation == "nearest":
        return reads[0]
    # TF's order: blend along x on the floor and ceil rows, then along y.
    wx0, wx1, wy0, wy1 = weights
    top = wx0 * reads[0] + wx1 * reads[1]
    bottom = wx0 * reads[2] + wx1 * reads[3]
    return wy0 * top + wy1 * bottom


# --- crops -------------------------------------------------------------------------------------
def aspect_crop_box(height: int, width: int, target_height: int, target_width: int) -> tuple[int, int, int, int]:
    """(top, left, crop_height, crop_width) of the largest centred box with the target's aspect ratio.

    Keras's ``crop_to_aspect_ratio`` / ``smart_resize`` arithmetic: sizes truncated after a
    float32 division, at least 1 and at most the image; the box starts at int((size - crop) / 2).
    """
    crop_height = int(np.float32(width * target_height) / np.float32(target_width))
    crop_height = max(min(height, crop_height), 1)
    crop_width = int(np.float32(height * target_width) / np.float32(target_height))
    crop_width = max(min(width, crop_width), 1)
    return int((height - crop_height) / 2), int((width - crop_width) / 2), crop_height, crop_width
