"""DTypes under TF's names: ``minitf.float32`` and friends.

A DType wraps a NumPy dtype and answers the questions TF's does (``name``,
``is_floating``, ``as_numpy_dtype``); it compares equal to its name and to the
NumPy dtype, so ``x.dtype == "float32"`` and ``x.dtype == np.float32`` both work.
"""
from __future__ import annotations

import numpy as np


class DType:
    __slots__ = ("name", "as_numpy_dtype", "_np")

    def __init__(self, name: str, numpy_dtype=None):
        self.name = name
        self._np = np.dtype(numpy_dtype if numpy_dtype is not None else name)
        self.as_numpy_dtype = self._np.type

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
    def base_dtype(self) -> "DType":
        return self

    @property
    def size(self) -> int:
        return self._np.itemsize

    @property
    def min(self):
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self):
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

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
# Byte strings, held as NumPy object arrays of ``bytes`` (what ``tf.io.read_file`` returns). Only
# the file and image functions make them so far; arithmetic and conversion from Python strings
# do not take them.
string = DType("string", object)

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
    if isinstance(value, str) and value in _BY_NAME:
        return _BY_NAME[value]
    try:
        name = np.dtype(value).name
    except TypeError:
        raise TypeError(f"minitf: cannot interpret {value!r} as a dtype") from None
    if name == "object":
        return string  # as TF: tf.as_dtype(object) is tf.string
    if name not in _BY_NAME:
        raise TypeError(f"minitf: dtype {name} is not supported; use one of {sorted(_BY_NAME)}")
    return _BY_NAME[name]


_BY_NUMPY = {d._np: d for d in _BY_NAME.values()}


def from_numpy(np_dtype) -> DType:
    """The DType of a NumPy dtype (the hot path under Tensor.dtype: one dict lookup)."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        return _BY_NAME[np.dtype(np_dtype).name]
