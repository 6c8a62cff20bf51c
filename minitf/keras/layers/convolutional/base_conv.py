"""BaseConv: what Conv1D, Conv2D and Conv2DTranspose share (arguments, weights, bias, activation, config).

    y = activation(conv(x, kernel) + bias)

Shapes (channels_last): x (batch, *spatial, in_channels), kernel (*kernel_size, in_channels,
filters), bias (filters,), y (batch, *out_spatial, filters) with, per spatial axis of size n,

    valid:          out = floor((n - (k - 1) * d - 1) / s) + 1
    same, causal:   out = ceil(n / s)

"same" pads TF's way: total = max((out - 1) * s + (k - 1) * d + 1 - n, 0) cells, floor(total / 2)
before and the rest (the odd cell) after. The convolution itself is ``minitf.nn.conv2d`` /
``conv1d`` (im2col + one matrix product), whose gradients give dx and dkernel; dbias is dy summed
over every axis but the last.

Weights (``get_weights()`` order): ``[kernel, bias]``; initializers glorot_uniform and zeros,
with fan_in = prod(kernel_size) * in_channels and fan_out = prod(kernel_size) * filters.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras.layers.convolutional._conv_args import (check_rank, check_window_fits, output_length,
                                                          standardize_data_format, standardize_padding,
                                                          standardize_tuple)
from minitf.keras.layers.activations.activation import apply_activation
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S

__all__: list = []


class WindowShapes:
    """Where a windowed layer's input keeps its spatial axes and channels (by ``data_format``), and the
    check that its ``kernel_size``/``dilation_rate`` window fits: shared by the convolutions of every kind."""

    def _spatial(self, shape: tuple) -> tuple:
        return tuple(shape[1:-1]) if self.data_format == "channels_last" else tuple(shape[2:])

    def _channels(self, shape: tuple):
        return shape[-1] if self.data_format == "channels_last" else shape[1]

    def _check_input_shape(self, shape: tuple) -> None:
        kind = type(self).__name__
        check_rank(self, kind, shape, self.rank, self.data_format)
        check_window_fits(self, kind, shape, self.kernel_size, self.dilation_rate, self.padding, self.data_format)


class BaseConv(WindowShapes, Layer):
    """N-D convolution layer (N = ``rank``, 1 or 2); see the module docstring. A transposed
    convolution changes ``_out_spatial``, ``_kernel_shape``, ``_check_input_shape`` and ``convolution_op``."""

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        kind = type(self).__name__
        self.rank = rank
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"{kind}: invalid value for argument `filters`. Expected a strictly positive "
                             f"integer. Received filters={filters!r}.")
        if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups <= 0:
            raise ValueError(f"{kind}: the number of groups must be a positive integer. Received: groups={groups!r}.")
        if groups != 1:
            raise NotImplementedError(f"{kind}: minitf implements groups=1 only (a standard convolution); "
                                      f"received groups={groups}.")
        self.filters = int(filters)
        self.groups = int(groups)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding, allow_causal=rank == 1)
        self.data_format = standardize_data_format(data_format)
        if self.padding == "causal" and self.data_format != "channels_last":
            raise ValueError(f"{kind}: padding='causal' needs data_format='channels_last' in minitf.")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"{kind}: `strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    # --- shapes (the input's: ``WindowShapes``) ------------------------------------------
    def _out_spatial(self, shape: tuple) -> tuple:
        return tuple(output_length(n, k, self.padding, s, d) for n, k, s, d in
                     zip(self._spatial(shape), self.kernel_size, self.strides, self.dilation_rate))

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        self._check_input_shape(input_shape)
        out = self._out_spatial(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    # --- weights --------------------------------------------------------------------------
    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        self._check_input_shape(input_shape)
        channels = self._channels(input_shape)
        if channels is None:
            raise ValueError(f"{type(self).__name__} layer '{self.name}': the channel dimension of the input must "
                             f"be known to build the kernel; received input_shape={input_shape}")
        self.kernel = self.add_weight(name="kernel", shape=self._kernel_shape(channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        channel_axis = -1 if self.data_format == "channels_last" else 1
        self.input_spec = InputSpec(axes={channel_axis: channels})

    def _kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (channels, self.filters)

    # --- forward ------------------------------------------------------------------------------
    def convolution_op(self, inputs, kernel):
        """The bare convolution (no bias, no activation); Conv1D and Conv2D say which one."""
        raise NotImplementedError

    def call(self, inputs, training=None):
        self._check_input_shape(tuple(inputs.shape))
        if inputs._value.dtype.kind != "f":  # Keras promotes integer inputs (e.g. uint8 pixels)
            inputs = S.cast(inputs, self.kernel.dtype)
        outputs = self.convolution_op(inputs, self.kernel)
        if self.use_bias:
            bias = self.bias
            if self.data_format == "channels_first":
                bias = S.reshape(bias, (1, self.filters) + (1,) * self.rank)
            outputs = E.add(outputs, bias)
        return apply_activation(self.activation, outputs)

    # --- config --------------------------------------------------------------------------------
    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "groups": self.groups,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
        })
        return config
