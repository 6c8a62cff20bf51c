"""CategoryEncoding (``keras.layers.CategoryEncoding``): integer category ids -> fixed-size vectors.

With ``num_tokens = 4``:

    "one_hot"    3        -> [0, 0, 0, 1]        one vector per id (a trailing axis of 1 is replaced)
    "multi_hot"  [0, 3]   -> [1, 0, 0, 1]        one vector per ROW: which ids occur in it
    "count"      [0, 3, 3] -> [1, 0, 0, 2]       how often each id occurs in the row
                                                 (``count_weights`` adds a weight per occurrence)

For multi_hot/count a 1-D input is ONE row (output shape (num_tokens,)), a 2-D input is a
batch of rows; rank 3 and above are refused, as in Keras. ``encode_rows`` here is also what
the lookup layers and TextVectorization use for their non-"int" output modes.
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf.errors import InvalidArgumentError
from minitf.keras.layers.layer import Layer
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["CategoryEncoding"]

_MODES = ("one_hot", "multi_hot", "count")


def encode_rows(ids: np.ndarray, rows: np.ndarray, n_rows: int, depth: int, output_mode: str,
                weights: np.ndarray | None = None) -> np.ndarray:
    """A (n_rows, depth) table: for each id (``ids[k]`` in row ``rows[k]``) add 1 (or its weight).

    Ids outside [0, depth) are skipped (the lookup layers use -1 for masked tokens).
    "multi_hot" keeps only whether a count is non-zero.
    """
    keep = (ids >= 0) & (ids < depth)
    flat = rows[keep].astype(np.int64) * depth + ids[keep].astype(np.int64)
    w = None if weights is None else weights[keep]
    counts = np.bincount(flat, weights=w, minlength=n_rows * depth).reshape(n_rows, depth)
    if output_mode == "multi_hot":
        return (counts > 0).astype(np.int64)
    return counts if weights is not None else counts.astype(np.int64)


def encode_categorical(ids: np.ndarray, output_mode: str, depth: int, weights: np.ndarray | None = None,
                       who: str = "CategoryEncoding") -> np.ndarray:
    """Keras's ``encode_categorical_inputs`` for dense integer ids (see the module docstring)."""
    if ids.ndim == 0:  # a scalar is first made a batch of one id, as in Keras
        ids = ids.reshape(1)
        weights = None if weights is None else weights.reshape(1)
    if output_mode == "one_hot":  # one vector per id; a trailing axis of size 1 is replaced
        if ids.ndim > 1 and ids.shape[-1] == 1:
            ids = ids[..., 0]
        return (ids[..., None] == np.arange(depth)).astype(np.int64)
    if ids.ndim > 2:
        raise ValueError(f"{who}: when output_mode is not 'int', the maximum supported output rank is 2. Received "
                         f"output_mode={output_mode} and input shape {ids.shape}, which would result in output rank "
                         f"{ids.ndim}.")
    if ids.ndim == 1:
        rows = np.zeros(ids.shape[0], dtype=np.int64)
        out = encode_rows(ids, rows, 1, depth, output_mode, None if weights is None else weights.reshape(-1))
        return out[0]
    n_rows, width = ids.shape
    rows = np.repeat(np.arange(n_rows), width)
    return encode_rows(ids.reshape(-1), rows, n_rows, depth, output_mode,
                       None if weights is None else weights.reshape(-1))


class CategoryEncode(Op):
    """Integer ids (integer or integral float dtype) -> ``encode_categorical``'s vectors of length
    ``depth``, in ``dtype``; ``count_weights`` (optional, the ids' shape) weigh each occurrence.
    Ids must lie in [0, depth) (an InvalidArgumentError when the op runs). No gradient."""

    def forward(ids, *count_weights, output_mode, depth, dtype, who):
        ids = B.to_numpy(ids)
        if ids.dtype.kind == "f":
            if not np.all(ids == np.floor(ids)):
                raise InvalidArgumentError(f"{who} expects integer ids, got non-integer floats (dtype {ids.dtype}, "
                                           f"shape {ids.shape})")
            ids = ids.astype(np.int64)
        if ids.size and (ids.min() < 0 or ids.max() >= depth):
            bad = ids.min() if ids.min() < 0 else ids.max()
            raise InvalidArgumentError(f"{who}: input values must be in the range 0 <= values < num_tokens with "
                                       f"num_tokens={depth}; got {bad}")
        weights = np.asarray(B.to_numpy(count_weights[0]), dtype=np.float64) if count_weights else None
        return B.xp.asarray(encode_categorical(ids, output_mode, depth, weights, who).astype(dtype))


class CategoryEncoding(Layer):
    """Encodes integer features as one-hot, multi-hot or count vectors of length ``num_tokens``.

    Output dtype float32 (the layer's dtype), as Keras's. Unlike TF's bincount, which silently
    drops them, ids outside [0, num_tokens) are an error here.
    """

    def __init__(self, num_tokens: int | None = None, output_mode: str = "multi_hot", sparse: bool = False,
                 **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in _MODES:
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError("num_tokens must be set to use this layer. If the number of tokens is not known "
                             "beforehand, use the IntegerLookup layer instead.")
        if not isinstance(num_tokens, (int, np.integer)) or num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise NotImplementedError("CategoryEncoding: sparse=True is not implemented in minitf (tensors are dense)")
        self.num_tokens = int(num_tokens)
        self.output_mode = output_mode
        self.sparse = False

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_tokens,)
        if self.output_mode == "one_hot":
            if input_shape[-1] != 1 or len(input_shape) == 1:
                return input_shape + (self.num_tokens,)
            return input_shape[:-1] + (self.num_tokens,)
        return input_shape[:-1] + (self.num_tokens,)

    def call(self, inputs, count_weights=None) -> Tensor:
        x = convert_to_tensor(inputs)
        # What the shapes and dtypes alone decide is checked here; the ids' values when the op runs.
        if x._value.dtype.kind not in "fiu":
            raise TypeError(f"CategoryEncoding layer '{self.name}' expects integer ids, got dtype {x.dtype.name}")
        if self.output_mode != "one_hot" and x.ndim > 2:
            raise ValueError(f"CategoryEncoding '{self.name}': when output_mode is not 'int', the maximum supported "
                             f"output rank is 2. Received output_mode={self.output_mode} and input shape "
                             f"{tuple(x.shape)}, which would result in output rank {x.ndim}.")
        weights = ()
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(f"`count_weights` is not used when `output_mode` is not `'count'`. "
                                 f"Received `count_weights={count_weights}`.")
            weights = (convert_to_tensor(count_weights),)
            if tuple(weights[0].shape) != tuple(x.shape):
                raise ValueError(f"CategoryEncoding: count_weights must have the inputs' shape {tuple(x.shape)}, "
                                 f"got {tuple(weights[0].shape)}")
        return CategoryEncode.apply(x, *weights, output_mode=self.output_mode, depth=self.num_tokens,
                                    dtype=self._np_dtype, who=f"CategoryEncoding layer '{self.name}'")

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"num_tokens": self.num_tokens, "output_mode": self.output_mode, "sparse": self.sparse})
        return config
