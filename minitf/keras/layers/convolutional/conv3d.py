"""Conv3D: 3-D convolution over volumes or video, ``y = activation(conv3d(x, kernel) + bias)``.

    y[n, t, i, j, f] = bias[f] + sum_{a, b, c, ch} x_pad[n, s_d t + a, s_h i + b, s_w j + c, ch] * kernel[a, b, c, ch, f]

x (batch, depth, height, width, channels) -> y (batch, out_depth, out_height, out_width, filters);
kernel (kd, kh, kw, channels, filters). ``minitf/nn/volume_ops.py`` computes it as one 2-D convolution
per depth tap of the kernel; see ``base_conv.py`` for the shapes. As TF's CPU kernel: no dilation;
channels_first inputs are moved to channels_last and back (Keras runs them through XLA on a CPU).
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_conv import BaseConv
from minitf.nn.volume_ops import conv3d
from minitf.ops import shape_ops as S

__all__ = ["Conv3D", "Convolution3D"]


class Conv3D(BaseConv):
    """3-D convolution layer (``keras.layers.Conv3D``)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1, 1), groups: int = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def convolution_op(self, inputs, kernel):
        first = self.data_format == "channels_first"
        if first:  # TF's CPU op takes NDHWC only; Keras compiles this case with XLA, which moves the axes
            inputs = S.transpose(inputs, [0, 2, 3, 4, 1])
        outputs = conv3d(inputs, kernel, strides=self.strides, padding=self.padding.upper(), data_format="NDHWC",
                         dilations=self.dilation_rate)
        return S.transpose(outputs, [0, 4, 1, 2, 3]) if first else outputs


Convolution3D = Conv3D
