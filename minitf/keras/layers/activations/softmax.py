"""Softmax: the softmax activation as a layer, ``Softmax(axis=-1)(x, mask=None)``.

    y = e^x / sum(e^x)   along ``axis`` (several axes: y = exp(x - logsumexp(x, axis)))

With a ``mask`` (1 keeps, 0 drops; broadcast to the input), dropped positions are set to a large
negative number before the softmax (-1e9; -3e4 in float16, as Keras) and to 0 after it, so they
get no probability. A single axis goes through ``keras.activations.softmax``, so the output
remembers its logits (crossentropy losses then compute from the logits, as in Keras).
"""
from __future__ import annotations

from minitf import dtypes
from minitf.keras import activations
from minitf.keras.layers.layer import Layer
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S

__all__ = ["Softmax"]


def _large_negative_number(dtype) -> float:
    return -3e4 if dtype == dtypes.float16 else -1e9


class Softmax(Layer):
    """Softmax along ``axis`` (an int, or a list of ints). Output shape = input shape."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self._build_at_init()

    def call(self, inputs, mask=None):
        if mask is not None:
            if len(mask.shape) > len(inputs.shape) or any(
                    m not in (1, i) for m, i in zip(tuple(mask.shape)[::-1], tuple(inputs.shape)[::-1])
                    if m is not None and i is not None):
                raise ValueError(f"Softmax: the `mask` must be broadcastable to `inputs` and must not have more "
                                 f"dimensions. Received: inputs.shape={tuple(inputs.shape)}, "
                                 f"mask.shape={tuple(mask.shape)}")
            if mask.dtype != dtypes.bool:
                mask = E.greater(mask, S.cast(0.5, mask.dtype))
            inputs = E.where(mask, inputs, S.cast(_large_negative_number(inputs.dtype), inputs.dtype))
        axis = self.axis
        if isinstance(axis, (tuple, list)) and len(axis) > 1:
            outputs = E.exp(inputs - R.reduce_logsumexp(inputs, axis=list(axis), keepdims=True))
        else:
            outputs = activations.softmax(inputs, axis=axis[0] if isinstance(axis, (tuple, list)) else axis)
        if mask is not None:
            outputs = E.where(mask, outputs, S.cast(0.0, outputs.dtype))
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
