"""``tf.print``: print tensors when the function runs (an op, so a traced function prints every call).

Python's ``print`` inside a traced function runs while tracing only, and shows a symbolic
tensor (``Tensor("x:0", shape=(), dtype=float32)``); ``tf.print`` prints the values, on every
call. Numbers are formatted as TF formats them: float32 with 9 significant digits, float64 with
17, bools as 1/0, and at most ``summarize`` elements at each end of an axis (default 3).
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import nest
from minitf.ops.op import Op
from minitf.tensor import Tensor


class PrintV2(Op):
    """Writes the formatted inputs to a stream; no output."""

    stateful = True

    def forward(*arrays, template, sep, end, stream, summarize):
        values = list(arrays)
        alone = "alone" if len(template) == 1 else True  # the only input: a string scalar is not quoted
        text = sep.join(_render(item, values, summarize, top=alone) for item in template)
        _write(stream, text + end)

    def trace_forward(*arrays, template, sep, end, stream, summarize):
        return None


_TENSOR = object()  # where a tensor's value goes in the template


def print_(*inputs: Any, output_stream=sys.stderr, summarize: int = 3, sep: str = " ", end: str = "\n",
           name: str | None = None) -> None:
    """``tf.print(*inputs)``: tensors (anywhere inside lists, tuples and dicts) and Python values.

    ``output_stream``: sys.stderr (TF's default), sys.stdout, a file object, or "file://path".
    ``summarize``: elements shown at each end of every axis (-1: all).
    """
    tensors = [x for x in nest.flatten(list(inputs)) if isinstance(x, Tensor)]
    template = nest.map_structure(lambda x: _TENSOR if isinstance(x, Tensor) else x, list(inputs))
    PrintV2.apply(*tensors, template=template, sep=sep, end=end, stream=output_stream, summarize=int(summarize))


def _write(stream, text: str) -> None:
    if isinstance(stream, str):
        if not stream.startswith("file://"):
            raise ValueError(f"print: output_stream must be a stream or 'file://path', got {stream!r}")
        with open(stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
        return
    stream.write(text)
    if hasattr(stream, "flush"):
        stream.flush()


def _render(item, arrays: list, summarize: int, top: bool = False) -> str:
    if item is _TENSOR:
        array = B.to_numpy(arrays.pop(0))
        if top == "alone" and array.ndim == 0 and array.dtype.kind == "O":  # TF: one string scalar prints as it is
            return array[()].decode("utf-8", "replace")
        return format_array(array, summarize)
    if isinstance(item, dict):
        return "{" + ", ".join(f"{k!r}: {_render(v, arrays, summarize)}" for k, v in item.items()) + "}"
    if isinstance(item, tuple):
        parts = [_render(v, arrays, summarize) for v in item]
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    if isinstance(item, list):
        return "[" + ", ".join(_render(v, arrays, summarize) for v in item) + "]"
    return str(item) if top or not isinstance(item, str) else repr(item)


def format_number(value, dtype: np.dtype) -> str:
    """One element as TF prints it: a float as ``_tf_compat.float_text`` writes it, a string in double
    quotes with C escapes (absl's Utf8SafeCEscape)."""
    if dtype.kind == "b":
        return "1" if value else "0"
    if dtype.kind == "f":
        from minitf._tf_compat import float_text
        return float_text(value, dtype)
    if dtype.kind == "O":
        return '"' + _c_escape(value) + '"'
    return str(int(value))


def _c_escape(value: bytes) -> str:
    """absl::Utf8SafeCEscape: quotes, backslashes and control bytes escaped; UTF-8 kept as it is."""
    named = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x22: '\\"', 0x27: "\\'", 0x5C: "\\\\"}
    out = []
    for byte in value:
        if byte in named:
            out.append(named[byte])
        elif byte < 0x20 or byte == 0x7F:
            out.append("\\%03o" % byte)
        else:
            out.append(chr(byte))
    return "".join(out).encode("latin-1").decode("utf-8", "surrogateescape")


def format_array(a: np.ndarray, summarize: int = 3) -> str:
    """An array laid out as TF's tf.print lays it out (NumPy's brackets, TF's numbers)."""
    if a.ndim == 0:
        return format_number(a[()], a.dtype)

    def block(x, depth: int) -> str:
        n = x.shape[0]
        cut = summarize >= 0 and n > 2 * summarize
        indices = list(range(summarize)) + [None] + list(range(n - summarize, n)) if cut else list(range(n))
        if x.ndim == 1:
            return "[" + " ".join("..." if i is None else format_number(x[i], x.dtype) for i in indices) + "]"
        separator = "\n" * (x.ndim - 1) + " " * (depth + 1)
        return "[" + separator.join("..." if i is None else block(x[i], depth + 1) for i in indices) + "]"

    return block(a, 0)
