"""Sequences (batch, steps, features): ZeroPadding1D, UpSampling1D, Cropping1D, the 1D forms of the
image layers (``padding_cropping_upsampling.py``).

* ZeroPadding1D((left, right)): zero steps before and after; gradient: dy with them cut off.
* UpSampling1D(size): each step repeated ``size`` times; gradient: dy summed over each run.
* Cropping1D((start, end)): steps cut from both ends, a slice.
"""
from __future__ import annotations

from typing import Any

from minitf.keras.layers.convolutional._conv_args import standardize_tuple
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.ops import shape_ops as S

__all__ = ["ZeroPadding1D", "UpSampling1D", "Cropping1D"]


class ZeroPadding1D(Layer):
    """(b, steps, f) -> (b, left + steps + right, f); ``data_format="channels_first"`` pads axis 2."""

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError(f"The `data_format` argument must be one of {{'channels_first', 'channels_last'}}. "
                             f"Received: data_format={data_format}")
        self.data_format = data_format or "channels_last"
        self.padding = standardize_tuple(padding, 2, "padding", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        steps = ((0, 0), (0, 0), self.padding) if self.data_format == "channels_first" else \
            ((0, 0), self.padding, (0, 0))
        return S.pad(inputs, steps)

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        axis = 2 if self.data_format == "channels_first" else 1
        if shape[axis] is not None:
            shape[axis] += self.padding[0] + self.padding[1]
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


class UpSampling1D(Layer):
    """(b, steps, f) -> (b, size * steps, f), each step repeated ``size`` times in place."""

    def __init__(self, size: int = 2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: size={size}")
        self.size = size
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        b, steps, f = inputs.shape
        tiled = S.tile(S.expand_dims(inputs, 2), [1, 1, self.size, 1])  # (b, steps, size, f)
        return S.reshape(tiled, (-1 if b is None else b, steps * self.size, f))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], None if input_shape[1] is None else self.size * input_shape[1], input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size}


class Cropping1D(Layer):
    """(b, steps, f) -> (b, steps - start - end, f)."""

    def __init__(self, cropping: Any = (1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = standardize_tuple(cropping, 2, "cropping", allow_zero=True)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        self.compute_output_shape(tuple(inputs.shape))  # refuses a crop of every step
        start, end = self.cropping
        return inputs[:, start:inputs.shape[1] - end, :]

    def compute_output_shape(self, input_shape):
        length = None
        if input_shape[1] is not None:
            length = input_shape[1] - self.cropping[0] - self.cropping[1]
            if length <= 0:
                raise ValueError("`cropping` parameter of `Cropping1D` layer must be smaller than the input length. "
                                 f"Received: input_shape={tuple(input_shape)}, cropping={self.cropping}")
        return (input_shape[0], length, input_shape[2])

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping}
