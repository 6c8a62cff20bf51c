"""SeparableConv1D: a depthwise convolution over a sequence, then a 1x1 convolution mixing the channels.

    d = depthwise conv of x with depthwise_kernel            (batch, out_steps, C*M)
    y = activation(1x1 conv of d with pointwise_kernel + bias) (batch, out_steps, filters)

depthwise_kernel (k, C, M), pointwise_kernel (1, C*M, filters). Computed as Keras does: the 2-D layer
on (batch, 1, steps, C) with the kernels given a leading axis of 1. See
``base_separable_conv.py`` for the formula and ``minitf/nn/depthwise_conv.py`` for the kernels.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_separable_conv import BaseSeparableConv

__all__ = ["SeparableConv1D", "SeparableConvolution1D"]


class SeparableConv1D(BaseSeparableConv):
    """1-D depthwise separable convolution layer (``keras.layers.SeparableConv1D``).

    >>> SeparableConv1D(16, 3, padding="same")(tf.zeros((4, 10, 3))).shape
    TensorShape([4, 10, 16])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, depth_multiplier: int = 1,
                 activation: Any = None, use_bias: bool = True, depthwise_initializer: Any = "glorot_uniform",
                 pointwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, pointwise_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, depthwise_constraint: Any = None, pointwise_constraint: Any = None,
                 bias_constraint: Any = None, **kwargs):
        super().__init__(1, depth_multiplier, filters, kernel_size, strides=strides, padding=padding,
                         data_format=data_format, dilation_rate=dilation_rate, activation=activation,
                         use_bias=use_bias, depthwise_initializer=depthwise_initializer,
                         pointwise_initializer=pointwise_initializer, bias_initializer=bias_initializer,
                         depthwise_regularizer=depthwise_regularizer, pointwise_regularizer=pointwise_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                         bias_constraint=bias_constraint, **kwargs)


SeparableConvolution1D = SeparableConv1D
