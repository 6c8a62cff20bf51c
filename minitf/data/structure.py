"""The shape of a dataset element: tuples and dicts of tensors, and their TensorSpecs.

tf.data's rule (which differs from ``tf.nest``): a tuple (or namedtuple) or a
dict is a *structure* whose parts are separate components; a list is a
*value*, converted to one tensor. So ``from_tensor_slices(([1, 2], [3, 4]))``
has two components, while ``from_tensor_slices([[1, 2], [3, 4]])`` has one.

Inside the pipeline, elements are structures of raw backend arrays (NumPy or
CuPy); they become minitf Tensors only when handed to user code (``map``,
``filter``) or to the caller of ``iter(dataset)``.
"""
from __future__ import annotations

import collections
from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.tensor import Tensor, TensorShape, convert_to_tensor


def is_structure(value: Any) -> bool:
    return isinstance(value, (tuple, dict))


def map_structure(fn: Callable, *structures: Any) -> Any:
    """``fn`` applied leaf by leaf to structures of the same layout (the first one's)."""
    first = structures[0]
    if isinstance(first, dict):
        out = {key: map_structure(fn, *(s[key] for s in structures)) for key in first}
        return collections.OrderedDict(out) if isinstance(first, collections.OrderedDict) else out
    if isinstance(first, tuple):
        parts = [map_structure(fn, *items) for items in zip(*structures)]
        return type(first)(*parts) if hasattr(first, "_fields") else tuple(parts)
    return fn(*structures)


def flatten(structure: Any) -> list:
    """The leaves (dicts in key order as given)."""
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in flatten(structure[key])]
    if isinstance(structure, tuple):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def same_layout(a: Any, b: Any) -> bool:
    """True when a and b nest the same way (same tuple lengths, same dict keys)."""
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and set(a) == set(b) and all(
            same_layout(a[k], b[k]) for k in a)
    if isinstance(a, tuple) or isinstance(b, tuple):
        return (isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b)
                and all(same_layout(x, y) for x, y in zip(a, b)))
    return True


def to_arrays(value: Any, what: str) -> Any:
    """A structure of user values (arrays, Tensors, lists, scalars) as backend arrays, TF's dtypes."""
    def convert(leaf):
        if _is_sparse(leaf):  # a SparseTensor travels as itself
            return leaf
        if leaf is None:  # TF: "Attempt to convert a value (None) ...", a ValueError
            raise ValueError(f"{what}: a component is None; dataset elements must be tensors or structures of them")
        try:
            return convert_to_tensor(leaf)._value
        except (TypeError, ValueError) as e:
            # TF's classes: a ragged list is a ValueError, a value of the wrong kind a TypeError.
            error = TypeError if isinstance(e, TypeError) else ValueError
            raise error(f"{what}: cannot convert {type(leaf).__name__} {leaf!r:.80} to a tensor ({e})") from None
    return map_structure(convert, value)


def _is_sparse(value) -> bool:
    return type(value).__name__ == "SparseTensor" and type(value).__module__ == "minitf.sparse"


def spec_of(array, rows: bool = False):
    """The spec of a component (``rows``: of one of its rows): a TensorSpec, or a SparseTensorSpec."""
    if _is_sparse(array):
        from minitf.sparse import SparseTensorSpec
        return SparseTensorSpec(array.shape[1:] if rows else array.shape, array.dtype)
    return TensorSpec(array.shape[1:] if rows else array.shape, dtypes.from_numpy(array.dtype))


def row(array, i: int):
    """Row ``i`` of a component. A string component (an object array, on the host) gives a 0-d array,
    where plain indexing would hand out the bare ``bytes``."""
    if _is_sparse(array):
        from minitf import sparse
        return sparse.row(array, i)
    return array[i, ...] if array.dtype.kind == "O" else array[i]


def slice_rows(array, index: slice):
    """The rows ``index`` (a slice) of a component."""
    if _is_sparse(array):
        from minitf import sparse
        return sparse.take_rows(array, range(array.shape[0])[index])
    return array[index]


def take_rows(array, index):
    """The rows at ``index`` (an integer array); a string component takes them with a host index."""
    if _is_sparse(array):
        from minitf import sparse
        return sparse.take_rows(array, B.to_numpy(index).reshape(-1).tolist())
    if array.dtype.kind == "O":
        return np.take(array, B.to_numpy(index), axis=0)
    return B.xp.take(array, index, axis=0)


def to_tensors(element: Any) -> Any:
    """A structure of backend arrays as minitf Tensors (0-d arrays stay 0-d)."""
    # Indexing a NumPy array with an int gives a NumPy scalar: make it a 0-d array again.
    # A window's element is a dataset (``window``): it stays one.
    return map_structure(lambda a: a if hasattr(a, "_iterate") or _is_sparse(a) else
                         Tensor(B.xp.asarray(a) if isinstance(a, np.generic) else a), element)


def to_numpy(element: Any) -> Any:
    """A structure of backend arrays as NumPy values (a 0-d array becomes a NumPy scalar, as in TF)."""
    def convert(a):
        if hasattr(a, "_iterate"):  # a window's dataset
            return a
        if _is_sparse(a):  # TF's as_numpy_iterator gives a SparseTensor's dense value
            from minitf import sparse
            return sparse.to_dense(a).numpy()
        host = B.to_numpy(a)
        return host[()] if host.ndim == 0 else host  # (a string: its bytes)
    return map_structure(convert, element)


class TensorSpec:
    """The type of one component: its shape (``None`` where it varies) and dtype (``tf.TensorSpec``)."""

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, shape, dtype=dtypes.float32, name: str | None = None):
        # shape None: not even the rank is known (TF's TensorShape(None), e.g. from_generator without shapes)
        self.shape = None if shape is None else TensorShape(tuple(None if d is None else int(d) for d in shape))
        self.dtype = dtypes.as_dtype(dtype)
        self.name = name

    @classmethod
    def from_array(cls, array) -> "TensorSpec":
        return cls(array.shape, dtypes.from_numpy(array.dtype))

    def most_specific_compatible(self, other: "TensorSpec") -> "TensorSpec":
        """The spec both fit: equal dims kept, differing ones become None (as TF relaxes them)."""
        if self.shape is None or other.shape is None or len(self.shape) != len(other.shape):
            return TensorSpec(None, self.dtype)
        return TensorSpec([a if a == b else None for a, b in zip(self.shape, other.shape)], self.dtype)

    def is_compatible_with(self, other: "TensorSpec") -> bool:
        if self.shape is None or other.shape is None:
            return self.dtype == other.dtype
        return self.dtype == other.dtype and len(self.shape) == len(other.shape) and all(
            a is None or b is None or a == b for a, b in zip(self.shape, other.shape))

    def __eq__(self, other) -> bool:
        # tf.TensorSpec (minitf.function's, for traces) describes the same thing: equal when they agree
        if not (isinstance(other, TensorSpec) or type(other).__name__ == "TensorSpec"):
            return False
        shape = None if other.shape is None else tuple(other.shape)
        return (None if self.shape is None else tuple(self.shape)) == shape and self.dtype == other.dtype

    def __hash__(self) -> int:
        return hash((None if self.shape is None else tuple(self.shape), self.dtype.name))

    def __repr__(self) -> str:
        shape = "<unknown>" if self.shape is None else tuple(self.shape)
        return f"TensorSpec(shape={shape}, dtype={self.dtype!r}, name={self.name!r})"
