"""Conv3DTranspose: the transpose of Conv3D, to upsample volumes (see ``base_conv_transpose``).

Output size per axis, for input n, kernel k, stride s and ``output_padding`` p: ``(n - 1) * s + k + p``
with "valid" padding, ``n * s`` with "same". As TF's CPU kernel (``minitf.nn.conv3d_transpose``, one
2-D transposed convolution per depth tap of the kernel): channels_last, no dilation.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional.base_conv_transpose import BaseConvTranspose

__all__ = ["Conv3DTranspose", "Convolution3DTranspose"]


class Conv3DTranspose(BaseConvTranspose):
    """Transposed 3-D convolution layer (``keras.layers.Conv3DTranspose``).

    >>> Conv3DTranspose(4, 3, strides=2, padding="same")(tf.zeros((1, 4, 7, 7, 8))).shape
    TensorShape([1, 8, 14, 14, 4])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1, 1),
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs):
        super().__init__(3, filters, kernel_size, strides=strides, padding=padding,
                         output_padding=output_padding, data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
                         bias_regularizer=bias_regularizer, activity_regularizer=activity_regularizer,
                         kernel_constraint=kernel_constraint, bias_constraint=bias_constraint, **kwargs)


Convolution3DTranspose = Conv3DTranspose
