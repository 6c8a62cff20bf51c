"""StringLookup and IntegerLookup (``keras.layers``): a vocabulary turns tokens into indices.

The index space, as Keras lays it out (``get_vocabulary()`` lists it in order):

    [mask_token]          index 0, only if mask_token is set AND output_mode == "int"
    [OOV] * num_oov_indices  ("[UNK]" for strings, -1 for integers): tokens not in the vocabulary
    the learned tokens    most frequent first; equal counts: the token that sorts LAST comes first
                          (Keras sorts by (count, token) and reverses: ``np.lexsort(...)[::-1]``)

``adapt(data)`` counts the tokens of ``data`` and keeps the ``max_tokens`` (special tokens
included) most frequent; ``vocabulary=`` sets the vocabulary directly instead.

output_mode "int" gives indices (int64); "one_hot", "multi_hot", "count" give vectors of length
``vocabulary_size()`` (``max_tokens`` with pad_to_max_tokens=True) per token / per row (int64, as
Keras returns them); "tf_idf" gives count * idf (float32) with, as in Keras,

    idf(token) = log(1 + num_documents / (1 + documents containing the token))

and the OOV (and mask) slots weighted by the mean idf of the learned tokens.

minitf tensors hold numbers, so StringLookup takes its strings directly: a Python list (nested
for 2-D), a str, or a NumPy array of str/bytes. ``invert=True`` maps indices back to tokens:
StringLookup then returns a NumPy array of str (a minitf Tensor cannot hold strings).
"""
from __future__ import annotations

import collections
import math
from typing import Any, Iterable

import numpy as np

from minitf import backend as B
from minitf.keras.layers.category_encoding import encode_categorical, encode_rows
from minitf.keras.layers.layer import Layer
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["StringLookup", "IntegerLookup"]

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def as_string_array(layer: Layer, data: Any) -> np.ndarray:
    """``data`` (str, list of str, NumPy str/bytes array) as a NumPy array of str; numbers are refused."""
    if isinstance(data, Tensor):
        raise TypeError(f"{type(layer).__name__} layer '{layer.name}' expects strings, but got a minitf Tensor of "
                        f"dtype {data.dtype.name} and shape {tuple(data.shape)}. minitf tensors hold numbers only: "
                        "pass the strings themselves (a list of str or a NumPy array of str).")
    array = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
    if array.dtype.kind == "S":
        return np.char.decode(array, "utf-8").astype(object)
    if array.dtype.kind == "U":
        return array.astype(object)
    if array.dtype.kind == "O":
        flat = array.reshape(-1)
        for value in flat:
            if not isinstance(value, (str, bytes)):
                raise TypeError(f"{type(layer).__name__} layer '{layer.name}' expects strings, but got a value of "
                                f"type {type(value).__name__} ({value!r}) in an input of shape {array.shape}")
        if any(isinstance(v, bytes) for v in flat):
            array = np.array([v.decode("utf-8") if isinstance(v, bytes) else v for v in flat],
                             dtype=object).reshape(array.shape)
        return array
    raise TypeError(f"{type(layer).__name__} layer '{layer.name}' expects strings, but got an array of dtype "
                    f"{array.dtype} and shape {array.shape}")


class IndexLookup(Layer):
    """What StringLookup and IntegerLookup share (Keras's ``IndexLookup``); see the module docstring."""

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, name: str | None = None, **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode == "tf-idf":
            output_mode = "tf_idf"
        if output_mode not in _MODES:
            raise ValueError(f"Invalid value for argument output_mode. Expected one of {list(_MODES)}. "
                             f"Received: output_mode={output_mode}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. "
                             f"Received: output_mode={output_mode}")
        if sparse:
            raise NotImplementedError(f"{type(self).__name__}: sparse=True is not implemented in minitf "
                                      "(tensors are dense)")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError(f"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        frozen_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        super().__init__(name=name, **kwargs)
        self.invert = bool(invert)
        self.max_tokens = max_tokens
        self.num_oov_indices = int(num_oov_indices)
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = bool(has_input_vocabulary)
        self._frozen_vocab_size = frozen_size
        self._tokens: list = []  # the learned tokens, in index order
        self._index: dict = {}  # token -> index
        self._vocabulary_set = False
        self.idf_weights: np.ndarray | None = None
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                             "argument must also be provided.")
        self.reset_state()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- what subclasses define ----
    def _as_tokens(self, data: Any) -> np.ndarray:
        """The input as a NumPy array of tokens (str objects or int64), checked."""
        raise NotImplementedError

    def _oov_indices_for(self, tokens: np.ndarray) -> np.ndarray:
        raise NotImplementedError(f"{type(self).__name__}: num_oov_indices > 1 is not implemented in minitf")

    # ---- the index space ----
    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def vocabulary_size(self) -> int:
        """The size of the index space: learned tokens plus the mask and OOV slots."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list:
        """Token of each index, in index order (special tokens first unless excluded)."""
        vocab = [self.oov_token] * self._token_start_index() + list(self._tokens)
        if self.mask_token is not None and self.output_mode == "int":
            vocab[0] = self.mask_token
        return vocab if include_special_tokens else vocab[self._token_start_index():]

    def set_vocabulary(self, vocabulary, idf_weights=None) -> None:
        """Set the vocabulary (and idf weights in tf_idf mode) directly, as Keras's ``set_vocabulary``."""
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            raise NotImplementedError(f"{type(self).__name__}: loading a vocabulary from a file is not implemented "
                                      "in minitf; pass a list of tokens")
        tokens = [_plain(t) for t in self._as_tokens(vocabulary).reshape(-1).tolist()]
        if not tokens:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        start = self._token_start_index()
        special = [self.mask_token] * self._oov_start_index() + [self.oov_token] * self.num_oov_indices
        found_special = tokens[:start] == special
        if found_special:
            tokens = tokens[start:]
        repeated = [t for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {special}. Received: mask_token={self.mask_token}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. Either remove all "
                             f"mask and OOV tokens, or include them only at the start of the vocabulary in precisely "
                             f"this order: {special}. Received: oov_token={self.oov_token}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {start + len(tokens)}; `max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf":
            weights = np.asarray(idf_weights, dtype=np.float64).reshape(-1)
            if len(weights) != len(self._as_tokens(vocabulary).reshape(-1)):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(weights)}; len(vocabulary) is {len(self._as_tokens(vocabulary).reshape(-1))}")
            front, front_value = (0, 0.0) if found_special else (start, float(np.average(weights)))
            back = self.max_tokens - front - len(weights) if self.pad_to_max_tokens else 0
            self.idf_weights = np.pad(weights, (front, back), constant_values=(front_value, 0.0)).astype(np.float32)
        self._frozen_vocab_size = self.vocabulary_size()

    def _set_tokens(self, tokens: list) -> None:
        self._tokens = list(tokens)
        start = self._token_start_index()
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._vocabulary_set = True

    # ---- adapt: count, then keep the most frequent ----
    def reset_state(self) -> None:
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    def adapt(self, data, steps: int | None = None) -> None:
        """Learn the vocabulary from ``data`` (an array/list: each element one document, or an
        iterable of batches), as Keras does; replaces any earlier adapt."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        self.reset_state()
        for rows in _adapt_batches(data, steps, self._as_rows):
            self.update_state(rows)
        self.finalize_state()

    def _as_rows(self, data: Any, batch: bool) -> list[list]:
        """Documents as lists of tokens. A whole 1-D dataset: one token per document; a 1-D batch
        (``update_state``): one document, as Keras's ``expand_dims`` make them."""
        if isinstance(data, (list, tuple)) and data and all(isinstance(r, (list, tuple, np.ndarray)) for r in data):
            return [[_plain(t) for t in self._as_tokens(r).reshape(-1).tolist()] for r in data]
        tokens = self._as_tokens(data)
        if tokens.ndim == 0:
            tokens = tokens.reshape(1, 1)
        elif tokens.ndim == 1:
            tokens = tokens.reshape(1, -1) if batch else tokens.reshape(-1, 1)
        return [[_plain(t) for t in row] for row in tokens.reshape(tokens.shape[0], -1).tolist()]

    def update_state(self, rows: list[list]) -> None:
        """Add the token counts (and, for tf_idf, document counts) of some documents."""
        for row in rows:
            self._token_counts.update(row)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(row))
        self._num_documents += len(rows)

    def finalize_state(self) -> None:
        """Keras's ordering: by count, then by token, both descending; then keep max_tokens."""
        if self._has_input_vocabulary or not self._token_counts:
            self._frozen_vocab_size = self.vocabulary_size() if self._vocabulary_set else None
            return
        counts = dict(self._token_counts)
        counts.pop(self.mask_token, None)
        counts.pop(self.oov_token, None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start_index()]
        self._set_tokens([token for token, _ in ranked])
        if self.output_mode == "tf_idf":
            n = self._num_documents
            weights = np.array([math.log(1 + n / (1 + self._document_counts[t])) for t in self._tokens],
                               dtype=np.float64).astype(np.float32)
            mean = weights.mean(dtype=np.float32) if len(weights) else np.float32(0)
            weights = np.concatenate([np.full(self._token_start_index(), mean, np.float32), weights])
            if self.pad_to_max_tokens:
                weights = np.pad(weights, (0, self.max_tokens - len(weights)))
            self.idf_weights = weights.astype(np.float32)
        self.reset_state()
        self._frozen_vocab_size = self.vocabulary_size()

    # ---- lookups ----
    def _check_ready(self) -> None:
        if not self._vocabulary_set:
            raise RuntimeError(f"{type(self).__name__} layer '{self.name}' has no vocabulary yet: call "
                               "`adapt(data)` on some data first, or pass `vocabulary=[...]` when creating it.")

    def lookup_indices(self, tokens: np.ndarray) -> np.ndarray:
        """int64 indices of ``tokens`` (any shape); masked tokens get 0 in "int" mode, -1 otherwise."""
        self._check_ready()
        flat = tokens.reshape(-1)
        if flat.size == 0:
            return np.zeros(tokens.shape, dtype=np.int64)
        unique, inverse = np.unique(flat, return_inverse=True)
        default = self._oov_start_index() if self.num_oov_indices == 1 else -1
        found = np.fromiter((self._index.get(_plain(t), default) for t in unique.tolist()), dtype=np.int64,
                            count=len(unique))
        ids = found[inverse.reshape(-1)]
        if self.num_oov_indices > 1:
            missing = np.fromiter((_plain(t) not in self._index for t in flat.tolist()), dtype=bool, count=flat.size)
            if missing.any():
                ids[missing] = self._oov_indices_for(flat[missing]) + self._oov_start_index()
        if self.mask_token is not None:
            ids[flat == self.mask_token] = 0 if self.output_mode == "int" else -1
        if self.num_oov_indices == 0 and (ids < 0).any() and not (
                self.mask_token is not None and np.all(flat[ids < 0] == self.mask_token)):
            unknown = [t for t, i in zip(flat.tolist(), ids.tolist()) if i < 0 and t != self.mask_token]
            raise ValueError(f"{type(self).__name__} layer '{self.name}': when `num_oov_indices=0` all inputs "
                             f"should be in vocabulary, found OOV values {unknown[:10]}, consider setting "
                             "`num_oov_indices=1`.")
        return ids.reshape(tokens.shape)

    def _depth(self) -> int:
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def encode_indices(self, ids: np.ndarray) -> np.ndarray:
        """Dense indices -> this layer's output (one_hot/multi_hot/count/tf_idf vectors)."""
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(ids, mode, self._depth(), who=f"{type(self).__name__} '{self.name}'")
        return self._apply_idf(out)

    def encode_ragged(self, rows: list[np.ndarray]) -> np.ndarray:
        """One vector per row for a list of 1-D index arrays of different lengths."""
        lengths = np.array([len(r) for r in rows], dtype=np.int64)
        flat = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        row_of = np.repeat(np.arange(len(rows)), lengths)
        if self.output_mode == "one_hot":
            raise NotImplementedError(f"{type(self).__name__} '{self.name}': output_mode='one_hot' on split text "
                                      "(a ragged result) is not implemented in minitf; use 'multi_hot' or 'count'")
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        return self._apply_idf(encode_rows(flat, row_of, len(rows), self._depth(), mode))

    def _apply_idf(self, counts: np.ndarray) -> np.ndarray:
        if self.output_mode != "tf_idf":
            return counts
        if self.idf_weights is None:
            raise RuntimeError(f"{type(self).__name__} '{self.name}': tf_idf needs idf weights: call adapt() first")
        return counts.astype(np.float32) * self.idf_weights

    def _invert(self, data: Any) -> Any:
        ids = B.to_numpy(convert_to_tensor(data)._value)
        if ids.dtype.kind not in "iu":
            raise TypeError(f"{type(self).__name__} layer '{self.name}' with invert=True expects integer indices, "
                            f"got dtype {ids.dtype}")
        vocab = self.get_vocabulary()
        table = np.empty(len(vocab) + 1, dtype=object)
        table[:len(vocab)] = vocab
        table[len(vocab)] = self.oov_token
        return table[np.where((ids >= 0) & (ids < len(vocab)), ids, len(vocab))]

    def _convert_input(self, x: Any) -> Any:
        return x  # tokens (maybe strings) are read by call() itself

    def build(self, input_shape=None) -> None:
        pass

    def call(self, inputs):
        if self.invert:
            self._check_ready()
            return self._inverted_output(self._invert(inputs))
        return Tensor(B.xp.asarray(self._output_of(self._as_tokens(inputs))))

    def _output_of(self, tokens: np.ndarray) -> np.ndarray:
        """The layer's output for a NumPy array of tokens: indices, or one_hot ... vectors."""
        ids = self.lookup_indices(tokens)
        return ids if self.output_mode == "int" else self.encode_indices(ids)

    def _inverted_output(self, tokens: np.ndarray):
        return tokens

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        input_shape = tuple(input_shape)
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    # ---- Keras's files: a learned vocabulary is an asset file, tf_idf weights a variable ----
    def _keras_own_state(self) -> dict:
        if self.output_mode != "tf_idf" or self.idf_weights is None:
            return {}
        return {"idf_weights": np.asarray(self.idf_weights, dtype=np.float32)}

    def _keras_expected_state(self) -> dict:
        if self.output_mode != "tf_idf":
            return {}
        size = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        return {"idf_weights": ((size,), np.dtype(np.float32))}

    def _keras_set_own_state(self, arrays: dict) -> None:
        self._loaded_idf_weights = arrays.get("idf_weights")  # used with the vocabulary, read next

    def _keras_asset_names(self) -> tuple:
        return () if self._has_input_vocabulary else ("vocabulary.txt",)

    def _keras_assets(self) -> dict:
        if self._has_input_vocabulary:
            return {}  # the vocabulary is in the config
        return {"vocabulary.txt": "\n".join(str(t) for t in self.get_vocabulary()).encode("utf-8")}

    def _keras_set_assets(self, files: dict) -> None:
        lines = files["vocabulary.txt"].decode("utf-8").split("\n")
        while lines and lines[-1] == "":
            lines.pop()
        special = self._token_start_index()
        if len(lines) <= special:
            return  # saved before adapt(): nothing learned
        values = lines if isinstance(self, StringLookup) else [int(v) for v in lines]
        idf = getattr(self, "_loaded_idf_weights", None) if self.output_mode == "tf_idf" else None
        self.set_vocabulary(values, idf_weights=idf)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary": _listify(self.input_vocabulary),
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary_size": self._frozen_vocab_size,
        })
        return config


class StringLookup(IndexLookup):
    """Maps strings to integer indices (or, with ``invert=True``, indices back to strings).

    ``num_oov_indices > 1`` (hashing unknown strings into several OOV slots with TF's farmhash)
    is not implemented in minitf.
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: str | None = None,
                 oov_token: str = "[UNK]", vocabulary=None, idf_weights=None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", name: str | None = None, **kwargs):
        kwargs.pop("salt", None)
        oov_method = kwargs.pop("oov_method", "floormod")  # Keras writes it; only its hashing differs
        if oov_method != "floormod":
            raise NotImplementedError("StringLookup: only oov_method='floormod' is implemented in minitf")
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         **kwargs)
        if num_oov_indices > 1:
            raise NotImplementedError("StringLookup: num_oov_indices > 1 (TF's farmhash of unknown strings) is not "
                                      "implemented in minitf; use num_oov_indices=0 or 1")

    def _as_tokens(self, data: Any) -> np.ndarray:
        return as_string_array(self, data)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"oov_method": "floormod", "salt": None, "encoding": self.encoding})
        return config


class IntegerLookupTable(Op):
    """An IntegerLookup layer's output for integer ``tokens``, read from its vocabulary as it is when
    the op runs (like TF's lookup table: an ``adapt`` after a trace is seen by the traced function):
    the indices ("int"), the one_hot/multi_hot/count/tf_idf vectors, or with ``invert`` the tokens
    of indices. One array kernel (a hash-table look-up); no gradient."""

    def forward(tokens, layer):
        if layer.invert:
            return B.xp.asarray(layer._invert(tokens).astype(np.int64))
        return B.xp.asarray(layer._output_of(layer._as_tokens(B.to_numpy(tokens))))


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices (or, with ``invert=True``, back).

    Unknown integers with ``num_oov_indices > 1`` go to OOV slot ``value mod num_oov_indices``
    (Keras's default ``oov_method="floormod"``).
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: int | None = None,
                 oov_token: int = -1, vocabulary=None, vocabulary_dtype: str = "int64", idf_weights=None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod", name: str | None = None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        if oov_method != "floormod":
            raise NotImplementedError("IntegerLookup: only oov_method='floormod' is implemented in minitf")
        kwargs.pop("salt", None)
        self.oov_method = oov_method
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         **kwargs)

    def _as_tokens(self, data: Any) -> np.ndarray:
        if isinstance(data, Tensor):
            values = B.to_numpy(data._value)
        else:
            try:
                values = np.asarray(data)
            except ValueError:
                raise ValueError(f"IntegerLookup layer '{self.name}': could not read the input as an array "
                                 "(rows of different lengths?)") from None
        if values.dtype.kind not in "iu":
            if values.dtype.kind == "f" and values.size and np.all(values == np.floor(values)):
                return values.astype(np.int64)
            raise TypeError(f"IntegerLookup layer '{self.name}' expects integers, got an input of dtype "
                            f"{values.dtype} and shape {values.shape}")
        return values.astype(np.int64)

    def _oov_indices_for(self, tokens: np.ndarray) -> np.ndarray:
        return np.mod(tokens.astype(np.int64), self.num_oov_indices)

    def call(self, inputs):
        self._check_ready()
        tokens = inputs if isinstance(inputs, Tensor) else convert_to_tensor(self._as_tokens(inputs))
        if self.invert and tokens._value.dtype.kind not in "iu":
            raise TypeError(f"IntegerLookup layer '{self.name}' with invert=True expects integer indices, "
                            f"got dtype {tokens.dtype.name}")
        return IntegerLookupTable.apply(tokens, layer=self)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"vocabulary_dtype": "int64", "oov_method": self.oov_method, "salt": None})
        return config


# --- helpers ----------------------------------------------------------------------------------
def _plain(token):
    """NumPy scalars as plain Python values (so that dict keys and comparisons behave)."""
    return token.item() if isinstance(token, np.generic) else token


def _listify(value):
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    return value


def _adapt_batches(data: Any, steps: int | None, as_rows) -> Iterable[list]:
    """The documents of ``data`` batch by batch, as Keras's ``adapt`` reads them: an array or list is
    one batch of documents; any other iterable (a generator, a minitf Dataset) yields batches."""
    if isinstance(data, (list, tuple, np.ndarray, Tensor, str, bytes)):
        yield as_rows(data, batch=False)
        return
    if not hasattr(data, "__iter__"):
        raise TypeError(f"adapt: expected an array, a list or an iterable of batches, got {type(data).__name__}")
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        if isinstance(batch, tuple) and len(batch) == 2:  # (x, y) pairs from a dataset: adapt reads x
            batch = batch[0]
        if isinstance(batch, Tensor):
            batch = batch.numpy()
        yield as_rows(batch, batch=True)
