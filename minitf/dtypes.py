"""DTypes under TF's names: ``minitf.float32`` and friends.

A DType wraps a NumPy dtype and answers the questions TF's does (``name``,
``is_floating``, ``as_numpy_dtype``); it compares equal to its name and to the
NumPy dtype, so ``x.dtype == "float32"`` and ``x.dtype == np.float32`` both work.

``string`` (strings): as in TF, a string tensor holds a NumPy *object* array of ``bytes``
(``tf.constant("héllo").numpy() == b"h\\xc3\\xa9llo"``), so its NumPy dtype is ``object``;
NumPy's str/bytes dtypes (``<U5``, ``S3``) name it too.
"""
from __future__ import annotations

import numpy as np


class DType:
    __slots__ = ("name", "as_numpy_dtype", "_np")

    def __init__(self, name: str):
        self.name = name
        self._np = np.dtype(object) if name == "string" else np.dtype(name)  # strings: bytes in object arrays
        self.as_numpy_dtype = object if name == "string" else self._np.type  # (TF's: the builtin object)

    @property
    def is_floating(self) -> bool:
        return self._np.kind == "f"

    @property
    def is_integer(self) -> bool:
        return self._np.kind in "iu"

    @property
    def is_bool(self) -> bool:
        return self._np.kind == "b"

    @property
    def as_datatype_enum(self) -> int:
        """TF's DataType enum value (``tf.float32.as_datatype_enum == 1``)."""
        return _ENUMS[self.name]

    @property
    def base_dtype(self) -> "DType":
        return self

    @property
    def is_string(self) -> bool:
        return self._np.kind == "O"

    @property
    def size(self) -> int:
        return 0 if self.is_string else self._np.itemsize  # TF: 0 for string (no fixed size)

    @property
    def min(self):
        self._check_numeric("minimum")
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self):
        self._check_numeric("maximum")
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

    def _check_numeric(self, what: str) -> None:
        if self.is_string:  # TF's error for tf.string.min
            raise TypeError(f"Cannot find {what} value of {self} with type {self}.")

    def __eq__(self, other) -> bool:
        try:
            return self._np == as_dtype(other)._np
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"tf.{self.name}"

    def __str__(self) -> str:
        return f"<dtype: '{self.name}'>"  # print(tf.float32), as TF prints it


float16 = half = DType("float16")
float32 = DType("float32")
float64 = double = DType("float64")
int8 = DType("int8")
int16 = DType("int16")
int32 = DType("int32")
int64 = DType("int64")
uint8 = DType("uint8")
bool = DType("bool")  # noqa: A001 (TF's name)
string = DType("string")  # bytes in a NumPy object array (see the module docstring)

_BY_NAME = {d.name: d for d in (float16, float32, float64, int8, int16, int32, int64, uint8, bool, string)}
_ALIASES = {"float": float32, "double": float64, "half": float16, "int": int32}


def as_dtype(value) -> DType:
    """A DType from a DType, a name (``"float32"``), a NumPy dtype or a Python type."""
    if isinstance(value, DType):
        return value
    if value is float:
        return float32
    if value is int:
        return int32
    if isinstance(value, str) and value in _ALIASES:
        return _ALIASES[value]
    if isinstance(value, str) and value == "string":
        return string
    if value is str or value is bytes:  # TF refuses the Python types (use tf.string)
        raise TypeError(f"Cannot convert the argument `type_value`: {value!r} to a TensorFlow DType.")
    if isinstance(value, (int, np.integer)) and type(value) is not type(True):  # TF's DataType enum (DT_FLOAT = 1)
        if int(value) not in _BY_ENUM:
            raise TypeError(f"minitf: {value!r} is not the enum of a supported dtype; use one of {sorted(_BY_ENUM)}")
        return _BY_ENUM[int(value)]
    try:
        np_dtype = np.dtype(value)
    except TypeError:
        raise TypeError(f"minitf: cannot interpret {value!r} as a dtype") from None
    if np_dtype.kind in "OUS":  # NumPy's object, str and bytes dtypes are TF's string
        return string
    name = np_dtype.name
    if name not in _BY_NAME:
        raise TypeError(f"minitf: dtype {name} is not supported; use one of {sorted(_BY_NAME)}")
    return _BY_NAME[name]


_BY_NUMPY = {d._np: d for d in _BY_NAME.values()}
# TF's DataType enum values (types.proto), for ``tf.as_dtype(1)`` and ``dtype.as_datatype_enum``.
_ENUMS = {"float32": 1, "float64": 2, "int32": 3, "uint8": 4, "int16": 5, "int8": 6, "int64": 9, "bool": 10,
          "float16": 19, "string": 7}
_BY_ENUM = {_ENUMS[name]: d for name, d in _BY_NAME.items()}


def from_numpy(np_dtype) -> DType:
    """The DType of a NumPy dtype (the hot path under Tensor.dtype: one dict lookup)."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        return as_dtype(np_dtype)


def saturate_cast(value, dtype, name: str | None = None):
    """``value`` cast to ``dtype``, first clipped into the range ``dtype`` can hold (``tf.dtypes.saturate_cast``):
    saturate_cast([-1.5, 300.], uint8) is [0, 255], where a plain cast would wrap around."""
    from minitf.image.color import _saturate_cast  # (image imports this module)
    from minitf.tensor import convert_to_tensor

    return _saturate_cast(convert_to_tensor(value), as_dtype(dtype))
