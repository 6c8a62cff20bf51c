"""``tf.TensorArray``: a list of same-shaped tensors written one index at a time, e.g. in a loop.

    ta = tf.TensorArray(tf.float32, size=3)
    for i in tf.range(3):
        ta = ta.write(i, x * tf.cast(i, tf.float32))
    ta.stack()                           # shape [3, *x.shape]

minitf keeps the elements in one buffer tensor of shape ``[size, *element_shape]``: ``write`` is a
``tensor_scatter_nd_update`` of one row, ``read`` / ``gather`` are gathers, ``stack`` is the buffer
itself, so gradients flow through the usual ops. A ``dynamic_size`` array grows its buffer (with
zero rows) to fit the index written (``GrowRows``). Unwritten rows read as zeros, as in TF once
the element shape is known.

As in TF: eagerly, ``write`` changes the array it is called on (and returns it, as a new object
sharing the same storage); inside ``tf.function`` it returns a new array and leaves the old one as
it was, so write ``ta = ta.write(i, v)``. In a traced ``tf.while_loop`` (an AutoGraph loop) the
array is a loop variable: the loop carries its buffer. An array whose element shape is not known
before the loop learns it by tracing the loop body once (``control_flow.while_loop``).

minitf's array holds elements of one shape (TF's ``infer_shape=False`` with different shapes is
not supported).
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf._context import state
from minitf.errors import InvalidArgumentError, OutOfRangeError
from minitf.ops import creation as C
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.ops.scatter_ops import TensorScatterUpdate
from minitf.tensor import Tensor, TensorShape, convert_to_tensor

__all__ = ["TensorArray", "GrowRows"]


class GrowRows(Op):
    """``buffer`` with zero rows appended until it has ``rows`` rows (unchanged when it has as many).
    Gradient: the first ``len(buffer)`` rows of dy."""

    def forward(buffer, rows):
        extra = int(rows) - buffer.shape[0]
        if extra <= 0:
            return buffer.copy()
        return B.xp.concatenate([buffer, B.xp.zeros((extra,) + buffer.shape[1:], dtype=buffer.dtype)])

    def backward(ctx, dy):
        return ShrinkRows.apply(dy, ctx.inputs[0]), None

    def shape(buffer_shape, rows_shape):
        return (None,) + tuple(buffer_shape[1:])


class ShrinkRows(Op):
    """The first ``len(like)`` rows of ``x`` (GrowRows' gradient).   Gradient: dy grown back to x's rows."""

    def forward(x, like):
        return x[:like.shape[0]].copy()

    def backward(ctx, dy):
        return GrowRows.apply(dy, S.shape(ctx.inputs[0])[0]), None

    def shape(x_shape, like_shape):
        return (like_shape[0],) + tuple(x_shape[1:])


def _static_int(what: str, value):
    """A Python int from an int or a tensor whose value is known (None when it is symbolic)."""
    if isinstance(value, Tensor):
        try:
            return int(value.numpy())
        except Exception:  # a symbolic tensor of a trace: its value comes when the graph runs
            return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    raise TypeError(f"TensorArray: {what} must be an integer, got {type(value).__name__} {value!r:.60}")


class TensorArray:
    """A list of tensors of one dtype and shape (``tf.TensorArray``); see the module docstring."""

    def __init__(self, dtype, size=None, dynamic_size=None, clear_after_read=None, tensor_array_name=None,
                 handle=None, flow=None, infer_shape=True, element_shape=None, colocate_with_first_write_call=True,
                 name=None):
        self._dtype = dtypes.as_dtype(dtype)
        self._dynamic = bool(dynamic_size)
        if size is None and not self._dynamic:
            raise ValueError("Size must be provided if handle is not provided")
        size = 0 if size is None else size
        # a Python int, or None when the size is a symbolic tensor of a trace (then kept in _size_tensor)
        self._size = _static_int("size", size)
        self._size_tensor = None if self._size is not None else S.cast(size, dtypes.int32)
        self._element_shape = None if element_shape is None else TensorShape(element_shape)
        self._infer_shape = infer_shape
        # TF's eager arrays forget an element once read (clear_after_read, default True): it reads as zeros
        # after, and a second read is an error. A traced array (TF's TensorList) keeps its elements.
        self._clear_after_read = clear_after_read is None or bool(clear_after_read)
        # [the buffer tensor (None before the first write with an unknown element shape), the indices cleared
        # by an eager read]: shared by the arrays an eager write returns
        self._store = [None, set()]
        if self._element_shape is not None and None not in tuple(self._element_shape):
            self._store[0] = self._zeros(tuple(self._element_shape))

    # --- what the array is -------------------------------------------------------------------
    @property
    def dtype(self):
        return self._dtype

    @property
    def dynamic_size(self) -> bool:
        return self._dynamic

    @property
    def element_shape(self) -> TensorShape | None:
        """The elements' shape; None while unknown (TF's ``TensorShape(None)``: minitf's shapes always
        have a rank)."""
        return self._element_shape

    @property
    def _buffer(self):
        return self._store[0]

    def _zeros(self, element_shape: tuple) -> Tensor:
        """A buffer of zeros: ``size`` elements of ``element_shape``."""
        if self._size is not None:
            return C.zeros([self._size] + list(element_shape), self._dtype)
        from minitf.ops.shape_ops import concat
        return C.zeros(concat([S.reshape(self._size_tensor, [1]), convert_to_tensor(np.asarray(element_shape,
                                                                                           np.int32))], 0),
                       self._dtype)

    def size(self, name=None) -> Tensor:
        """The number of elements (int32)."""
        if self._size_tensor is not None and not self._dynamic:  # a fixed size given as a tensor of a trace
            return self._size_tensor
        if self._buffer is None:
            return convert_to_tensor(np.int32(self._size))
        return S.cast(S.shape(self._buffer)[0], dtypes.int32)

    def _with_buffer(self, buffer: Tensor, element_shape, infer: bool = True) -> "TensorArray":
        """The array after a write: eagerly this one (its storage shared, as TF's eager arrays), else a new one.
        ``infer=False``: the element shape stays as it was (TF's eager unstack does not learn it)."""
        out = TensorArray.__new__(TensorArray)
        out.__dict__.update(self.__dict__)
        if infer or state.graph is not None:
            out._element_shape = TensorShape(element_shape)
        if state.graph is None:
            self._store[0] = buffer
            self._element_shape = out._element_shape
        else:
            out._store = [buffer, set()]
        return out

    def _value(self, value, what: str) -> Tensor:
        try:
            tensor = convert_to_tensor(value, dtype=self._dtype)
        except (TypeError, ValueError, InvalidArgumentError):
            given = convert_to_tensor(value)
            raise InvalidArgumentError(f"TensorArray dtype is {self._dtype.name} but Op is trying to write dtype "
                                       f"{given.dtype.name} ", f"TensorArray{what}") from None
        return tensor

    def _check_shape(self, shape: tuple) -> None:
        known = self._element_shape
        if known is not None and self._infer_shape is not False and not known.is_compatible_with(shape):
            raise ValueError(f"Incompatible shape for value ({tuple(shape)}), expected ({tuple(known)})")

    def _start(self, element_shape: tuple) -> Tensor:
        """The buffer, made (zeros) for elements of ``element_shape`` if nothing was written yet."""
        if self._buffer is not None:
            return self._buffer
        return self._zeros(tuple(element_shape))

    def _rows_check(self, index: Tensor, op: str, reading: bool) -> None:
        """TF's OutOfRangeError for a known index outside the array (eagerly; a trace checks at run time)."""
        if state.graph is not None:
            return
        size = self._size if self._buffer is None else self._buffer.shape[0]
        for i in np.asarray(index.numpy()).reshape(-1).tolist():
            if i < 0:
                raise OutOfRangeError(f"{'Reading from' if reading else 'Writing to'} negative indices (index {i}) "
                                      "is not allowed.", op)
            if i >= size and reading:
                raise OutOfRangeError(f"Tried to read from index {i} but array size is: {size} ", op)
            if i >= size and not self._dynamic:
                raise OutOfRangeError(f"Tried to write to index {i} but array is not resizeable and size is: "
                                      f"{size} ", op)

    # --- writing -----------------------------------------------------------------------------
    def write(self, index, value, name=None) -> "TensorArray":
        """The array with element ``index`` set to ``value``."""
        index = S.cast(convert_to_tensor(index), dtypes.int32)
        value = self._value(value, "Write")
        self._check_shape(tuple(value.shape))
        self._rows_check(index, "TensorArrayWrite", reading=False)
        if state.graph is None:
            self._store[1].discard(int(index.numpy()))
        buffer = self._start(tuple(value.shape))
        if self._dynamic:
            buffer = GrowRows.apply(buffer, index + 1)
        buffer = TensorScatterUpdate.apply(buffer, S.reshape(index, [1, 1]), S.expand_dims(value, 0))
        return self._with_buffer(buffer, value.shape)

    def unstack(self, value, name=None) -> "TensorArray":
        """The array holding the rows of ``value`` (its first axis) as elements."""
        value = self._value(value, "Unstack")
        if value.ndim == 0:
            raise ValueError("Shape must be at least rank 1 but is rank 0")
        n = value.shape[0]
        if not self._dynamic and n is not None and self._buffer is None and self._size and n > self._size:
            raise ValueError(f"Cannot unstack {n} tensors into a TensorArray of static size {self._size} ")
        self._check_shape(tuple(value.shape[1:]))
        return self._with_buffer(value, value.shape[1:], infer=False)

    def scatter(self, indices, value, name=None) -> "TensorArray":
        """The array with elements ``indices[k]`` set to ``value[k]``."""
        indices = S.cast(convert_to_tensor(indices), dtypes.int32)
        value = self._value(value, "Scatter")
        self._check_shape(tuple(value.shape[1:]))
        self._rows_check(indices, "TensorArrayScatter", reading=False)
        buffer = self._start(tuple(value.shape[1:]))
        if self._dynamic:
            from minitf.ops.reductions import reduce_max
            buffer = GrowRows.apply(buffer, reduce_max(indices) + 1)
        buffer = TensorScatterUpdate.apply(buffer, S.expand_dims(indices, -1), value)
        return self._with_buffer(buffer, value.shape[1:])

    def split(self, value, lengths, name=None) -> "TensorArray":
        """The array holding pieces of ``value`` along its first axis, of ``lengths`` rows each (equal
        lengths in minitf: its elements share one shape)."""
        value = self._value(value, "Split")
        lengths = [int(v) for v in np.asarray(convert_to_tensor(lengths).numpy()).reshape(-1)]
        if len(set(lengths)) > 1:
            raise NotImplementedError("TensorArray.split: minitf's TensorArray holds elements of one shape; pieces of "
                                      f"different lengths {lengths} are not supported")
        if sum(lengths) != value.shape[0]:
            raise InvalidArgumentError(f"Expected sum of lengths to be equal to values.shape[0], but sum of lengths "
                                       f"is {sum(lengths)} and value's shape is: {list(value.shape)}",
                                       "TensorArraySplit")
        pieces = S.reshape(value, [len(lengths), lengths[0] if lengths else 0] + list(value.shape[1:]))
        return self.unstack(pieces)

    # --- reading -----------------------------------------------------------------------------
    def _read_buffer(self) -> Tensor:
        if self._buffer is not None:
            if self._store[1] and self._element_shape is None:  # a cleared element has no shape to be zeros of
                raise ValueError("Cannot convert a partially known TensorShape <unknown> to a Tensor.")
            return self._buffer
        if self._size == 0 and self._element_shape is None:
            return C.zeros([0], self._dtype)
        if self._element_shape is None or None in tuple(self._element_shape):
            raise ValueError("Cannot convert a partially known TensorShape <unknown> to a Tensor.")
        return self._zeros(tuple(self._element_shape))

    def read(self, index, name=None) -> Tensor:
        """Element ``index`` (zeros if it was never written)."""
        index = S.cast(convert_to_tensor(index), dtypes.int32)
        if state.graph is None and int(index.numpy()) in self._store[1]:
            raise InvalidArgumentError(f"Could not read index {int(index.numpy())} twice because it was cleared "
                                       "after a previous read (perhaps try setting clear_after_read = false?)",
                                       "TensorArrayRead")
        buffer = self._read_buffer()
        self._rows_check(index, "TensorArrayRead", reading=True)
        element = S.gather(buffer, index)
        if state.graph is None and self._clear_after_read:
            i = int(index.numpy())
            self._store[0] = TensorScatterUpdate.apply(buffer, S.reshape(index, [1, 1]),
                                                       C.zeros([1] + list(buffer.shape[1:]), self._dtype))
            self._store[1].add(i)
        return element

    def gather(self, indices, name=None) -> Tensor:
        """The elements at ``indices``, stacked."""
        indices = S.cast(convert_to_tensor(indices), dtypes.int32)
        buffer = self._read_buffer()
        self._rows_check(indices, "TensorArrayGather", reading=True)
        return S.gather(buffer, indices)

    def stack(self, name=None) -> Tensor:
        """All elements stacked along a new first axis: shape ``[size, *element_shape]``."""
        return S.identity(self._read_buffer())

    def concat(self, name=None) -> Tensor:
        """All elements joined along their first axis."""
        buffer = self._read_buffer()
        if buffer.ndim < 2:
            raise InvalidArgumentError("Concat saw a scalar shape at index 0 but requires at least vectors.",
                                       "TensorArrayConcat")
        return S.reshape(buffer, [-1] + list(buffer.shape[2:]))

    def identity(self) -> "TensorArray":
        return self._with_buffer(self._buffer, self._element_shape) if self._buffer is not None else self

    def close(self, name=None) -> None:
        """Nothing to free in minitf (TF's op releases the array's resource)."""

    def mark_used(self) -> None:
        """TF's should-use bookkeeping; minitf keeps none."""

    # --- as a loop variable (control_flow.while_loop) ---------------------------------------
    def _from_buffer(self, buffer: Tensor) -> "TensorArray":
        """This array with ``buffer`` as its contents (a loop variable rebuilt inside the loop)."""
        out = TensorArray.__new__(TensorArray)
        out.__dict__.update(self.__dict__)
        out._store = [buffer, set()]
        return out

    def __repr__(self) -> str:
        return f"<minitf.TensorArray dtype={self._dtype.name} size={self._size} element_shape={self.element_shape}>"
