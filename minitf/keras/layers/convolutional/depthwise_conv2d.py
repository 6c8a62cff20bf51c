"""DepthwiseConv2D: each image channel convolved with its own kernels, ``y = activation(depthwise(x) + bias)``.

    y[n, i, j, c*M + m] = bias[c*M + m] + sum_{a, b} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * kernel[a, b, c, m]

x (batch, height, width, C) -> y (batch, out_height, out_width, C * depth_multiplier); kernel
(kh, kw, C, depth_multiplier). See ``base_depthwise_conv.py`` for the shapes and
``minitf/nn/depthwise_conv.py`` for the kernels and the gradients.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv

__all__ = ["DepthwiseConv2D"]


class DepthwiseConv2D(BaseDepthwiseConv):
    """2-D depthwise convolution layer (``keras.layers.DepthwiseConv2D``), MobileNet's spatial step.

    >>> DepthwiseConv2D(3, depth_multiplier=2, padding="same")(tf.zeros((4, 8, 8, 3))).shape
    TensorShape([4, 8, 8, 6])
    """

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = (1, 1), activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        super().__init__(2, depth_multiplier, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
