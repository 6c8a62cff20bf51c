"""MultiHeadAttention (Vaswani et al., "Attention is all you need"), as Keras 3.15 computes it.

``mha(query, value, key=None)``: query (B, T, dim_q), value (B, S, dim_v), key (B, S, dim_k) (key
defaults to value). With N heads of size key_dim (value_dim for the values)::

    q = einsum("abc,cde->abde", query, Wq) + bq      (B, T, N, key_dim)    EinsumDense "query"
    k = einsum("abc,cde->abde", key,   Wk) + bk      (B, S, N, key_dim)    EinsumDense "key"
    v = einsum("abc,cde->abde", value, Wv) + bv      (B, S, N, value_dim)  EinsumDense "value"
    scores  = softmax over s of  sum_h q[b,t,n,h] k[b,s,n,h] / sqrt(key_dim)       (B, N, T, S)
    o       = sum_s scores[b,n,t,s] v[b,s,n,h]                                     (B, T, N, value_dim)
    output  = einsum("abcd,cde->abe", o, Wo) + bo    (B, T, dim_q)         EinsumDense "attention_output"

Masks: ``attention_mask`` (B, T, S) (True = may attend), the Keras masks of query (B, T) and of
value/key (B, S) (from an ``Embedding(mask_zero=True)``, say) and ``use_causal_mask`` (t sees s <= t)
are ANDed together. ``attention_axes`` attends over other axes of higher-rank inputs (e.g. (1, 2):
both spatial axes of (B, H, W, dim) at once); the einsum equations are built as Keras builds them.
In training, ``dropout`` drops attention weights (keras.random bits, the layer's seed).

Keras 3.15 computes two ways (``_tf_compat.keras_attention_uses_dot_product_attention``), and so does
this layer, so that the float32 results agree to the rounding of the products' sums (BLAS's order, not
Eigen's) and the masked rows alike:
  * 3-D inputs without dropout and without ``return_attention_scores`` (the common case): its
    ``dot_product_attention`` -- logits = (q . k) * scale, masked positions set to -0.7 * 3.38953e38,
    a softmax (a fully masked row becomes uniform);
  * otherwise: q * scale first, then (q . k), masked positions -1e9 in a ``Softmax`` layer that
    sets them to 0 afterwards (a fully masked row becomes zeros).
The scale 1 / sqrt(key_dim) is a Python float cast to the compute dtype as TF casts one (through
float32), so a float64 layer too is scaled by its float32 rounding, as in Keras.
``use_gate`` (a sigmoid gate on the heads' outputs) and ``sliding_window`` are supported;
flash attention (not on TF either), LoRA and quantization are not.
"""
from __future__ import annotations

import math
import string

import numpy as np

from minitf import _tf_compat, dtypes
from minitf.keras import backend, constraints, initializers, regularizers
from minitf.keras.engine.keras_tensor import KerasTensor, any_symbolic
from minitf.keras.layers.activations.softmax import Softmax
from minitf.keras.layers.core.einsum_dense import EinsumDense
from minitf.keras.layers.layer import Layer, _plain_shape
from minitf.keras.layers.regularization.dropout import Dropout
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.nn import softmax
from minitf.ops import elementwise as E
from minitf.ops import linalg as L
from minitf.ops import shape_ops as S
from minitf.ops.creation import range as range_
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["MultiHeadAttention"]


class MultiHeadAttention(Layer):
    """Multi-head (scaled dot-product) attention; see the module docstring.

    Weights, in ``weights`` order: query kernel (dim_q, N, key_dim) and bias (N, key_dim), key kernel
    and bias, [gate kernel and bias], value kernel (dim_v, N, value_dim) and bias, output kernel
    (N, value_dim, dim_out) and bias (dim_out,).
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None, dropout: float = 0.0,
                 use_bias: bool = True, output_shape=None, attention_axes=None, sliding_window=None,
                 flash_attention=None, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, use_gate: bool = False, seed=None, **kwargs):
        for arg, value, allow_none in (("num_heads", num_heads, False), ("key_dim", key_dim, False),
                                       ("value_dim", value_dim, True)):
            if (value is not None or not allow_none) and (not isinstance(value, int) or isinstance(value, bool)
                                                           or value <= 0):
                raise ValueError(f"MultiHeadAttention: received an invalid value for argument `{arg}`, expected a "
                                 f"positive integer{' or `None`' if allow_none else ''}. Received: {arg}={value!r}")
        if flash_attention:
            raise ValueError("MultiHeadAttention: flash attention is not supported in minitf (nor in Keras's "
                             "TensorFlow backend). Received: flash_attention=True")
        super().__init__(**kwargs)
        self.supports_masking = True
        self._num_heads = num_heads
        self._key_dim = key_dim
        self._value_dim = value_dim if value_dim else key_dim
        self._dropout = dropout
        self._use_bias = use_bias
        self._use_gate = use_gate
        if output_shape:
            if isinstance(output_shape, int):
                output_shape = (output_shape,)
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise ValueError(f"MultiHeadAttention: invalid `output_shape`: {output_shape}. When specified, the "
                                 "`output_shape` should be of type tuple, list, or int.") from None
        self._output_shape = output_shape
        self._kernel_initializer = initializers.get(kernel_initializer)
        self._bias_initializer = initializers.get(bias_initializer)
        self._kernel_regularizer = regularizers.get(kernel_regularizer)
        self._bias_regularizer = regularizers.get(bias_regularizer)
        self._activity_regularizer = regularizers.get(activity_regularizer)
        self._kernel_constraint = constraints.get(kernel_constraint)
        self._bias_constraint = constraints.get(bias_constraint)
        if isinstance(attention_axes, int):
            attention_axes = (attention_axes,)
        elif attention_axes and not isinstance(attention_axes, (list, tuple)):
            raise ValueError(f"MultiHeadAttention: `attention_axes` must be an int, list, or tuple. "
                             f"Received: attention_axes={attention_axes}")
        self._attention_axes = attention_axes
        if sliding_window is not None and (not isinstance(sliding_window, int) or sliding_window <= 0):
            raise ValueError(f"MultiHeadAttention: `sliding_window` must be `None` or a positive integer. "
                             f"Received: sliding_window={sliding_window}")
        self._sliding_window = sliding_window
        self.seed = seed
        self._inverse_sqrt_key_dim = 1.0 / math.sqrt(float(self._key_dim))
        self._build_shapes_dict = None

    num_heads = property(lambda self: self._num_heads)
    key_dim = property(lambda self: self._key_dim)
    value_dim = property(lambda self: self._value_dim)
    dropout = property(lambda self: self._dropout)
    use_bias = property(lambda self: self._use_bias)
    attention_axes = property(lambda self: self._attention_axes)
    query_dense = property(lambda self: self._query_dense)
    key_dense = property(lambda self: self._key_dense)
    value_dense = property(lambda self: self._value_dense)
    output_dense = property(lambda self: self._output_dense)

    # ---- build: the projections, the equations, the softmax and dropout sublayers -----------------------------
    def build(self, query_shape, value_shape, key_shape=None) -> None:
        query_shape, value_shape = _shape(query_shape), _shape(value_shape)
        key_shape = value_shape if key_shape is None else _shape(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("MultiHeadAttention: all dimensions of `value` and `key`, except the last one, must be "
                             f"equal. Received: value_shape={value_shape} and key_shape={key_shape}")
        if len(query_shape) != len(value_shape):
            raise ValueError(f"MultiHeadAttention: `query` and `value` must have the same rank. Received: "
                             f"query_shape={query_shape} and value_shape={value_shape}")
        if len(query_shape) < 3:
            raise ValueError(f"MultiHeadAttention: inputs must have rank >= 3 (batch, positions..., features). "
                             f"Received: query_shape={query_shape}")
        self._build_shapes_dict = {"query_shape": query_shape, "value_shape": value_shape}
        if key_shape is not value_shape:
            self._build_shapes_dict["key_shape"] = key_shape

        def projection(shape, size, name, **extra):
            equation, bias_axes, output_rank = _build_proj_equation(len(shape) - 1, bound_dims=1, output_dims=2)
            dense = EinsumDense(equation, output_shape=_get_output_shape(output_rank - 1, [self._num_heads, size]),
                                bias_axes=bias_axes if self._use_bias else None, name=name,
                                **extra, **self._get_common_kwargs_for_sublayer())
            dense.build(shape)
            return dense

        self._query_dense = projection(query_shape, self._key_dim, "query")
        self._key_dense = projection(key_shape, self._key_dim, "key")
        if self._use_gate:
            self._gate_dense = projection(query_shape, self._value_dim, "gate", activation="sigmoid")
        self._value_dense = projection(value_shape, self._value_dim, "value")
        self._build_attention(len(query_shape) + 1)
        self._output_dense = self._make_output_dense(query_shape, self._get_common_kwargs_for_sublayer(),
                                                     "attention_output")
        output_dense_input_shape = list(self._query_dense.compute_output_shape(query_shape))
        output_dense_input_shape[-1] = self._value_dim
        self._output_dense.build(tuple(output_dense_input_shape))
        for dense in self._projections():  # Keras's paths: "<this layer>/query/kernel"
            for variable in dense.weights:
                variable.path = f"{self.name}/{variable.path}"

    def _projections(self) -> list:
        gate = [self._gate_dense] if self._use_gate else []
        return [self._query_dense, self._key_dense, *gate, self._value_dense, self._output_dense]

    def _get_common_kwargs_for_sublayer(self) -> dict:
        # Each projection gets its own copy of the initializers (the same seed, if one was given, as Keras)
        def copy(initializer):
            return type(initializer).from_config(initializer.get_config())
        return dict(kernel_regularizer=self._kernel_regularizer, bias_regularizer=self._bias_regularizer,
                    activity_regularizer=self._activity_regularizer, kernel_constraint=self._kernel_constraint,
                    bias_constraint=self._bias_constraint, dtype=self.dtype_policy,
                    kernel_initializer=copy(self._kernel_initializer), bias_initializer=copy(self._bias_initializer))

    def _make_output_dense(self, query_shape, common_kwargs: dict, name: str) -> EinsumDense:
        output_shape = self._output_shape if self._output_shape else [query_shape[-1]]
        equation, bias_axes, output_rank = _build_proj_equation(len(query_shape) - 1, bound_dims=2,
                                                                output_dims=len(output_shape))
        return EinsumDense(equation, output_shape=_get_output_shape(output_rank - 1, output_shape),
                           bias_axes=bias_axes if self._use_bias else None, name=name, **common_kwargs)

    def _build_attention(self, rank: int) -> None:
        """The einsum equations for projected tensors of ``rank`` (batch, positions..., heads, size)."""
        if self._attention_axes is None:
            self._attention_axes = tuple(range(1, rank - 2))
        else:
            self._attention_axes = tuple(axis if axis >= 0 else (rank - 1) + axis for axis in self._attention_axes)
        if any(not 1 <= axis < rank - 2 for axis in self._attention_axes):
            raise ValueError(f"MultiHeadAttention: `attention_axes` must name axes of the inputs other than the batch "
                             f"axis and the feature axis (1 to {rank - 3}, or negative). Received: "
                             f"attention_axes={self._attention_axes} for inputs of rank {rank - 1}")
        self._dot_product_equation, self._combine_equation, scores_rank = _build_attention_equation(
            rank, attn_axes=self._attention_axes)
        norm_axes = tuple(range(scores_rank - len(self._attention_axes), scores_rank))
        self._softmax = Softmax(axis=norm_axes, dtype=self.dtype_policy)
        self._dropout_layer = Dropout(rate=self._dropout, dtype=self.dtype_policy, seed=self.seed)

    # ---- call -------------------------------------------------------------------------------------------------
    def __call__(self, query, value, key=None, **kwargs):
        """Keras's Layer.__call__ for several tensor arguments: build from all their shapes, and hand
        value's and key's Keras masks to ``value_mask``/``key_mask``."""
        query, value = self._convert_input(query), self._convert_input(value)
        key = None if key is None else self._convert_input(key)
        if not self.built:
            self.build(_shape(query.shape), _shape(value.shape), None if key is None else _shape(key.shape))
        args = (query, value) if key is None else (query, value, key)
        if not any_symbolic(args):
            for name, tensor in (("value", value), ("key", key)):
                if tensor is not None and kwargs.get(f"{name}_mask") is None:
                    kwargs[f"{name}_mask"] = backend.get_keras_mask(tensor)
        result = super().__call__(*args, **kwargs)
        if kwargs.get("return_attention_scores") and isinstance(result[1], Tensor):
            backend.set_keras_mask(result[1], None)  # the query's mask marks the output only (as in Keras)
        return result

    def call(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        if key is None:
            key = value
        # As Keras 3.15: the query's own Keras mask is the query mask; the inputs' masks are consumed
        query_mask = backend.get_keras_mask(query)
        for tensor in (query, value, key):
            backend.set_keras_mask(tensor, None)
        causal_only = (use_causal_mask and query_mask is None and value_mask is None and key_mask is None
                       and attention_mask is None and self._sliding_window is None
                       and type(self)._compute_attention is MultiHeadAttention._compute_attention)
        if not causal_only:
            attention_mask = self._compute_attention_mask(query, value, query_mask=query_mask, value_mask=value_mask,
                                                          key_mask=key_mask, attention_mask=attention_mask,
                                                          use_causal_mask=use_causal_mask)
        gate = self._gate_dense(query) if self._use_gate else None
        query = self._query_dense(query)
        key = self._key_dense(key)
        value = self._value_dense(value)
        extra = {"use_causal_mask": True} if causal_only else {}
        attention_output, attention_scores = self._compute_attention(query, key, value, attention_mask, training,
                                                                     return_attention_scores, **extra)
        if gate is not None:
            attention_output = E.multiply(attention_output, gate)
        attention_output = self._output_dense(attention_output)
        if query_mask is not None:
            backend.set_keras_mask(attention_output, query_mask)
        if return_attention_scores:
            return attention_output, attention_scores
        return attention_output

    def _compute_attention(self, query, key, value, attention_mask=None, training=None, return_attention_scores=False,
                           use_causal_mask=False):
        """(attention output (B, T, N, value_dim), attention scores (B, N, T, S) or None) of the projected heads."""
        if _tf_compat.keras_attention_uses_dot_product_attention(self._dropout, return_attention_scores, query.ndim):
            if attention_mask is not None:
                for _ in range(4 - attention_mask.ndim):
                    attention_mask = S.expand_dims(attention_mask, -len(self._attention_axes) * 2 - 1)
                attention_mask = S.cast(attention_mask, dtypes.bool)
            return _dot_product_attention(query, key, value, attention_mask, use_causal_mask,
                                          self._inverse_sqrt_key_dim), None
        if use_causal_mask:
            causal_mask = self._compute_causal_mask(query, value)
            attention_mask = causal_mask if attention_mask is None else \
                E.logical_and(S.cast(attention_mask, dtypes.bool), causal_mask)
        query = E.multiply(query, S.cast(self._inverse_sqrt_key_dim, query.dtype))
        attention_scores = L.einsum(self._dot_product_equation, key, query)
        attention_scores = self._masked_softmax(attention_scores, attention_mask)
        final_scores = attention_scores
        if self._dropout > 0.0:  # Keras's Dropout layer: keras.random's masks from its SeedGenerator of `seed`
            final_scores = self._dropout_layer(attention_scores, training=training)
        attention_output = L.einsum(self._combine_equation, final_scores, value)
        return attention_output, attention_scores

    def _masked_softmax(self, attention_scores, attention_mask=None):
        if attention_mask is not None:
            for _ in range(attention_scores.ndim - attention_mask.ndim):
                attention_mask = S.expand_dims(attention_mask, -len(self._attention_axes) * 2 - 1)
        scores = self._softmax(attention_scores, mask=attention_mask)
        return backend.set_keras_mask(scores, None)  # Keras's Softmax marks no mask it was handed explicitly

    def _compute_attention_mask(self, query, value, query_mask=None, value_mask=None, key_mask=None,
                                attention_mask=None, use_causal_mask=False):
        """The AND of: query mask (B, T, 1), value and key masks (B, 1, S), causal and sliding-window
        masks (1, T, S), and ``attention_mask``; None if there is none."""
        auto_mask = None

        def both(a, b):
            return b if a is None else E.logical_and(a, b)
        if query_mask is not None:
            auto_mask = S.expand_dims(S.cast(query_mask, dtypes.bool), -1)
        if value_mask is not None:
            auto_mask = both(auto_mask, S.expand_dims(S.cast(value_mask, dtypes.bool), -2))
        if key_mask is not None:
            auto_mask = both(auto_mask, S.expand_dims(S.cast(key_mask, dtypes.bool), -2))
        if use_causal_mask:
            auto_mask = both(auto_mask, self._compute_causal_mask(query, value))
        if self._sliding_window is not None:
            auto_mask = both(auto_mask, self._compute_sliding_window_mask(query, value))
        if attention_mask is not None:
            attention_mask = S.cast(convert_to_tensor(attention_mask), dtypes.bool)
        if auto_mask is not None:
            attention_mask = auto_mask if attention_mask is None else E.logical_and(attention_mask, auto_mask)
        return attention_mask

    @staticmethod
    def _positions(query, value):
        """(row index (1, T, 1), column index (1, 1, S)) of the query's and value's positions (axis 1)."""
        rows = range_(_length(query, 1))
        columns = rows if value is None else range_(_length(value, 1))
        return S.expand_dims(S.expand_dims(rows, 0), -1), S.expand_dims(S.expand_dims(columns, 0), 0)

    def _compute_causal_mask(self, query, value=None):
        """(1, T, S): position t may attend to positions s <= t."""
        rows, columns = self._positions(query, value)
        return E.greater_equal(rows, columns)

    def _compute_sliding_window_mask(self, query, value=None):
        """(1, T, S): |t - s| < sliding_window."""
        rows, columns = self._positions(query, value)
        return E.less(E.abs(E.subtract(rows, columns)), S.cast(self._sliding_window, dtypes.int32))

    # ---- shapes and configs -----------------------------------------------------------------------------------
    def compute_output_shape(self, query_shape, value_shape=None, key_shape=None):
        query_shape = tuple(query_shape)
        value_shape = query_shape if value_shape is None else tuple(value_shape)
        key_shape = value_shape if key_shape is None else tuple(key_shape)
        if value_shape[1:-1] != key_shape[1:-1]:
            raise ValueError("MultiHeadAttention: all dimensions of `value` and `key`, except the last one, must be "
                             f"equal. Received: value_shape={value_shape} and key_shape={key_shape}")
        if self._output_shape:
            query_shape = query_shape[:-1] + self._output_shape
        return query_shape

    def compute_output_spec(self, query, value, key=None, query_mask=None, value_mask=None, key_mask=None,
                            attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False):
        output = KerasTensor(self.compute_output_shape(query.shape, value.shape, None if key is None else key.shape),
                             dtype=self.compute_dtype)
        if not return_attention_scores:
            return output
        # (batch, heads, query's attention axes, value's attention axes); Keras's spec says (B, N, T, T)
        axes = self._attention_axes
        scores_shape = (query.shape[0], self._num_heads, *[query.shape[a] for a in axes],
                        *[value.shape[a] for a in axes])
        if len(query.shape) > 3:  # the other positional axes are batch axes of the scores
            others = [query.shape[a] for a in range(1, len(query.shape) - 1) if a not in axes]
            scores_shape = (query.shape[0], *others, self._num_heads, *scores_shape[2:])
        return output, KerasTensor(scores_shape, dtype=self.compute_dtype)

    def get_build_config(self) -> dict | None:
        if self._build_shapes_dict is None:
            return None
        return {"shapes_dict": {k: list(v) for k, v in self._build_shapes_dict.items()}}

    def build_from_config(self, config: dict | None) -> None:
        if not config or self.built:
            return
        if "shapes_dict" in config:
            self.build(**{k: tuple(v) for k, v in config["shapes_dict"].items()})
        elif config.get("input_shape") is not None:
            self.build(tuple(config["input_shape"]), tuple(config["input_shape"]))

    def _keras_saveable_children(self) -> list:
        """The sublayers under the names Keras's files give them (its public properties, its private attributes)."""
        if not self.built:
            return []
        children = [("query_dense", self._query_dense), ("key_dense", self._key_dense),
                    ("value_dense", self._value_dense), ("output_dense", self._output_dense),
                    ("_softmax", self._softmax), ("_dropout_layer", self._dropout_layer)]
        if self._use_gate:
            children.append(("_gate_dense", self._gate_dense))
        return children

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        config.update({
            "num_heads": self._num_heads,
            "key_dim": self._key_dim,
            "value_dim": self._value_dim,
            "dropout": self._dropout,
            "use_bias": self._use_bias,
            "use_gate": self._use_gate,
            "output_shape": self._output_shape,
            "attention_axes": self._attention_axes,
            "sliding_window": self._sliding_window,
            "kernel_initializer": initializers.serialize(self._kernel_initializer),
            "bias_initializer": initializers.serialize(self._bias_initializer),
            "kernel_regularizer": serialize_keras_object(self._kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self._bias_regularizer),
            "activity_regularizer": serialize_keras_object(self._activity_regularizer),
            "kernel_constraint": serialize_keras_object(self._kernel_constraint),
            "bias_constraint": serialize_keras_object(self._bias_constraint),
            "seed": self.seed,
        })
        return config


def _shape(shape) -> tuple:
    return tuple(_plain_shape(tuple(shape)))


def _length(x, axis: int):
    """The size of ``x`` along ``axis``: an int, or a scalar tensor when a trace leaves it unknown."""
    size = x.shape[axis]
    return size if size is not None else S.shape(x)[axis]


def _dot_product_attention(query, key, value, mask, is_causal: bool, scale: float):
    """Keras's TF-backend ``dot_product_attention`` (``_dot_product_attention_xla``) on (B, T, N, H) heads:
    logits (B, N, T, S) = (q . k) * scale, masked logits set to -0.7 * 3.38953e38, softmax over S, times v.
    Half-precision logits go to float32 for the scale, the mask and the softmax, as Keras does."""
    logits = L.einsum("btnh,bsnh->bnts", query, key)
    if logits.dtype == dtypes.float16:  # the logits and the softmax in float32 at least (Keras)
        logits = S.cast(logits, dtypes.float32)
    logits = E.multiply(logits, S.cast(scale, logits.dtype))
    if mask is not None or is_causal:
        keep = mask  # (B or 1, 1 or N, T or 1, S): where() broadcasts it, as Keras's AND with ones_like(logits)
        if is_causal:
            rows, columns = range_(_length(logits, 2)), range_(_length(logits, 3))
            causal = E.greater_equal(S.expand_dims(rows, -1), S.expand_dims(columns, 0))[None, None]  # (1, 1, T, S)
            keep = causal if keep is None else E.logical_and(keep, causal)
        large = 65500.0 * -0.7 if logits.dtype == dtypes.float16 else _tf_compat.KERAS_DOT_PRODUCT_ATTENTION_MASKED
        logits = E.where(keep, logits, S.cast(np.float64(large), logits.dtype))
    probs = S.cast(softmax(logits, axis=-1), key.dtype)
    return L.einsum("bnts,bsnh->btnh", probs, value)


def _index_to_einsum_variable(i: int) -> str:
    return string.ascii_lowercase[i]


def _build_attention_equation(rank: int, attn_axes: tuple) -> tuple:
    """Keras's equations for (batch dims, attention dims, heads, size) tensors of ``rank``:
    dot product key, query -> (batch dims, heads, query attention dims, key attention dims), and the
    combination scores, value -> the query's layout. Returns (dot, combine, rank of the scores)."""
    target_notation = "".join(_index_to_einsum_variable(i) for i in range(rank))
    batch_dims = tuple(np.delete(range(rank), attn_axes + (rank - 1,)))
    letter_offset = rank
    source_notation = ""
    for i in range(rank):
        if i in batch_dims or i == rank - 1:
            source_notation += target_notation[i]
        else:
            source_notation += _index_to_einsum_variable(letter_offset)
            letter_offset += 1
    product_notation = "".join([target_notation[i] for i in batch_dims] + [target_notation[i] for i in attn_axes]
                               + [source_notation[i] for i in attn_axes])
    dot_product_equation = f"{source_notation},{target_notation}->{product_notation}"
    combine_equation = f"{product_notation},{source_notation}->{target_notation}"
    return dot_product_equation, combine_equation, len(product_notation)


def _build_proj_equation(free_dims: int, bound_dims: int, output_dims: int) -> tuple:
    """Keras's projection equation: ``free_dims`` axes kept, ``bound_dims`` contracted with the kernel,
    ``output_dims`` made by it (the bias's axes). E.g. (2, 1, 2): "abc,cde->abde", bias "de"."""
    letters = string.ascii_lowercase
    free = letters[:free_dims]
    bound = letters[free_dims:free_dims + bound_dims]
    made = letters[free_dims + bound_dims:free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{made}->{free}{made}", made, len(free + made)


def _get_output_shape(output_rank: int, known_last_dims) -> list:
    return [None] * (output_rank - len(known_last_dims)) + list(known_last_dims)
