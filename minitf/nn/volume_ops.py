"""3-D convolution and pooling (``tf.nn.conv3d``, ``max_pool3d``, ``avg_pool3d``), for volumes and
video: x (batch, depth, height, width, channels), kernel (kd, kh, kw, channels, filters).

A 3-D window is a stack of kd 2-D windows, one per depth tap, so each op is its 2-D counterpart
applied to the depth slices that tap reads, combined over the taps:

    conv3d(x, k)[n, t]   = sum_i  conv2d(x[n, s_d t + i], k[i])              (over the kd taps i)
    max_pool3d(x)[n, t]  = max_i  max_pool2d(x[n, s_d t + i])
    avg_pool3d(x)[n, t]  = mean over the taps i inside the volume of avg_pool2d(x[n, s_d t + i])

(the depth positions after "SAME" padding: padded slices are zeros for the convolution, and are
left out of the pools). ``conv3d_transpose`` (the input gradient of conv3d) runs the same taps
backwards: tap i's 2-D transposed convolution lands on depth slices i, i + s_d, ... of the padded
output, and the taps add up there. All are minitf ops (slices, reshapes, the 2-D kernels, sums), so their
gradients come from the 2-D ones. As TF's CPU kernels: NDHWC only, no dilation, and the pools
refuse float16 (TF's CPU has no half kernel for them). minitf also pools float64, which TF does not.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf.errors import InvalidArgumentError, NotFoundError
from minitf.nn import conv as nn_conv
from minitf.nn import pooling as nn_pooling
from minitf.ops.creation import zeros_like
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["conv3d", "conv3d_transpose", "max_pool3d", "avg_pool3d"]


def _five(op: str, what: str, value) -> tuple[int, int, int]:
    """(depth, height, width) from an int, 3 numbers or TF's [1, d, h, w, 1]."""
    values = [int(v) for v in np.asarray(value).reshape(-1)]
    if len(values) == 1:
        values = values * 3
    elif len(values) == 5:
        if values[0] != 1 or values[4] != 1:
            raise InvalidArgumentError(f"{op}: Current implementation does not yet support {what} in the batch "
                                       f"and depth dimensions, got {values}", op)
        values = values[1:4]
    if len(values) != 3:
        raise InvalidArgumentError(f"{op}: {what} must be an int, 3 or 5 numbers, got {value}", op)
    return tuple(values)


def _check(op: str, x: Tensor, data_format: str) -> None:
    if data_format != "NDHWC":
        raise InvalidArgumentError(f"{op}: the CPU implementation only supports NDHWC (as TF's), got "
                                   f"data_format={data_format!r}", op)
    if x.ndim != 5:
        raise InvalidArgumentError(f"{op}: input must be 5-dimensional (batch, depth, height, width, channels), "
                                   f"got shape {list(x.shape)}", op)


def _depth_taps(depth: int, k: int, s: int, padding: str) -> tuple[int, int, int]:
    """(output depth, zeros before, zeros after) along depth: TF's rule for "VALID" and "SAME"."""
    if padding == "VALID":
        out = max(0, (depth - k) // s + 1) if depth >= k else 0
        return out, 0, 0
    out = math.ceil(depth / s)
    total = max((out - 1) * s + k - depth, 0)
    return out, total // 2, total - total // 2


def _tap(x: Tensor, i: int, out: int, s: int) -> Tensor:
    """The depth slices tap i reads, x[:, i], x[:, i + s], ..., folded into the batch: (N * out, H, W, C)."""
    taps = x[:, i:i + (out - 1) * s + 1:s]
    return S.reshape(taps, [-1] + list(x.shape[2:]))


def _unfold(y: Tensor, batch: int, out: int) -> Tensor:
    return S.reshape(y, [batch, out] + list(y.shape[1:]))


def _pad_depth(x: Tensor, before: int, after: int, value: float = 0.0) -> Tensor:
    if before == after == 0:
        return x
    return S.pad(x, [[0, 0], [before, after], [0, 0], [0, 0], [0, 0]], constant_values=value)


def conv3d(input: Any, filters: Any, strides, padding: str, data_format: str = "NDHWC",  # noqa: A002 (TF's names)
           dilations=None, name=None) -> Tensor:
    """Cross-correlation of volumes with a (kd, kh, kw, channels, filters) kernel; see the module docstring."""
    x, kernel = nn_conv._float_pair("Conv3D", input, filters)
    if x.ndim > 5 and data_format == "NDHWC":  # extra leading batch axes, folded into one (as TF's conv3d)
        y = conv3d(nn_conv._fold_batch_axes("Conv3D", x, 4), kernel, strides, padding, data_format, dilations)
        return nn_conv._unfold_batch_axes(y, x, 4)
    _check("Conv3D", x, data_format)
    if kernel.ndim == 5 and 0 in kernel.shape:
        raise InvalidArgumentError(f"Conv3D: filter must not have zero elements, got shape {list(kernel.shape)}",
                                   "Conv3D")
    if kernel.ndim != 5 or kernel.shape[3] != x.shape[4]:
        raise InvalidArgumentError(f"Conv3D: filter of shape {list(kernel.shape)} does not fit input of shape "
                                   f"{list(x.shape)}: expected [kd, kh, kw, {x.shape[4]}, filters]", "Conv3D")
    sd, sh, sw = _five("Conv3D", "strides", strides)
    if dilations is not None and max(_five("Conv3D", "dilations", dilations)) > 1:
        raise InvalidArgumentError("Conv3D: CPU implementation of Conv3D currently only supports dilated rates of 1",
                                   "Conv3D")
    kd = kernel.shape[0]
    out, before, after = _depth_taps(x.shape[1], kd, sd, padding)
    if out == 0:
        raise InvalidArgumentError(f"Conv3D: the kernel's depth {kd} exceeds the input's {x.shape[1]} ('VALID')",
                                   "Conv3D")
    x = _pad_depth(x, before, after)
    total = None
    for i in range(kd):
        y = _unfold(nn_conv.conv2d(_tap(x, i, out, sd), kernel[i], strides=[1, sh, sw, 1], padding=padding),
                    x.shape[0], out)
        total = y if total is None else total + y
    return total


def conv3d_transpose(input: Any, filters: Any, output_shape, strides, padding: str = "SAME",  # noqa: A002
                     data_format: str = "NDHWC", dilations=None, name=None) -> Tensor:
    """The transpose (input gradient) of conv3d (``tf.nn.conv3d_transpose``): input (N, OD, OH, OW, F) with
    filters (kd, kh, kw, C, F) -> ``output_shape`` (N, D, H, W, C), conv3d's taps run backwards::

        y_pad[n, s_d t + i] += conv2d_transpose(input[n, t], filters[i])      (every tap i, every t)

    then the depth padding of "SAME" is cut off. Each step is a minitf op, so the gradients (with
    respect to the input: conv3d; to the filters: conv3d's filter gradient) come from theirs."""
    op = "Conv3DBackpropInputV2"
    dy, kernel = nn_conv._float_pair(op, input, filters)
    _check(op, dy, data_format)
    out = nn_conv._output_shape(op, output_shape, 5)
    if kernel.ndim != 5 or out[0] != dy.shape[0] or out[4] != kernel.shape[3] or dy.shape[4] != kernel.shape[4]:
        raise InvalidArgumentError(f"{op}: shapes do not fit: input {list(dy.shape)}, filters {list(kernel.shape)} = "
                                   f"(kd, kh, kw, out_channels, in_channels), output_shape {out}; expected the "
                                   "input's batch, output channels == filters[3] and input channels == filters[4]", op)
    sd, sh, sw = _five(op, "strides", strides)
    if dilations is not None and max(_five(op, "dilations", dilations)) > 1:
        raise InvalidArgumentError(f"{op}: CPU implementation of Conv3DBackpropInputV2 currently only supports "
                                   "dilated rates of 1", op)
    kd = kernel.shape[0]
    depth, before, after = _depth_taps(out[1], kd, sd, padding)
    if depth != dy.shape[1]:
        raise InvalidArgumentError(f"{op}: input depth {dy.shape[1]} does not match output_shape {out}: a conv3d of "
                                   f"depth {out[1]} with kernel depth {kd}, stride {sd} and padding {padding} gives "
                                   f"{depth}", op)
    padded = out[1] + before + after
    spread = (depth - 1) * sd + 1  # the padded slices one tap reaches: i, i + s_d, ..., i + (depth - 1) s_d
    total = None
    for i in range(kd):
        slices = nn_conv.conv2d_transpose(S.reshape(dy, [-1] + list(dy.shape[2:])), kernel[i],
                                          [out[0] * depth] + out[2:], strides=[1, sh, sw, 1], padding=padding)
        slices = _unfold(slices, out[0], depth)
        if sd > 1:  # s_d - 1 zero slices after each, the last ones dropped: the slices s_d apart
            zeros = zeros_like(slices)
            slices = S.reshape(S.stack([slices] + [zeros] * (sd - 1), axis=2),
                               [out[0], depth * sd] + out[2:])[:, :spread]
        term = _pad_depth(slices, i, padded - i - spread)
        total = term if total is None else total + term
    return total[:, before:before + out[1]]


def _pool3d(op: str, x: Any, ksize, strides, padding: str, data_format: str, pool2d, combine) -> Tensor:
    x = E.float_operand(op, x)
    _check(op, x, data_format)
    if x.dtype.name == "float16":  # as TF: the op takes half, but no CPU kernel computes it
        raise NotFoundError(f"{op}: no CPU kernel for float16 (half) volumes (TF's has float32 and bfloat16); cast "
                            "to float32 first", op)
    kd, kh, kw = _five(op, "ksize", ksize)
    sd, sh, sw = _five(op, "strides", strides)
    out, before, after = _depth_taps(x.shape[1], kd, sd, padding)
    if out == 0:
        raise InvalidArgumentError(f"{op}: the window's depth {kd} exceeds the input's {x.shape[1]} ('VALID')", op)
    pooled = []
    padded = _pad_depth(x, before, after)
    for i in range(kd):
        pooled.append(_unfold(pool2d(_tap(padded, i, out, sd), [1, kh, kw, 1], [1, sh, sw, 1], padding),
                              x.shape[0], out))
    # which taps of each output position fall inside the volume (not in the padding)
    starts = np.arange(out) * sd - before
    inside = np.array([(starts + i >= 0) & (starts + i < x.shape[1]) for i in range(kd)])  # (kd, out)
    return combine(pooled, inside)



def max_pool3d(input: Any, ksize, strides, padding: str, data_format: str = "NDHWC", name=None) -> Tensor:  # noqa: A002
    """The max over each (kd, kh, kw) window; see the module docstring."""
    def combine(pooled, inside):
        best = None
        for tap, valid in zip(pooled, inside):
            if not valid.all():  # a padded slice is never the max: where it is padding, keep the others' max
                dtype = np.dtype(tap.dtype.as_numpy_dtype)
                lowest = convert_to_tensor(np.array(nn_pooling._lowest(dtype), dtype))
                tap = E.where(convert_to_tensor(valid.reshape(1, -1, 1, 1, 1)), tap, lowest)
            best = tap if best is None else E.maximum(best, tap)
        return best
    return _pool3d("MaxPool3D", input, ksize, strides, padding, data_format, nn_pooling.max_pool2d, combine)


def avg_pool3d(input: Any, ksize, strides, padding: str, data_format: str = "NDHWC", name=None) -> Tensor:  # noqa: A002
    """The mean over each (kd, kh, kw) window (padded cells not counted); see the module docstring."""
    def combine(pooled, inside):
        total = None
        for tap, valid in zip(pooled, inside):
            term = tap if valid.all() else tap * convert_to_tensor(valid.reshape(1, -1, 1, 1, 1).astype(
                tap.dtype.as_numpy_dtype))
            total = term if total is None else total + term
        counts = inside.sum(axis=0).reshape(1, -1, 1, 1, 1).astype(pooled[0].dtype.as_numpy_dtype)
        return total / convert_to_tensor(counts)
    return _pool3d("AvgPool3D", input, ksize, strides, padding, data_format, nn_pooling.avg_pool2d, combine)
