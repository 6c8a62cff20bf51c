"""BaseConvTranspose: Conv1DTranspose, Conv2DTranspose and Conv3DTranspose, the transpose (gradient)
of a convolution, used to upsample ("deconvolution").

Each input pixel spreads its channels, times the kernel, over a kh x kw block of the output,
the blocks ``strides`` apart; overlapping blocks add up. It is exactly the input-gradient of a
convolution whose *input* has this layer's output shape (``minitf.nn.conv2d_transpose``;
``conv1d_transpose`` is the same with a height of 1; ``conv3d_transpose`` one 2-D one per depth tap).

Shapes (2-D): x (batch, h, w, channels), kernel (kh, kw, filters, channels) (note the order:
filters before channels, as the transposed conv's kernel is the forward conv's), bias (filters,).
Output size per axis, for input n, kernel k, stride s, dilation d (span K = (k - 1) * d + 1)
and ``output_padding`` p (Keras's formula)::

    valid:  (n - 1) * s + K + p         p defaults to max(K, s) - K
    same:   n * s                        if p is None
            (n - 1) * s + K % 2 + p      otherwise
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional._conv_args import check_rank, standardize_tuple
from minitf.keras.layers.convolutional.base_conv import BaseConv
from minitf.nn import conv as nn_conv
from minitf.nn.volume_ops import conv3d_transpose

__all__: list[str] = []  # the base: the Conv1D/2D/3DTranspose layers are exported from their files


def transposed_length(n: int | None, k: int, padding: str, stride: int, output_padding: int | None,
                      dilation: int = 1) -> int | None:
    """Output size of a transposed convolution along one axis (see the module docstring)."""
    if n is None:
        return None
    span = (k - 1) * dilation + 1
    if padding == "valid":
        pad = max(span, stride) - span if output_padding is None else output_padding
        return (n - 1) * stride + span + pad
    if output_padding is None:
        return n * stride
    return (n - 1) * stride + span % 2 + output_padding


class BaseConvTranspose(BaseConv):
    """A BaseConv whose output size, kernel layout and convolution are the transposed ones (see the
    module docstring); ``rank`` 1, 2 or 3."""

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 activity_regularizer: Any = None, kernel_constraint: Any = None, bias_constraint: Any = None,
                 **kwargs):
        super().__init__(rank, filters, kernel_size, strides=strides, padding=padding, data_format=data_format,
                         dilation_rate=dilation_rate, activation=activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                         kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer,
                         activity_regularizer=activity_regularizer, kernel_constraint=kernel_constraint,
                         bias_constraint=bias_constraint, **kwargs)
        name = type(self).__name__
        self.output_padding = None if output_padding is None else standardize_tuple(
            output_padding, rank, "output_padding", allow_zero=True)
        if self.output_padding is not None:
            for axis, (p, s) in enumerate(zip(self.output_padding, self.strides)):
                if p >= s:
                    raise ValueError(f"{name}: `output_padding` must be strictly less than `strides` for "
                                     f"all dimensions. At dimension {axis}, `output_padding` is {p} but `strides` "
                                     f"is {s}. Received: output_padding={self.output_padding}, strides={self.strides}")

    def _check_input_shape(self, shape: tuple) -> None:
        check_rank(self, type(self).__name__, shape, self.rank, self.data_format)  # any window fits: the output grows

    def _out_spatial(self, shape: tuple) -> tuple:
        pads = self.output_padding or (None,) * self.rank
        return tuple(transposed_length(n, k, self.padding, s, p, d) for n, k, s, p, d in
                     zip(self._spatial(shape), self.kernel_size, self.strides, pads, self.dilation_rate))

    def _kernel_shape(self, channels: int) -> tuple:
        return self.kernel_size + (self.filters, channels)  # the forward conv's kernel: filters before channels

    def convolution_op(self, inputs, kernel):
        spatial = list(self._out_spatial(tuple(inputs.shape)))
        last = self.data_format == "channels_last"
        output_shape = [inputs.shape[0]] + (spatial + [self.filters] if last else [self.filters] + spatial)
        if self.rank == 1:
            return nn_conv.conv1d_transpose(inputs, kernel, output_shape, strides=self.strides,
                                            padding=self.padding.upper(), data_format="NWC" if last else "NCW",
                                            dilations=self.dilation_rate)
        if self.rank == 2:
            return nn_conv.conv2d_transpose(inputs, kernel, output_shape, strides=self.strides,
                                            padding=self.padding.upper(), data_format="NHWC" if last else "NCHW",
                                            dilations=self.dilation_rate)
        return conv3d_transpose(inputs, kernel, output_shape, strides=self.strides, padding=self.padding.upper(),
                                data_format="NDHWC" if last else "NCDHW", dilations=self.dilation_rate)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["groups"]  # Keras's transposed convolutions take no groups
        config["output_padding"] = self.output_padding
        return config
