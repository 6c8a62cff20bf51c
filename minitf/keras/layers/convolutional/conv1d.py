"""Conv1D: 1-D convolution over sequences, ``y = activation(conv1d(x, kernel) + bias)``.

    y[n, t, f] = bias[f] + sum_{a, c} x_pad[n, s*t + d*a, c] * kernel[a, c, f]

x (batch, steps, channels) -> y (batch, out_steps, filters); kernel (k, channels, filters).
Padding: "valid", "same" (TF's split, the odd cell after) or "causal": (k - 1) * d zeros on the
left only, so output step t sees inputs t, t - d, ..., t - (k - 1) * d and never the future
(out_steps = ceil(steps / s)). Computed, as in TF, as a 2-D convolution with height 1.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_conv import BaseConv
from minitf.nn import conv as nn_conv

__all__ = ["Conv1D", "Convolution1D"]


class Conv1D(BaseConv):
    """1-D convolution layer (``keras.layers.Conv1D``), with ``padding="causal"`` for time series.

    >>> Conv1D(8, 3, padding="causal")(tf.zeros((4, 10, 2))).shape
    TensorShape([4, 10, 8])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, activation: Any = None,
                 use_bias: bool = True, kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, groups=groups, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)

    def convolution_op(self, inputs, kernel):
        padding = self.padding.upper()
        if self.padding == "causal":
            # Keras pads (k - 1) * d zeros on the left, then runs a "valid" convolution.
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            padding = [[0, 0], [left, 0], [0, 0]]
        return nn_conv.conv1d(inputs, kernel, stride=self.strides, padding=padding,
                              data_format="NWC" if self.data_format == "channels_last" else "NCW",
                              dilations=self.dilation_rate)


Convolution1D = Conv1D
