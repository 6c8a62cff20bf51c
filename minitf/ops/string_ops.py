"""``tf.strings``: ops on string tensors, each one a kernel on NumPy object arrays of ``bytes``.

A string tensor holds ``bytes`` (str is encoded as UTF-8 when a tensor is made), and lives on
the host whatever the backend (``minitf/array_backend.py``: ``module_of``). Every function here is an
``Op`` without a gradient, so a traced function (a ``fit`` step reading raw text) runs it when the
graph replays. Each kernel loops over the strings in Python: strings are not numbers, there is no
vector instruction for them, and TF's own kernels loop too.

What TF does and minitf copies:

- ``lower``/``upper`` change ASCII letters only, unless ``encoding="utf-8"`` (then Unicode case
  mapping: "ß".upper() is "SS", as ICU gives it).
- Regular expressions are RE2's: minitf runs them with Python's ``re`` on the UTF-8 text, with
  ``re.ASCII`` so that ``\\w``, ``\\d``, ``\\s`` and ``\\b`` mean ASCII classes, as in RE2 (one
  difference left: RE2's ``\\s`` leaves out the vertical tab). A rewrite's ``\\1`` names a group,
  ``\\0`` the whole match.
- ``split`` with no separator splits on runs of ASCII whitespace and drops empty pieces; with a
  separator it keeps them (``"a,,b"`` -> ``[a, "", b]``). A rank-1 input gives a RaggedTensor,
  a scalar a dense vector, rank 2 a RaggedTensor of ragged rank 2.
- ``length`` counts bytes (``unit="BYTE"``) or Unicode characters (``"UTF8_CHAR"``).
- ``to_number`` parses as C's strtod/strtol (no "1_000"); a string that does not parse is an
  InvalidArgumentError naming it. ``as_string`` formats as C's printf (``%f`` by default).
- ``format`` lays tensors out as ``tf.print`` does, strings in double quotes.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf._string_hashes import fingerprint64, siphash24
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError
from minitf.ops.op import Op
from minitf.ragged import RaggedTensor, UniformRowSplits
from minitf.tensor import Tensor, convert_to_tensor

_INT64 = np.dtype(np.int64)


# --- helpers ---------------------------------------------------------------------------------------
def string_operand(op: str, x: Any) -> Tensor:
    """``x`` as a string tensor (Python str/bytes convert), or TF's error for a tensor of numbers."""
    x = convert_to_tensor(x, dtype_hint=dtypes.string)
    if x._value.dtype.kind != "O":
        raise InvalidArgumentTypeError(
            f"{op}: expected a string tensor, got {x.dtype.name} of shape {list(x.shape)} (for numbers "
            "use tf.strings.as_string first)", op)
    return x


def each(fn, x: np.ndarray, dtype=object) -> np.ndarray:
    """``fn`` applied to every string of the object array ``x``: an array of x's shape."""
    flat = x.reshape(-1).tolist()
    if np.dtype(dtype).kind == "O":
        out = np.empty(len(flat), dtype=object)
        out[:] = [fn(s) for s in flat]
        return out.reshape(x.shape)
    return np.fromiter((fn(s) for s in flat), dtype=dtype, count=len(flat)).reshape(x.shape)


def _ragged_or_dense(fn, x):
    """Apply an elementwise string function to a tensor, or to a RaggedTensor's flat values."""
    if isinstance(x, RaggedTensor):
        return x.with_flat_values(fn(x.flat_values))
    return fn(x)


def _same_shape(x_shape, **attrs):
    return x_shape


def _pieces(values: list, lengths: list) -> tuple[np.ndarray, np.ndarray]:
    """(flat values as an object array, row_splits as int64) of rows of pieces."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out, np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)]).astype(np.int64)


def _to_host_int(a) -> np.ndarray:
    return B.to_numpy(a).astype(np.int64)


# --- case ------------------------------------------------------------------------------------------------
class StringLower(Op):
    """Lower case: ASCII A-Z only (``encoding=""``), or Unicode with ``encoding="utf-8"``."""

    def forward(x, encoding):
        if not encoding:
            return each(bytes.lower, x)  # bytes.lower changes A-Z and nothing else
        return each(lambda s: s.decode(encoding, "surrogateescape").lower().encode(encoding, "surrogateescape"), x)

    shape = _same_shape


class StringUpper(Op):
    """Upper case: ASCII a-z only (``encoding=""``), or Unicode with ``encoding="utf-8"``."""

    def forward(x, encoding):
        if not encoding:
            return each(bytes.upper, x)
        return each(lambda s: s.decode(encoding, "surrogateescape").upper().encode(encoding, "surrogateescape"), x)

    shape = _same_shape


def _encoding(op: str, encoding: str) -> str:
    encoding = (encoding or "").lower().replace("_", "-")
    if encoding not in ("", "utf-8", "utf8"):
        raise InvalidArgumentError(f"{op}: encoding must be '' or 'utf-8', got {encoding!r}", op)
    return "utf-8" if encoding else ""


def lower(input, encoding: str = "", name=None):  # noqa: A002 (TF's name)
    """``tf.strings.lower``: each string in lower case (see the module docstring for ``encoding``)."""
    enc = _encoding("StringLower", encoding)
    return _ragged_or_dense(lambda t: StringLower.apply(string_operand("StringLower", t), encoding=enc), input)


def upper(input, encoding: str = "", name=None):  # noqa: A002
    """``tf.strings.upper``: each string in upper case."""
    enc = _encoding("StringUpper", encoding)
    return _ragged_or_dense(lambda t: StringUpper.apply(string_operand("StringUpper", t), encoding=enc), input)


# --- regular expressions ---------------------------------------------------------------------------------
def _compile(op: str, pattern) -> "re.Pattern":
    if isinstance(pattern, Tensor):
        pattern = pattern.numpy()
    if isinstance(pattern, bytes):
        pattern = pattern.decode("utf-8")
    try:
        return re.compile(pattern, re.ASCII)
    except re.error as e:
        raise InvalidArgumentError(f"{op}: invalid pattern {pattern!r}: {e}", op) from None


def _rewrite_parts(op: str, rewrite) -> tuple:
    """RE2's rewrite string as parts: literal text, or the number of a group (``\\0`` is the match)."""
    if isinstance(rewrite, Tensor):
        rewrite = rewrite.numpy()
    if isinstance(rewrite, bytes):
        rewrite = rewrite.decode("utf-8")
    parts, text, i = [], [], 0
    while i < len(rewrite):
        c = rewrite[i]
        if c == "\\" and i + 1 < len(rewrite):
            nxt = rewrite[i + 1]
            if nxt.isdigit():
                if text:
                    parts.append("".join(text))
                    text = []
                parts.append(int(nxt))
                i += 2
                continue
            if nxt == "\\":
                text.append("\\")
                i += 2
                continue
            raise InvalidArgumentError(f"{op}: invalid rewrite pattern {rewrite!r}: a backslash must be followed "
                                       "by a digit or a backslash (RE2's rule)", op)
        text.append(c)
        i += 1
    if text:
        parts.append("".join(text))
    return tuple(parts)


def _decode(s: bytes) -> str:
    return s.decode("utf-8", "surrogateescape")  # invalid UTF-8 bytes survive the round trip


def _encode(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


class StaticRegexReplace(Op):
    """Each match of ``pattern`` replaced by ``rewrite`` (all matches, or the first one only)."""

    def forward(x, pattern, rewrite, replace_global):
        regex = re.compile(pattern, re.ASCII)
        parts = rewrite

        def repl(m):
            return "".join(p if isinstance(p, str) else (m.group(p) or "") for p in parts)
        count = 0 if replace_global else 1
        return each(lambda s: _encode(regex.sub(repl, _decode(s), count=count)), x)

    shape = _same_shape


class StaticRegexFullMatch(Op):
    """True where the whole string matches ``pattern`` (bool)."""

    def forward(x, pattern):
        regex = re.compile(pattern, re.ASCII)
        return B.xp.asarray(each(lambda s: regex.fullmatch(_decode(s)) is not None, x, dtype=bool))

    shape = _same_shape


def regex_replace(input, pattern, rewrite, replace_global: bool = True, name=None):  # noqa: A002
    """``tf.strings.regex_replace``: ``pattern`` (RE2 syntax) replaced by ``rewrite`` (``\\1`` a group)."""
    regex = _compile("StaticRegexReplace", pattern)
    parts = _rewrite_parts("StaticRegexReplace", rewrite)
    for p in parts:
        if isinstance(p, int) and p > regex.groups:
            raise InvalidArgumentError(f"StaticRegexReplace: rewrite names group \\{p}, but the pattern has "
                                       f"{regex.groups} group(s)", "StaticRegexReplace")
    return _ragged_or_dense(lambda t: StaticRegexReplace.apply(
        string_operand("StaticRegexReplace", t), pattern=regex.pattern, rewrite=parts,
        replace_global=bool(replace_global)), input)


def regex_full_match(input, pattern, name=None):  # noqa: A002
    """``tf.strings.regex_full_match``: does the whole string match ``pattern``?"""
    regex = _compile("StaticRegexFullMatch", pattern)
    return _ragged_or_dense(lambda t: StaticRegexFullMatch.apply(
        string_operand("StaticRegexFullMatch", t), pattern=regex.pattern), input)


# --- splitting ------------------------------------------------------------------------------------------
class StringSplitV2(Op):
    """Each string of a 1-D tensor split into pieces: (pieces, row_splits int64).

    ``sep=b""``: runs of ASCII whitespace separate, empty pieces are dropped; otherwise each ``sep``
    separates (empty pieces kept). At most ``maxsplit`` splits per string (-1: no limit)."""

    def forward(x, sep, maxsplit):
        pieces = [s.split(sep or None, maxsplit) for s in x.tolist()]
        return _pieces([p for row in pieces for p in row], [len(row) for row in pieces])

    def shape(x_shape, sep, maxsplit):
        return (None,), (None if x_shape[0] is None else x_shape[0] + 1,)


class UnicodeSplit(Op):
    """Each string of a 1-D tensor split into its Unicode characters (each UTF-8 encoded), with
    invalid bytes replaced by U+FFFD as TF's ``errors="replace"``: (characters, row_splits)."""

    def forward(x):
        rows = [[c.encode("utf-8") for c in s.decode("utf-8", "replace")] for s in x.tolist()]
        return _pieces([c for row in rows for c in row], [len(row) for row in rows])

    def shape(x_shape):
        return (None,), (None if x_shape[0] is None else x_shape[0] + 1,)


class UnicodeDecode(Op):
    """Each string of a 1-D tensor as its Unicode code points (int32; invalid bytes give
    ``replacement_char``): (code points, row_splits)."""

    def forward(x, replacement_char):
        rows = [[ord(c) if c != "\ufffd" else replacement_char for c in s.decode("utf-8", "replace")]
                for s in x.tolist()]
        lengths = [len(row) for row in rows]
        values = np.array([c for row in rows for c in row], dtype=np.int32)
        return (B.xp.asarray(values), B.xp.asarray(np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
                                                   .astype(np.int64)))

    def shape(x_shape, replacement_char):
        return (None,), (None if x_shape[0] is None else x_shape[0] + 1,)


class BytesSplit(Op):
    """Each string of a 1-D tensor split into single bytes: (bytes, row_splits)."""

    def forward(x):
        rows = [[s[i:i + 1] for i in range(len(s))] for s in x.tolist()]
        return _pieces([b for row in rows for b in row], [len(row) for row in rows])

    def shape(x_shape):
        return (None,), (None if x_shape[0] is None else x_shape[0] + 1,)


def _split_rows(op: str, x: Tensor, splitter):
    """A row-splitting op (1-D in, (values, row_splits) out) applied as TF applies it to any rank:
    a scalar gives the dense pieces, rank 1 a RaggedTensor, higher ranks a RaggedTensor whose outer
    (uniform) dimensions are ragged too."""
    from minitf.ops.shape_ops import reshape
    if x.ndim == 0:
        values, _ = splitter(reshape(x, (1,)))
        return values
    if x.ndim == 1:
        values, splits = splitter(x)
        return RaggedTensor.from_row_splits(values, splits, validate=False)
    if None in x.shape[1:]:
        raise InvalidArgumentError(f"{op}: the inner dimensions of a rank-{x.ndim} input must be known, got "
                                   f"{x.shape}", op)
    values, splits = splitter(reshape(x, (-1,)))
    result = RaggedTensor.from_row_splits(values, splits, validate=False)
    for axis in range(x.ndim - 2, -1, -1):  # the uniform outer dimensions, innermost first
        rows = reshape(x, (-1,) + tuple(x.shape[axis + 1:]))  # (d0 * ... * d_axis, d_axis+1, ...)
        result = RaggedTensor.from_row_splits(result, UniformRowSplits.apply(rows), validate=False)
        result._uniform_row_length = x.shape[axis + 1]  # a dense dimension of the input: its size is known
    return result


def split(input, sep=None, maxsplit: int = -1, name=None):  # noqa: A002
    """``tf.strings.split``: words (no ``sep``: runs of whitespace) or pieces between ``sep``s."""
    x = string_operand("StringSplitV2", input)
    if isinstance(sep, Tensor):
        sep = sep.numpy()
    sep = b"" if sep is None else (sep.encode("utf-8") if isinstance(sep, str) else bytes(sep))
    return _split_rows("StringSplitV2", x, lambda t: StringSplitV2.apply(t, sep=sep, maxsplit=int(maxsplit)))


def unicode_split(input, input_encoding: str, errors: str = "replace", replacement_char: int = 65533,  # noqa: A002
                  name=None):
    """``tf.strings.unicode_split``: each string as its characters (each a UTF-8 string)."""
    _check_utf8("UnicodeSplit", input_encoding, errors, replacement_char)
    return _split_rows("UnicodeSplit", string_operand("UnicodeSplit", input), UnicodeSplit.apply)


def unicode_decode(input, input_encoding: str, errors: str = "replace", replacement_char: int = 65533,  # noqa: A002
                   replace_control_characters: bool = False, name=None):
    """``tf.strings.unicode_decode``: each string as its Unicode code points (int32)."""
    _check_utf8("UnicodeDecode", input_encoding, errors, replacement_char)
    return _split_rows("UnicodeDecode", string_operand("UnicodeDecode", input),
                       lambda t: UnicodeDecode.apply(t, replacement_char=int(replacement_char)))


def bytes_split(input, name=None):  # noqa: A002
    """``tf.strings.bytes_split``: each string as its single bytes."""
    return _split_rows("BytesSplit", string_operand("BytesSplit", input), BytesSplit.apply)


def _check_utf8(op: str, encoding: str, errors: str, replacement_char: int) -> None:
    if str(encoding).upper().replace("_", "-") not in ("UTF-8", "UTF8"):
        raise NotImplementedError(f"{op}: minitf decodes UTF-8 only, got input_encoding={encoding!r}")
    if errors != "replace" or replacement_char != 65533 and op == "UnicodeSplit":
        raise NotImplementedError(f"{op}: minitf implements errors='replace' (U+FFFD) only")


# --- sizes, joining, stripping, substrings -------------------------------------------------------
class StringLength(Op):
    """The length of each string (int32): bytes, or Unicode characters for ``unit="UTF8_CHAR"``."""

    def forward(x, unit):
        if unit == "BYTE":
            return B.xp.asarray(each(len, x, dtype=np.int32))
        return B.xp.asarray(each(lambda s: len(s.decode("utf-8", "replace")), x, dtype=np.int32))

    shape = _same_shape


def length(input, unit: str = "BYTE", name=None):  # noqa: A002
    """``tf.strings.length``: bytes (``unit="BYTE"``) or characters (``"UTF8_CHAR"``) per string."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise InvalidArgumentError(f"StringLength: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}", "StringLength")
    return _ragged_or_dense(lambda t: StringLength.apply(string_operand("StringLength", t), unit=unit), input)


class StringJoin(Op):
    """The strings of the inputs joined elementwise with ``separator`` (scalars broadcast)."""

    def forward(*xs, separator):
        arrays = np.broadcast_arrays(*xs)
        shape = arrays[0].shape
        flat = [a.reshape(-1).tolist() for a in arrays]
        out = np.empty(int(np.prod(shape, dtype=np.int64)), dtype=object)
        out[:] = [separator.join(parts) for parts in zip(*flat)]
        return out.reshape(shape)

    def shape(*shapes, separator):
        known = [s for s in shapes if len(s)]
        return tuple(known[0]) if known else ()


def join(inputs, separator: str = "", name=None):
    """``tf.strings.join``: the inputs' strings joined elementwise (all of one shape, or scalars)."""
    xs = [string_operand("StringJoin", x) for x in inputs]
    if not xs:
        raise ValueError("tf.strings.join: inputs must not be empty")
    shapes = {tuple(x.shape) for x in xs if x.ndim}
    if len(shapes) > 1:
        raise InvalidArgumentError(f"StringJoin: inputs must be of one shape or scalars, got "
                                   f"{[list(x.shape) for x in xs]}", "StringJoin")
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    return StringJoin.apply(*xs, separator=sep)


class ReduceJoin(Op):
    """The strings along ``axis`` joined with ``separator`` (all axes when ``axis`` is every axis)."""

    def forward(x, axis, keepdims, separator):
        rest = [i for i in range(x.ndim) if i not in axis]
        moved = np.transpose(x, rest + list(axis))
        kept_shape = moved.shape[:len(rest)]
        rows = moved.reshape(int(np.prod(kept_shape, dtype=np.int64)), -1)
        out = np.empty(rows.shape[0], dtype=object)
        out[:] = [separator.join(row) for row in rows.tolist()]
        out = out.reshape(kept_shape)
        if keepdims:
            out = out.reshape(tuple(1 if i in axis else n for i, n in enumerate(x.shape)))
        return out

    def shape(x_shape, axis, keepdims, separator):
        if keepdims:
            return tuple(1 if i in axis else n for i, n in enumerate(x_shape))
        return tuple(n for i, n in enumerate(x_shape) if i not in axis)


def reduce_join(inputs, axis=None, keepdims: bool = False, separator: str = "", name=None):
    """``tf.strings.reduce_join``: join the strings along ``axis`` (default: all of them)."""
    if isinstance(inputs, RaggedTensor):
        if axis in (-1, inputs.ndim - 1) and inputs.ragged_rank == 1:
            values = string_operand("ReduceJoin", inputs.values)
            sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
            return RaggedReduceJoin.apply(values, inputs.row_splits, separator=sep)
        raise NotImplementedError("tf.strings.reduce_join on a RaggedTensor: minitf joins along the last axis of "
                                  "a ragged_rank-1 tensor only")
    x = string_operand("ReduceJoin", inputs)
    if axis is None:
        axes = tuple(range(x.ndim))
    else:
        raw = [int(a) for a in (axis if isinstance(axis, (list, tuple)) else [axis])]
        for a in raw:
            if not -x.ndim <= a < x.ndim:
                raise InvalidArgumentError(f"ReduceJoin: axis {a} is out of range for rank {x.ndim}", "ReduceJoin")
        axes = tuple(sorted({a % x.ndim for a in raw}))
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    return ReduceJoin.apply(x, axis=axes, keepdims=bool(keepdims), separator=sep)


class RaggedReduceJoin(Op):
    """The strings of each row of a ragged tensor joined with ``separator``: one string per row."""

    def forward(values, row_splits, separator):
        splits = _to_host_int(row_splits).tolist()
        items = values.tolist()
        out = np.empty(len(splits) - 1, dtype=object)
        out[:] = [separator.join(items[splits[i]:splits[i + 1]]) for i in range(len(splits) - 1)]
        return out

    def shape(values_shape, splits_shape, separator):
        return (None if splits_shape[0] is None else splits_shape[0] - 1,)


class StringStrip(Op):
    """Leading and trailing ASCII whitespace removed."""

    def forward(x):
        return each(bytes.strip, x)  # bytes.strip strips " \t\n\r\x0b\x0c", absl's ASCII whitespace

    shape = _same_shape


def strip(input, name=None):  # noqa: A002
    """``tf.strings.strip``: each string without leading and trailing whitespace."""
    return _ragged_or_dense(lambda t: StringStrip.apply(string_operand("StringStrip", t)), input)


class Substr(Op):
    """``len`` bytes (or characters) of each string from ``pos`` (negative: from the end).
    A ``pos`` past either end is an InvalidArgumentError, as in TF."""

    def forward(x, pos, length, unit):
        xs, ps, ls = np.broadcast_arrays(x, _to_host_int(pos), _to_host_int(length))
        out = np.empty(xs.size, dtype=object)
        for k, (s, p, n) in enumerate(zip(xs.reshape(-1).tolist(), ps.reshape(-1).tolist(), ls.reshape(-1).tolist())):
            text = s if unit == "BYTE" else s.decode("utf-8", "replace")
            size = len(text)
            if p > size or p < -size:
                raise InvalidArgumentError(f"Substr: pos {p} out of range for string {s!r} at index {k}", "Substr")
            if p < 0:
                p += size
            piece = text[p:p + max(n, 0)]
            out[k] = piece if unit == "BYTE" else piece.encode("utf-8")
        return out.reshape(xs.shape)

    def shape(x_shape, pos_shape, len_shape, unit):
        return x_shape


def substr(input, pos, len, unit: str = "BYTE", name=None):  # noqa: A002 (TF's names)
    """``tf.strings.substr``: ``len`` bytes (``unit="BYTE"``) or characters (``"UTF8_CHAR"``) from ``pos``."""
    if unit not in ("BYTE", "UTF8_CHAR"):
        raise InvalidArgumentError(f"Substr: unit must be 'BYTE' or 'UTF8_CHAR', got {unit!r}", "Substr")
    x = string_operand("Substr", input)
    p, n = convert_to_tensor(pos), convert_to_tensor(len)
    for what, t in (("pos", p), ("len", n)):
        if not t.dtype.is_integer:
            raise InvalidArgumentTypeError(f"Substr: {what} must be an integer tensor, got {t.dtype.name}", "Substr")
        if t.ndim and tuple(t.shape) != tuple(x.shape):
            raise InvalidArgumentError(f"Substr: {what} must be a scalar or of the input's shape {list(x.shape)}, got "
                                       f"{list(t.shape)}", "Substr")
    return Substr.apply(x, p, n, unit=unit)


# --- numbers and strings --------------------------------------------------------------------------
_NUMBER = re.compile(rb"\s*[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf(inity)?|nan)\s*", re.IGNORECASE)
_INTEGER = re.compile(rb"\s*[+-]?\d+\s*")


class StringToNumber(Op):
    """Each string parsed as a number of ``out_type`` (as C's strtod / strtol: no "1_000")."""

    def forward(x, out_type):
        integer = out_type.kind in "iu"
        info = np.iinfo(out_type) if integer else None

        def parse(s):
            if not (_INTEGER if integer else _NUMBER).fullmatch(s):
                raise InvalidArgumentError(f"StringToNumberOp could not correctly convert string: "
                                           f"{s.decode('utf-8', 'replace')}", "StringToNumber")
            if integer:
                value = int(s)
                if not info.min <= value <= info.max:
                    raise InvalidArgumentError(f"StringToNumberOp could not correctly convert string: "
                                               f"{s.decode('utf-8', 'replace')}", "StringToNumber")
                return value
            return float(s)
        return B.xp.asarray(each(parse, x, dtype=np.float64 if not integer else np.int64).astype(out_type))

    def shape(x_shape, out_type):
        return x_shape


def to_number(input, out_type=dtypes.float32, name=None):  # noqa: A002
    """``tf.strings.to_number``: parse each string as a number (float32 by default)."""
    target = dtypes.as_dtype(out_type)
    if target.name not in ("float32", "float64", "int32", "int64"):
        raise InvalidArgumentTypeError(f"StringToNumber: out_type must be float32, float64, int32 or int64, got "
                                       f"{target.name}", "StringToNumber")
    return _ragged_or_dense(lambda t: StringToNumber.apply(string_operand("StringToNumber", t),
                                                           out_type=target._np), input)


string_to_number = to_number


class AsString(Op):
    """Each number formatted with C's printf format ``fmt`` (bools as "true"/"false")."""

    def forward(x, fmt):
        host = B.to_numpy(x)
        if host.dtype.kind == "b":
            return each(lambda v: b"true" if v else b"false", host.astype(object))
        if host.dtype.kind == "f":
            return each(lambda v: (fmt % float(v)).encode(), host.astype(object))
        return each(lambda v: (fmt % int(v)).encode(), host.astype(object))

    shape = lambda x_shape, fmt: x_shape  # noqa: E731


def as_string(input, precision: int = -1, scientific: bool = False, shortest: bool = False,  # noqa: A002
              width: int = -1, fill: str = "", name=None):
    """``tf.strings.as_string``: numbers as strings, as C's printf formats them (``%f``, ``%e``, ``%g``, ``%d``)."""
    x = convert_to_tensor(input)
    kind = x._value.dtype.kind
    if kind == "O":
        raise InvalidArgumentError("AsString: the input is already a string tensor", "AsString")
    if scientific and shortest:
        raise InvalidArgumentError("AsString: Cannot select both scientific and shortest notation", "AsString")
    if len(fill) > 1:
        raise InvalidArgumentError(f"AsString: Fill string must be one or fewer characters, got {fill!r}", "AsString")
    if kind != "f" and (scientific or shortest or precision > -1):
        raise InvalidArgumentError(f"AsString: scientific, shortest and precision apply to floats, not "
                                   f"{x.dtype.name}", "AsString")
    fmt = "%" + fill + (str(width) if width > -1 else "") + (f".{precision}" if precision > -1 else "")
    fmt += ("g" if shortest else "e" if scientific else "f") if kind == "f" else "d"
    return AsString.apply(x, fmt=fmt)


class StringFormat(Op):
    """The template with each placeholder replaced by one input, laid out as ``tf.print`` does."""

    def forward(*xs, parts, summarize):
        from minitf.ops.logging_ops import format_array
        out = [parts[0]]
        for x, text in zip(xs, parts[1:]):
            out.append(format_array(B.to_numpy(x), summarize))
            out.append(text)
        return np.array("".join(out).encode("utf-8", "surrogateescape"), dtype=object)

    def shape(*shapes, parts, summarize):
        return ()


def format(template: str, inputs, placeholder: str = "{}", summarize: int = 3, name=None):  # noqa: A001
    """``tf.strings.format``: a scalar string, ``template`` with each ``placeholder`` replaced by a tensor."""
    if isinstance(inputs, (Tensor, np.ndarray)) or not isinstance(inputs, (list, tuple)):
        inputs = [inputs]
    xs = [convert_to_tensor(x) for x in inputs]
    parts = tuple(template.split(placeholder))
    if len(parts) - 1 != len(xs):
        raise InvalidArgumentError(f"StringFormat: {len(parts) - 1} placeholder(s) in the template, but "
                                   f"{len(xs)} input(s)", "StringFormat")
    return StringFormat.apply(*xs, parts=parts, summarize=int(summarize))


# --- n-grams ---------------------------------------------------------------------------------------
class StringNGrams(Op):
    """The n-grams of each row: for each width in ``widths`` (in order), every run of that many
    consecutive strings joined by ``separator``: (n-grams, row_splits)."""

    def forward(values, row_splits, widths, separator):
        splits = _to_host_int(row_splits).tolist()
        items = values.tolist()
        grams, lengths = [], []
        for i in range(len(splits) - 1):
            row = items[splits[i]:splits[i + 1]]
            found = [separator.join(row[k:k + n]) for n in widths for k in range(len(row) - n + 1)]
            grams.extend(found)
            lengths.append(len(found))
        return _pieces(grams, lengths)

    def shape(values_shape, splits_shape, widths, separator):
        return (None,), splits_shape


def ngrams(data, ngram_width, separator: str = " ", pad_values=None, padding_width=None,
           preserve_short_sequences: bool = False, name=None):
    """``tf.strings.ngrams`` without padding: the n-grams of each row of the last axis."""
    if pad_values is not None or padding_width is not None or preserve_short_sequences:
        raise NotImplementedError("tf.strings.ngrams: pad_values, padding_width and preserve_short_sequences are "
                                  "not implemented in minitf")
    widths = (int(ngram_width),) if isinstance(ngram_width, (int, np.integer)) else tuple(int(n) for n in ngram_width)
    if any(n < 1 for n in widths):
        raise InvalidArgumentError(f"StringNGrams: ngram widths must be >= 1, got {widths}", "StringNGrams")
    sep = separator.encode("utf-8") if isinstance(separator, str) else bytes(separator)
    if isinstance(data, RaggedTensor):
        if data.ragged_rank != 1:
            raise NotImplementedError("tf.strings.ngrams: minitf takes ragged_rank-1 RaggedTensors only")
        values, splits = StringNGrams.apply(string_operand("StringNGrams", data.values), data.row_splits,
                                            widths=widths, separator=sep)
        return RaggedTensor.from_row_splits(values, splits, validate=False)
    x = string_operand("StringNGrams", data)
    if x.ndim == 1:
        from minitf.ops.shape_ops import reshape
        rows = reshape(x, (1, -1))
        values, _ = StringNGrams.apply(x, UniformRowSplits.apply(rows), widths=widths, separator=sep)
        return values
    if x.ndim == 2:
        from minitf.ops.shape_ops import reshape
        values, splits = StringNGrams.apply(reshape(x, (-1,)), UniformRowSplits.apply(x), widths=widths,
                                            separator=sep)
        return RaggedTensor.from_row_splits(values, splits, validate=False).to_tensor()
    raise NotImplementedError(f"tf.strings.ngrams: minitf takes rank 1 or 2 dense inputs, got rank {x.ndim}")


# --- the operators on strings: ==, !=, + and tf.where ---------------------------------------------
class StringEqual(Op):
    """x == y for strings (bool), broadcast. TF's op is Equal; this is its kernel on host strings."""

    name = "Equal"

    def forward(x, y):
        return B.xp.asarray(np.equal(x, y))

    def shape(x_shape, y_shape):
        from minitf.ops.elementwise import broadcast_static
        return broadcast_static("Equal", x_shape, y_shape)


class StringNotEqual(Op):
    """x != y for strings (bool), broadcast."""

    name = "NotEqual"

    def forward(x, y):
        return B.xp.asarray(np.not_equal(x, y))

    shape = StringEqual.shape


class StringAdd(Op):
    """x + y for strings: concatenation (TF's AddV2 on strings), broadcast."""

    name = "AddV2"

    def forward(x, y):
        return np.asarray(np.add(x, y), dtype=object)  # (NumPy gives a bare bytes for 0-d inputs)

    def shape(x_shape, y_shape):
        from minitf.ops.elementwise import broadcast_static
        return broadcast_static("AddV2", x_shape, y_shape)


class StringSelect(Op):
    """x where condition holds, else y, for strings (TF's SelectV2), broadcast."""

    name = "SelectV2"

    def forward(condition, x, y):
        return np.asarray(np.where(B.to_numpy(condition), x, y), dtype=object)

    def shape(c_shape, x_shape, y_shape):
        from minitf.ops.elementwise import broadcast_static
        return broadcast_static("SelectV2", c_shape, broadcast_static("SelectV2", x_shape, y_shape))


# --- hashing into buckets ---------------------------------------------------------------------------
class StringToHashBucketFast(Op):
    """Each string to ``Fingerprint64(s) % num_buckets`` (FarmHash; ``minitf/_string_hashes.py``)."""

    def forward(x, num_buckets):
        return B.xp.asarray(each(lambda s: fingerprint64(s) % num_buckets, x, dtype=np.int64))

    shape = _same_shape


class StringToHashBucketStrong(Op):
    """Each string to ``SipHash24(key, s) % num_buckets``: buckets that depend on a secret key."""

    def forward(x, num_buckets, key):
        return B.xp.asarray(each(lambda s: siphash24(key, s) % num_buckets, x, dtype=np.int64))

    shape = _same_shape


class Fingerprint(Op):
    """One 8-byte FarmHash fingerprint per row (the first axis), as uint8 (little-endian): of a row's
    bytes for numbers; of its string for a row of one string; otherwise of the concatenation of its
    strings' fingerprints (TF's ``Fingerprint`` op)."""

    def forward(x):
        data = B.to_numpy(x)
        rows = data.reshape(data.shape[0], int(np.prod(data.shape[1:], dtype=np.int64)))
        out = np.empty((rows.shape[0], 8), dtype=np.uint8)
        for i, row in enumerate(rows):
            if data.dtype.kind != "O":
                value = fingerprint64(np.ascontiguousarray(row).astype(row.dtype.newbyteorder("<")).tobytes())
            elif row.size == 1:
                value = fingerprint64(row[0])
            else:
                value = fingerprint64(b"".join(fingerprint64(s).to_bytes(8, "little") for s in row.tolist()))
            out[i] = np.frombuffer(value.to_bytes(8, "little"), dtype=np.uint8)
        return B.xp.asarray(out)

    def shape(x_shape):
        return (x_shape[0], 8)


def fingerprint(data, method: str = "farmhash64", name=None):
    """``tf.fingerprint``: a stable 8-byte fingerprint of each row of ``data`` (shape (rows, 8), uint8)."""
    x = convert_to_tensor(data)
    if x.ndim < 1:
        raise InvalidArgumentError(f"Fingerprint: `data` should have at least one dimension: {list(x.shape)}",
                                   "Fingerprint")
    if method != "farmhash64":
        raise InvalidArgumentError(f"Fingerprint: Unsupported fingerprint method: {method}", "Fingerprint")
    return Fingerprint.apply(x)


def _num_buckets(op: str, num_buckets) -> int:
    if isinstance(num_buckets, bool) or not isinstance(num_buckets, (int, np.integer)) or num_buckets < 1:
        raise InvalidArgumentError(f"{op}: Value for attr 'num_buckets' of {num_buckets} must be at least minimum 1",
                                   op)
    return int(num_buckets)


def to_hash_bucket_fast(input, num_buckets: int, name=None):  # noqa: A002
    """``tf.strings.to_hash_bucket_fast``: each string's bucket in [0, num_buckets), by its FarmHash
    fingerprint (stable across runs and machines)."""
    op = "StringToHashBucketFast"
    return StringToHashBucketFast.apply(string_operand(op, input), num_buckets=_num_buckets(op, num_buckets))


def to_hash_bucket_strong(input, num_buckets: int, key, name=None):  # noqa: A002
    """``tf.strings.to_hash_bucket_strong``: each string's bucket in [0, num_buckets), by SipHash-2-4
    keyed with ``key``, two 64-bit ints (a negative one stands for its two's-complement bits, as in TF)."""
    op = "StringToHashBucketStrong"
    key = list(key)
    if len(key) != 2:
        raise InvalidArgumentError(f"{op}: Key must have 2 elements, got {key}", op)
    if any(isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not -2**63 <= k < 2**63 for k in key):
        raise InvalidArgumentError(f"{op}: the key must be two 64-bit ints, got {key}", op)
    return StringToHashBucketStrong.apply(string_operand(op, input), num_buckets=_num_buckets(op, num_buckets),
                                          key=(int(key[0]) % 2**64, int(key[1]) % 2**64))


__all__ = ["as_string", "bytes_split", "format", "join", "length", "lower", "ngrams", "reduce_join", "regex_full_match",
           "regex_replace", "split", "string_to_number", "strip", "substr", "to_hash_bucket_fast", "to_hash_bucket_strong", "to_number",
           "unicode_decode", "unicode_split", "upper"]
