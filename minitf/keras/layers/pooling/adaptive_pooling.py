"""Adaptive pooling: pool to a given output size, whatever the input size (Keras 3's
``AdaptiveAveragePooling1D/2D/3D`` and ``AdaptiveMaxPooling1D/2D/3D``; PyTorch's ``AdaptiveAvgPool2d``).

Along an axis of n cells pooled to m, output cell i covers the input cells

    start_i = floor(i * n / m)   up to   end_i = ceil((i + 1) * n / m)   (end not included)

so the windows cover every cell, neighbours may share one, and each window holds either
``small = ceil(n / m)`` or ``small + 1`` cells. Keras computes that with the ops it has (the
"two-pool gather", ``keras/src/backend/tensorflow/nn.py``), and so do we, axis after axis:

1. pool the axis with windows of ``small`` cells, stride 1 ("valid"): every possible window of
   that size; the same with ``small + 1`` cells (only when some window has that size);
2. join the two results along the axis and pick, for each output cell, the pooled window that
   starts at ``start_i`` and has its size (``gather``).

The gradient needs no code of its own: ``gather`` sends dy back to the window it picked (the
others get zeros), and the pooling's gradient sends it on to the window's cells (dy / size to
each for the average, all of it to the first largest cell for the max). Doing the axes one after
the other is the same windows as doing them at once (a mean of means over equal-sized parts is the
mean; a max of maxes is the max), with Keras's float32 rounding: the mean over rows first, then
over columns.
"""
from __future__ import annotations

from minitf.keras.layers.convolutional._conv_args import check_rank, standardize_data_format
from minitf.keras.layers.layer import Layer
from minitf.nn import pooling as nn_pooling
from minitf.ops import shape_ops as S

__all__ = ["AdaptiveAveragePooling1D", "AdaptiveAveragePooling2D", "AdaptiveAveragePooling3D",
           "AdaptiveMaxPooling1D", "AdaptiveMaxPooling2D", "AdaptiveMaxPooling3D"]


def adaptive_windows(n: int, m: int) -> tuple[int, list[int], list[int]]:
    """(small, the start of each of the m windows, the size of each) for n cells pooled to m."""
    starts = [min(i * n // m, n - 1) for i in range(m)]
    ends = [min(-(-(i + 1) * n // m), n) for i in range(m)]  # -(-a // b) is ceil(a / b) in integers
    return -(-n // m), starts, [end - start for start, end in zip(starts, ends)]


def adaptive_pool(x, output_size: tuple, pool_mode: str):
    """Pool x (batch, *spatial, channels) to (batch, *output_size, channels): see the module docstring."""
    pool = nn_pooling.max_pool if pool_mode == "max" else nn_pooling.avg_pool
    spatial = len(output_size)
    for axis, m in enumerate(output_size, start=1):
        small, starts, sizes = adaptive_windows(x.shape[axis], m)
        pooled, offsets = [], {}
        for size in sorted(set(sizes)):  # small, and small + 1 where some window has it
            window = [1] * (spatial + 2)
            window[axis] = size
            offsets[size] = sum(p.shape[axis] for p in pooled)
            pooled.append(pool(x, window, 1, "VALID"))
        joined = pooled[0] if len(pooled) == 1 else S.concat(pooled, axis=axis)
        x = S.gather(joined, [offsets[size] + start for start, size in zip(starts, sizes)], axis=axis)
    return x


class BaseAdaptivePooling(Layer):
    """Adaptive pooling over ``len(output_size)`` spatial axes with ``pool_mode`` "max" or "average"."""

    pool_mode = None  # set by subclasses
    _size_names = {1: "(length,)", 2: "(height, width)", 3: "(depth, height, width)"}

    def __init__(self, spatial: int, output_size, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            output_size = (output_size,) * spatial
        elif not (isinstance(output_size, (tuple, list)) and len(output_size) == spatial):
            raise TypeError(f"`output_size` must be an integer or {self._size_names[spatial]} tuple. "
                            f"Received: {output_size} of type {type(output_size)}")
        if not all(isinstance(m, int) and not isinstance(m, bool) and m >= 1 for m in output_size):
            raise ValueError(f"{type(self).__name__}: every `output_size` entry must be a positive integer. "
                             f"Received: output_size={output_size}")
        self.output_size = tuple(output_size)
        self.data_format = standardize_data_format(data_format)
        self._build_at_init()  # no weights

    def _spatial_axes(self) -> range:
        first = 1 if self.data_format == "channels_last" else 2
        return range(first, first + len(self.output_size))

    def call(self, inputs):
        kind = type(self).__name__
        spatial = len(self.output_size)
        check_rank(self, kind, tuple(inputs.shape), spatial, self.data_format)
        if any(inputs.shape[axis] is None for axis in self._spatial_axes()):
            raise ValueError(f"{kind}: input spatial dimensions must be statically known for adaptive pooling, "
                             f"got input shape {tuple(inputs.shape)}")
        last = spatial + 1
        if self.data_format == "channels_first":  # pool channels-last, as Keras does
            inputs = S.transpose(inputs, [0, *range(2, last + 1), 1])
        outputs = adaptive_pool(inputs, self.output_size, self.pool_mode)
        if self.data_format == "channels_first":
            outputs = S.transpose(outputs, [0, last, *range(1, last)])
        return outputs

    def compute_output_shape(self, input_shape) -> tuple:
        shape = tuple(input_shape)
        check_rank(self, type(self).__name__, shape, len(self.output_size), self.data_format)
        if self.data_format == "channels_last":
            return (shape[0], *self.output_size, shape[-1])
        return (shape[0], shape[1], *self.output_size)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Mean over adaptive windows: (batch, steps, channels) -> (batch, output_size, channels)."""

    pool_mode = "average"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(1, output_size, data_format=data_format, **kwargs)


class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Mean over adaptive windows: (batch, h, w, channels) -> (batch, *output_size, channels)."""

    pool_mode = "average"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(2, output_size, data_format=data_format, **kwargs)


class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Mean over adaptive windows: (batch, d, h, w, channels) -> (batch, *output_size, channels)."""

    pool_mode = "average"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(3, output_size, data_format=data_format, **kwargs)


class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Max over adaptive windows: (batch, steps, channels) -> (batch, output_size, channels)."""

    pool_mode = "max"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(1, output_size, data_format=data_format, **kwargs)


class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Max over adaptive windows: (batch, h, w, channels) -> (batch, *output_size, channels)."""

    pool_mode = "max"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(2, output_size, data_format=data_format, **kwargs)


class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Max over adaptive windows: (batch, d, h, w, channels) -> (batch, *output_size, channels)."""

    pool_mode = "max"

    def __init__(self, output_size, data_format: str | None = None, **kwargs):
        super().__init__(3, output_size, data_format=data_format, **kwargs)
