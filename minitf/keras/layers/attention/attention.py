"""Attention: each query position takes a softmax-weighted average of the values.

``Attention()([query, value])`` or ``([query, value, key])`` (key defaults to value), shapes
(batch, Tq, dim), (batch, Tv, dim), (batch, Tv, dim)::

    scores  = query @ key^T                       (batch, Tq, Tv)   score_mode="dot" (Luong)
            = w * sum(tanh(query_i + key_j))      score_mode="concat" (additive, Bahdanau-like)
    weights = softmax(scores, axis=-1)            each query's weights over the Tv positions sum to 1
    output  = weights @ value                     (batch, Tq, dim)

``use_scale=True`` learns a scalar multiplying the scores (inside the tanh for "concat"). A value
mask (padding) subtracts 1e9 from the scores of padded positions, so they get no weight;
``use_causal_mask=True`` lets position i see positions <= i only; a query mask zeroes the outputs of
padded queries. In training, ``dropout`` drops attention weights (keras.random with the layer's own
SeedGenerator, as Keras). The gradient flows through the matmuls and the softmax as for any ops.
"""
from __future__ import annotations

from minitf import dtypes
from minitf.keras import random as keras_random
from minitf.keras.layers.layer import Layer
from minitf.nn import softmax
from minitf.ops.creation import range as range_
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import convert_to_tensor

__all__ = ["Attention"]


class Attention(Layer):
    def __init__(self, use_scale: bool = False, score_mode: str = "dot", dropout: float = 0.0, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.use_scale, self.score_mode, self.dropout, self.seed = use_scale, score_mode, dropout, seed
        if self.dropout > 0:
            self.seed_generator = keras_random.layer_seed_generator(seed)
        if score_mode not in ("dot", "concat"):
            raise ValueError("Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
                             f"Received: score_mode={score_mode}")
        self.supports_masking = True

    def build(self, input_shape) -> None:
        _validate(self, input_shape)
        self.scale = self.concat_score_weight = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=(), initializer="ones")
        if self.score_mode == "concat":
            self.concat_score_weight = self.add_weight(name="concat_score_weight", shape=(), initializer="ones")

    def _scores(self, query, key):
        if self.score_mode == "dot":
            scores = L.matmul(query, S.transpose(key, _swap_last_two(key.ndim)))
            return scores if self.scale is None else E.multiply(scores, self.scale)
        pairs = E.add(S.expand_dims(query, -2), S.expand_dims(key, -3))  # (batch, Tq, Tv, dim)
        if self.scale is not None:
            pairs = E.multiply(self.scale, pairs)
        return E.multiply(self.concat_score_weight, R.reduce_sum(E.tanh(pairs), axis=-1))

    def call(self, inputs, mask=None, training=False, return_attention_scores=False, use_causal_mask=False):
        _validate(self, inputs, mask)
        query, value = inputs[0], inputs[1]
        key = inputs[2] if len(inputs) > 2 else value
        query_mask = mask[0] if mask else None
        value_mask = mask[1] if mask else None
        scores = self._scores(query, key)
        scores_mask = value_mask
        if use_causal_mask:  # query i sees the values j <= i
            tq, tv = scores.shape[-2], scores.shape[-1]
            causal = E.greater_equal(S.reshape(range_(tq), (1, tq, 1)), S.reshape(range_(tv), (1, 1, tv)))
            scores_mask = causal if value_mask is None else \
                E.logical_and(S.expand_dims(convert_to_tensor(value_mask), -2), causal)
        if scores_mask is not None:
            padding = E.logical_not(convert_to_tensor(scores_mask))
            if padding.ndim == 2:
                padding = S.expand_dims(padding, -2)
            large = 65504.0 if scores.dtype == dtypes.float16 else 1.0e9
            scores = E.where(padding, E.subtract(scores, S.cast(large, scores.dtype)), scores)
        weights = softmax(scores, axis=-1)
        if training and self.dropout > 0:
            weights = keras_random.dropout(weights, self.dropout, seed=self.seed_generator)
        output = L.matmul(weights, value)
        if query_mask is not None:
            output = E.where(S.expand_dims(convert_to_tensor(query_mask), -1), output,
                             S.cast(0, output.dtype))
        return (output, weights) if return_attention_scores else output

    def compute_mask(self, inputs, mask=None):
        _validate(self, inputs, mask)
        return None if mask is None or mask[0] is None else convert_to_tensor(mask[0])

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], input_shape[1][-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "use_scale": self.use_scale, "score_mode": self.score_mode,
                "dropout": self.dropout, "seed": self.seed}


def _swap_last_two(ndim: int) -> list:
    return list(range(ndim - 2)) + [ndim - 1, ndim - 2]


def _validate(layer, inputs, mask=None) -> None:
    name = type(layer).__name__
    if not isinstance(inputs, list):
        raise ValueError(f"{name} layer must be called on a list of inputs, namely [query, value] or [query, value, "
                         f"key]. Received: inputs={inputs}.")
    if not 2 <= len(inputs) <= 3:
        raise ValueError(f"{name} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, "
                         f"value, key]. Received length: {len(inputs)}.")
    if mask is not None:
        if not isinstance(mask, list):
            raise ValueError(f"{name} layer mask must be a list, namely [query_mask, value_mask]. Received: "
                             f"mask={mask}.")
        if not 2 <= len(mask) <= 3:
            raise ValueError(f"{name} layer accepts mask list of length 2 or 3. Received: inputs={inputs}, "
                             f"mask={mask}.")
