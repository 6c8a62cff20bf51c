"""Embedding (``keras.layers.Embedding``): integer ids -> rows of a trainable table.

    embeddings: (input_dim, output_dim), initialized U(-0.05, 0.05) ("uniform")
    output[..., :] = embeddings[ids[...]]          shape ids.shape + (output_dim,)

It is a ``gather``; its gradient is a scatter-add: the rows of dL/d(output) are added into a
zero table at the ids they came from (an id used twice gets both rows).

``mask_zero=True`` makes id 0 "padding": the output carries the mask ``ids != 0`` and the
next mask-aware layer (LSTM, GRU, ...) skips those steps. Id 0 then cannot be a word, so
input_dim should be the vocabulary size + 1.
"""
from __future__ import annotations

import warnings

import numpy as np

from minitf._context import executing_eagerly
from minitf.keras import constraints, initializers, regularizers
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.rnn.base_rnn import serialize_object
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["Embedding"]


def _positive_int(name: str, value) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"`{name}` must be a positive integer. Received: {name}={value} "
                         f"(of type {type(value).__name__}).")
    return int(value)


class Embedding(Layer):
    """Turns non-negative integer ids into dense vectors of size ``output_dim``.

    ``input_length`` (Keras 2) is accepted with Keras 3's deprecation warning and ignored.
    LoRA (``lora_rank``) and quantization are not implemented in minitf.
    """

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 embeddings_regularizer=None, embeddings_constraint=None, mask_zero: bool = False, weights=None,
                 lora_rank=None, lora_alpha=None, **kwargs):
        input_dim = _positive_int("input_dim", input_dim)
        output_dim = _positive_int("output_dim", output_dim)
        if kwargs.pop("input_length", None) is not None:
            warnings.warn("Argument `input_length` is deprecated. Just remove it.", stacklevel=2)
        if lora_rank:
            raise NotImplementedError("Embedding: LoRA (lora_rank) is not implemented in minitf")
        if kwargs.pop("quantization_config", None) is not None:
            raise NotImplementedError("Embedding: quantized layers are not implemented in minitf")
        super().__init__(**kwargs)
        self.input_dim = input_dim
        self.output_dim = output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.autocast = False  # ids stay ids, as in Keras
        if weights is not None:
            self.build()
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            self.set_weights(weights)

    def build(self, input_shape=None) -> None:
        if getattr(self, "embeddings", None) is not None:
            return
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), name="embeddings",
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)

    def call(self, inputs) -> Tensor:
        ids = convert_to_tensor(inputs)
        kind = ids._value.dtype.kind
        if kind == "b" or kind not in "iuf":
            raise TypeError(f"Embedding layer '{self.name}' expects integer token ids, got dtype {ids.dtype.name} "
                            f"of shape {tuple(ids.shape)}")
        if kind == "f" or ids._value.dtype not in (np.int32, np.int64):
            ids = S.cast(ids, "int32")  # Keras casts other dtypes to int32 (floats truncate)
        values = ids._value
        if executing_eagerly() and values.size:  # traced, the gather checks the ids itself when it runs
            low, high = int(values.min()), int(values.max())
            if low < 0 or high >= self.input_dim:
                bad = low if low < 0 else high
                raise ValueError(f"Embedding layer '{self.name}': input contains id {bad}, outside "
                                 f"[0, input_dim={self.input_dim}) (input shape {tuple(ids.shape)}). "
                                 "input_dim must be larger than the largest id (vocabulary size, +1 with "
                                 "mask_zero=True).")
        return S.gather(self.embeddings, ids, axis=0)

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_zero:
            return None
        return E.not_equal(convert_to_tensor(inputs), 0)

    def compute_output_shape(self, input_shape):
        return (*tuple(input_shape), self.output_dim)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": serialize_object(self.embeddings_initializer),
            "embeddings_regularizer": serialize_object(self.embeddings_regularizer),
            "embeddings_constraint": serialize_object(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "activity_regularizer": serialize_object(self.activity_regularizer),
            "quantization_config": None,
        })
        return config

