"""KerasTensor: a symbolic tensor, a shape and a dtype with no values, for the functional API.

``x = keras.Input((2,))`` is a KerasTensor of shape (None, 2). Calling a layer on it runs no
arithmetic: the layer works out its output shape, and a ``Node`` records "this layer was
called on these tensors and gave those". ``keras.Model(inputs, outputs)`` walks those nodes
back from the outputs to find the graph it will later run on real data.

Each KerasTensor remembers where it came from in ``_keras_history``: (layer, node index,
output index), which is what the summary prints as ``dense[0][0]``.
"""
from __future__ import annotations

from typing import Any, NamedTuple

from minitf import dtypes
from minitf.keras import naming


class KerasHistory(NamedTuple):
    operation: Any
    node_index: int
    tensor_index: int


def _shape_tuple(shape) -> tuple:
    if shape is None:
        raise ValueError("KerasTensor: shape must be a tuple (use None for unknown sizes), got None")
    if isinstance(shape, int):
        shape = (shape,)
    return tuple(None if d is None else int(d) for d in shape)


class KerasTensor:
    """A placeholder with a shape (``None`` = unknown, e.g. the batch) and a dtype name."""

    def __init__(self, shape, dtype: Any = "float32", name: str | None = None):
        from minitf.tensor import TensorShape
        self.shape = TensorShape(_shape_tuple(shape))
        self.dtype = dtypes.as_dtype(dtype).name
        self.np_dtype = dtypes.as_dtype(dtype)._np  # for quick comparisons with arrays
        self.name = name or naming.auto_name("keras_tensor")
        self._keras_history: KerasHistory | None = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={tuple(self.shape)}, dtype={self.dtype}, sparse=False, ragged=False, name={self.name}>"

    __str__ = __repr__

    def __hash__(self) -> int:
        return id(self)

    def __len__(self):
        raise TypeError("A KerasTensor is symbolic: it has no length until real data flows through the model")

    def __iter__(self):
        raise TypeError("A KerasTensor is symbolic and cannot be iterated over; "
                        "use a layer (e.g. keras.layers.Lambda) to work on its parts")

    def __bool__(self):
        raise TypeError("A KerasTensor is symbolic: it has no truth value until real data flows through the "
                        "model (use the functional API, not Python `if`, on it)")

    def numpy(self):
        raise TypeError(f"{self.name} is a symbolic KerasTensor (shape {tuple(self.shape)}): it holds no values. "
                        "Build a model with keras.Model(inputs, outputs) and call it on data.")

    # Python operators build small op layers, as keras.ops does in Keras 3.
    def __add__(self, other):
        return _op("add", "add", self, other)

    def __radd__(self, other):
        return _op("add", "add", other, self)

    def __sub__(self, other):
        return _op("subtract", "subtract", self, other)

    def __rsub__(self, other):
        return _op("subtract", "subtract", other, self)

    def __mul__(self, other):
        return _op("multiply", "multiply", self, other)

    def __rmul__(self, other):
        return _op("multiply", "multiply", other, self)

    def __truediv__(self, other):
        return _op("true_divide", "divide", self, other)

    def __rtruediv__(self, other):
        return _op("true_divide", "divide", other, self)

    def __pow__(self, other):
        return _op("power", "pow", self, other)

    def __matmul__(self, other):
        return _op("matmul", "matmul", self, other)

    def __neg__(self):
        return _op("negative", "negative", self)

    def __getitem__(self, key):
        return _op("get_item", "getitem", self, key=key)


def _op(name: str, fn_name: str, *args, key=None):
    from minitf.keras.layers.core.op_layer import OpLayer
    return OpLayer(fn_name, key=key, name=naming.auto_name(name))(*args)


def is_keras_tensor(x: Any) -> bool:
    return isinstance(x, KerasTensor)


def any_symbolic(args: Any) -> bool:
    """True if any leaf of ``args`` (nested lists/tuples/dicts) is a KerasTensor."""
    if isinstance(args, KerasTensor):
        return True
    if isinstance(args, (list, tuple)):
        return any(any_symbolic(a) for a in args)
    if isinstance(args, dict):
        return any(any_symbolic(a) for a in args.values())
    return False
