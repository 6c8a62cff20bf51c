"""Measures of images: ``tf.image.total_variation``, ``image_gradients``, ``sobel_edges``, ``psnr`` and
``ssim``.

    total_variation(x) = sum |x[i+1, j] - x[i, j]| + sum |x[i, j+1] - x[i, j]|   (per image)
    image_gradients(x) = (dy, dx): those differences, 0 in the last row / column
    sobel_edges(x)     = each channel convolved with the 3x3 Sobel kernels (y, then x), reflect-padded
    psnr(a, b)         = 20 log10(max_val) - 10 log10(mean((a - b)^2))                (decibels)
    ssim(a, b)         = mean over windows of  (2 mu_a mu_b + c1)(2 s_ab + c2) / ((mu_a^2 + mu_b^2 + c1)(s_a^2 + s_b^2 + c2))
                         (Wang et al., 2004), the means and (co)variances taken under an 11x11 Gaussian

All are slices, sums and convolutions of minitf ops, so they differentiate (style transfer
minimizes a total variation).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import dtypes
from minitf.image.color import convert_image_dtype
from minitf.nn.depthwise_conv import depthwise_conv2d
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.errors import InvalidArgumentError
from minitf.ops.creation import zeros
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["total_variation", "image_gradients", "sobel_edges", "psnr", "ssim"]


def total_variation(images: Any, name: str | None = None) -> Tensor:
    """The summed absolute differences of neighbouring pixels, down and across: one number per image
    of a batch, or one for a single (h, w, c) image."""
    images = convert_to_tensor(images)
    if images.ndim not in (3, 4):
        raise ValueError("'images' must be either 3 or 4-dimensional.")
    batch = (slice(None),) * (images.ndim - 3)  # (the batch axis, if any)
    down = images[batch + (slice(1, None),)] - images[batch + (slice(None, -1),)]
    across = images[batch + (slice(None), slice(1, None))] - images[batch + (slice(None), slice(None, -1))]
    axes = None if images.ndim == 3 else [1, 2, 3]
    return R.reduce_sum(E.abs(down), axis=axes) + R.reduce_sum(E.abs(across), axis=axes)


def image_gradients(image: Any) -> tuple[Tensor, Tensor]:
    """(dy, dx) of a batch (N, H, W, C): x[i+1, j] - x[i, j] and x[i, j+1] - x[i, j] at pixel (i, j), 0 on the
    last row (dy) and last column (dx)."""
    image = convert_to_tensor(image)
    if image.ndim != 4:
        raise ValueError(f"image_gradients expects a 4D tensor [batch_size, h, w, d], not {tuple(image.shape)}.")
    batch, height, width, depth = image.shape
    dy = image[:, 1:, :, :] - image[:, :-1, :, :]
    dx = image[:, :, 1:, :] - image[:, :, :-1, :]
    # as TF: a row (column) of zeros added, then the shape asserted (an empty image fails there, as in TF)
    dy = S.reshape(S.concat([dy, zeros([batch, 1, width, depth], image.dtype)], 1), list(image.shape))
    dx = S.reshape(S.concat([dx, zeros([batch, height, 1, depth], image.dtype)], 2), list(image.shape))
    return dy, dx


_SOBEL = np.array([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]])


def sobel_edges(image: Any) -> Tensor:
    """(N, H, W, C, 2): each channel's vertical and horizontal Sobel response (the image reflected by
    one pixel at its borders, as TF pads it)."""
    image = convert_to_tensor(image)
    if image.ndim != 4:  # (TF's padding op refuses it)
        raise InvalidArgumentError(f"sobel_edges expects a 4D tensor [batch_size, h, w, d], not "
                                   f"{tuple(image.shape)}.", "MirrorPad")
    kernels = np.expand_dims(np.transpose(_SOBEL, (1, 2, 0)), -2).astype(image.dtype.as_numpy_dtype)
    kernels = np.tile(kernels, [1, 1, image.shape[-1], 1])  # (3, 3, C, 2): both kernels on every channel
    padded = S.pad(image, [[0, 0], [1, 1], [1, 1], [0, 0]], mode="REFLECT")
    edges = depthwise_conv2d(padded, kernels, [1, 1, 1, 1], "VALID")
    return S.reshape(edges, list(image.shape) + [2])


def psnr(a: Any, b: Any, max_val, name: str | None = None) -> Tensor:
    """Peak signal-to-noise ratio of images ``a`` and ``b`` (in float32) over their last three axes, in dB."""
    a, b = convert_to_tensor(a), convert_to_tensor(b)
    if tuple(a.shape[-3:]) != tuple(b.shape[-3:]):
        raise ValueError(f"psnr: the images' shapes differ: {tuple(a.shape)} and {tuple(b.shape)}")
    max_val = convert_image_dtype(E.cast(convert_to_tensor(max_val), a.dtype), dtypes.float32)
    a, b = convert_image_dtype(a, dtypes.float32), convert_image_dtype(b, dtypes.float32)
    mse = R.reduce_mean(E.squared_difference(a, b), [-3, -2, -1])
    return E.subtract(20 * E.log(max_val) / E.log(convert_to_tensor(10.0)), np.float32(10 / np.log(10)) * E.log(mse))


def _gaussian_window(size: int, sigma: Tensor) -> Tensor:
    """A size x size Gaussian of ``sigma``, summing to 1 (MATLAB's ``fspecial``; TF builds it with a softmax)."""
    from minitf.nn.activations import softmax
    coords = E.cast(convert_to_tensor(np.arange(size, dtype=np.int32)), sigma.dtype) - (size - 1) / 2.0
    g = E.square(coords) * (-0.5 / E.square(sigma))
    g = S.reshape(g, [1, -1]) + S.reshape(g, [-1, 1])
    return S.reshape(softmax(S.reshape(g, [1, -1])), [size, size, 1, 1])


def ssim(img1: Any, img2: Any, max_val, filter_size: int = 11, filter_sigma: float = 1.5, k1: float = 0.01,
         k2: float = 0.03, return_index_map: bool = False) -> Tensor:
    """Structural similarity of two images (or batches), per image in [-1, 1] (1: identical), as TF
    computes it: each channel's local means, variances and covariance under the Gaussian window
    (a depthwise convolution, "VALID"), the SSIM map, its mean over the positions, then over the
    channels. ``return_index_map``: the map itself (averaged over the channels)."""
    img1, img2 = convert_to_tensor(img1), convert_to_tensor(img2)
    if img1.ndim < 3 or img2.ndim < 3 or tuple(img1.shape[-3:]) != tuple(img2.shape[-3:]):
        raise ValueError(f"Two images are not compatible: {tuple(img1.shape)} and {tuple(img2.shape)}")
    if min(img1.shape[-3:-1]) < filter_size:
        raise InvalidArgumentError(f"ssim: the images ({tuple(img1.shape)}) must be at least filter_size "
                                   f"({filter_size}) high and wide", "ssim")
    max_val = convert_image_dtype(E.cast(convert_to_tensor(max_val), img1.dtype), dtypes.float32)
    img1, img2 = convert_image_dtype(img1, dtypes.float32), convert_image_dtype(img2, dtypes.float32)
    channels = img1.shape[-1]
    kernel = S.tile(_gaussian_window(filter_size, convert_to_tensor(np.float32(filter_sigma))), [1, 1, channels, 1])

    def local_mean(x: Tensor) -> Tensor:
        batch = tuple(x.shape[:-3])
        y = depthwise_conv2d(S.reshape(x, [-1] + list(x.shape[-3:])), kernel, strides=[1, 1, 1, 1], padding="VALID")
        return S.reshape(y, list(batch) + list(y.shape[1:]))

    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    mean1, mean2 = local_mean(img1), local_mean(img2)
    num0 = mean1 * mean2 * 2.0
    den0 = E.square(mean1) + E.square(mean2)
    luminance = (num0 + c1) / (den0 + c1)
    num1 = local_mean(img1 * img2) * 2.0
    den1 = local_mean(E.square(img1) + E.square(img2))
    cs = (num1 - num0 + c2) / (den1 - den0 + c2)
    per_channel = luminance * cs if return_index_map else R.reduce_mean(luminance * cs, [-3, -2])
    return R.reduce_mean(per_channel, [-1])
