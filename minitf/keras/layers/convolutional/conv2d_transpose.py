"""Conv2DTranspose: the transpose (gradient) of Conv2D, used to upsample ("deconvolution").

Each input pixel spreads its channels, times the kernel, over a kh x kw block of the output,
the blocks ``strides`` apart; overlapping blocks add up. It is exactly the input-gradient of a
Conv2D whose *input* has this layer's output shape (``minitf.nn.conv2d_transpose``).

Shapes: x (batch, h, w, channels), kernel (kh, kw, filters, channels) (note the order: filters
before channels, as the transposed conv's kernel is the forward conv's), bias (filters,).
Output size per axis, for input n, kernel k, stride s, dilation d (span K = (k - 1) * d + 1)
and ``output_padding`` p (Keras's formula)::

    valid:  (n - 1) * s + K + p         p defaults to max(K, s) - K
    same:   n * s                        if p is None
            (n - 1) * s + K % 2 + p      otherwise
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras.layers.convolutional._conv_args import (check_rank, standardize_data_format, standardize_padding,
                                                          standardize_tuple)
from minitf.keras.layers.activations.activation import apply_activation
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.nn import conv as nn_conv
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S

__all__ = ["Conv2DTranspose", "Convolution2DTranspose"]


def transposed_length(n: int | None, k: int, padding: str, stride: int, output_padding: int | None,
                      dilation: int = 1) -> int | None:
    """Output size of a transposed convolution along one axis (see the module docstring)."""
    if n is None:
        return None
    span = (k - 1) * dilation + 1
    if padding == "valid":
        pad = max(span, stride) - span if output_padding is None else output_padding
        return (n - 1) * stride + span + pad
    if output_padding is None:
        return n * stride
    return (n - 1) * stride + span % 2 + output_padding


class Conv2DTranspose(Layer):
    """Transposed 2-D convolution layer (``keras.layers.Conv2DTranspose``).

    >>> Conv2DTranspose(4, 3, strides=2, padding="same")(tf.zeros((1, 7, 7, 8))).shape
    TensorShape([1, 14, 14, 4])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1),
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters <= 0:
            raise ValueError(f"Conv2DTranspose: invalid value for argument `filters`. Expected a strictly positive "
                             f"integer. Received filters={filters!r}.")
        self.filters = int(filters)
        self.kernel_size = standardize_tuple(kernel_size, 2, "kernel_size")
        self.strides = standardize_tuple(strides, 2, "strides")
        self.dilation_rate = standardize_tuple(dilation_rate, 2, "dilation_rate")
        self.padding = standardize_padding(padding)
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, 2, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for axis, (p, s) in enumerate(zip(self.output_padding, self.strides)):
                if p >= s:
                    raise ValueError(f"Conv2DTranspose: `output_padding` must be strictly less than `strides` for "
                                     f"all dimensions. At dimension {axis}, `output_padding` is {p} but `strides` "
                                     f"is {s}. Received: output_padding={self.output_padding}, strides={self.strides}")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(f"Conv2DTranspose: `strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                             f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}")
        self.data_format = standardize_data_format(data_format)
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

    def _spatial(self, shape: tuple) -> tuple:
        return tuple(shape[1:3]) if self.data_format == "channels_last" else tuple(shape[2:4])

    def _out_spatial(self, shape: tuple) -> tuple:
        pads = self.output_padding or (None, None)
        return tuple(transposed_length(n, k, self.padding, s, p, d) for n, k, s, p, d in
                     zip(self._spatial(shape), self.kernel_size, self.strides, pads, self.dilation_rate))

    def compute_output_shape(self, input_shape) -> tuple:
        input_shape = tuple(input_shape)
        check_rank(self, "Conv2DTranspose", input_shape, 2, self.data_format)
        out = self._out_spatial(input_shape)
        if self.data_format == "channels_last":
            return (input_shape[0],) + out + (self.filters,)
        return (input_shape[0], self.filters) + out

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        check_rank(self, "Conv2DTranspose", input_shape, 2, self.data_format)
        channels = input_shape[-1] if self.data_format == "channels_last" else input_shape[1]
        if channels is None:
            raise ValueError(f"Conv2DTranspose layer '{self.name}': the channel dimension of the input must be "
                             f"known to build the kernel; received input_shape={input_shape}")
        self.kernel = self.add_weight(name="kernel", shape=self.kernel_size + (self.filters, channels),
                                      initializer=self.kernel_initializer, regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(axes={-1 if self.data_format == "channels_last" else 1: channels})

    def call(self, inputs, training=None):
        shape = tuple(inputs.shape)
        check_rank(self, "Conv2DTranspose", shape, 2, self.data_format)
        if inputs._value.dtype.kind != "f":
            inputs = S.cast(inputs, self.kernel.dtype)
        out_h, out_w = self._out_spatial(shape)
        if self.data_format == "channels_last":
            output_shape, fmt = [shape[0], out_h, out_w, self.filters], "NHWC"
        else:
            output_shape, fmt = [shape[0], self.filters, out_h, out_w], "NCHW"
        outputs = nn_conv.conv2d_transpose(inputs, self.kernel, output_shape, strides=self.strides,
                                           padding=self.padding.upper(), data_format=fmt,
                                           dilations=self.dilation_rate)
        if self.use_bias:
            bias = self.bias if self.data_format == "channels_last" else S.reshape(self.bias, (1, self.filters, 1, 1))
            outputs = E.add(outputs, bias)
        return apply_activation(self.activation, outputs)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
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


Convolution2DTranspose = Conv2DTranspose
