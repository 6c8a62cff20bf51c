"""DepthwiseConv1D: each sequence channel convolved with its own kernels, ``y = activation(depthwise(x) + bias)``.

    y[n, t, c*M + m] = bias[c*M + m] + sum_a x_pad[n, s*t + d*a, c] * kernel[a, c, m]

x (batch, steps, C) -> y (batch, out_steps, C * depth_multiplier); kernel (k, C, depth_multiplier).
Computed as Keras does: DepthwiseConv2D of (batch, 1, steps, C) with a (1, k, C, M) kernel.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_depthwise_conv import BaseDepthwiseConv

__all__ = ["DepthwiseConv1D"]


class DepthwiseConv1D(BaseDepthwiseConv):
    """1-D depthwise convolution layer (``keras.layers.DepthwiseConv1D``).

    >>> DepthwiseConv1D(3, depth_multiplier=2)(tf.zeros((4, 10, 3))).shape
    TensorShape([4, 8, 6])
    """

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = 1, activation: Any = None,
                 use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        super().__init__(1, depth_multiplier, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         depthwise_initializer=depthwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, depthwise_constraint=depthwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)
