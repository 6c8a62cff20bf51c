"""Conv2D: 2-D convolution over images, ``y = activation(conv2d(x, kernel) + bias)``.

    y[n, i, j, f] = bias[f] + sum_{a, b, c} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * kernel[a, b, c, f]

x (batch, height, width, channels) -> y (batch, out_height, out_width, filters); kernel
(kh, kw, channels, filters). ``padding="same"`` pads TF's way (the odd cell goes bottom/right);
see ``base_conv.py`` for the shapes and ``minitf/nn/conv.py`` for im2col and the gradients.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_conv import BaseConv
from minitf.nn import conv as nn_conv

__all__ = ["Conv2D", "Convolution2D"]


class Conv2D(BaseConv):
    """2-D convolution layer (``keras.layers.Conv2D``).

    >>> layer = Conv2D(32, 3, padding="same", activation="relu")
    >>> layer(tf.zeros((8, 28, 28, 1))).shape
    TensorShape([8, 28, 28, 32])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), groups: int = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs):
        super().__init__(2, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def convolution_op(self, inputs, kernel):
        return nn_conv.conv2d(inputs, kernel, strides=self.strides, padding=self.padding.upper(),
                              data_format="NHWC" if self.data_format == "channels_last" else "NCHW",
                              dilations=self.dilation_rate)


Convolution2D = Conv2D
