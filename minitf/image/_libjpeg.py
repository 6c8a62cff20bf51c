"""The last two steps of libjpeg's decoder, in NumPy, so that JPEG pixels equal TensorFlow's.

A colour JPEG stores luma Y at full size and the chroma Cb, Cr at half width (and often half
height: "4:2:0"). TF's ``decode_jpeg`` asks libjpeg for the fast integer IDCT (JDCT_IFAST) and
"fancy" chroma upsampling, a triangle filter. Pillow drives the same libjpeg-turbo, but offers
only two settings: accurate IDCT with fancy upsampling (its default, TF's
``dct_method="INTEGER_ACCURATE"``), or fast IDCT with plain upsampling (its "draft" mode, TF's
``fancy_upscaling=False``). For TF's default, minitf asks Pillow for the draft decode in YCbCr,
where plain upsampling only repeats each chroma sample, takes every second sample back, and
does the two remaining steps here, with libjpeg's integer arithmetic (``jdsample.c``, ``jdcolor.c``):

Fancy upsampling, 2x horizontally (each chroma sample c, neighbours l and r, clamped at the edges):
    left output = (3c + l + 1) >> 2,      right output = (3c + r + 2) >> 2
2x both ways: first s = 3 * (this row) + (nearer row above or below), then the same along the row
with the sums:  left = (3s + s_l + 8) >> 4,  right = (3s + s_r + 7) >> 4.
2x vertically only: (3c + above + 1) >> 2 and (3c + below + 2) >> 2.

YCbCr -> RGB, with x = Cb - 128, z = Cr - 128 and FIX(a) = round(a * 2^16):
    R = Y + ((FIX(1.402) z + 2^15) >> 16)
    G = Y + ((-FIX(0.34414) x - FIX(0.71414) z + 2^15) >> 16)
    B = Y + ((FIX(1.772) x + 2^15) >> 16),        each clamped to [0, 255].
"""
from __future__ import annotations

import numpy as np

_SCALEBITS = 16
_ONE_HALF = 1 << (_SCALEBITS - 1)


def _fix(a: float) -> int:
    return int(a * (1 << _SCALEBITS) + 0.5)


def _neighbours(plane: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """The previous and next sample along ``axis``, the edge sample repeated past the ends."""
    first, last = np.take(plane, [0], axis=axis), np.take(plane, [-1], axis=axis)
    n = plane.shape[axis]
    before = np.concatenate([first, np.take(plane, range(n - 1), axis=axis)], axis=axis)
    after = np.concatenate([np.take(plane, range(1, n), axis=axis), last], axis=axis)
    return before, after


def _interleave(first: np.ndarray, second: np.ndarray, axis: int) -> np.ndarray:
    """[first0, second0, first1, second1, ...] along ``axis``."""
    return np.stack([first, second], axis=axis + 1).reshape(
        first.shape[:axis] + (2 * first.shape[axis],) + first.shape[axis + 1:])


def fancy_upsample(plane: np.ndarray, h_factor: int, v_factor: int) -> np.ndarray:
    """A chroma plane (int64) upsampled by (h_factor, v_factor) as libjpeg's fancy upsampling does
    (the three cases above); any other ratio repeats samples, as libjpeg does then too."""
    if (h_factor, v_factor) == (2, 1):
        left, right = _neighbours(plane, 1)
        return _interleave((3 * plane + left + 1) >> 2, (3 * plane + right + 2) >> 2, 1)
    if (h_factor, v_factor) == (1, 2):
        above, below = _neighbours(plane, 0)
        return _interleave((3 * plane + above + 1) >> 2, (3 * plane + below + 2) >> 2, 0)
    if (h_factor, v_factor) == (2, 2):
        above, below = _neighbours(plane, 0)
        rows = []
        for sums in (3 * plane + above, 3 * plane + below):  # the upper, then the lower output row
            left, right = _neighbours(sums, 1)
            rows.append(_interleave((3 * sums + left + 8) >> 4, (3 * sums + right + 7) >> 4, 1))
        return _interleave(rows[0], rows[1], 0)
    return np.repeat(np.repeat(plane, v_factor, axis=0), h_factor, axis=1)


def ycc_to_rgb(y: np.ndarray, cb: np.ndarray, cr: np.ndarray) -> np.ndarray:
    """libjpeg's fixed-point YCbCr -> RGB (the formula above): (h, w, 3) uint8."""
    x, z = cb - 128, cr - 128
    r = y + ((_fix(1.40200) * z + _ONE_HALF) >> _SCALEBITS)
    g = y + ((-_fix(0.34414) * x - _fix(0.71414) * z + _ONE_HALF) >> _SCALEBITS)
    b = y + ((_fix(1.77200) * x + _ONE_HALF) >> _SCALEBITS)
    return np.clip(np.stack([r, g, b], axis=-1), 0, 255).astype(np.uint8)


def rgb_from_plain_ycc(ycc: np.ndarray, sampling: list[tuple[int, int]]) -> np.ndarray:
    """RGB pixels from a YCbCr decode whose chroma was upsampled by repetition (Pillow's draft mode).

    ``sampling``: each component's (h, v) sampling factors from the file's frame header. Every
    (h_max/h)-th chroma sample is the stored one; fancy upsampling then rebuilds the rest.
    """
    height, width, _ = ycc.shape
    planes = ycc.astype(np.int64)
    h_max = max(h for h, _ in sampling)
    v_max = max(v for _, v in sampling)
    channels = [planes[..., 0]]
    for index in (1, 2):
        h, v = sampling[index]
        h_factor, v_factor = h_max // h, v_max // v
        stored = planes[::v_factor, ::h_factor, index]
        channels.append(fancy_upsample(stored, h_factor, v_factor)[:height, :width])
    return ycc_to_rgb(*channels)
