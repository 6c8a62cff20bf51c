"""BaseSeparableConv: what SeparableConv1D and SeparableConv2D share (Keras 3's base_separable_conv.py).

    y = activation(pointwise(depthwise(x)) + bias)

A depthwise convolution (each of the C channels with its own M = ``depth_multiplier`` kernels,
``base_depthwise_conv.py``) and then a 1x1 convolution mixing the C*M channels into ``filters``::

    d[n, i, j, c*M + m] = sum_{a, b} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * depthwise_kernel[a, b, c, m]
    y[n, i, j, f] = bias[f] + sum_k d[n, i, j, k] * pointwise_kernel[0, 0, k, f]

KH*KW*C*M + C*M*F weights where a Conv2D has KH*KW*C*F (MobileNet's and Xception's saving).
Strides and dilations belong to the depthwise step; the pointwise step is a 1x1 VALID conv2d.

Weights (``get_weights()`` order): ``[depthwise_kernel (*kernel_size, C, M), pointwise_kernel
(*(1,) * rank, C*M, filters), bias (filters,)]``, named as in Keras 3; initializers glorot_uniform,
glorot_uniform and zeros.
"""
from __future__ import annotations

from typing import Any

from minitf.keras import activations, constraints, initializers, regularizers
from minitf.keras.layers.convolutional.base_depthwise_conv import DepthwiseGeometry, check_positive
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.nn.conv import conv2d
from minitf.ops import shape_ops as S

__all__: list = []


class BaseSeparableConv(DepthwiseGeometry, Layer):
    """N-D separable convolution layer (N = ``rank``, 1 or 2); see the module docstring."""

    def __init__(self, rank: int, depth_multiplier: int, filters: int, kernel_size: Any, strides: Any = 1,
                 padding: str = "valid", data_format: str | None = None, dilation_rate: Any = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_window_args(rank, depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate)
        self.filters = check_positive(type(self).__name__, "filters", filters)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.depthwise_kernel = self.pointwise_kernel = self.bias = None

    def compute_output_shape(self, input_shape) -> tuple:
        return self._output_shape(input_shape, self.filters)

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        self._check_input_shape(input_shape)
        channels = self._known_channels(input_shape)
        self.depthwise_kernel = self.add_weight(
            name="depthwise_kernel", shape=self.kernel_size + (channels, self.depth_multiplier),
            initializer=self.depthwise_initializer, regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint)
        self.pointwise_kernel = self.add_weight(
            name="pointwise_kernel", shape=(1,) * self.rank + (channels * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer, regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint)
        if self.use_bias:
            self.bias = self.add_weight(name="bias", shape=(self.filters,), initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer, constraint=self.bias_constraint)
        self.input_spec = InputSpec(axes={-1 if self.data_format == "channels_last" else 1: channels})

    def call(self, inputs, training=None):
        x = self._to_nhwc(self._cast_inputs(inputs, self.depthwise_kernel))
        pointwise = self.pointwise_kernel
        if self.rank == 1:
            pointwise = S.expand_dims(pointwise, 0)
        outputs = conv2d(self._depthwise(x, self.depthwise_kernel), pointwise, [1, 1, 1, 1], "VALID")
        return self._add_bias_and_activate(self._from_nhwc(outputs), self.bias if self.use_bias else None)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": serialize_keras_object(self.depthwise_regularizer),
            "pointwise_regularizer": serialize_keras_object(self.pointwise_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "depthwise_constraint": serialize_keras_object(self.depthwise_constraint),
            "pointwise_constraint": serialize_keras_object(self.pointwise_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
        })
        return config
