"""``tf.image.resize``: new height and width by bilinear or nearest-neighbour sampling, TF's arithmetic.

TF 2's resize puts pixel centres at half-integers ("half_pixel_centers"): output pixel i of
n_out samples the input at

    c = (i + 0.5) * (n_in / n_out) - 0.5                  (float32 arithmetic)

* ``bilinear`` blends the two neighbours floor(c) and ceil(c) (clamped into the image) with
  weight c - floor(c), first along the width, then along the height:
  top = tl + (tr - tl) * x_lerp, bottom = bl + (br - bl) * x_lerp, out = top + (bottom - top) * y_lerp.
  The result is float32 whatever the input's dtype (uint8 pixels come out as 0.0..255.0).
  ``antialias=False`` (the default) samples only those neighbours, even when shrinking.
* ``nearest`` takes input pixel min(floor((i + 0.5) * n_in / n_out), n_in - 1) and keeps the dtype.

Both are gathers times constant weights (``minitf.keras.layers.preprocessing._image_ops.resize``, shared with
the ``Resizing`` layer), so gradients flow to the image. The other methods TF offers (area,
bicubic, lanczos, gaussian, mitchellcubic, and antialiased bilinear) are refused with an error
naming the two minitf has.
"""
from __future__ import annotations

import enum
from typing import Any

import numpy as np

from minitf import dtypes
from minitf.errors import InvalidArgumentError, UnimplementedError
from minitf.image.cropping import pad_to_bounding_box
from minitf.keras.layers.preprocessing._image_ops import resize as _resample
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["ResizeMethod", "resize"]


class ResizeMethod(str, enum.Enum):
    """``tf.image.ResizeMethod``: the names ``resize`` accepts (minitf computes the first two)."""

    BILINEAR = "bilinear"
    NEAREST_NEIGHBOR = "nearest"
    BICUBIC = "bicubic"
    AREA = "area"
    LANCZOS3 = "lanczos3"
    LANCZOS5 = "lanczos5"
    GAUSSIAN = "gaussian"
    MITCHELLCUBIC = "mitchellcubic"

    def __str__(self) -> str:
        return self.value


_IMPLEMENTED = (ResizeMethod.BILINEAR.value, ResizeMethod.NEAREST_NEIGHBOR.value)


def _size(size: Any) -> tuple[int, int]:
    values = size.numpy() if isinstance(size, Tensor) else np.asarray(size)
    if values.shape != (2,) or values.dtype.kind not in "iu":
        raise ValueError(f"'size' must be a 1-D int32 Tensor of 2 elements: new_height, new_width (got {size!r})")
    return int(values[0]), int(values[1])


def _aspect_size(height: int, width: int, size: tuple[int, int]) -> tuple[int, int]:
    """The largest size within ``size`` with the image's aspect ratio (TF's float32 arithmetic, round half to even)."""
    scale = min(np.float32(size[0]) / np.float32(height), np.float32(size[1]) / np.float32(width))
    return int(np.round(scale * np.float32(height))), int(np.round(scale * np.float32(width)))


def resize(images: Any, size: Any, method: str = ResizeMethod.BILINEAR, preserve_aspect_ratio: bool = False,
           antialias: bool = False, name: str | None = None) -> Tensor:
    """Resize (height, width, channels) or (batch, height, width, channels) images to ``size`` = (h, w).

    ``method``: "bilinear" (float32 result) or "nearest" (same dtype); see the module docstring.
    ``preserve_aspect_ratio``: the largest size within ``size`` that keeps the aspect ratio.
    """
    images = convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError(f"resize: 'images' must have either 3 or 4 dimensions, got shape {tuple(images.shape)}")
    method = str(method.value if isinstance(method, ResizeMethod) else method).lower()
    if method not in {m.value for m in ResizeMethod}:
        raise ValueError(f"Resize method is not implemented: {method}")
    if method not in _IMPLEMENTED:
        raise UnimplementedError(f"resize: method {method!r} is not implemented in minitf; use 'bilinear' or "
                                 "'nearest' (TF's default is 'bilinear')", op="resize")
    if antialias and method == "bilinear":
        raise UnimplementedError("resize: antialias=True is not implemented in minitf (TF's default is "
                                 "antialias=False, which samples the two nearest pixels per axis)", op="resize")
    batch = images if images.ndim == 4 else S.expand_dims(images, 0)
    _, height, width, _ = batch.shape
    new_height, new_width = _size(size)
    if preserve_aspect_ratio:
        new_height, new_width = _aspect_size(height, width, (new_height, new_width))
    if new_height <= 0 or new_width <= 0:
        raise InvalidArgumentError(f"resize: output dimensions must be positive, got ({new_height}, {new_width})",
                                   op="ResizeBilinear" if method == "bilinear" else "ResizeNearestNeighbor")
    if method == "bilinear" and batch.dtype != dtypes.float32:
        integer = batch.dtype.is_integer
        batch = E.cast(batch, dtypes.float32)
        if integer and (new_height, new_width) == (height, width):
            # Same size: every sample lands on a pixel (lerp 0), so TF's blend returns the pixel
            # itself; integer pixels are finite, so skipping the blend gives the same bits.
            return batch if images.ndim == 4 else S.squeeze(batch, axis=0)
    if batch.dtype.is_bool:
        raise InvalidArgumentError("resize: boolean images cannot be resized", op="ResizeNearestNeighbor")
    out = _resample(batch, new_height, new_width, interpolation=method)
    return out if images.ndim == 4 else S.squeeze(out, axis=0)


def resize_with_pad(image: Any, target_height: int, target_width: int, method: str = ResizeMethod.BILINEAR,
                    antialias: bool = False) -> Tensor:
    """Resize to fit inside (target_height, target_width) keeping the aspect ratio, then pad with zeros
    to exactly that size, the resized image centred (TF's arithmetic, in float32):

        ratio = max(width / target_width, height / target_height)
        resized = floor(height / ratio) x floor(width / ratio)
        top = floor((target_height - height / ratio) / 2), left likewise"""
    image = convert_to_tensor(image)
    if image.ndim not in (3, 4):
        raise ValueError(f"'image' (shape {tuple(image.shape)}) must have either 3 or 4 dimensions.")
    if target_width <= 0:
        raise ValueError("target_width must be > 0.")
    if target_height <= 0:
        raise ValueError("target_height must be > 0.")
    f32 = np.float32
    height, width = f32(image.shape[-3]), f32(image.shape[-2])
    ratio = max(width / f32(target_width), height / f32(target_height))
    resized_height, resized_width = height / ratio, width / ratio
    top = max(0, int(np.floor((f32(target_height) - resized_height) / f32(2))))
    left = max(0, int(np.floor((f32(target_width) - resized_width) / f32(2))))
    resized = resize(image, [int(np.floor(resized_height)), int(np.floor(resized_width))], method=method,
                     antialias=antialias)
    return pad_to_bounding_box(resized, top, left, int(target_height), int(target_width))
