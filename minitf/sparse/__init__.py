"""``minitf.sparse``, as ``tf.sparse``: tensors stored as (indices, values, dense_shape).

    sp = tf.sparse.SparseTensor(indices=[[0, 0], [1, 2]], values=[1.0, 2.0], dense_shape=[3, 4])
    tf.sparse.to_dense(sp)                     # the 3x4 tensor, zeros elsewhere
    tf.sparse.sparse_dense_matmul(sp, dense)   # sp @ dense

A SparseTensor holds three Tensors: ``indices`` (int64, one row per stored value), ``values``
and ``dense_shape`` (int64). ``to_dense`` is a scatter of the values (an op: gradients flow to
``values``), so ``sparse_dense_matmul`` differentiates with respect to the values and the dense
matrix. (minitf computes it through the dense form: simple, not memory-frugal.)
"""
from __future__ import annotations

import numpy as np

from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops import shape_ops as S
from minitf.ops.linalg import matmul
from minitf.ops.scatter_ops import ScatterNd
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["SparseTensor", "SparseTensorSpec", "from_dense", "to_dense", "sparse_dense_matmul", "add", "reorder"]


class SparseTensor:
    """Values at ``indices`` in a tensor of shape ``dense_shape`` (``tf.sparse.SparseTensor``)."""

    def __init__(self, indices, values, dense_shape):
        self.indices = S.cast(convert_to_tensor(indices, dtype_hint=dtypes.int64), dtypes.int64) \
            if not (isinstance(indices, Tensor) and indices.dtype == dtypes.int64) else indices
        self.values = convert_to_tensor(values)
        self.dense_shape = S.cast(convert_to_tensor(dense_shape, dtype_hint=dtypes.int64), dtypes.int64)
        if self.indices.ndim != 2 or self.values.ndim != 1 or self.indices.shape[0] != self.values.shape[0] \
                or self.indices.shape[1] != self.dense_shape.shape[0]:
            raise InvalidArgumentError(f"SparseTensor: indices must be [N, rank], values [N] and dense_shape [rank]; "
                                       f"got indices {list(self.indices.shape)}, values {list(self.values.shape)}, "
                                       f"dense_shape {list(self.dense_shape.shape)}", "SparseTensor")

    @property
    def shape(self):
        from minitf.tensor import TensorShape
        return TensorShape([int(d) for d in self.dense_shape.numpy()])

    @property
    def dtype(self):
        return self.values.dtype

    def __repr__(self) -> str:
        return f"SparseTensor(indices={self.indices!s}, values={self.values!s}, dense_shape={self.dense_shape!s})"

    __str__ = __repr__


class SparseTensorSpec:
    """The type of a SparseTensor: its dense shape (None where it varies) and dtype (``tf.SparseTensorSpec``);
    a tf.data element that is a SparseTensor has one as its ``element_spec``."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape=None, dtype=dtypes.float32):
        from minitf.tensor import TensorShape
        self.shape = None if shape is None else TensorShape(None if d is None else int(d) for d in shape)
        self.dtype = dtypes.as_dtype(dtype)

    @property
    def value_type(self) -> type:
        return SparseTensor

    def is_compatible_with(self, other) -> bool:
        return (isinstance(other, (SparseTensorSpec, SparseTensor)) and self.dtype == other.dtype
                and (self.shape is None or other.shape is None or self.shape.is_compatible_with(other.shape)))

    def __eq__(self, other) -> bool:
        return isinstance(other, SparseTensorSpec) and self.dtype == other.dtype and self.shape == other.shape

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype.name))

    def __repr__(self) -> str:
        shape = "TensorShape(None)" if self.shape is None else repr(self.shape)
        return f"SparseTensorSpec({shape}, {self.dtype!r})"


# --- SparseTensors as rows of a tf.data element (minitf/data) -----------------------------------------
def take_rows(sp: SparseTensor, rows) -> SparseTensor:
    """The rows ``rows`` (a list of indices, in order) of ``sp``, as a SparseTensor of the same rank."""
    indices, values = np.asarray(sp.indices.numpy()), sp.values.numpy()
    picked_indices, picked_values = [], []
    for new, old in enumerate(int(r) for r in rows):
        keep = indices[:, 0] == old
        moved = indices[keep].copy()
        moved[:, 0] = new
        picked_indices.append(moved)
        picked_values.append(values[keep])
    shape = [len(picked_indices)] + [int(d) for d in sp.dense_shape.numpy()[1:]]
    return SparseTensor(np.concatenate(picked_indices) if picked_indices else np.zeros((0, len(shape)), np.int64),
                        _values(picked_values, values), shape)


def _values(parts: list, like):
    from minitf.tensor import Tensor
    array = np.concatenate(parts) if parts else like[:0]
    return Tensor(array) if array.dtype.kind == "O" else convert_to_tensor(array)


def row(sp: SparseTensor, i: int) -> SparseTensor:
    """Row ``i`` of ``sp``: a SparseTensor of one rank less."""
    indices, values = np.asarray(sp.indices.numpy()), sp.values.numpy()
    keep = indices[:, 0] == i
    return SparseTensor(indices[keep][:, 1:], _values([values[keep]], values),
                        [int(d) for d in sp.dense_shape.numpy()[1:]])


def stack(items: list) -> SparseTensor:
    """SparseTensors of one rank stacked along a new first axis; the dense shape is the largest in each dim."""
    ranks = {len(item.shape) for item in items}
    if len(ranks) > 1:
        raise ValueError(f"batch: Cannot batch SparseTensors of different ranks: {sorted(ranks)}")
    shape = [len(items)] + [max(int(item.dense_shape.numpy()[d]) for item in items) for d in range(ranks.pop())]
    indices = [np.concatenate([np.full((len(item.values.numpy()), 1), k, np.int64), item.indices.numpy()], axis=1)
               for k, item in enumerate(items)]
    return SparseTensor(np.concatenate(indices), _values([item.values.numpy() for item in items],
                                                        items[0].values.numpy()), shape)


def from_dense(tensor, name=None) -> SparseTensor:
    """The nonzero entries of ``tensor``, in row-major order."""
    t = convert_to_tensor(tensor)
    where = np.argwhere(t.numpy() != 0).astype(np.int64)
    return SparseTensor(where, S.gather_nd(t, where) if len(where) else S.reshape(t, [-1])[:0], list(t.shape))


def to_dense(sp_input: SparseTensor, default_value=None, validate_indices=True, name=None) -> Tensor:
    """The dense tensor: values at their indices, ``default_value`` (0) elsewhere."""
    if not isinstance(sp_input, SparseTensor):
        raise TypeError(f"to_dense: expected a SparseTensor, got {type(sp_input).__name__}")
    shape = tuple(int(d) for d in sp_input.dense_shape.numpy())
    dense = ScatterNd.apply(sp_input.indices, sp_input.values, shape=shape)
    if default_value is not None and default_value != 0:
        from minitf.ops import elementwise as E
        ones = S.cast(convert_to_tensor([1] * int(sp_input.values.shape[0])), sp_input.values.dtype)
        mask = ScatterNd.apply(sp_input.indices, ones, shape=shape)
        dense = E.where(E.not_equal(mask, 0), dense, S.cast(default_value, sp_input.values.dtype))
    return dense


def sparse_dense_matmul(sp_a: SparseTensor, b, adjoint_a=False, adjoint_b=False, name=None) -> Tensor:
    """``sp_a @ b`` (a SparseTensor times a dense matrix)."""
    return matmul(to_dense(sp_a), convert_to_tensor(b), transpose_a=adjoint_a, transpose_b=adjoint_b)


def add(a, b, threshold=0, name=None):
    """Sparse + sparse (a SparseTensor) or sparse + dense (a dense Tensor)."""
    if isinstance(a, SparseTensor) and isinstance(b, SparseTensor):
        return from_dense(to_dense(a) + to_dense(b))
    dense_a = to_dense(a) if isinstance(a, SparseTensor) else convert_to_tensor(a)
    dense_b = to_dense(b) if isinstance(b, SparseTensor) else convert_to_tensor(b)
    return dense_a + dense_b


def reorder(sp_input: SparseTensor, name=None) -> SparseTensor:
    """The same tensor with its entries in row-major order."""
    order = np.lexsort(sp_input.indices.numpy().T[::-1])
    return SparseTensor(S.gather(sp_input.indices, order), S.gather(sp_input.values, order), sp_input.dense_shape)
