"""StringLookup and IntegerLookup (``keras.layers``): a vocabulary turns tokens into indices.

The index space, as Keras lays it out (``get_vocabulary()`` lists it in order):

    [mask_token]          index 0, only if mask_token is set AND output_mode == "int"
    [OOV] * num_oov_indices  ("[UNK]" for strings, -1 for integers): tokens not in the vocabulary
    the learned tokens    most frequent first; equal counts: the token that sorts LAST comes first
                          (Keras sorts by (count, token) and reverses: ``np.lexsort(...)[::-1]``)

``adapt(data)`` counts the tokens of ``data`` and keeps the ``max_tokens`` (special tokens
included) most frequent; ``vocabulary=`` sets the vocabulary directly instead. A 1-D array given
to ``adapt`` is that many documents of one token; a 1-D batch given to ``update_state`` is ONE
document (Keras's rule, which matters for tf_idf's document counts).

output_mode "int" gives indices (int64); "one_hot", "multi_hot", "count" give vectors of length
``vocabulary_size()`` (``max_tokens`` with pad_to_max_tokens=True) per token / per row (int64, as
Keras returns them); "tf_idf" gives count * idf (float32) with, as in Keras,

    idf(token) = log(1 + num_documents / (1 + documents containing the token))

and the OOV (and mask) slots weighted by the mean idf of the learned tokens.

The look-up is an op reading the layer's ``LookupTable`` (``minitf/ops/lookup_ops.py``), so the
layer works on string tensors inside a traced ``fit`` step, and the table is plain data that
``tf.saved_model`` can write. StringLookup takes string tensors, or anything that converts to one
(a str, a list of str, a NumPy str/bytes array); ``invert=True`` gives string tensors back.

Saving: ``get_config()`` holds the vocabulary, also when it was learned by ``adapt`` (Keras
keeps a learned vocabulary out of the config and writes it as the asset ``vocabulary.txt``;
``save_assets``/``load_assets`` and ``save_own_variables``/``load_own_variables`` (the tf_idf
weights) do that here too, with Keras's file layout, for a saving code that calls them).
"""
from __future__ import annotations

import collections
import math
import os
from typing import Any, Iterable

import numpy as np

from minitf import dtypes
from minitf.errors import InvalidArgumentTypeError
from minitf.keras.layers.layer import Layer
from minitf.ops.lookup_ops import LookupTable, LookupTableEncode, LookupTableFind, LookupTableInvert
from minitf.ragged import RaggedTensor
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["StringLookup", "IntegerLookup"]

_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def canonical_output_mode(output_mode: Any) -> Any:
    """Keras's old names for two output modes: "binary" is "multi_hot", "tf-idf" is "tf_idf"."""
    if output_mode == "binary":
        return "multi_hot"
    if output_mode == "tf-idf":
        return "tf_idf"
    return output_mode


def string_tensor(who: str, data: Any) -> Tensor | RaggedTensor:
    """``data`` as a string tensor (a RaggedTensor stays one), or a TypeError naming the layer."""
    if isinstance(data, RaggedTensor):
        if not data.dtype.is_string:
            raise InvalidArgumentTypeError(f"{who} expects strings, but got a RaggedTensor of {data.dtype.name}")
        return data
    if isinstance(data, Tensor):
        if data._value.dtype.kind != "O":
            raise InvalidArgumentTypeError(
                f"{who} expects strings, but got a tensor of dtype {data.dtype.name} and shape {tuple(data.shape)}")
        return data
    try:
        tensor = convert_to_tensor(data, dtype_hint=dtypes.string)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentTypeError(f"{who} expects strings, but could not read {data!r:.80} as strings: {e}")
    if tensor._value.dtype.kind != "O":
        raise InvalidArgumentTypeError(f"{who} expects strings, but got values of dtype {tensor.dtype.name} "
                                       f"and shape {tuple(tensor.shape)}")
    return tensor


class IndexLookup(Layer):
    """What StringLookup and IntegerLookup share (Keras's ``IndexLookup``); see the module docstring."""

    _strings = True  # the tokens are strings (StringLookup) or integers (IntegerLookup)

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod", salt=None, name: str | None = None,
                 **kwargs):
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"`num_oov_indices` must be greater than or equal to 0. "
                             f"Received: num_oov_indices={num_oov_indices}")
        if oov_method not in ("floormod", "farmhash"):
            raise ValueError(f"Unknown value for `oov_method` argument of {type(self).__name__}. Allowed values are: "
                             f"('floormod', 'farmhash'). Received: oov_method={oov_method}")
        if salt is not None:
            if not self._strings and oov_method != "farmhash":
                raise ValueError(f"`salt` can only be used when `oov_method='farmhash'`. Received: oov_method={oov_method}")
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                salt = list(salt)
            elif isinstance(salt, int):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `IndexLookup` can only be a tuple of 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")
        output_mode = canonical_output_mode(output_mode)
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
        self.oov_method, self.salt = oov_method, salt
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = False
        self.pad_to_max_tokens = bool(pad_to_max_tokens)
        self.input_vocabulary = vocabulary
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = bool(has_input_vocabulary)
        self._frozen_vocab_size = frozen_size
        self._tokens: list = []  # the learned tokens in index order, as keys (bytes for strings, int)
        self._vocabulary_set = False
        self.idf_weights: np.ndarray | None = None
        # The table the look-up ops read (changed in place when the vocabulary changes).
        self._table = LookupTable(keys=self._key_array([]), token_start=self._token_start_index(),
                                  oov_start=self._oov_start_index(), num_oov_indices=self.num_oov_indices,
                                  mask_key=None if mask_token is None else self._key(mask_token),
                                  mask_value=0 if output_mode == "int" else -1,
                                  vocabulary=self._key_array([]), invert_default=self._key(oov_token),
                                  depth=0, idf_weights=None, who=f"{type(self).__name__} layer '{self.name}'",
                                  hash_integers=oov_method == "farmhash", salt=None if salt is None else tuple(salt))
        if output_mode == "tf_idf" and self._has_input_vocabulary and idf_weights is None:
            raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the `idf_weights` "
                             "argument must also be provided.")
        self.reset_state()
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- tokens as keys (bytes for strings) ----
    def _key(self, token):
        """A token as the table holds it: strings as UTF-8 bytes, integers as int."""
        if token is None:
            return None
        if self._strings:
            return token.encode("utf-8") if isinstance(token, str) else bytes(token)
        return int(token)

    def _token(self, key):
        """A key as ``get_vocabulary`` shows it: strings as str (as Keras 3), integers as int."""
        return key.decode("utf-8") if isinstance(key, bytes) else key

    def _key_array(self, keys: list) -> np.ndarray:
        if self._strings:
            out = np.empty(len(keys), dtype=object)
            out[:] = keys
            return out
        return np.asarray(keys, dtype=np.int64)

    def _tokens_tensor(self, data: Any):
        """The layer's input as a tensor (or RaggedTensor) of tokens; subclasses check the dtype."""
        raise NotImplementedError

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
        vocab = [self.oov_token] * self._token_start_index() + [self._token(k) for k in self._tokens]
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
        if isinstance(vocabulary, Tensor):
            vocabulary = vocabulary.numpy()
        given = np.asarray(vocabulary, dtype=object).reshape(-1).tolist() if not self._strings else \
            self._given_strings(vocabulary)
        tokens = [self._key(t) for t in given]
        if not tokens:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        start = self._token_start_index()
        special = [self._key(self.mask_token)] * self._oov_start_index() + [self._key(self.oov_token)] * \
            self.num_oov_indices
        found_special = tokens[:start] == special
        if found_special:
            tokens = tokens[start:]
        repeated = [self._token(t) for t, n in collections.Counter(tokens).items() if n > 1]
        if repeated:
            raise ValueError(f"The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        if self.mask_token is not None and self._key(self.mask_token) in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in `vocabulary`. Note that passed "
                             f"`vocabulary` does not need to include the OOV and mask tokens. Either remove all mask "
                             f"and OOV tokens, or include them only at the start of the vocabulary in precisely this "
                             f"order: {[self._token(t) for t in special]}. Received: mask_token={self.mask_token}")
        if self.oov_token is not None and self.invert and self._key(self.oov_token) in tokens:
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. Either remove all "
                             f"mask and OOV tokens, or include them only at the start of the vocabulary in precisely "
                             f"this order: {[self._token(t) for t in special]}. Received: oov_token={self.oov_token}")
        if self.max_tokens is not None and start + len(tokens) > self.max_tokens:
            raise ValueError(f"Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {start + len(tokens)}; `max_tokens` is {self.max_tokens}.")
        idf = None
        if self.output_mode == "tf_idf":
            weights = np.asarray(idf_weights.numpy() if isinstance(idf_weights, Tensor) else idf_weights,
                                 dtype=np.float64).reshape(-1)
            if len(weights) != len(given):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(weights)}; len(vocabulary) is {len(given)}")
            front, front_value = (0, 0.0) if found_special else (start, float(np.average(weights)))
            back = self.max_tokens - front - len(weights) if self.pad_to_max_tokens else 0
            idf = np.pad(weights, (front, back), constant_values=(front_value, 0.0)).astype(np.float32)
        self._set_tokens(tokens, idf)

    def _given_strings(self, vocabulary) -> list:
        tensor = string_tensor(f"{type(self).__name__} layer '{self.name}'", vocabulary)
        return tensor.numpy().reshape(-1).tolist() if isinstance(tensor, Tensor) else tensor.flat_values.numpy().tolist()

    def _set_tokens(self, tokens: list, idf_weights: np.ndarray | None = None) -> None:
        """The learned tokens (keys) and idf weights, written into the table the ops read."""
        self._tokens = list(tokens)
        self._vocabulary_set = True
        if idf_weights is not None:
            self.idf_weights = idf_weights
        table = self._table
        table.keys = self._key_array(self._tokens)
        table.vocabulary = self._key_array([self._key(t) for t in self.get_vocabulary()])
        table.depth = self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()
        table.idf_weights = self.idf_weights
        self._frozen_vocab_size = self.vocabulary_size()

    # ---- adapt: count, then keep the most frequent ----
    def reset_state(self) -> None:
        self._token_counts: collections.Counter = collections.Counter()
        self._document_counts: collections.Counter = collections.Counter()
        self._num_documents = 0

    def adapt(self, data, steps: int | None = None) -> None:
        """Learn the vocabulary from ``data`` (an array/list: each element one document, or an
        iterable of batches such as a Dataset), as Keras does; replaces any earlier adapt."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        self.reset_state()
        for batch, whole in adapt_batches(data, steps):
            if whole:  # one array of documents: a 1-D one is that many one-token documents (Keras)
                tokens = self._tokens_tensor(batch)
                if isinstance(tokens, Tensor) and tokens.ndim == 1:
                    from minitf.ops.shape_ops import expand_dims
                    tokens = expand_dims(tokens, -1)
                batch = tokens
            self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        """Count the tokens of a batch (and, for tf_idf, the documents holding each token): rows of a
        2-D or ragged batch are documents, a 1-D batch is one document (Keras's rule)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        tokens = self._tokens_tensor(data)
        if isinstance(tokens, RaggedTensor):
            rows = tokens.to_list()
            rows = [_flatten(r) for r in rows]
        else:
            array = tokens.numpy() if tokens.ndim else np.asarray([tokens.numpy()], dtype=object)
            array = np.asarray(array)
            if array.ndim <= 1:
                array = array.reshape(1, -1)
            rows = [row.reshape(-1).tolist() for row in array]
        keys = [[self._key(t) for t in row] for row in rows]
        for row in keys:
            self._token_counts.update(row)
            if self.output_mode == "tf_idf":
                self._document_counts.update(set(row))
        self._num_documents += len(keys)

    def finalize_state(self) -> None:
        """Keras's ordering: by count, then by token, both descending; then keep max_tokens."""
        if self._has_input_vocabulary or not self._token_counts:
            return
        counts = dict(self._token_counts)
        counts.pop(self._key(self.mask_token), None)
        counts.pop(self._key(self.oov_token), None)
        ranked = sorted(counts.items(), key=lambda item: (item[1], item[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[:self.max_tokens - self._token_start_index()]
        tokens = [token for token, _ in ranked]
        idf = None
        if self.output_mode == "tf_idf":
            n = self._num_documents
            weights = np.array([math.log(1 + n / (1 + self._document_counts[t])) for t in tokens],
                               dtype=np.float64).astype(np.float32)
            mean = weights.mean(dtype=np.float32) if len(weights) else np.float32(0)
            weights = np.concatenate([np.full(self._token_start_index(), mean, np.float32), weights])
            if self.pad_to_max_tokens:
                weights = np.pad(weights, (0, self.max_tokens - len(weights)))
            idf = weights.astype(np.float32)
        self._set_tokens(tokens, idf)
        self.reset_state()

    # ---- the call ----
    def _check_ready(self) -> None:
        if not self._vocabulary_set:
            raise RuntimeError(f"{type(self).__name__} layer '{self.name}' has no vocabulary yet: call "
                               "`adapt(data)` on some data first, or pass `vocabulary=[...]` when creating it.")

    def _convert_input(self, x: Any) -> Any:
        return x  # call() converts (lists of strings are one input, not a structure of several)

    def build(self, input_shape=None) -> None:
        pass

    def call(self, inputs):
        self._check_ready()
        if self.invert:
            ids = convert_to_tensor(inputs) if not isinstance(inputs, (Tensor, RaggedTensor)) else inputs
            flat = ids.flat_values if isinstance(ids, RaggedTensor) else ids
            if not flat.dtype.is_integer:
                raise InvalidArgumentTypeError(f"{type(self).__name__} layer '{self.name}' with invert=True expects "
                                               f"integer indices, got dtype {flat.dtype.name}")
            out = LookupTableInvert.apply(flat, table=self._table)
            return ids.with_flat_values(out) if isinstance(ids, RaggedTensor) else out
        tokens = self._tokens_tensor(inputs)
        return self.lookup(tokens)

    def lookup(self, tokens):
        """Indices (output_mode "int") or encoded vectors of a tensor or RaggedTensor of tokens."""
        if isinstance(tokens, RaggedTensor):
            ids = tokens.with_flat_values(LookupTableFind.apply(tokens.flat_values, table=self._table))
            if self.output_mode == "int":
                return ids
            if ids.ragged_rank != 1:
                raise NotImplementedError(f"{type(self).__name__}: encoding a RaggedTensor of ragged_rank "
                                          f"{ids.ragged_rank} is not implemented in minitf")
            if self.output_mode == "one_hot":
                raise NotImplementedError(f"{type(self).__name__} '{self.name}': output_mode='one_hot' on split text "
                                          "(a ragged result) is not implemented in minitf; use 'multi_hot' or 'count'")
            return LookupTableEncode.apply(ids.values, ids.row_splits, table=self._table, mode=self.output_mode)
        ids = LookupTableFind.apply(tokens, table=self._table)
        if self.output_mode == "int":
            return ids
        return LookupTableEncode.apply(ids, table=self._table, mode=self.output_mode)

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

    def compute_output_spec(self, *args, **kwargs):
        from minitf.keras.engine.keras_tensor import KerasTensor
        shape = self.compute_output_shape(tuple(args[0].shape))
        if self.invert:
            dtype = "string" if self._strings else "int64"
        else:
            dtype = "float32" if self.output_mode == "tf_idf" else "int64"
        return KerasTensor(shape, dtype=dtype)

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
            "vocabulary": self._config_vocabulary(),
            "idf_weights": self._config_idf_weights(),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        })
        return config

    def _config_vocabulary(self):
        """The vocabulary for the config: the one given, or (a minitf addition, see the module
        docstring) the one learned by ``adapt``, so that the current saving code keeps it."""
        if self.input_vocabulary is not None:
            return _listify(self.input_vocabulary)
        return self.get_vocabulary(include_special_tokens=False) if self._vocabulary_set else None

    def _config_idf_weights(self):
        if self.input_idf_weights is not None:
            return _listify(self.input_idf_weights)
        if self.output_mode == "tf_idf" and self._vocabulary_set and self.idf_weights is not None:
            start = self._token_start_index()
            return self.idf_weights[start:start + len(self._tokens)].tolist()
        return None

    def save_assets(self, dir_path: str) -> None:
        """Keras's asset: the learned vocabulary as ``vocabulary.txt``, one token per line."""
        if self.input_vocabulary is not None:
            return  # in the config
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path: str) -> None:
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            lines = f.read().splitlines()
        while lines and lines[-1] == "":
            lines.pop()
        values = [str(line) for line in lines] if self._strings else [int(line) for line in lines]
        idf = None
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            idf = self.idf_weights[:len(values)]
        has_input = self._has_input_vocabulary
        self.set_vocabulary(values, idf_weights=idf)
        self._has_input_vocabulary = has_input

    def save_own_variables(self, store) -> None:
        """Keras's layer state: the tf_idf weights (the vocabulary is an asset)."""
        if self.output_mode == "tf_idf":
            store["idf_weights"] = np.asarray(self.idf_weights)

    def load_own_variables(self, store) -> None:
        if self.output_mode == "tf_idf":
            self.idf_weights = np.asarray(store["idf_weights"], dtype=np.float32)
            self._table.idf_weights = self.idf_weights


class StringLookup(IndexLookup):
    """Maps strings to integer indices (or, with ``invert=True``, indices back to strings).

    With ``num_oov_indices > 1`` an unknown string goes to the OOV slot of its FarmHash fingerprint
    (or, with ``salt``, its SipHash) modulo the slot count, as in Keras.
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: str | None = None,
                 oov_token: str = "[UNK]", vocabulary=None, idf_weights=None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", name: str | None = None, **kwargs):
        self.encoding = encoding
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         **kwargs)

    def _tokens_tensor(self, data: Any):
        return string_tensor(f"StringLookup layer '{self.name}'", data)

    def get_config(self) -> dict:
        config = super().get_config()
        config["encoding"] = self.encoding
        return config


class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices (or, with ``invert=True``, back).

    Unknown integers with ``num_oov_indices > 1`` go to OOV slot ``value mod num_oov_indices``
    (Keras's default ``oov_method="floormod"``), or, with ``oov_method="farmhash"``, to the slot of
    their decimal string's hash (FarmHash, or SipHash with ``salt``).
    """

    _strings = False

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: int | None = None,
                 oov_token: int = -1, vocabulary=None, vocabulary_dtype: str = "int64", idf_weights=None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False,
                 pad_to_max_tokens: bool = False, oov_method: str = "floormod", name: str | None = None, **kwargs):
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse,
                         oov_method=oov_method, name=name, **kwargs)

    def _tokens_tensor(self, data: Any):
        """Integer tokens as an int64 tensor (integral floats are taken, as Keras casts them)."""
        from minitf.ops.shape_ops import cast
        if isinstance(data, RaggedTensor):
            return data.with_flat_values(self._tokens_tensor(data.flat_values))
        if not isinstance(data, Tensor):
            try:
                data = convert_to_tensor(data, dtype_hint=dtypes.int64)
            except (TypeError, ValueError):
                raise InvalidArgumentTypeError(f"IntegerLookup layer '{self.name}': could not read the input as an "
                                               "array of integers (rows of different lengths?)") from None
        kind = data._value.dtype.kind
        if kind == "f" and getattr(data, "_graph", None) is None:
            values = data.numpy()
            if not (values.size and np.all(values == np.floor(values))):
                raise InvalidArgumentTypeError(f"IntegerLookup layer '{self.name}' expects integers, got an input of "
                                               f"dtype {data.dtype.name} and shape {tuple(data.shape)}")
        elif kind not in "iuf":
            raise InvalidArgumentTypeError(f"IntegerLookup layer '{self.name}' expects integers, got an input of "
                                           f"dtype {data.dtype.name} and shape {tuple(data.shape)}")
        return cast(data, dtypes.int64)

    def get_config(self) -> dict:
        config = super().get_config()
        config["vocabulary_dtype"] = "int64"
        return config


# --- helpers ----------------------------------------------------------------------------------
def _listify(value):
    if isinstance(value, Tensor):
        value = value.numpy()
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        return [v.decode("utf-8") if isinstance(v, bytes) else v for v in value]
    return value


def _flatten(row) -> list:
    out = []
    for item in row:
        if isinstance(item, list):
            out.extend(_flatten(item))
        else:
            out.append(item)
    return out


def adapt_batches(data: Any, steps: int | None) -> Iterable[tuple[Any, bool]]:
    """(batch, whole) pairs of ``data`` as Keras's ``adapt`` reads it: an array, list or tensor is one
    batch of documents (``whole=True``); any other iterable (a generator, a Dataset) yields batches."""
    if isinstance(data, (list, tuple, np.ndarray, Tensor, RaggedTensor, str, bytes)):
        yield data, True
        return
    if not hasattr(data, "__iter__"):
        raise TypeError(f"adapt: expected an array, a list or an iterable of batches, got {type(data).__name__}")
    for i, batch in enumerate(data):
        if steps is not None and i >= steps:
            break
        if isinstance(batch, tuple) and len(batch) == 2:  # (x, y) pairs from a dataset: adapt reads x
            batch = batch[0]
        yield batch, False
