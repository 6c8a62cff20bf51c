"""Masking (``keras.layers.Masking``): skip the time steps whose features all equal ``mask_value``.

For an input of shape (batch, steps, features), step t of sample b is masked when every feature
equals ``mask_value`` (0.0 by default):

    mask[b, t]   = any(x[b, t, :] != mask_value)
    output       = x * mask[..., None]          (the masked steps become zeros)

Layers after it that support masks (LSTM, GRU, SimpleRNN, GlobalAveragePooling1D ...) then skip
those steps, as Keras's do: an RNN carries its state past a masked step unchanged.
"""
from __future__ import annotations

from minitf.keras import backend
from minitf.keras.layers.layer import Layer
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["Masking"]


class Masking(Layer):
    """Masks the time steps whose features all equal ``mask_value`` (see the module docstring)."""

    def __init__(self, mask_value: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self._build_at_init()

    def compute_mask(self, inputs, mask=None):
        return R.reduce_any(E.not_equal(convert_to_tensor(inputs), self.mask_value), axis=-1)

    def call(self, inputs) -> Tensor:
        x = convert_to_tensor(inputs)
        keep = R.reduce_any(E.not_equal(x, self.mask_value), axis=-1, keepdims=True)
        outputs = x * S.cast(keep, x.dtype)
        backend.set_keras_mask(outputs, S.squeeze(keep, axis=-1))  # computed once, with the outputs (as Keras)
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config["mask_value"] = self.mask_value
        return config
