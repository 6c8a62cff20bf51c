"""Vocabulary look-ups: a table of tokens and the ops that read it (Keras's lookup layers use them).

A ``LookupTable`` is the vocabulary of a StringLookup / IntegerLookup / TextVectorization layer:
its learned tokens in index order and where the special indices (mask, OOV) sit. It is plain
data (a dataclass of arrays and numbers), so a traced function that holds it as an attribute
can be saved (``tf.saved_model``); the layer changes its fields in place when it learns a new
vocabulary, and the ops read them when they run, so a traced function sees a later ``adapt``
(as TF's lookup-table resources do).

The ops have no gradient and compute on the host (strings live there); ids go back to the
backend's device:

- ``LookupTableFind``:  tokens -> int64 indices (unknown tokens: the OOV index, or -1; the
  mask token: 0 in "int" mode, and left out of the counts otherwise);
- ``LookupTableInvert``: indices -> tokens (``invert=True``);
- ``LookupTableEncode``: indices -> one_hot / multi_hot / count / tf_idf vectors of the table's
  depth, per row of a dense matrix or of a ragged tensor (``row_splits``).
"""
from __future__ import annotations

import dataclasses

import numpy as np

from minitf import array_backend as B
from minitf._string_hashes import fingerprint64, siphash24
from minitf.errors import InvalidArgumentError
from minitf.ops.op import Op


@dataclasses.dataclass(eq=False)
class LookupTable:
    """A vocabulary: ``keys[i]`` has index ``token_start + i`` (see the module docstring).

    keys              the learned tokens in index order: bytes (an object array) or int64
    token_start       index of the first learned token (after the mask and OOV slots)
    oov_start         index of the first OOV slot
    num_oov_indices   how many OOV slots (0: an unknown token is an error; >1: see ``oov_slots``)
    mask_key          the mask token (bytes or int), or None
    mask_value        what the mask token maps to: 0 in "int" mode, -1 (dropped) otherwise
    vocabulary        every index's token, special ones included (for ``invert``)
    invert_default    the token of an index outside the vocabulary (``invert``)
    depth             the length of the encoded vectors (vocabulary size, or max_tokens when padded)
    idf_weights       float32 weights per index, for "tf_idf" (else None)
    who               the layer's name, for error messages
    hash_integers     with several OOV slots, hash integer tokens too (Keras's oov_method="farmhash")
                      instead of taking them modulo the slot count ("floormod")
    salt              the SipHash key of the OOV hash ([k0, k1]), or None for FarmHash
    """

    keys: np.ndarray
    token_start: int
    oov_start: int
    num_oov_indices: int
    mask_key: object
    mask_value: int
    vocabulary: np.ndarray
    invert_default: object
    depth: int
    idf_weights: np.ndarray | None
    who: str
    hash_integers: bool = False
    salt: tuple | None = None

    def __post_init__(self):
        self._index_of: dict | None = None
        self._index_keys = None

    def index_of(self) -> dict:
        """token -> index, rebuilt when ``keys`` has been replaced."""
        if self._index_of is None or self._index_keys is not self.keys:
            start = self.token_start
            self._index_of = {k: start + i for i, k in enumerate(self.keys.tolist())}
            self._index_keys = self.keys
        return self._index_of

    def find(self, tokens: np.ndarray) -> np.ndarray:
        """The indices of ``tokens`` (a host array of any shape), as Keras's ``_lookup_dense``."""
        flat = tokens.reshape(-1)
        if flat.size == 0:
            return np.zeros(tokens.shape, dtype=np.int64)
        unique, inverse = np.unique(flat, return_inverse=True)
        default = self.oov_start if self.num_oov_indices == 1 else -1
        index = self.index_of()
        found = np.fromiter((index.get(t, default) for t in unique.tolist()), dtype=np.int64, count=unique.size)
        ids = found[inverse.reshape(-1)]
        if self.mask_key is not None:
            masked = flat == self.mask_key
        else:
            masked = None
        if self.num_oov_indices == 0:
            unknown = ids < 0 if masked is None else (ids < 0) & ~masked
            if unknown.any():
                shown = [_show(t) for t in flat[unknown][:10].tolist()]
                raise InvalidArgumentError(
                    f"{self.who}: When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                    f"{shown}, consider setting `num_oov_indices=1`.", "LookupTableFind")
        elif self.num_oov_indices > 1:
            unknown = ids < 0
            if unknown.any():
                ids[unknown] = self.oov_slots(flat[unknown]) + self.oov_start
        if masked is not None:
            ids[masked] = self.mask_value
        return ids.reshape(tokens.shape)

    def oov_slots(self, tokens: np.ndarray) -> np.ndarray:
        """Keras's spreading of unknown tokens over the OOV slots: integers by floormod (the default),
        strings (and integers with ``hash_integers``, as their decimal strings) by their hash,
        ``to_hash_bucket_fast`` (FarmHash) or, with a salt, ``to_hash_bucket_strong`` (SipHash)."""
        n = self.num_oov_indices
        if tokens.dtype.kind in "iu" and not self.hash_integers:
            return np.mod(tokens.astype(np.int64), n)
        as_bytes = [t if isinstance(t, bytes) else str(int(t)).encode() for t in tokens.tolist()]
        if self.salt is not None:
            return np.array([siphash24(self.salt, t) % n for t in as_bytes], dtype=np.int64)
        return np.array([fingerprint64(t) % n for t in as_bytes], dtype=np.int64)

    def invert(self, ids: np.ndarray) -> np.ndarray:
        """The tokens of ``ids``; indices outside the vocabulary give ``invert_default``."""
        vocabulary = self.vocabulary
        n = len(vocabulary)
        table = np.empty(n + 1, dtype=vocabulary.dtype)
        table[:n] = vocabulary
        table[n] = self.invert_default
        return table[np.where((ids >= 0) & (ids < n), ids, n)]

    def encode(self, ids: np.ndarray, row_splits: np.ndarray | None, mode: str) -> np.ndarray:
        """one_hot / multi_hot / count (int64) or tf_idf (float32) vectors of length ``depth``: one per id
        for one_hot, one per row (a matrix row, or a ragged row) for the others. Ids outside
        [0, depth) (the dropped mask) are not counted."""
        depth = self.depth
        if row_splits is None and mode == "one_hot":
            if ids.ndim == 0:
                ids = ids.reshape(1)
            if ids.ndim > 1 and ids.shape[-1] == 1:
                ids = ids[..., 0]
            return (ids[..., None] == np.arange(depth)).astype(np.int64)
        if row_splits is not None:
            flat = ids.reshape(-1)
            rows = np.repeat(np.arange(row_splits.size - 1), np.diff(row_splits))
            n_rows, shape = row_splits.size - 1, None
        else:
            if ids.ndim == 0:
                ids = ids.reshape(1)
            if ids.ndim > 2:
                raise InvalidArgumentError(
                    f"{self.who}: when output_mode is not 'int', the maximum supported output rank is 2. Received "
                    f"output_mode={mode} and input shape {ids.shape}, which would result in output rank {ids.ndim}.",
                    "LookupTableEncode")
            shape = (depth,) if ids.ndim == 1 else None
            matrix = ids.reshape(1, -1) if ids.ndim == 1 else ids
            n_rows, width = matrix.shape
            flat = matrix.reshape(-1)
            rows = np.repeat(np.arange(n_rows), width)
        keep = (flat >= 0) & (flat < depth)
        counts = np.bincount(rows[keep] * depth + flat[keep], minlength=n_rows * depth).reshape(n_rows, depth)
        if mode == "multi_hot":
            counts = (counts > 0).astype(np.int64)
        elif mode == "tf_idf":
            if self.idf_weights is None:
                raise InvalidArgumentError(f"{self.who}: tf_idf needs idf weights: adapt the layer first",
                                           "LookupTableEncode")
            counts = counts.astype(np.float32) * self.idf_weights
        return counts.reshape(shape) if shape is not None else counts


def _show(token):
    return token.decode("utf-8", "replace") if isinstance(token, bytes) else token


class LookupTableFind(Op):
    """The index of each token in ``table`` (int64, the tokens' shape; see ``LookupTable.find``)."""

    def forward(tokens, table):
        return B.xp.asarray(table.find(B.to_numpy(tokens)))

    def shape(tokens_shape, table):
        return tokens_shape


class LookupTableInvert(Op):
    """The token of each index in ``table`` (``invert=True``): strings (host) or int64."""

    def forward(ids, table):
        out = table.invert(B.to_numpy(ids).astype(np.int64))
        return out if out.dtype.kind == "O" else B.xp.asarray(out)

    def shape(ids_shape, table):
        return ids_shape


class LookupTableEncode(Op):
    """Indices -> ``mode`` vectors of ``table.depth`` (see ``LookupTable.encode``); with ``row_splits``,
    one vector per ragged row."""

    def forward(ids, *row_splits, table, mode):
        splits = B.to_numpy(row_splits[0]).astype(np.int64) if row_splits else None
        return B.xp.asarray(table.encode(B.to_numpy(ids).astype(np.int64), splits, mode))

    def shape(ids_shape, *splits_shape, table, mode):
        depth = table.depth
        if splits_shape:
            n = splits_shape[0][0]
            return (None if n is None else n - 1, depth)
        if mode == "one_hot":
            if len(ids_shape) > 1 and ids_shape[-1] == 1:
                ids_shape = ids_shape[:-1]
            return tuple(ids_shape or (1,)) + (depth,)
        if len(ids_shape) <= 1:
            return (depth,)
        return (ids_shape[0], depth)
