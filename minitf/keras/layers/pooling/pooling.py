"""Max and average pooling layers, 1-D and 2-D (``MaxPooling2D``, ``AveragePooling1D`` ...).

Each window of ``pool_size`` cells, moved by ``strides`` (default: ``pool_size``, so windows
tile the input without overlap), becomes one number per channel:

    max:      y = max over the window            (gradient: dy to the cell that won)
    average:  y = sum over the window / count    (gradient: dy / count to every cell)

Output size per axis (n cells, window k, stride s)::

    valid:  floor((n - k) / s) + 1        same:  ceil(n / s)

Under "same" the input is padded TF's way (the odd cell after); a padded cell never wins a max
and is not counted in an average (``count`` is the number of real cells in the window).
The work is ``minitf.nn.max_pool2d`` / ``avg_pool2d`` (strided window views, no copies).

Defaults follow Keras 3: ``MaxPooling2D()`` pools (2, 2), ``MaxPooling1D()`` pools 2;
``AveragePooling1D/2D`` require ``pool_size``.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional._conv_args import (check_rank, check_window_fits, output_length,
                                                          standardize_data_format, standardize_padding,
                                                          standardize_tuple)
from minitf.keras.layers.layer import Layer
from minitf.nn import pooling as nn_pooling

__all__ = ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
           "MaxPool1D", "MaxPool2D", "MaxPool3D", "AvgPool1D", "AvgPool2D", "AvgPool3D"]

_NN_FORMATS = {(1, "channels_last"): "NWC", (1, "channels_first"): "NCW",
               (2, "channels_last"): "NHWC", (2, "channels_first"): "NCHW",
               (3, "channels_last"): "NDHWC", (3, "channels_first"): "NCDHW"}


class BasePooling(Layer):
    """Pooling over ``pool_dimensions`` spatial axes with ``pool_mode`` "max" or "average"."""

    def __init__(self, pool_size: Any, strides: Any, pool_dimensions: int, pool_mode: str = "max",
                 padding: str = "valid", data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if pool_mode not in ("max", "average"):
            raise ValueError(f"`pool_mode` must be either 'max' or 'average'. Received: {pool_mode}.")
        self.pool_dimensions = pool_dimensions
        self.pool_size = standardize_tuple(pool_size, pool_dimensions, "pool_size")
        self.strides = standardize_tuple(pool_size if strides is None else strides, pool_dimensions, "strides")
        self.pool_mode = pool_mode
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)
        self._build_at_init()  # no weights: built from the start (the shape is checked at each call)

    def _check_input_shape(self, shape: tuple) -> None:
        kind = type(self).__name__
        check_rank(self, kind, shape, self.pool_dimensions, self.data_format)
        check_window_fits(self, kind, shape, self.pool_size, (1,) * self.pool_dimensions, self.padding,
                          self.data_format, what="pool window")

    def call(self, inputs):
        self._check_input_shape(tuple(inputs.shape))
        pool = nn_pooling.max_pool if self.pool_mode == "max" else nn_pooling.avg_pool
        return pool(inputs, ksize=self.pool_size, strides=self.strides, padding=self.padding.upper(),
                    data_format=_NN_FORMATS[(self.pool_dimensions, self.data_format)])

    def compute_output_shape(self, input_shape) -> tuple:
        shape = tuple(input_shape)
        self._check_input_shape(shape)
        spatial = shape[1:-1] if self.data_format == "channels_last" else shape[2:]
        out = tuple(output_length(n, k, self.padding, s) for n, k, s in zip(spatial, self.pool_size, self.strides))
        if self.data_format == "channels_last":
            return (shape[0],) + out + (shape[-1],)
        return (shape[0], shape[1]) + out

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding, "strides": self.strides,
                       "data_format": self.data_format})
        return config


class MaxPooling1D(BasePooling):
    """Max over windows of ``pool_size`` steps: (batch, steps, channels) -> (batch, out_steps, channels)."""

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, 1, "max", padding, data_format, name=name, **kwargs)


class MaxPooling2D(BasePooling):
    """Max over ``pool_size`` windows: (batch, h, w, channels) -> (batch, out_h, out_w, channels).

    >>> MaxPooling2D()(tf.zeros((1, 28, 28, 32))).shape     # pool (2, 2), strides (2, 2)
    TensorShape([1, 14, 14, 32])
    """

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, 2, "max", padding, data_format, name=name, **kwargs)


class AveragePooling1D(BasePooling):
    """Mean over windows of ``pool_size`` steps (padded cells not counted under "same")."""

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, 1, "average", padding, data_format, name=name, **kwargs)


class AveragePooling2D(BasePooling):
    """Mean over ``pool_size`` windows (padded cells not counted under "same")."""

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, 2, "average", padding, data_format, name=name, **kwargs)


class MaxPooling3D(BasePooling):
    """Max over ``pool_size`` windows of volumes: (batch, d, h, w, channels) -> (batch, out_d, out_h, out_w, channels)."""

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, 3, "max", padding, data_format, name=name, **kwargs)


class AveragePooling3D(BasePooling):
    """Mean over ``pool_size`` windows of volumes (padded cells not counted under "same")."""

    def __init__(self, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, name: str | None = None, **kwargs):
        super().__init__(pool_size, strides, 3, "average", padding, data_format, name=name, **kwargs)


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
