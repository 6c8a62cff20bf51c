"""BaseDepthwiseConv: what DepthwiseConv1D and DepthwiseConv2D share (Keras 3's base_depthwise_conv.py).

    y = activation(depthwise_conv(x, kernel) + bias)

Each input channel c is convolved with its own ``depth_multiplier`` = M kernels and the channels
are never mixed (``minitf/nn/depthwise_conv.py`` has the formula and the gradients)::

    y[n, i, j, c*M + m] = bias[c*M + m] + sum_{a, b} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * kernel[a, b, c, m]

Shapes (channels_last): x (batch, *spatial, C), kernel (*kernel_size, C, M), bias (C*M,),
y (batch, *out_spatial, C*M); out_spatial as for Conv (``_conv_args.output_length``).
The 1-D layer is the 2-D one with height 1 (as Keras computes it). Strides > 1 together with
dilations > 1 are allowed, as in Keras 3: the result is the dilated convolution's every s-th
output. channels_first inputs are transposed to channels_last and back (Keras does the same on
CPU, where TF's depthwise kernel takes channels_last only).

Weights (``get_weights()`` order): ``[kernel, bias]``, named "kernel" and "bias" as in Keras 3;
initializers glorot_uniform (fan_in = prod(kernel_size) * C, fan_out = prod(kernel_size) * M) and zeros.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras.layers.activations.activation import apply_activation
from minitf.keras.layers.convolutional._conv_args import (output_length, standardize_data_format,
                                                          standardize_padding, standardize_tuple)
from minitf.keras.layers.convolutional.base_conv import WindowShapes
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.nn.depthwise_conv import depthwise_nhwc
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S

__all__: list = []


def check_positive(kind: str, name: str, value: Any) -> int:
    """Keras's check of ``depth_multiplier`` and ``filters``: a strictly positive integer."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{kind}: invalid value for argument `{name}`. Expected a strictly positive value. "
                         f"Received {name}={value!r}.")
    return int(value)


class DepthwiseGeometry(WindowShapes):
    """The arguments, shape rules and the depthwise step that the depthwise and separable layers share."""

    def _set_window_args(self, rank: int, depth_multiplier: Any, kernel_size: Any, strides: Any, padding: str,
                         data_format: str | None, dilation_rate: Any) -> None:
        kind = type(self).__name__
        self.rank = rank
        self.depth_multiplier = check_positive(kind, "depth_multiplier", depth_multiplier)
        self.kernel_size = standardize_tuple(kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(strides, rank, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.data_format = standardize_data_format(data_format)

    def _known_channels(self, shape: tuple) -> int:
        channels = self._channels(shape)
        if channels is None:
            raise ValueError(f"{type(self).__name__} layer '{self.name}': the channel dimension of the input must "
                             f"be known to build the kernel; received input_shape={shape}")
        return int(channels)

    def _output_shape(self, input_shape, out_channels) -> tuple:
        input_shape = tuple(input_shape)
        self._check_input_shape(input_shape)
        out = tuple(output_length(n, k, self.padding, s, d) for n, k, s, d in
                    zip(self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate))
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (out_channels,)
        return (input_shape[0], out_channels) + out

    def _to_nhwc(self, x):
        """channels_first -> channels_last; a 1-D input gets height 1: (batch, 1, steps, channels)."""
        if self.data_format == "channels_first":
            x = S.transpose(x, [0] + list(range(2, self.rank + 2)) + [1])
        return S.expand_dims(x, 1) if self.rank == 1 else x

    def _from_nhwc(self, y):
        if self.rank == 1:
            y = S.squeeze(y, axis=1)
        if self.data_format == "channels_first":
            y = S.transpose(y, [0, self.rank + 1] + list(range(1, self.rank + 1)))
        return y

    def _as_2d(self, values: tuple, fill: int) -> tuple:
        return (fill,) + values if self.rank == 1 else values

    def _depthwise(self, x, kernel):
        """The depthwise convolution of a channels_last 4-D input (height 1 for the 1-D layers)."""
        if self.rank == 1:
            kernel = S.expand_dims(kernel, 0)
        return depthwise_nhwc(type(self).__name__, x, kernel, self._as_2d(self.strides, 1),
                              self._as_2d(self.dilation_rate, 1), self.padding.upper())

    def _add_bias_and_activate(self, outputs, bias):
        if bias is not None:
            if self.data_format == "channels_first":
                bias = S.reshape(bias, (1, bias.shape[0]) + (1,) * self.rank)
            outputs = E.add(outputs, bias)
        return apply_activation(self.activation, outputs)

    def _cast_inputs(self, inputs, kernel):
        self._check_input_shape(tuple(inputs.shape))
        if inputs._value.dtype.kind != "f":  # integer inputs (uint8 pixels) computed in the kernel's dtype
            inputs = S.cast(inputs, kernel.dtype)
        return inputs


class BaseDepthwiseConv(DepthwiseGeometry, Layer):
    """N-D depthwise convolution layer (N = ``rank``, 1 or 2); see the module docstring."""

    def __init__(self, rank: int, depth_multiplier: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_window_args(rank, depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def compute_output_shape(self, input_shape) -> tuple:
        channels = self._channels(tuple(input_shape))
        return self._output_shape(input_shape, None if channels is None else channels * self.depth_multiplier)

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        self._check_input_shape(input_shape)
        channels = self._known_channels(input_shape)
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
                                      initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
                                      constraint=self.depthwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(channels * self.depth_multiplier,),
                                        initializer=self.bias_initializer, regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(axes={-1 if self.data_format == "channels_last" else 1: channels})

    def call(self, inputs, training=None):
        x = self._to_nhwc(self._cast_inputs(inputs, self.kernel))
        outputs = self._from_nhwc(self._depthwise(x, self.kernel))
        return self._add_bias_and_activate(outputs, self.bias if self.use_bias else None)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": serialize_keras_object(self.depthwise_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "depthwise_constraint": serialize_keras_object(self.depthwise_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
        })
        return config
