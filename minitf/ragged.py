"""``tf.RaggedTensor`` in miniature: rows of different lengths, as ``tf.strings.split`` returns them.

A ragged tensor is a flat tensor of ``values`` cut into rows by ``row_splits``: row i holds
``values[row_splits[i]:row_splits[i + 1]]``. So ``[[b"a", b"b"], [], [b"c"]]`` is

    values     = [b"a", b"b", b"c"]
    row_splits = [0, 2, 2, 3]            (int64; nrows + 1 entries, starting at 0)

A ragged tensor of rank 3 has a RaggedTensor as its ``values`` (``nested_row_splits`` lists
the splits, outer first); ``flat_values`` is the innermost dense tensor. ``to_tensor`` pads
the rows into a dense tensor, ``row_lengths`` counts them, ``to_list`` gives nested lists.

Both parts are ordinary tensors and the conversions are ops, so a function traced with
``minitf.function`` (a ``fit`` step reading strings) can split text and pad it again inside
the graph. What minitf leaves out: ragged tensors as dataset elements or ``tf.function``
arguments and results, ragged arithmetic beyond ``tf.ragged.map_flat_values``, and uniform
(non-ragged) inner dimensions other than those of ``flat_values``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops.op import Op
from minitf.tensor import Tensor, TensorShape, convert_to_tensor

__all__ = ["RaggedTensor", "constant", "map_flat_values", "RaggedTensorSpec"]


# --- ops: the conversions a trace may hold --------------------------------------------------------
class RaggedTensorToTensor(Op):
    """Rows padded with ``default`` to ``width`` (the longest row when None) and cut to it:
    out[i, j] = values[row_splits[i] + j] for j < row length, else default. No gradient."""

    def forward(values, row_splits, default, width):
        splits = B.to_numpy(row_splits)
        lengths = np.diff(splits)
        nrows = lengths.size
        if width is None:
            width = int(lengths.max()) if nrows else 0
        xp = B.module_of(values)
        out = xp.empty((nrows, width) + values.shape[1:], dtype=values.dtype)
        out[...] = default
        keep = np.arange(width)[None, :] < lengths[:, None]  # (nrows, width): the cells a value fills
        rows, cols = np.nonzero(keep)
        if rows.size:
            source = splits[rows] + cols
            if xp is np:
                out[rows, cols] = values[source]
            else:
                out[xp.asarray(rows), xp.asarray(cols)] = values[xp.asarray(source)]
        return out

    def shape(values_shape, splits_shape, default_shape, width):
        nrows = None if splits_shape[0] is None else splits_shape[0] - 1
        return (nrows, width) + tuple(values_shape[1:])


class RowLengths(Op):
    """row_splits[i + 1] - row_splits[i], the length of each row (int64). No gradient."""

    def forward(row_splits):
        return row_splits[1:] - row_splits[:-1]

    def shape(splits_shape):
        return (None if splits_shape[0] is None else splits_shape[0] - 1,)


class UniformRowSplits(Op):
    """The row_splits of ``x``'s first two axes seen as rows of equal length: 0, n, 2n, ... (int64)."""

    shape_only = True

    def forward(x):
        rows, width = x.shape[0], x.shape[1]
        return B.xp.arange(0, rows * width + 1, max(width, 1), dtype=np.int64)[:rows + 1]

    def shape(x_shape):
        return (None if x_shape[0] is None else x_shape[0] + 1,)


# --- the class -------------------------------------------------------------------------------------
class RaggedTensor:
    """Rows of different lengths: ``values`` cut at ``row_splits`` (see the module docstring)."""

    def __init__(self, values, row_splits, internal: bool = False):
        if not internal:
            raise ValueError("RaggedTensor constructor is private; please use one of the factory methods "
                             "instead (e.g., RaggedTensor.from_row_lengths())")
        self._values = values
        self._row_splits = row_splits
        self._uniform_row_length = None  # every row this long (rows cut from a dense dimension), if known

    # --- building ---
    @classmethod
    def from_row_splits(cls, values, row_splits, name=None, validate: bool = True) -> "RaggedTensor":
        """Rows ``values[row_splits[i]:row_splits[i+1]]``; ``row_splits`` starts at 0, never decreases, and ends
        at ``len(values)``."""
        values = values if isinstance(values, RaggedTensor) else convert_to_tensor(values)
        splits = convert_to_tensor(row_splits, dtype_hint=dtypes.int64)
        if not splits.dtype.is_integer or splits.ndim != 1:
            raise ValueError(f"row_splits must be a 1-D integer tensor, got {splits.dtype.name} of shape "
                             f"{tuple(splits.shape)}")
        if splits._value.dtype != np.int64:
            from minitf.ops.shape_ops import cast
            splits = cast(splits, dtypes.int64)
        if validate and not _symbolic(splits) and not _symbolic_values(values):
            s = B.to_numpy(splits._value)
            n = _nvals(values)
            if s.size == 0 or s[0] != 0 or np.any(np.diff(s) < 0) or s[-1] != n:
                raise InvalidArgumentError(
                    f"RaggedTensor: row_splits must start at 0, never decrease and end at the number of values "
                    f"({n}); got {s.tolist()}")
        return cls(values, splits, internal=True)

    @classmethod
    def from_row_lengths(cls, values, row_lengths, name=None, validate: bool = True) -> "RaggedTensor":
        """Rows of the given lengths, one after the other."""
        lengths = np.asarray(convert_to_tensor(row_lengths).numpy(), dtype=np.int64).reshape(-1)
        if (lengths < 0).any():
            raise InvalidArgumentError(f"RaggedTensor.from_row_lengths: lengths must be >= 0, got {lengths.tolist()}")
        return cls.from_row_splits(values, np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
                                   validate=validate)

    @classmethod
    def from_value_rowids(cls, values, value_rowids, nrows=None, name=None, validate: bool = True) -> "RaggedTensor":
        """Rows from the row index of each value (sorted): ``value_rowids[k]`` is the row of ``values[k]``."""
        ids = np.asarray(convert_to_tensor(value_rowids).numpy(), dtype=np.int64).reshape(-1)
        if ids.size and np.any(np.diff(ids) < 0):
            raise InvalidArgumentError("RaggedTensor.from_value_rowids: value_rowids must be sorted")
        n = int(nrows) if nrows is not None else (int(ids[-1]) + 1 if ids.size else 0)
        return cls.from_row_lengths(values, np.bincount(ids, minlength=n)[:n], validate=validate)

    @classmethod
    def from_nested_row_splits(cls, flat_values, nested_row_splits, name=None, validate: bool = True):
        result = flat_values
        for splits in reversed(list(nested_row_splits)):
            result = cls.from_row_splits(result, splits, validate=validate)
        return result

    @classmethod
    def from_tensor(cls, tensor, lengths=None, padding=None, ragged_rank: int = 1, name=None) -> "RaggedTensor":
        """The rows of a dense tensor (rank >= 2), cut to ``lengths`` or before trailing ``padding``."""
        x = convert_to_tensor(tensor)
        if x.ndim < 2:
            raise ValueError(f"RaggedTensor.from_tensor: the tensor must have rank >= 2, got shape {tuple(x.shape)}")
        array = x.numpy()
        rows, width = array.shape[:2]
        if lengths is not None:
            keep = np.asarray(convert_to_tensor(lengths).numpy(), dtype=np.int64).reshape(-1)
        elif padding is not None:
            pad = convert_to_tensor(padding, dtype=x.dtype).numpy()
            is_pad = np.all((array == pad).reshape(rows, width, -1), axis=-1)
            keep = np.array([width - _trailing(row) for row in is_pad], dtype=np.int64)
        else:
            keep = np.full(rows, width, dtype=np.int64)
        values = np.concatenate([array[i, :keep[i]] for i in range(rows)]) if rows else array.reshape(
            (0,) + array.shape[2:])
        return cls.from_row_lengths(Tensor(B.xp.asarray(values) if values.dtype.kind != "O" else values), keep)

    # --- what it is ---
    @property
    def values(self):
        return self._values

    @property
    def row_splits(self) -> Tensor:
        return self._row_splits

    @property
    def flat_values(self) -> Tensor:
        values = self._values
        while isinstance(values, RaggedTensor):
            values = values._values
        return values

    @property
    def nested_row_splits(self) -> tuple:
        splits, rt = [], self
        while isinstance(rt, RaggedTensor):
            splits.append(rt._row_splits)
            rt = rt._values
        return tuple(splits)

    @property
    def ragged_rank(self) -> int:
        return len(self.nested_row_splits)

    @property
    def dtype(self) -> dtypes.DType:
        return self.flat_values.dtype

    @property
    def row_splits_dtype(self) -> dtypes.DType:
        return dtypes.int64

    @property
    def shape(self) -> TensorShape:
        """[nrows, None (ragged), ..., then the inner dense sizes]: TF's static shape."""
        n = self._row_splits.shape[0]
        inner = self._values.shape
        return TensorShape((None if n is None else n - 1, self._uniform_row_length) + tuple(inner[1:]))

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def nrows(self, out_type=dtypes.int64) -> Tensor:
        from minitf.ops.shape_ops import cast, shape
        return cast(shape(self._row_splits)[0] - 1, out_type)

    def row_lengths(self, axis: int = 1, name=None) -> Tensor:
        """The length of each row (int64); ``axis=2`` the lengths one level down."""
        if axis == 1:
            return RowLengths.apply(self._row_splits)
        if axis > 1 and isinstance(self._values, RaggedTensor):
            inner = self._values.row_lengths(axis - 1)
            return RaggedTensor.from_row_splits(inner, self._row_splits, validate=False)
        raise ValueError(f"row_lengths: axis={axis} is not a ragged axis of this RaggedTensor (ragged_rank "
                         f"{self.ragged_rank})")

    def value_rowids(self) -> Tensor:
        lengths = B.to_numpy(self.row_lengths()._value)
        return Tensor(B.xp.asarray(np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)))

    def bounding_shape(self, axis=None, out_type=dtypes.int64) -> Tensor:
        dense = self.to_tensor()
        return Tensor(B.xp.asarray(np.array(dense.shape, dtype=dtypes.as_dtype(out_type)._np)))

    # --- conversions ---
    def to_tensor(self, default_value=None, name=None, shape=None) -> Tensor:
        """A dense tensor: rows padded with ``default_value`` (zero, or b"" for strings) to the longest row,
        or cut/padded to ``shape`` (a list with None where the size is free)."""
        width = None
        if shape is not None:
            shape = list(shape)
            if len(shape) < 2:
                raise ValueError(f"to_tensor: shape {shape} must have rank >= 2")
            width = None if shape[1] is None else int(shape[1])
        inner = self._values
        if isinstance(inner, RaggedTensor):
            inner_shape = None if shape is None else [None] + shape[2:]
            inner = inner.to_tensor(default_value, shape=inner_shape)
        if default_value is None:
            default = b"" if inner.dtype.is_string else 0
        else:
            default = convert_to_tensor(default_value, dtype=inner.dtype).numpy()
            if isinstance(default, np.ndarray):
                default = default[()] if default.ndim == 0 else default
        out = RaggedTensorToTensor.apply(inner, self._row_splits, Tensor(_scalar(default, inner.dtype)), width=width)
        if shape is not None and shape[0] is not None and out.shape[0] is not None and shape[0] != out.shape[0]:
            raise InvalidArgumentError(f"to_tensor: the ragged tensor has {out.shape[0]} rows, shape asks for "
                                       f"{shape[0]}")
        return out

    def numpy(self) -> np.ndarray:
        """Rows as NumPy arrays: one array if they are all of one length, else an object array of them (TF's)."""
        values = self._values.numpy() if isinstance(self._values, RaggedTensor) else _host(self._values)
        splits = B.to_numpy(self._row_splits._value)
        rows = [values[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]
        if not rows:
            return np.zeros((0, 0) + np.shape(values)[1:], dtype=getattr(values, "dtype", object))
        if any(len(row) != len(rows[0]) for row in rows):
            out = np.empty(len(rows), dtype=object)
            out[:] = rows
            return out
        return np.array(rows)

    def to_list(self) -> list:
        """Nested Python lists (bytes for strings, as TF's ``to_list``)."""
        splits = B.to_numpy(self._row_splits._value).tolist()
        if isinstance(self._values, RaggedTensor):
            inner = self._values.to_list()
        else:
            inner = _host(self._values).tolist()
        return [inner[splits[i]:splits[i + 1]] for i in range(len(splits) - 1)]

    def with_values(self, new_values) -> "RaggedTensor":
        return RaggedTensor(new_values, self._row_splits, internal=True)

    def with_flat_values(self, new_values) -> "RaggedTensor":
        if isinstance(self._values, RaggedTensor):
            return self.with_values(self._values.with_flat_values(new_values))
        return self.with_values(new_values)

    def merge_dims(self, outer_axis: int, inner_axis: int) -> Any:
        """Axes outer_axis..inner_axis merged into one; ``merge_dims(0, -1)`` is the flat values."""
        if (outer_axis, inner_axis) in ((0, -1), (0, self.ragged_rank)) and not self.flat_values.ndim > 1:
            return self.flat_values
        if (outer_axis, inner_axis) == (0, 1):
            return self._values
        raise NotImplementedError(f"merge_dims({outer_axis}, {inner_axis}) is not implemented in minitf; "
                                  "merge_dims(0, 1) and merge_dims(0, -1) are")

    # --- indexing ---
    def __getitem__(self, key):
        """``rt[i]`` (row i: a tensor, or a RaggedTensor one level down), ``rt[i:j]``, ``rt[i, j]``."""
        if isinstance(key, tuple):
            if not key:
                return self
            head, rest = key[0], key[1:]
            if isinstance(head, slice) and head == slice(None) and rest:
                if not isinstance(rest[0], slice):
                    raise ValueError("Cannot index into an inner ragged dimension.")
                return self._map_rows(lambda row: row[rest if len(rest) > 1 else rest[0]])
            row = self[head]
            return row[rest if len(rest) > 1 else rest[0]] if rest else row
        splits = B.to_numpy(self._row_splits._value)
        n = splits.size - 1
        if isinstance(key, Tensor):
            key = int(key)
        if isinstance(key, (int, np.integer)):
            i = int(key)
            if not -n <= i < n:
                raise InvalidArgumentError(f"RaggedTensor index {i} is out of range for {n} rows")
            i %= n
            return self._values[int(splits[i]):int(splits[i + 1])]
        if isinstance(key, slice):
            rows = range(*key.indices(n))
            if rows.step != 1:
                raise NotImplementedError("RaggedTensor slices with a step are not implemented in minitf")
            lo, hi = (rows.start, rows.stop) if len(rows) else (0, 0)
            start, stop = int(splits[lo]), int(splits[hi]) if len(rows) else int(splits[0])
            new_splits = splits[lo:hi + 1] - splits[lo] if len(rows) else np.zeros(1, np.int64)
            return RaggedTensor.from_row_splits(self._values[start:stop], new_splits, validate=False)
        if key is Ellipsis:
            return self
        raise TypeError(f"RaggedTensor indices must be ints, slices or tuples of them, got {key!r}")

    def _map_rows(self, fn):
        rows = [fn(self[i]) for i in range(int(self._row_splits.shape[0]) - 1)]
        if rows and all(isinstance(r, Tensor) and r.ndim == 0 for r in rows):
            from minitf.ops.shape_ops import stack
            return stack(rows)
        return constant([r.to_list() if isinstance(r, RaggedTensor) else r.numpy().tolist() for r in rows])

    def __len__(self):
        raise TypeError("len() of a RaggedTensor is not supported in TF: use rt.nrows() or rt.shape[0]")

    def __iter__(self):
        n = int(B.to_numpy(self._row_splits._value).size) - 1
        return (self[i] for i in range(n))

    def __eq__(self, other):
        raise TypeError("== on a RaggedTensor is not supported in minitf: compare rt.to_list() instead")

    __hash__ = None

    def __repr__(self) -> str:
        if _symbolic(self._row_splits) or _symbolic_values(self._values):
            return f"tf.RaggedTensor(values={self._values!r}, row_splits={self._row_splits!r})"
        # TF's layout: NumPy's, elements separated by ", " (array2string per row, as ragged_tensor.py does it)
        with np.printoptions(formatter={"all": _formatter}):
            text = _formatter(self.numpy())
        return f"<tf.RaggedTensor {text}>"

    __str__ = __repr__


class RaggedTensorSpec:
    """The type of a RaggedTensor (shape, dtype, ragged_rank), for ``isinstance`` checks and signatures."""

    def __init__(self, shape=None, dtype=dtypes.float32, ragged_rank=None, row_splits_dtype=dtypes.int64):
        self.shape = TensorShape(shape) if shape is not None else None
        self.dtype = dtypes.as_dtype(dtype)
        self.ragged_rank = ragged_rank if ragged_rank is not None else (len(shape) - 1 if shape else 1)
        self.row_splits_dtype = dtypes.as_dtype(row_splits_dtype)

    def __repr__(self) -> str:
        return (f"RaggedTensorSpec(TensorShape({None if self.shape is None else list(self.shape)}), "
                f"{self.dtype!r}, {self.ragged_rank}, {self.row_splits_dtype!r})")


# --- tf.ragged ------------------------------------------------------------------------------------------
def constant(pylist, dtype=None, ragged_rank=None, inner_shape=None, name=None, row_splits_dtype=dtypes.int64):
    """A RaggedTensor from nested Python lists (``tf.ragged.constant([[1, 2], [3]])``).

    Every scalar must sit at the same depth; ``ragged_rank`` (default: all but the scalars' level)
    says how many levels are ragged, the rest must be of uniform length (dense inner dimensions).
    """
    depth = _scalar_depth(pylist)
    if depth is None:
        raise ValueError("tf.ragged.constant: all scalar values must have the same nesting depth")
    if depth == 0:
        return convert_to_tensor(pylist, dtype=dtype)
    if inner_shape is not None:
        raise NotImplementedError("tf.ragged.constant: inner_shape is not implemented in minitf")
    rank = depth - 1 if ragged_rank is None else int(ragged_rank)
    if not 0 <= rank < depth:
        raise ValueError(f"tf.ragged.constant: ragged_rank must be in [0, {depth - 1}], got {ragged_rank}")
    if rank == 0:
        return convert_to_tensor(pylist, dtype=dtype)
    nested_splits = []
    level = list(pylist)
    for _ in range(rank):
        lengths = [len(item) for item in level]
        nested_splits.append(np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64))
        level = [x for item in level for x in item]
    values = convert_to_tensor(level, dtype=dtype) if level else _empty_values(dtype, pylist)
    return RaggedTensor.from_nested_row_splits(values, [Tensor(B.xp.asarray(s)) for s in nested_splits])


def map_flat_values(op, *args, **kwargs):
    """``op`` applied to the flat values of the RaggedTensor arguments; the rows stay as they are."""
    ragged = [a for a in list(args) + list(kwargs.values()) if isinstance(a, RaggedTensor)]
    if not ragged:
        return op(*args, **kwargs)
    first = ragged[0]
    flat = lambda a: a.flat_values if isinstance(a, RaggedTensor) else a  # noqa: E731
    return first.with_flat_values(op(*[flat(a) for a in args], **{k: flat(v) for k, v in kwargs.items()}))


def is_ragged(value) -> bool:
    return isinstance(value, RaggedTensor)


# --- helpers -------------------------------------------------------------------------------------------
def _symbolic(t) -> bool:
    return isinstance(t, Tensor) and getattr(t, "_graph", None) is not None


def _symbolic_values(values) -> bool:
    while isinstance(values, RaggedTensor):
        if _symbolic(values._row_splits):
            return True
        values = values._values
    return _symbolic(values)


def _nvals(values) -> int | None:
    if isinstance(values, RaggedTensor):
        return values._row_splits.shape[0] - 1
    return values.shape[0] if values.ndim else None


def _host(t: Tensor) -> np.ndarray:
    return B.to_numpy(t._value)


def _scalar(value, dtype: dtypes.DType):
    if dtype.is_string:
        return np.array(value if isinstance(value, bytes) else str(value).encode(), dtype=object)
    return B.xp.asarray(value, dtype=dtype._np)


def _trailing(flags) -> int:
    n = 0
    for f in reversed(flags.tolist()):
        if not f:
            break
        n += 1
    return n


def _scalar_depth(value) -> int | None:
    if isinstance(value, (list, tuple)):
        depths = {_scalar_depth(v) for v in value}
        if not depths:
            return 1
        if None in depths or len(depths) > 1:
            return None
        return depths.pop() + 1
    return 0


def _empty_values(dtype, pylist):
    d = dtypes.as_dtype(dtype) if dtype is not None else dtypes.float32
    return Tensor(B.zeros((0,), d._np))


def _formatter(x):
    """TF's ``ragged_tensor._formatter``: NumPy's layout with elements separated by ", "."""
    if isinstance(x, np.ndarray):
        if x.size != 0:
            return np.array2string(x, separator=", ")
        return repr(x.tolist())
    return str(x)
