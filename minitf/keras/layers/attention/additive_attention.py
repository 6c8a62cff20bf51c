"""AdditiveAttention (Bahdanau-style): ``Attention`` with the scores

    scores[b, i, j] = sum_d scale[d] * tanh(query[b, i, d] + key[b, j, d])

``scale`` is a learned vector of the feature size (``use_scale=True``, the default; glorot-uniform
initial values), else 1. Masks, causality and dropout as in ``Attention``.
"""
from __future__ import annotations

from minitf.keras.layers.attention.attention import Attention, _validate
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S

__all__ = ["AdditiveAttention"]


class AdditiveAttention(Attention):
    def __init__(self, use_scale: bool = True, dropout: float = 0.0, **kwargs):
        super().__init__(use_scale=use_scale, dropout=dropout, **kwargs)

    def build(self, input_shape) -> None:
        _validate(self, input_shape)
        self.scale = None
        if self.use_scale:
            self.scale = self.add_weight(name="scale", shape=[input_shape[0][-1]], initializer="glorot_uniform")

    def _scores(self, query, key):
        pairs = E.tanh(E.add(S.expand_dims(query, -2), S.expand_dims(key, -3)))  # (batch, Tq, Tv, dim)
        return R.reduce_sum(pairs if self.scale is None else E.multiply(self.scale, pairs), axis=-1)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["score_mode"]
        return config
