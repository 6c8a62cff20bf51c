"""``minitf.ragged``, as ``tf.ragged``: tensors whose rows have different lengths.

A RaggedTensor is ``flat_values`` (all rows' values, one after another) and ``row_splits``
(row i is ``flat_values[row_splits[i]:row_splits[i+1]]``). minitf has the basics: building one
(``tf.ragged.constant``, ``from_row_splits``, ``from_row_lengths``), its shape (``[rows, None]``),
rows by index, ``to_tensor`` (padded), ``to_list``, and ``tf.ragged.map_flat_values``.
"""
from __future__ import annotations

import numpy as np

from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, TensorShape, convert_to_tensor

__all__ = ["RaggedTensor", "constant", "map_flat_values"]


class RaggedTensor:
    """Rows of different lengths: ``flat_values`` split at ``row_splits`` (one ragged dimension)."""

    def __init__(self, flat_values: Tensor, row_splits: Tensor):
        self.flat_values = flat_values
        self.row_splits = row_splits

    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate=True) -> "RaggedTensor":
        splits = S.cast(convert_to_tensor(row_splits), dtypes.int64)
        v = convert_to_tensor(values)
        s = splits.numpy()
        if validate and (s.ndim != 1 or not len(s) or s[0] != 0 or np.any(np.diff(s) < 0) or s[-1] != v.shape[0]):
            raise InvalidArgumentError(f"RaggedTensor: row_splits must start at 0, never decrease and end at "
                                       f"{v.shape[0]} (the number of values); got {s.tolist()}", "RaggedTensor")
        return cls(v, splits)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate=True) -> "RaggedTensor":
        lengths = np.asarray(convert_to_tensor(row_lengths).numpy(), dtype=np.int64)
        return cls.from_row_splits(values, np.concatenate([[0], np.cumsum(lengths)]), validate=validate)

    @property
    def values(self) -> Tensor:
        return self.flat_values

    @property
    def dtype(self):
        return self.flat_values.dtype

    @property
    def shape(self) -> TensorShape:
        return TensorShape([int(self.row_splits.shape[0]) - 1, None] + list(self.flat_values.shape[1:]))

    @property
    def ragged_rank(self) -> int:
        return 1

    def row_lengths(self) -> Tensor:
        s = self.row_splits
        return s[1:] - s[:-1]

    def nrows(self) -> Tensor:
        return convert_to_tensor(int(self.row_splits.shape[0]) - 1, dtype=dtypes.int64)

    def __getitem__(self, key):
        if isinstance(key, (int, np.integer)):
            s = self.row_splits.numpy()
            n = len(s) - 1
            if not -n <= key < n:
                raise IndexError(f"RaggedTensor: row {key} is out of range for {n} rows")
            key = int(key) % n
            return self.flat_values[int(s[key]):int(s[key + 1])]
        raise TypeError("RaggedTensor: minitf indexes a ragged tensor by row number only")

    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        """The rows padded with ``default_value`` (0) to the longest."""
        s = self.row_splits.numpy()
        values = self.flat_values.numpy()
        width = int(np.max(np.diff(s))) if len(s) > 1 else 0
        out = np.full((len(s) - 1, width) + values.shape[1:], 0 if default_value is None else default_value,
                      dtype=values.dtype)
        for i in range(len(s) - 1):
            out[i, : s[i + 1] - s[i]] = values[s[i]:s[i + 1]]
        return convert_to_tensor(out)

    def to_list(self) -> list:
        s = self.row_splits.numpy()
        values = self.flat_values.numpy()
        return [values[s[i]:s[i + 1]].tolist() for i in range(len(s) - 1)]

    def numpy(self) -> np.ndarray:
        s = self.row_splits.numpy()
        values = self.flat_values.numpy()
        out = np.empty(len(s) - 1, dtype=object)
        for i in range(len(s) - 1):
            out[i] = values[s[i]:s[i + 1]]
        return out

    def with_flat_values(self, new_values) -> "RaggedTensor":
        return RaggedTensor(convert_to_tensor(new_values), self.row_splits)

    def __repr__(self) -> str:
        return f"<tf.RaggedTensor {self.to_list()}>"

    __str__ = __repr__


def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None, row_splits_dtype=dtypes.int64):
    """A RaggedTensor from a list of lists (rows of any lengths)."""
    if not isinstance(pylist, (list, tuple)) or not all(isinstance(r, (list, tuple)) for r in pylist):
        raise ValueError("tf.ragged.constant: expected a list of rows (lists); minitf supports one ragged dimension")
    flat = [v for row in pylist for v in row]
    values = convert_to_tensor(flat, dtype=dtype) if flat else convert_to_tensor(np.zeros(0, dtype=np.float32),
                                                                                 dtype=dtype)
    splits = np.concatenate([[0], np.cumsum([len(r) for r in pylist])]).astype(np.int64)
    return RaggedTensor(values, convert_to_tensor(splits))


def map_flat_values(op, *args, **kwargs) -> RaggedTensor:
    """``op`` applied to the flat values of the ragged arguments (same row splits)."""
    ragged = [a for a in list(args) + list(kwargs.values()) if isinstance(a, RaggedTensor)]
    if not ragged:
        raise ValueError("map_flat_values: expected at least one RaggedTensor argument")
    unwrap = lambda a: a.flat_values if isinstance(a, RaggedTensor) else a  # noqa: E731
    out = op(*[unwrap(a) for a in args], **{k: unwrap(v) for k, v in kwargs.items()})
    return RaggedTensor(convert_to_tensor(out), ragged[0].row_splits)
