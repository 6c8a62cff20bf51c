"""Tensor and Variable: an array of the current backend plus TF's manners.

A Tensor is immutable: ops make new ones, and no array a user passes in or gets out
(``.numpy()``) is shared with a tensor. A Variable is a Tensor whose value can be replaced
(``assign``); trainable Variables are watched by a GradientTape automatically. A variable's
array is never changed in place either: ``assign`` gives it a new one, so a tensor read from it
earlier (and the value a tape recorded) keeps its value.

Python's operators are methods of the class, one line each, calling the ops in
``minitf/ops/`` (which import this module, so they are imported at its end).
"""
from __future__ import annotations

import builtins
from typing import Any, Iterator

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf._context import init_scope, state
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError


class TensorShape(tuple):
    """A shape: a tuple of ints (``None`` for a dimension not known yet)."""

    def as_list(self) -> list:
        return list(self)

    @property
    def rank(self) -> int:
        return len(self)

    @property
    def ndims(self) -> int:
        return len(self)

    def num_elements(self) -> int | None:
        if any(d is None for d in self):
            return None
        return int(np.prod(self, dtype=np.int64))

    def is_fully_defined(self) -> builtins.bool:
        return all(d is not None for d in self)

    def is_compatible_with(self, other) -> builtins.bool:
        other = tuple(other)
        return len(other) == len(self) and all(a is None or b is None or a == b for a, b in zip(self, other))

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return TensorShape(item) if isinstance(key, slice) else item

    def __repr__(self) -> str:
        return f"TensorShape({list(self)})"

    def __str__(self) -> str:
        return tuple.__repr__(self)  # print(x.shape) shows (2, 3), as in TF


class Tensor:
    """An immutable n-dimensional array with a dtype, on the current backend."""

    # _meta: a variable slice's origin. _keras_meta: what Keras attaches to a layer output (its mask,
    # the logits of a sigmoid/softmax output), a dict read by minitf.keras.backend.get_keras_meta.
    __slots__ = ("_value", "_meta", "_keras_meta", "__weakref__")
    # Binary ops with NumPy arrays come to Tensor's reflected operators first.
    __array_priority__ = 100
    # True only for trainable float Variables: a tape then watches them on access.
    _auto_watch = False

    def __init__(self, value):
        self._value = value  # a backend array this tensor owns: nobody writes into it

    @property
    def _keras_mask(self):
        """Keras's attribute for the mask a layer output carries (as on TF's tensors: absent when none)."""
        meta = getattr(self, "_keras_meta", None)
        mask = None if meta is None else meta.get("mask")
        if mask is None:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '_keras_mask'")
        return mask

    @_keras_mask.setter
    def _keras_mask(self, mask) -> None:
        from minitf.keras.backend import set_keras_mask
        set_keras_mask(self, mask)

    # --- what it is -------------------------------------------------------
    @property
    def shape(self) -> TensorShape:
        return TensorShape(self._value.shape)

    def get_shape(self) -> TensorShape:
        return self.shape

    @property
    def dtype(self) -> dtypes.DType:
        return dtypes.from_numpy(self._value.dtype)

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def device(self) -> str:
        return "/device:CPU:0" if isinstance(self._value, (np.ndarray, np.generic)) else "/device:GPU:0"

    def numpy(self) -> np.ndarray:
        """A NumPy copy of the value (from the GPU under CuPy): writing into it changes nothing here."""
        array = B.to_numpy(self._value)
        if array.ndim == 0 and array.dtype.kind == "O":
            return array[()]  # a string scalar: its bytes, as TF gives them
        return array.copy() if array is self._value else array

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        array = B.to_numpy(self._value).copy()
        return array.astype(dtype) if dtype is not None else array

    # --- Python protocol --------------------------------------------------
    def __len__(self) -> int:
        if self._value.ndim == 0:
            raise TypeError("len() of a scalar (rank 0) tensor is not defined")
        return self._value.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self._value.ndim == 0:
            raise TypeError("iterating over a scalar (rank 0) tensor is not allowed")
        return (self[i] for i in range(self._value.shape[0]))

    def __bool__(self) -> builtins.bool:
        return builtins.bool(self._value)

    def __float__(self) -> float:
        return float(self._value)

    def __int__(self) -> int:
        return int(self._value)

    def __index__(self) -> int:
        if not self.dtype.is_integer:
            raise TypeError(f"only integer scalar tensors can be used as an index, not {self.dtype.name}")
        return int(self._value)

    def __format__(self, spec: str) -> str:
        # f"{loss:.3f}" formats the value, as TF's EagerTensor does (a scalar as a number).
        array = B.to_numpy(self._value)
        return format(array[()] if array.ndim == 0 else array, spec)

    def __hash__(self):
        # As in TF 2: == is elementwise, so a Tensor cannot be a dict key.
        raise TypeError("Tensor is unhashable (== is elementwise). Instead, use tensor.ref() as the key.")

    def ref(self) -> "_Ref":
        """A hashable reference to this tensor (TF's ``Tensor.ref()``)."""
        return _Ref(self)

    experimental_ref = ref

    def __repr__(self) -> str:
        return (f"<tf.Tensor: shape={_shape_str(self.shape)}, dtype={self.dtype.name}, "
                f"numpy={_numpy_text(self, is_repr=True)}>")

    def __str__(self) -> str:
        return f"tf.Tensor({_numpy_text(self)}, shape={_shape_str(self.shape)}, dtype={self.dtype.name})"

    # --- operators: each is the op of the same name in minitf/ops ---------------------------
    def __add__(self, y): return _math.add(self, y)
    def __radd__(self, x): return _math.add(x, self)
    def __sub__(self, y): return _math.subtract(self, y)
    def __rsub__(self, x): return _math.subtract(x, self)
    def __mul__(self, y): return _math.multiply_operator(self, y)  # bool * bool is bool, as in TF
    def __rmul__(self, x): return _math.multiply_operator(x, self)
    def __truediv__(self, y): return _math.divide(self, y)
    def __rtruediv__(self, x): return _math.divide(x, self)
    def __floordiv__(self, y): return _math.floordiv(self, y)
    def __rfloordiv__(self, x): return _math.floordiv(x, self)
    def __mod__(self, y): return _math.mod(self, y)
    def __rmod__(self, x): return _math.mod(x, self)
    def __pow__(self, y): return _math.pow(self, y)
    def __rpow__(self, x): return _math.pow(x, self)
    def __matmul__(self, y): return _linalg.matmul(self, y)
    def __rmatmul__(self, x): return _linalg.matmul(x, self)
    def __neg__(self): return _math.negative(self)
    def __pos__(self): return self
    def __abs__(self): return _math.abs(self)
    def __lt__(self, y): return _math.less(self, y)
    def __le__(self, y): return _math.less_equal(self, y)
    def __gt__(self, y): return _math.greater(self, y)
    def __ge__(self, y): return _math.greater_equal(self, y)
    def __eq__(self, y): return _math.tensor_equals(self, y)
    def __ne__(self, y): return _math.tensor_not_equals(self, y)
    def __and__(self, y): return _math.logical_and(self, y)
    def __rand__(self, x): return _math.logical_and(x, self)
    def __or__(self, y): return _math.logical_or(self, y)
    def __ror__(self, x): return _math.logical_or(x, self)
    def __xor__(self, y): return _math.logical_xor(self, y)
    def __invert__(self): return _math.logical_not(self)
    def __getitem__(self, key): return _array.getitem(self, key)


class _Ref:
    """Hashable by identity; ``deref()`` gives the tensor back."""

    __slots__ = ("_tensor",)

    def __init__(self, tensor: Tensor):
        self._tensor = tensor

    def deref(self) -> Tensor:
        return self._tensor

    def __hash__(self) -> int:
        return id(self._tensor)

    def __eq__(self, other) -> builtins.bool:
        return isinstance(other, _Ref) and other._tensor is self._tensor


class Variable(Tensor):
    """A Tensor whose value can be replaced; trainable ones are auto-watched.

    Every change goes through an op (``AssignVariableOp`` ...), so that ``minitf.function``
    traces it and replays it on every call, as TF does.
    """

    __slots__ = ("name", "_trainable", "_auto_watch", "__dict__")

    def __init__(self, initial_value: Any = None, trainable: builtins.bool = True,
                 name: str | None = None, dtype=None, shape=None):
        if initial_value is None:
            raise ValueError("Variable: initial_value must be given")
        example = getattr(initial_value, "_example", None)
        if example is not None:  # a symbolic tensor of a function being traced: its value in this first call
            initial_value = B.xp.array(example, copy=True)
        with init_scope():  # the initial value is computed now, eagerly, even inside a trace
            if callable(initial_value):
                initial_value = initial_value()
            tensor = convert_to_tensor(initial_value, dtype=dtype)
        super().__init__(tensor._value)  # conversion copied any array the caller holds
        if name is None:  # TF 2 names every unnamed variable 'Variable:0' (eager names are not made unique)
            name = "Variable"
        self.name = name if ":" in name else f"{name}:0"
        self.trainable = trainable
        _note_variable_created(self)

    # A property rather than a __setattr__ hook, so that assigning ``_value`` costs a plain slot write.
    @property
    def trainable(self) -> builtins.bool:
        return self._trainable

    @trainable.setter
    def trainable(self, value: builtins.bool) -> None:
        self._trainable = builtins.bool(value)
        self._auto_watch = self._trainable and self._value.dtype.kind == "f"

    def _converted(self, op: str, value: Any) -> Tensor:
        """``value`` as a tensor of the variable's dtype: Python numbers and arrays convert (ints into
        floats, never floats into ints); a tensor must already have the variable's dtype, as in TF."""
        if isinstance(value, Tensor):
            if value._value.dtype != self._value.dtype:
                raise InvalidArgumentTypeError(
                    f"{op}: Variable '{self.name}' is {self.dtype.name}; got a {value.dtype.name} tensor. "
                    f"Cast it first: tf.cast(value, {self.dtype!r})", op)
            return value
        new = convert_to_tensor(value, dtype_hint=self.dtype)
        if new._value.dtype != self._value.dtype:
            if new._value.dtype.kind == "f" and self._value.dtype.kind in "iub":
                raise InvalidArgumentTypeError(
                    f"{op}: Variable '{self.name}' is {self.dtype.name}; got a {new.dtype.name} value", op)
            new = Tensor(new._value.astype(self._value.dtype))
        return new

    def _checked(self, op: str, value: Any) -> Tensor:
        """``value`` converted, and of the variable's exact shape."""
        new = self._converted(op, value)
        if tuple(new.shape) != tuple(self.shape):
            raise InvalidArgumentError(
                f"{op}: Variable '{self.name}' has shape {_shape_str(self.shape)} and cannot take a "
                f"value of shape {_shape_str(new.shape)}", op)
        return new

    def assign(self, value: Any, use_locking=None, name=None, read_value: builtins.bool = True) -> "Variable":
        """Replace the value (same shape and dtype). Tensors read before keep the old value."""
        _state_ops.assign(self, self._checked("AssignVariableOp", value))
        return self

    def assign_add(self, delta: Any, use_locking=None, name=None, read_value: builtins.bool = True) -> "Variable":
        _state_ops.assign_add(self, self._checked("AssignAddVariableOp", delta))
        return self

    def assign_sub(self, delta: Any, use_locking=None, name=None, read_value: builtins.bool = True) -> "Variable":
        _state_ops.assign_sub(self, self._checked("AssignSubVariableOp", delta))
        return self

    def value(self) -> Tensor:
        """The current value as a plain Tensor (a snapshot: later assigns do not change it)."""
        return _state_ops.read(self)

    read_value = value

    def __hash__(self) -> int:
        # Variables are used as keys (optimizer slots): hash by identity, as Keras variables do.
        return id(self)

    def __repr__(self) -> str:
        return (f"<tf.Variable '{self.name}' shape={_shape_str(self.shape)} dtype={self.dtype.name}, "
                f"numpy={_numpy_text(self, is_repr=True)}>")

    __str__ = __repr__


class VariableSlice(Tensor):
    """``v[key]`` of a Variable: the slice's value, a Tensor like any other (gradients flow
    through it as through any slice), that can also be assigned to, as in TF:

        v = tf.Variable([10, 7]);  v[0].assign(7)   # v is now [7, 7]

    ``getitem`` makes it from the slice op's output (``_meta`` holds the variable and the key).
    """

    __slots__ = ()

    def assign(self, value: Any, name: str | None = None) -> Variable:
        """Write ``value`` into the variable at the slice, broadcast to the slice's shape as TF
        does (``m[:, 0].assign(5.0)``); returns the variable. Tensors read from the variable
        before keep their values."""
        variable, key = self._meta
        _state_ops.assign_slice(variable, key, variable._converted("ResourceStridedSliceAssign", value))
        return variable


def _note_variable_created(variable: Variable) -> None:
    """Tell a function being traced that it created a variable (TF allows it on the first trace only)."""
    if state.graph is not None:
        state.graph.created_variables.append(variable)


# --- conversion ---------------------------------------------------------------
def _python_dtype(array: np.ndarray) -> np.dtype:
    """TF's defaults for Python values: floats float32, ints int32 (int64 if they need it)."""
    if array.dtype.kind == "f":
        return np.dtype(np.float32)
    if array.dtype.kind in "iu":
        if array.size and (array.max() > np.iinfo(np.int32).max or array.min() < np.iinfo(np.int32).min):
            return np.dtype(np.int64)
        return np.dtype(np.int32)
    return array.dtype


def _cast_allowed(source: np.dtype, target: np.dtype) -> builtins.bool:
    # TF converts ints to floats freely, but never a float to an int silently (nor numbers to strings).
    return (not (source.kind == "f" and target.kind in "iub") and not (source.kind != "b" and target.kind == "b")
            and target.kind != "O")


# --- strings (minitf.string) ------------------------------------------------------------------
def _holds_strings(value: Any) -> builtins.bool:
    """Does ``value`` (a Python value or a host array) start with a string? Then it is converted as strings."""
    try:
        objects = np.asarray(value, dtype=object).reshape(-1)
    except (ValueError, TypeError):
        return False
    return objects.size > 0 and isinstance(objects[0], (str, bytes))


def _string_tensor(value: Any, dtype=None) -> Tensor:
    """A string tensor from str/bytes (nested lists of them, NumPy str/bytes/object arrays), as TF
    makes one: a NumPy object array of ``bytes``, str encoded as UTF-8. It always lives on the host,
    whatever the backend (see ``minitf/array_backend.py``)."""
    if dtype is not None and dtypes.as_dtype(dtype) != dtypes.string:
        raise InvalidArgumentTypeError(
            f"Cannot convert {value!r:.200} to EagerTensor of dtype {dtypes.as_dtype(dtype).name}")
    # dtype=object keeps each element's own type (NumPy's str dtype would turn ["a", 1] into ["a", "1"]).
    objects = np.array(value, dtype=object)
    flat = objects.reshape(-1)
    out = np.empty(flat.size, dtype=object)
    for i, item in enumerate(flat.tolist()):
        if isinstance(item, str):
            out[i] = item.encode("utf-8")
        elif isinstance(item, bytes):
            out[i] = bytes(item)  # np.bytes_ -> bytes, as TF's .numpy() gives them
        elif isinstance(item, (list, tuple)):
            raise ValueError("Can't convert non-rectangular Python sequence to Tensor.")
        elif isinstance(item, (builtins.bool, int, float, complex, np.number, np.bool_)):
            raise ValueError(f"Can't convert Python sequence with mixed types to Tensor: found "
                             f"{type(item).__name__} {item!r:.60} among strings.")
        else:
            raise ValueError(f"Attempt to convert a value ({item!r:.60}) with an unsupported type "
                             f"({type(item)}) to a Tensor.")
    return Tensor(out.reshape(objects.shape))


def _is_array_like(value: Any) -> builtins.bool:
    """An object that is not an array but converts to one (``__array__``): pandas, xarray ..."""
    return (hasattr(value, "__array__") and not B.is_array(value) and not isinstance(value, (np.generic, Tensor))
            and not isinstance(value, (list, tuple)))


def convert_to_tensor(value: Any, dtype=None, dtype_hint=None, name: str | None = None) -> Tensor:
    """A Tensor from a Tensor, an array, a NumPy/Python scalar or nested lists.

    Dtypes follow TF: NumPy arrays keep theirs, Python floats become float32 and
    Python ints int32. ``dtype`` is a requirement; ``dtype_hint`` a preference
    used when the value converts to it without loss of kind.
    """
    if isinstance(value, Tensor):
        if dtype is not None and dtypes.as_dtype(dtype) != value.dtype:
            raise InvalidArgumentTypeError(
                f"Tensor conversion requested dtype {dtypes.as_dtype(dtype).name} for Tensor with "
                f"dtype {value.dtype.name}: {value!r}")
        return value
    if _is_array_like(value):
        value = np.asarray(value)  # a pandas DataFrame/Series converts as its array does, dtype kept (as TF)
    is_array = B.is_array(value)
    from_python = not (is_array or isinstance(value, np.generic))
    if from_python and isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        return _array.stack([convert_to_tensor(v, dtype, dtype_hint) for v in value])  # as TF does
    try:
        # Host data is converted and checked on the host, and uploaded once at the end (CuPy has no
        # string dtype, and checks of a device array would each copy back to the host).
        on_device = isinstance(value, B.xp.ndarray)
        array = value if on_device else np.asarray(value)
    except (ValueError, TypeError) as e:
        if _holds_strings(value):  # (CuPy has no strings; NumPy cannot mix str with non-ASCII bytes)
            return _string_tensor(value, dtype)
        raise InvalidArgumentError(f"Cannot convert {value!r} to a tensor: {e}") from None
    if array.dtype.kind in "OUS":
        return _string_tensor(value, dtype)
    natural = _python_dtype(array) if from_python else array.dtype
    wanted = dtype if dtype is not None else dtype_hint
    if wanted is not None:
        target = dtypes.as_dtype(wanted)._np
        if _cast_allowed(array.dtype, target):
            natural = target
        elif target.kind == "O" and array.size == 0 and dtype is not None:  # tf.constant([], tf.string)
            return Tensor(np.empty(array.shape, dtype=object))
        elif from_python and array.size == 0:  # tf.constant([], tf.int64): an empty list has no dtype of its own
            natural = target
        elif dtype is not None:
            raise InvalidArgumentTypeError(
                f"Cannot convert {value!r} to EagerTensor of dtype {dtypes.as_dtype(wanted).name}")
    if natural.name not in dtypes._BY_NAME:
        why = " (minitf has no complex dtypes: keep the real and imaginary parts as two float tensors)" \
            if natural.kind == "c" else ""
        raise InvalidArgumentTypeError(f"Cannot convert a value of dtype {natural} to a minitf tensor{why}")
    # An array the caller holds is copied: refilling it later must not change this tensor.
    if on_device:
        return Tensor(array.astype(natural, copy=True))
    # The caller's NumPy array is copied before the upload: a device array must never share its memory.
    return Tensor(B.xp.asarray(array.astype(natural, copy=isinstance(value, np.ndarray))))


def constant(value: Any, dtype=None, shape=None, name: str | None = None) -> Tensor:
    """A constant tensor (``tf.constant``); ``shape`` broadcasts a scalar or reshapes."""
    if isinstance(value, Tensor) and dtype is not None and value.dtype != dtypes.as_dtype(dtype):
        value = value.numpy()
    tensor = convert_to_tensor(value, dtype=dtype)
    if shape is None:
        return tensor
    shape = tuple(shape)
    if tensor._value.size == 1:
        xp = B.module_of(tensor._value)  # NumPy for strings (always on the host)
        return Tensor(xp.full(shape, tensor._value.reshape(()), dtype=tensor._value.dtype))
    if tensor._value.size != int(np.prod(shape)):
        raise InvalidArgumentError(
            f"constant: expected {int(np.prod(shape))} values for shape {shape}, got {tensor._value.size}")
    return Tensor(tensor._value.reshape(shape))


def is_tensor(value: Any) -> builtins.bool:
    return isinstance(value, Tensor)


def _shape_str(shape) -> str:
    return str(tuple(shape))


def _numpy_text(tensor: Tensor, is_repr: builtins.bool = False) -> str:
    """The value as TF prints it: a scalar as 108.0 (not a 0-d array's "108.", nor NumPy 2's
    repr "np.float32(108.0)"), and a multi-line array starting on its own line."""
    array = B.to_numpy(tensor._value)
    text = (repr(array) if is_repr else str(array)) if array.ndim else str(array[()])
    return "\n" + text if "\n" in text else text


# The operators above call the ops; the op modules import Tensor from here, so they load last.
from minitf.ops import elementwise as _math  # noqa: E402
from minitf.ops import linalg as _linalg  # noqa: E402
from minitf.ops import shape_ops as _array  # noqa: E402
from minitf.ops import state_ops as _state_ops  # noqa: E402
