"""Global pooling: one number per channel from the whole spatial extent.

    GlobalAveragePooling2D:  y[n, c] = mean over (i, j) of x[n, i, j, c]     (batch, h, w, c) -> (batch, c)
    GlobalMaxPooling2D:      y[n, c] = max  over (i, j) of x[n, i, j, c]
    ...1D: the same over the steps axis of (batch, steps, c).

``keepdims=True`` keeps the pooled axes as size 1: (batch, 1, 1, c). Gradients (from the
reduce ops): the average sends dy / (h * w) to every cell; the max sends dy to the maximum
(shared equally between tied maxima, as TF's reduce_max gradient does).

GlobalAveragePooling1D takes a ``mask`` (batch, steps) (e.g. from ``Embedding(mask_zero=True)``):
masked steps are left out of the mean, sum(x * mask) / sum(mask).
"""
from __future__ import annotations

from minitf.keras.layers.convolutional._conv_args import check_rank, standardize_data_format
from minitf.keras.layers.layer import Layer
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S

__all__ = ["GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling1D",
           "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
           "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D"]


class BaseGlobalPooling(Layer):
    """Reduce over all spatial axes (``pool_dimensions`` of them) with ``reduce``."""

    _reduce = None  # set by subclasses: R.reduce_mean or R.reduce_max

    def __init__(self, pool_dimensions: int, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.pool_dimensions = pool_dimensions
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self._build_at_init()  # no weights: built from the start (the rank is checked at each call)

    def _axes(self) -> tuple:
        first = 1 if self.data_format == "channels_last" else 2
        return tuple(range(first, first + self.pool_dimensions))

    def call(self, inputs):
        check_rank(self, type(self).__name__, tuple(inputs.shape), self.pool_dimensions, self.data_format)
        return type(self)._reduce(inputs, axis=self._axes(), keepdims=self.keepdims)

    def compute_output_shape(self, input_shape) -> tuple:
        shape = tuple(input_shape)
        check_rank(self, type(self).__name__, shape, self.pool_dimensions, self.data_format)
        if self.keepdims:
            return tuple(1 if i in self._axes() else d for i, d in enumerate(shape))
        return tuple(d for i, d in enumerate(shape) if i not in self._axes())

    def compute_mask(self, inputs, previous_mask):
        return None  # the steps are gone, and their mask with them

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling1D(BaseGlobalPooling):
    """Mean over the steps axis: (batch, steps, channels) -> (batch, channels); honours a mask."""

    _reduce = staticmethod(R.reduce_mean)

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        check_rank(self, "GlobalAveragePooling1D", tuple(inputs.shape), 1, self.data_format)
        steps_axis = 1 if self.data_format == "channels_last" else 2
        weights = S.cast(S.expand_dims(mask, 2 if self.data_format == "channels_last" else 1), inputs.dtype)
        total = R.reduce_sum(inputs * weights, axis=steps_axis, keepdims=self.keepdims)
        return total / R.reduce_sum(weights, axis=steps_axis, keepdims=self.keepdims)


class GlobalAveragePooling2D(BaseGlobalPooling):
    """Mean over height and width: (batch, h, w, channels) -> (batch, channels)."""

    _reduce = staticmethod(R.reduce_mean)

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling1D(BaseGlobalPooling):
    """Max over the steps axis: (batch, steps, channels) -> (batch, channels)."""

    _reduce = staticmethod(R.reduce_max)

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(1, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling2D(BaseGlobalPooling):
    """Max over height and width: (batch, h, w, channels) -> (batch, channels)."""

    _reduce = staticmethod(R.reduce_max)

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(2, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalAveragePooling3D(BaseGlobalPooling):
    """Mean over depth, height and width: (batch, d, h, w, channels) -> (batch, channels)."""

    _reduce = staticmethod(R.reduce_mean)

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


class GlobalMaxPooling3D(BaseGlobalPooling):
    """Max over depth, height and width: (batch, d, h, w, channels) -> (batch, channels)."""

    _reduce = staticmethod(R.reduce_max)

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(3, data_format=data_format, keepdims=keepdims, **kwargs)


GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
