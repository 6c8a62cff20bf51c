"""SeparableConv2D: a depthwise convolution, then a 1x1 convolution mixing the channels.

    d = depthwise_conv2d(x, depthwise_kernel)           (batch, oh, ow, C*M)
    y = activation(conv2d_1x1(d, pointwise_kernel) + bias)   (batch, oh, ow, filters)

depthwise_kernel (kh, kw, C, M), pointwise_kernel (1, 1, C*M, filters). See
``base_separable_conv.py`` for the formula and ``minitf/nn/depthwise_conv.py`` for the kernels.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_separable_conv import BaseSeparableConv

__all__ = ["SeparableConv2D", "SeparableConvolution2D"]


class SeparableConv2D(BaseSeparableConv):
    """2-D depthwise separable convolution layer (``keras.layers.SeparableConv2D``), Xception's block.

    >>> SeparableConv2D(16, 3, padding="same")(tf.zeros((4, 8, 8, 3))).shape
    TensorShape([4, 8, 8, 16])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs):
        super().__init__(2, depth_multiplier, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


SeparableConvolution2D = SeparableConv2D
