"""More of ``tf.data``: datasets from Python generators and from CSV files, and the transformations
that change how elements group (``padded_batch``, ``window``, ``flat_map``, ``interleave``) or
which dataset they come from (``sample_from_datasets``, ``choose_from_datasets``, ``Counter``).

These take the general path of ``dataset.py`` (one element at a time). Text travels as string
components (NumPy object arrays of ``bytes``, always on the host): ``TextLineDataset`` yields
lines, ``list_files`` file names, and CSV columns may be ``tf.string``.
"""
from __future__ import annotations

import csv
import gzip
import io
import itertools
import zlib
from typing import Any, Callable

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.data.arguments import check_callable, int64_scalar
from minitf.data.dataset import UNKNOWN, Dataset, _call, _pack_as, batch_count
from minitf.data.structure import TensorSpec, flatten, map_structure
from minitf.errors import FailedPreconditionError, InvalidArgumentError, NotFoundError

__all__ = ["from_generator", "padded_batch", "window", "flat_map", "interleave", "sample_from_datasets",
           "choose_from_datasets", "Counter", "CsvDataset", "make_csv_dataset", "TextLineDataset", "list_files"]



def _host_string(value: bytes | str):
    """A 0-d string component (an object array holding ``bytes``; strings never go to a device)."""
    out = np.empty((), dtype=object)
    out[()] = value.encode() if isinstance(value, str) else bytes(value)
    return out


def _file_names(what: str, filenames) -> list[str]:
    """File names given as a str, bytes, a list of them, or a string tensor (scalar or 1-D)."""
    if hasattr(filenames, "numpy"):
        filenames = filenames.numpy()
    if isinstance(filenames, np.ndarray):
        if filenames.dtype.kind not in "OUS":
            raise TypeError(f"{what}: `filenames` must be strings, got a {filenames.dtype} array")
        filenames = filenames.reshape(-1).tolist()
    if isinstance(filenames, (str, bytes)):
        filenames = [filenames]
    names = []
    for f in filenames:
        f = f.numpy() if hasattr(f, "numpy") else f
        if not isinstance(f, (str, bytes, np.str_, np.bytes_)):
            raise TypeError(f"{what}: `filenames` must be strings, got {type(f).__name__} {f!r:.60}")
        names.append(f.decode() if isinstance(f, bytes) else str(f))
    return names


# --- from_generator ------------------------------------------------------------------------------
class _GeneratorDataset(Dataset):
    def __init__(self, generator: Callable, signature: Any, args: tuple):
        self._generator, self._signature, self._args = generator, signature, args

    def _iterate(self):
        for value in self._generator(*self._args):
            leaves = flatten(value) if isinstance(value, (tuple, dict)) else [value]
            specs = flatten(self._signature)
            if len(leaves) != len(specs):
                raise TypeError(f"from_generator: `generator` yielded an element of {len(leaves)} components where "
                                f"the signature has {len(specs)}: {value!r:.100}")
            arrays = []
            for leaf, spec in zip(leaves, specs):
                array = np.asarray(leaf.numpy() if hasattr(leaf, "numpy") else leaf)
                if (array.dtype.kind in "OUS") != spec.dtype.is_string:
                    raise TypeError(f"from_generator: `generator` yielded an element of type {array.dtype} where an "
                                    f"element of type {spec.dtype.name} was expected")
                if spec.dtype.is_string:  # str/bytes items become bytes, as TF holds them
                    array = np.vectorize(lambda v: v.encode() if isinstance(v, str) else bytes(v), otypes=[object])(
                        array) if array.size else array.astype(object)
                else:
                    array = array.astype(spec.dtype._np, copy=False)
                if not spec.is_compatible_with(TensorSpec(array.shape, spec.dtype)):
                    raise InvalidArgumentError(f"from_generator: `generator` yielded an element of shape "
                                               f"{list(array.shape)} where an element of shape {spec.shape} was "
                                               "expected")
                arrays.append(array if spec.dtype.is_string else B.xp.asarray(array))
            yield _pack_as(self._signature, arrays)

    def _cardinality(self) -> int:
        return UNKNOWN

    def _spec(self):
        return self._signature


def from_generator(generator: Callable, output_types=None, output_shapes=None, args=None, output_signature=None,
                   name=None) -> Dataset:
    """A dataset whose elements are what ``generator()`` yields, read anew on every pass; their
    dtypes and shapes come from ``output_signature`` (TensorSpecs), or ``output_types`` and
    ``output_shapes``."""
    check_callable("from_generator", generator)
    if output_signature is None:
        if output_types is None:
            raise TypeError("from_generator: give `output_signature` (or the older `output_types`)")
        shapes = output_shapes if output_shapes is not None else map_structure(lambda _: None, output_types)
        output_signature = map_structure(
            lambda t, s: TensorSpec(None if s is None else list(s), dtypes.as_dtype(t)), output_types, shapes)
    else:
        output_signature = map_structure(lambda s: TensorSpec(s.shape, s.dtype), output_signature)
    return _GeneratorDataset(generator, output_signature, tuple(args or ()))


# --- padded_batch ----------------------------------------------------------------------------------
class _PaddedBatchDataset(Dataset):
    def __init__(self, input_dataset: Dataset, size: int, padded_shapes, padding_values, drop_remainder: bool):
        self._input, self._size_, self._drop = input_dataset, size, drop_remainder
        self._shapes, self._values = padded_shapes, padding_values

    def _pad(self, items: list, shape, value, dtype):
        ndim = items[0].ndim
        target = [max(a.shape[d] for a in items) if shape is None or shape[d] in (None, -1) else int(shape[d])
                  for d in range(ndim)] if shape is not None and len(shape) else [max(a.shape[d] for a in items)
                                                                                 for d in range(ndim)]
        string = np.dtype(dtype).kind == "O"
        fill = (b"" if string else 0) if value is None else (value.numpy() if hasattr(value, "numpy") else value)
        if string and isinstance(fill, str):
            fill = fill.encode()
        out = np.full([len(items)] + target, fill, dtype=dtype)
        for i, a in enumerate(items):
            if any(n > t for n, t in zip(a.shape, target)):
                raise InvalidArgumentError(f"padded_batch: an element of shape {list(a.shape)} is larger than the "
                                           f"padded shape {target}")
            out[(i,) + tuple(slice(0, n) for n in a.shape)] = B.to_numpy(a)
        return out if string else B.xp.asarray(out)

    def _iterate(self):
        spec = self._input._spec()
        it = self._input._iterate()
        while True:
            chunk = list(itertools.islice(it, self._size_))
            if not chunk or (self._drop and len(chunk) < self._size_):
                return
            columns = list(zip(*[flatten(e) for e in chunk]))
            specs, shapes = flatten(spec), _flat_or_repeat(self._shapes, spec)
            values = _flat_or_repeat(self._values, spec)
            yield _pack_as(spec, [self._pad(list(col), shp, val, s.dtype._np)
                                  for col, s, shp, val in zip(columns, specs, shapes, values)])

    def _cardinality(self) -> int:
        return batch_count(self._input._cardinality(), self._size_, self._drop)

    def _spec(self):
        first = self._size_ if self._drop else None
        return map_structure(lambda s: TensorSpec(None if s.shape is None else [first] + [None] * len(s.shape),
                                                  s.dtype), self._input._spec())


def _flat_or_repeat(value, spec) -> list:
    """``value`` given per component of ``spec`` (the same structure, a shape or a scalar as a leaf),
    flattened in the spec's order; one value for every component when it is not a structure."""
    if value is None:
        return [None] * len(flatten(spec))
    if isinstance(spec, dict):
        return [leaf for k in spec for leaf in _flat_or_repeat(value[k] if isinstance(value, dict)
                                                                     else value, spec[k])]
    if isinstance(spec, tuple):
        parts = value if isinstance(value, tuple) and len(value) == len(spec) else [value] * len(spec)
        return [leaf for v, s in zip(parts, spec) for leaf in _flat_or_repeat(v, s)]
    return [value]


def padded_batch(self, batch_size, padded_shapes=None, padding_values=None, drop_remainder=False,
                 name=None) -> Dataset:
    """Batch elements of different shapes: each component padded (with ``padding_values``, default 0)
    to the largest in its batch, or to ``padded_shapes`` (None / -1 in it: the largest)."""
    size = int64_scalar("padded_batch", "batch_size", batch_size)
    if size <= 0:
        raise InvalidArgumentError(f"padded_batch: batch_size must be greater than zero, got {size}")
    return _PaddedBatchDataset(self, size, padded_shapes, padding_values, bool(drop_remainder))


# --- window, flat_map, interleave ----------------------------------------------------------------
class _ListDataset(Dataset):
    """A dataset over elements held in a list (a window)."""

    def __init__(self, elements: list, spec):
        self._elements, self._spec_ = elements, spec

    def _iterate(self):
        yield from self._elements

    def _cardinality(self) -> int:
        return len(self._elements)

    def _spec(self):
        return self._spec_

    def __repr__(self) -> str:
        return f"<_VariantDataset element_spec={self._spec()!r}>"  # TF's name for a window's dataset


class _WindowDataset(Dataset):
    def __init__(self, input_dataset: Dataset, size: int, shift: int, stride: int, drop_remainder: bool):
        self._input, self._n, self._shift, self._stride, self._drop = input_dataset, size, shift, stride, drop_remainder

    def _iterate(self):
        spec = self._input._spec()
        span = (self._n - 1) * self._stride + 1
        buffer: list = []
        source = self._input._iterate()
        exhausted = False
        while True:
            while len(buffer) < span and not exhausted:
                try:
                    buffer.append(next(source))
                except StopIteration:
                    exhausted = True
            if not buffer:
                return
            picked = buffer[0:span:self._stride]
            if len(picked) < self._n and (self._drop or exhausted and not picked):
                return
            # a window is a structure of datasets, one per component (TF's nested datasets)
            flat = list(zip(*[flatten(e) for e in picked]))
            yield _pack_as(spec, [_ListDataset(list(col), s) for col, s in zip(flat, flatten(spec))])
            if exhausted and len(buffer) <= self._shift:
                return
            del buffer[:self._shift]
            if exhausted and not buffer:
                return

    def _cardinality(self) -> int:
        return UNKNOWN

    def _spec(self):
        return map_structure(lambda s: s, self._input._spec())


def window(self, size, shift=None, stride=1, drop_remainder=False, name=None) -> Dataset:
    """Windows of ``size`` consecutive elements (every ``stride``-th), starting every ``shift``
    elements (default ``size``). Each window is a dataset (per component, in the element's
    structure): ``ds.window(3).flat_map(lambda w: w.batch(3))``."""
    size = int64_scalar("window", "size", size)
    shift = size if shift is None else int64_scalar("window", "shift", shift)
    stride = int64_scalar("window", "stride", stride)
    for what, v in (("size", size), ("shift", shift), ("stride", stride)):
        if v <= 0:
            raise InvalidArgumentError(f"window: {what} must be greater than zero, got {v}")
    return _WindowDataset(self, size, shift, stride, bool(drop_remainder))


class _FlatMapDataset(Dataset):
    def __init__(self, input_dataset: Dataset, fn: Callable, cycle_length: int = 1, block_length: int = 1):
        self._input, self._fn, self._cycle, self._block = input_dataset, fn, cycle_length, block_length
        self._spec_cache = None

    def _datasets(self):
        for element in self._input._iterate():
            result = _call_structure(self._fn, element)
            if not isinstance(result, Dataset):
                raise TypeError(f"flat_map/interleave: the function must return a Dataset, got {type(result).__name__}")
            yield result

    def _iterate(self):
        if self._cycle == 1:
            for d in self._datasets():
                yield from d._iterate()
            return
        sources = self._datasets()
        active: list = []
        while True:
            while len(active) < self._cycle:
                try:
                    active.append(next(sources)._iterate())
                except StopIteration:
                    break
            if not active:
                return
            for it in list(active):
                for _ in range(self._block):
                    try:
                        yield next(it)
                    except StopIteration:
                        active.remove(it)
                        break

    def _cardinality(self) -> int:
        return UNKNOWN

    def _spec(self):
        if self._spec_cache is None:
            first = next(self._datasets(), None)
            if first is None:
                raise ValueError("flat_map/interleave: cannot infer the element spec of an empty dataset")
            self._spec_cache = first._spec()
        return self._spec_cache


def _call_structure(fn: Callable, element: Any) -> Any:
    """Call ``fn`` on an element whose leaves may be datasets (windows) or arrays."""
    if any(isinstance(leaf, Dataset) for leaf in flatten(element)):
        return fn(*element) if type(element) is tuple else fn(element)
    return _call(fn, element)


def flat_map(self, map_func: Callable, name=None) -> Dataset:
    """Each element mapped to a dataset, and those datasets' elements one after another."""
    check_callable("flat_map", map_func)
    return _FlatMapDataset(self, map_func)


def interleave(self, map_func: Callable, cycle_length=None, block_length=1, num_parallel_calls=None,
               deterministic=None, name=None) -> Dataset:
    """Like ``flat_map``, but ``cycle_length`` of the datasets at a time, ``block_length`` elements
    from each in turn (TF's order)."""
    check_callable("interleave", map_func)
    cycle = 1 if cycle_length is None else int64_scalar("interleave", "cycle_length", cycle_length)
    if cycle == -1:  # AUTOTUNE: TF picks the number of CPU cores; one at a time keeps the order plain
        cycle = 1
    block = int64_scalar("interleave", "block_length", block_length)
    return _FlatMapDataset(self, map_func, max(cycle, 1), max(block, 1))


# --- choosing between datasets -----------------------------------------------------------------
class _ChooseDataset(Dataset):
    def __init__(self, datasets: list, chooser, stop_on_empty: bool):
        self._datasets, self._chooser, self._stop = datasets, chooser, stop_on_empty

    def _iterate(self):
        iterators = [d._iterate() for d in self._datasets]
        alive = [True] * len(iterators)
        for index in self._chooser(alive):
            if index is None:
                return
            try:
                yield next(iterators[index])
            except StopIteration:
                if self._stop:
                    return
                alive[index] = False
                if not any(alive):
                    return

    def _cardinality(self) -> int:
        return UNKNOWN

    def _spec(self):
        return self._datasets[0]._spec()


def sample_from_datasets(datasets, weights=None, seed=None, stop_on_empty_dataset=False,
                         rerandomize_each_iteration=None) -> Dataset:
    """Elements drawn at random from ``datasets``, dataset i with probability ``weights[i]``
    (uniform by default). minitf draws with NumPy (not TF's stream): the same proportions."""
    datasets = list(datasets)
    if not datasets:
        raise ValueError("sample_from_datasets: Invalid `datasets`. `datasets` should not be empty.")
    w = np.ones(len(datasets)) if weights is None else np.asarray(
        weights.numpy() if hasattr(weights, "numpy") else weights, dtype=np.float64)
    if w.shape != (len(datasets),):
        raise ValueError(f"sample_from_datasets: {len(w)} weights for {len(datasets)} datasets")
    from minitf import random as mt_random
    base = mt_random.global_numpy_rng().integers(2 ** 63) if seed is None else int(seed)
    epochs = itertools.count()

    def chooser(alive):
        rng = np.random.default_rng([base, next(epochs)])
        while True:
            p = w * np.array(alive, dtype=np.float64)
            if p.sum() <= 0:
                yield None
                return
            yield int(rng.choice(len(p), p=p / p.sum()))
    return _ChooseDataset(datasets, chooser, bool(stop_on_empty_dataset))


def choose_from_datasets(datasets, choice_dataset, stop_on_empty_dataset=True) -> Dataset:
    """Element k from ``datasets[choice_dataset[k]]``."""
    datasets = list(datasets)

    def chooser(alive):
        for choice in choice_dataset._iterate():
            index = int(B.to_numpy(choice))
            if not 0 <= index < len(datasets):
                raise InvalidArgumentError(f"choose_from_datasets: choice {index} is not in [0, {len(datasets)})")
            yield index
    return _ChooseDataset(datasets, chooser, bool(stop_on_empty_dataset))


def Counter(start=0, step=1, dtype=dtypes.int64, name=None) -> Dataset:  # noqa: N802 (TF's name)
    """start, start + step, ... for ever (``tf.data.experimental.Counter``)."""
    return Dataset.range(int(start), 2 ** 63 - 1, int(step), output_type=dtype)


# --- text files ----------------------------------------------------------------------------------
def _compression(what: str, compression_type) -> str:
    """'' (none), 'GZIP' or 'ZLIB'."""
    compression_type = compression_type.numpy().decode() if hasattr(compression_type, "numpy") else compression_type
    if compression_type not in (None, "", "GZIP", "ZLIB"):
        raise InvalidArgumentError(f"{what}: compression_type must be '', 'GZIP' or 'ZLIB', got {compression_type!r}")
    return compression_type or ""


def _open_binary(what: str, path: str, compression_type) -> io.BufferedIOBase:
    """A file's bytes, decompressed as ``compression_type`` says ('' / None, 'GZIP', 'ZLIB')."""
    compression_type = _compression(what, compression_type)
    try:
        if compression_type == "GZIP":
            return gzip.open(path, "rb")
        if compression_type == "ZLIB":
            with open(path, "rb") as f:
                return io.BytesIO(zlib.decompress(f.read()))
        return open(path, "rb")
    except FileNotFoundError:
        raise NotFoundError(f"{what}: {path}; No such file or directory") from None
    except IsADirectoryError:
        raise FailedPreconditionError(f"{what}: {path}; Is a directory") from None


def _open_text(path: str, compression_type, what: str = "CsvDataset"):
    return io.TextIOWrapper(_open_binary(what, path, compression_type), encoding="utf-8", newline="")


def _lines(stream) -> Any:
    """The lines of a byte stream without their line ends ('\n', or '\r\n' as TF strips it too)."""
    for line in stream:
        if line.endswith(b"\n"):
            line = line[:-1]
            if line.endswith(b"\r"):
                line = line[:-1]
        yield line


class TextLineDataset(Dataset):
    """The lines of text files, one string scalar each, file after file (``tf.data.TextLineDataset``).
    Line ends ('\n', '\r\n') are dropped; an empty line is an empty string."""

    def __init__(self, filenames, compression_type=None, buffer_size=None, num_parallel_reads=None, name=None):
        self._files = _file_names("TextLineDataset", filenames)
        self._compression = _compression("TextLineDataset", compression_type)

    def _iterate(self):
        for path in self._files:
            with _open_binary("TextLineDataset", path, self._compression) as stream:
                for line in _lines(stream):
                    yield _host_string(line)

    def _cardinality(self) -> int:
        return UNKNOWN

    def _spec(self):
        return TensorSpec((), dtypes.string)


def list_files(file_pattern, shuffle=None, seed=None, name=None) -> Dataset:
    """The names of the files that match ``file_pattern`` (a glob, or a list of them), as string
    scalars: sorted, then shuffled unless ``shuffle=False`` (TF's default is to shuffle)."""
    import glob as _glob
    patterns = _file_names("list_files", file_pattern)
    matched = sorted({f for p in patterns for f in _glob.glob(p)})
    if not matched:
        shown = patterns[0] if len(patterns) == 1 else ", ".join(patterns)
        raise InvalidArgumentError("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
                                   f"b'No files matched pattern: {shown}'")
    names = np.empty(len(matched), dtype=object)
    names[:] = [m.encode() for m in matched]
    dataset = Dataset.from_tensor_slices(names)
    if shuffle is None or shuffle:
        dataset = dataset.shuffle(len(matched), seed=seed)
    return dataset


# --- CSV files ----------------------------------------------------------------------------------
def _column_type(default) -> tuple[np.dtype, Any]:
    """(dtype, default value or None when required) of one record default: a dtype (required), an
    empty tensor of a dtype (required), or a value, a 1-element list or tensor of one (the default)."""
    if isinstance(default, dtypes.DType) or default in (float, int, str):
        return dtypes.as_dtype(default)._np, None
    if isinstance(default, (list, tuple)) and not default:
        raise TypeError("CsvDataset: an empty default ([]) needs a dtype; use a dtype such as tf.float32")
    value = default.numpy() if hasattr(default, "numpy") else default
    array = np.asarray(value)
    if array.dtype.kind in "OUS":
        if array.size > 1:
            raise ValueError(f"CsvDataset: a record default holds one value, got {array.size}")
        if array.size == 0:
            return np.dtype(object), None
        text = array.reshape(-1)[0]
        return np.dtype(object), text.encode() if isinstance(text, str) else bytes(text)
    if hasattr(default, "dtype"):  # a tensor or NumPy value keeps its dtype
        dt = np.dtype(getattr(default.dtype, "_np", default.dtype))
    else:  # Python values: TF's float32 / int32
        kind = array.dtype.kind
        dt = np.dtype(np.float32 if kind == "f" else np.int32 if kind in "iu" else array.dtype)
    if array.size == 0:  # tf.constant([], dtype): a required column of that dtype
        return dt, None
    if array.size > 1:
        raise ValueError(f"CsvDataset: a record default holds one value, got {array.size}")
    return dt, array.reshape(-1)[0]


def _parse_field(field: str, dt: np.dtype):
    """One CSV field as a 0-d array of ``dt`` (floats parse as double and round, as TF's strtod)."""
    if dt.kind == "O":
        return _host_string(field)
    if dt.kind == "f":
        with np.errstate(over="ignore"):  # 1e40 in a float32 column is inf, as in TF
            return B.xp.asarray(np.asarray(float(field)).astype(dt))
    value = int(field)
    info = np.iinfo(dt)
    if not info.min <= value <= info.max:
        raise ValueError(field)
    return B.xp.asarray(np.asarray(value, dtype=dt))


class CsvDataset(Dataset):
    """Rows of CSV files as tuples of scalars, one per (selected) column (``tf.data.experimental.CsvDataset``).
    ``record_defaults`` gives each column's type: a value (used for empty fields) or a dtype (the
    field is required); ``tf.string`` columns hold the field's text."""

    def __init__(self, filenames, record_defaults, compression_type=None, buffer_size=None, header=False,
                 field_delim=",", use_quote_delim=True, na_value="", select_cols=None, exclude_cols=None):
        self._files = _file_names("CsvDataset", filenames)
        self._types = [_column_type(d) for d in record_defaults]
        self._compression, self._header, self._delim = compression_type, bool(header), field_delim
        self._quote, self._na = use_quote_delim, na_value
        if select_cols is not None and len(select_cols) != len(self._types):
            raise InvalidArgumentError(f"CsvDataset: {len(select_cols)} select_cols for {len(self._types)} "
                                       "record_defaults: give one default per selected column")
        self._select = None if select_cols is None else [int(c) for c in select_cols]

    def _iterate(self):
        for path in self._files:
            with _open_text(path, self._compression) as f:
                reader = csv.reader(f, delimiter=self._delim, quoting=csv.QUOTE_MINIMAL if self._quote
                                    else csv.QUOTE_NONE)
                for line_no, row in enumerate(reader):
                    if line_no == 0 and self._header:
                        continue
                    if not row:
                        continue
                    fields = row if self._select is None else [row[c] if c < len(row) else "" for c in self._select]
                    if len(fields) != len(self._types):
                        raise InvalidArgumentError(f"CsvDataset: Expect {len(self._types)} fields but have "
                                                   f"{len(fields)} in record {line_no} of {path}")
                    out = []
                    for i, (field, (dt, default)) in enumerate(zip(fields, self._types)):
                        if field == "" or field == self._na:
                            if default is None:
                                raise InvalidArgumentError(f"CsvDataset: Field {i} is required but missing in "
                                                           f"record {line_no} of {path}")
                            out.append(_host_string(default) if dt.kind == "O"
                                       else B.xp.asarray(np.asarray(default, dtype=dt)))
                            continue
                        try:
                            out.append(_parse_field(field, dt))
                        except ValueError:
                            raise InvalidArgumentError(f"CsvDataset: Field {i} in record {line_no} of {path} is not "
                                                       f"a valid {dtypes.from_numpy(dt).name}: {field!r}") from None
                    yield tuple(out)

    def _cardinality(self) -> int:
        return UNKNOWN

    def _spec(self):
        return tuple(TensorSpec((), dtypes.from_numpy(dt)) for dt, _ in self._types)


def _infer_type(text: str, na_value: str, previous):
    """The least permissive of int32, int64, float32, float64, string that reads ``text`` and every
    field seen before in the column (TF's ``_infer_type``: an empty field tells nothing)."""
    if text in ("", na_value):
        return previous
    order = [dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64, dtypes.string]

    def reads(dtype) -> bool:
        try:
            if dtype.is_integer:
                value = int(text)
                info = np.iinfo(dtype._np)
                return info.min <= value <= info.max
            if dtype.is_floating:
                with np.errstate(over="ignore"):
                    return bool(np.asarray(float(text)).astype(dtype._np) < np.inf)
        except ValueError:
            return False
        return True
    for i, dtype in enumerate(order):
        if reads(dtype) and (previous is None or previous in order[:i + 1]):
            return dtype
    return previous


def make_csv_dataset(file_pattern, batch_size, column_names=None, column_defaults=None, label_name=None,
                     select_columns=None, field_delim=",", use_quote_delim=True, na_value="", header=True,
                     num_epochs=None, shuffle=True, shuffle_buffer_size=10000, shuffle_seed=None,
                     prefetch_buffer_size=None, num_parallel_reads=None, sloppy=False, num_rows_for_inference=100,
                     compression_type=None, ignore_errors=False, encoding="utf-8") -> Dataset:
    """Batches of (features, label) from CSV files: features an OrderedDict of the columns (header
    order), label the ``label_name`` column. Column types come from ``column_defaults`` or are
    inferred from the first ``num_rows_for_inference`` rows as TF infers them (int32, int64, float32,
    float64, else string; empty fields default to 0 or ""). Repeats ``num_epochs`` times (None: for
    ever) and shuffles, as TF does."""
    import collections
    import glob as _glob
    patterns = _file_names("make_csv_dataset", file_pattern)
    files = sorted(f for p in patterns for f in (_glob.glob(p) or [p]))
    quoting = csv.QUOTE_MINIMAL if use_quote_delim else csv.QUOTE_NONE
    with _open_text(files[0], compression_type, "make_csv_dataset") as f:
        rows = list(itertools.islice(csv.reader(f, delimiter=field_delim, quoting=quoting),
                                     (num_rows_for_inference or 10 ** 9) + 1))
    if column_names is None:
        if not header:
            raise ValueError("Expected `column_names` or `header` arguments. Neither is provided.")
        if not rows:
            raise ValueError(f"Failed when reading the header line of {files[0]}. Is it an empty file?")
    names = list(column_names) if column_names is not None else rows[0]
    if len(set(names)) != len(names):
        raise ValueError("Either `column_names` argument or CSV header row contains duplicate column names: "
                         f"{ {n for n in names if names.count(n) > 1} }.")
    data_rows = [r for r in (rows[1:] if header else rows) if r]
    selected = list(range(len(names))) if select_columns is None else sorted(
        names.index(c) if isinstance(c, str) else int(c) for c in select_columns)
    if column_defaults is None:
        defaults = []
        for c in selected:
            inferred = None
            for r in data_rows:
                inferred = _infer_type(r[c] if c < len(r) else "", na_value, inferred)
            inferred = inferred or dtypes.string
            defaults.append([""] if inferred.is_string else np.zeros(1, inferred._np))
    else:
        defaults = list(column_defaults)
    if select_columns is not None and len(defaults) != len(selected):
        raise ValueError("If specified, `column_defaults` and `select_columns` must have the same length: "
                         f"`column_defaults` has length {len(defaults)}, `select_columns` has length {len(selected)}.")
    rows_ds = CsvDataset(files, defaults, compression_type=compression_type, header=header, field_delim=field_delim,
                         use_quote_delim=use_quote_delim, na_value=na_value,
                         select_cols=None if select_columns is None else selected)
    keys = [names[c] for c in selected]
    if label_name is not None and label_name not in keys:
        raise ValueError(f"`label_name` provided must be one of the columns: {keys}. Received: {label_name}.")

    def to_dict(*values):
        features = collections.OrderedDict(zip(keys, values))
        if label_name is None:
            return features
        label = features.pop(label_name)
        return features, label
    dataset = rows_ds.repeat(num_epochs)
    if shuffle:
        dataset = dataset.shuffle(shuffle_buffer_size, seed=shuffle_seed)
    return dataset.batch(int(batch_size)).map(to_dict)
