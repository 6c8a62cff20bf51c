"""Conv1DTranspose: the transpose of Conv1D, to upsample sequences (see ``base_conv_transpose``).

x (batch, steps, channels) -> (batch, out_steps, filters), kernel (k, filters, channels); computed,
as in TF, as a Conv2DTranspose of height 1 (``tf.nn.conv1d_transpose``).
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_conv_transpose import BaseConvTranspose

__all__ = ["Conv1DTranspose", "Convolution1DTranspose"]


class Conv1DTranspose(BaseConvTranspose):
    """Transposed 1-D convolution layer (``keras.layers.Conv1DTranspose``).

    >>> Conv1DTranspose(4, 3, strides=2, padding="same")(tf.zeros((1, 7, 8))).shape
    TensorShape([1, 14, 4])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs):
        super().__init__(1, filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


Convolution1DTranspose = Conv1DTranspose
