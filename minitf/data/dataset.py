"""``tf.data.Dataset`` in miniature: a pipeline of Python iterators over structures of arrays.

A Dataset is a recipe, not data: ``Dataset.from_tensor_slices((x, y)).shuffle(1000).batch(32)``
builds three nodes, each holding the node before it. Iterating asks the last node for
elements, which asks the one before, and so on; every ``iter(dataset)`` is a fresh pass
(a new epoch: shuffles reshuffle, maps run again).

Elements travel as structures (tuples, dicts) of raw backend arrays and become minitf
Tensors where they leave the pipeline: in ``for element in dataset`` and when handed to
``map`` / ``filter`` functions.

The fast path. A training loop iterates ``from_tensor_slices(arrays).shuffle(n).batch(b)``
every epoch, so that must not do Python work per example. Datasets whose element i can be
read directly (tensor slices, ranges, and take/skip of those) answer ``_rows(index)``: one
array slice (a view, no copy) or one ``take`` with a list of indices per batch. ``batch``
uses it, and so does ``shuffle`` when its buffer holds the whole dataset: it draws one
permutation per epoch and gathers each batch with it. Everything else (after a ``map``,
``filter``, a small shuffle buffer ...) takes the general path, one element at a time.

Cardinality, as TF counts it: a number of elements, ``INFINITE_CARDINALITY`` (-1) or
``UNKNOWN_CARDINALITY`` (-2, e.g. after ``filter``).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterator

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.data.arguments import (bool_scalar, check_callable, int64_scalar, optional_int64_scalar,
                                   parallel_calls)
from minitf.data.structure import (TensorSpec, _is_sparse, flatten, map_structure, row, same_layout, slice_rows,
                                   spec_of, take_rows, to_arrays, to_numpy, to_tensors)
from minitf.errors import InvalidArgumentError
from minitf.tensor import Tensor, convert_to_tensor

INFINITE = -1
UNKNOWN = -2
AUTOTUNE = -1
_INT64_MAX = 2 ** 63 - 1


def _call(fn: Callable, element: Any) -> Any:
    """Call a user function the way tf.data does: a tuple's components as separate arguments."""
    tensors = to_tensors(element)
    return fn(*tensors) if type(tensors) is tuple else fn(tensors)


def _pack_as(structure: Any, leaves: list) -> Any:
    it = iter(leaves)
    return map_structure(lambda _: next(it), structure)


class Dataset:
    """A pipeline of elements (``tf.data.Dataset``). Build one with the static constructors
    (``from_tensor_slices``, ``from_tensors``, ``range``, ``zip``) and chain transformations."""

    # --- what each node implements ------------------------------------------------------
    def _iterate(self) -> Iterator[Any]:
        """One pass over the elements, as structures of backend arrays."""
        raise NotImplementedError

    def _cardinality(self) -> int:
        raise NotImplementedError

    def _spec(self) -> Any:
        raise NotImplementedError

    def _size(self) -> int | None:
        """The number of rows if element i can be read directly with ``_rows``; else None."""
        return None

    def _rows(self, index) -> Any:
        """Element ``index`` (an int), or the elements at ``index`` (a slice or an integer array) stacked."""
        raise NotImplementedError

    def _batches(self, size: int, drop_remainder: bool) -> Iterator[Any] | None:
        """A fast way to produce this dataset's batches, or None (then ``batch`` stacks elements)."""
        n = self._size()
        if n is None:
            return None
        stop = n - n % size if drop_remainder else n
        return (self._rows(slice(i, min(i + size, n))) for i in range(0, stop, size))

    # --- iteration -------------------------------------------------------------------------
    def __iter__(self) -> "DatasetIterator":
        """A new pass; yields minitf Tensors, in the element's structure."""
        return DatasetIterator(self)

    def as_numpy_iterator(self) -> Iterator[Any]:
        """A new pass yielding NumPy arrays (NumPy scalars for rank-0 components), as TF does."""
        return (to_numpy(element) for element in self._iterate())

    def __bool__(self) -> bool:
        return True  # never fall back to __len__, which refuses infinite datasets

    def __len__(self) -> int:
        n = self._cardinality()
        if n == INFINITE:
            raise TypeError("The dataset is infinite.")
        if n == UNKNOWN:
            raise TypeError("The dataset length is unknown.")
        return n

    def cardinality(self) -> Tensor:
        """The number of elements as an int64 scalar; -1 infinite, -2 unknown."""
        return Tensor(B.xp.asarray(self._cardinality(), dtype=np.int64))

    @property
    def element_spec(self) -> Any:
        """A TensorSpec per component, in the element's structure (``None`` where a dim varies)."""
        return self._spec()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} element_spec={self._spec()!r}>"

    # --- sources -------------------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors: Any, name: str | None = None) -> "Dataset":
        """One element per row: element i is ``tensors[i]`` (each component sliced along axis 0).

        Tuples and dicts are structures (each component sliced); a list is one tensor.
        """
        return _TensorSliceDataset(tensors)

    @staticmethod
    def from_tensors(tensors: Any, name: str | None = None) -> "Dataset":
        """A dataset of exactly one element: ``tensors`` itself."""
        return _TensorDataset(tensors)

    @staticmethod
    def range(*args, output_type=dtypes.int64, name: str | None = None) -> "Dataset":
        """Like Python's range: ``range(stop)``, ``range(start, stop[, step])``; int64 scalars."""
        return _RangeDataset(*args, output_type=output_type)

    @staticmethod
    def zip(*args, datasets: Any = None, name: str | None = None) -> "Dataset":
        """Elements of several datasets side by side, in their structure; stops at the shortest.

        ``Dataset.zip(a, b)`` and ``Dataset.zip((a, b))`` both give (ea, eb) tuples.
        """
        if datasets is not None and args:
            raise TypeError("Dataset.zip: give the datasets either as arguments or as datasets=, not both")
        if datasets is None and not args:
            raise TypeError("Dataset.zip: Must pass at least one dataset to `zip`.")
        structure = datasets if datasets is not None else (args[0] if len(args) == 1 else tuple(args))
        return _ZipDataset(structure)

    # --- transformations ------------------------------------------------------------------------
    def batch(self, batch_size, drop_remainder: bool = False, num_parallel_calls=None, deterministic=None,
              name: str | None = None) -> "Dataset":
        """Stack ``batch_size`` consecutive elements into one (a new leading axis).

        The last batch may be smaller, unless ``drop_remainder`` drops it. Arguments are read as TF
        reads them (``minitf/data/arguments.py``): ``batch(2.0)`` is a TypeError, ``batch(0)`` an
        InvalidArgumentError.
        """
        size = int64_scalar("batch", "batch_size", batch_size)
        drop = bool_scalar("batch", "drop_remainder", drop_remainder)
        parallel_calls("batch", num_parallel_calls)
        return _BatchDataset(self, size, drop)

    def unbatch(self, name: str | None = None) -> "Dataset":
        """Split each element along its leading axis into that many elements (batch's inverse)."""
        return _UnbatchDataset(self)

    def shuffle(self, buffer_size, seed: int | None = None, reshuffle_each_iteration: bool = True,
                name: str | None = None) -> "Dataset":
        """Randomly reorder, with a buffer of ``buffer_size`` elements (TF's algorithm).

        The buffer starts with the first ``buffer_size`` elements; each output is drawn
        uniformly from the buffer and its place taken by the next input element. A buffer
        at least as large as the dataset gives a uniformly random permutation, and so does
        ``buffer_size=tf.data.UNKNOWN_CARDINALITY`` (-2), TF's "the whole dataset". ``seed``
        makes the sequence of epoch orders repeatable (so does ``minitf.random.set_seed``).
        """
        size = int64_scalar("shuffle", "buffer_size", buffer_size)
        seed = seed if type(seed) is int else optional_int64_scalar("shuffle", "seed", seed)  # any Python int
        if reshuffle_each_iteration is None:
            reshuffle_each_iteration = True
        if type(reshuffle_each_iteration) is not bool:  # TF takes a Python bool only (not even np.bool_)
            raise TypeError("shuffle: Expected bool for argument 'reshuffle_each_iteration' not "
                            f"{reshuffle_each_iteration!r:.60}.")
        return _ShuffleDataset(self, size, seed, reshuffle_each_iteration)

    def map(self, map_func: Callable, num_parallel_calls=None, deterministic=None,
            name: str | None = None) -> "Dataset":
        """Apply ``map_func`` to each element (a tuple's components as separate arguments)."""
        check_callable("map", map_func)
        parallel_calls("map", num_parallel_calls)
        return _MapDataset(self, map_func)

    def filter(self, predicate: Callable, name: str | None = None) -> "Dataset":
        """Keep the elements for which ``predicate`` returns True (a scalar bool)."""
        check_callable("filter", predicate)
        return _FilterDataset(self, predicate)

    def take(self, count, name: str | None = None) -> "Dataset":
        """The first ``count`` elements (all of them if count is -1)."""
        return _TakeDataset(self, int64_scalar("take", "count", count))

    def skip(self, count, name: str | None = None) -> "Dataset":
        """All but the first ``count`` elements (none if count is -1)."""
        return _SkipDataset(self, int64_scalar("skip", "count", count))

    def repeat(self, count=None, name: str | None = None) -> "Dataset":
        """The dataset ``count`` times over (forever if None or -1); each repetition is a new pass."""
        return _RepeatDataset(self, optional_int64_scalar("repeat", "count", count))

    def concatenate(self, dataset: "Dataset", name: str | None = None) -> "Dataset":
        """This dataset's elements, then ``dataset``'s (same structure and dtypes)."""
        return _ConcatenateDataset(self, dataset)

    def enumerate(self, start=0, name: str | None = None) -> "Dataset":
        """(index, element) pairs, the index an int64 counting from ``start``."""
        return _EnumerateDataset(self, int64_scalar("enumerate", "start", start))

    def prefetch(self, buffer_size, name: str | None = None) -> "Dataset":
        """Accepted for TF compatibility; minitf produces elements on demand, so this is the same dataset.

        ``buffer_size`` is still checked as TF checks it: an integer >= 0, or AUTOTUNE (-1).
        """
        size = optional_int64_scalar("prefetch", "buffer_size", buffer_size)
        if size is not None and size < -1:
            raise InvalidArgumentError(f"prefetch: buffer_size must be >= 0 or set buffer_size to be -1 for "
                                       f"auto-tuning, got {size}", op="prefetch")
        return self

    def cache(self, filename: str = "", name: str | None = None) -> "Dataset":
        """Remember the first complete pass and replay it (in memory; ``filename`` is ignored).

        Datasets read directly from arrays are already fixed, so for them this is a no-op.
        """
        if not isinstance(filename, str):  # TF converts it to a string tensor
            error = ValueError if filename is None else TypeError
            raise error(f"cache: `filename` must be a string (a path, or '' for memory), got {filename!r:.60}")
        return self if self._size() is not None else _CacheDataset(self)

    def apply(self, transformation_func: Callable[["Dataset"], "Dataset"]) -> "Dataset":
        """``transformation_func(self)``, which must return a Dataset."""
        result = transformation_func(self)
        if not isinstance(result, Dataset):
            raise TypeError(f"apply: `transformation_func` must return a `tf.data.Dataset` object. "
                            f"Got {type(result)}.")
        return result

    def reduce(self, initial_state: Any, reduce_func: Callable) -> Any:
        """Fold the elements: state = reduce_func(state, element), from ``initial_state``."""
        check_callable("reduce", reduce_func)
        state = to_tensors(to_arrays(initial_state, "reduce"))
        for element in self._iterate():
            state = reduce_func(state, to_tensors(element))
        return state


# --- sources ------------------------------------------------------------------------------------
class _TensorSliceDataset(Dataset):
    def __init__(self, tensors: Any):
        # A copy (C order), as TF takes a snapshot: later changes to the caller's arrays do not leak in.
        self._components = map_structure(
            lambda a: a if _is_sparse(a) else B.module_of(a).array(a, copy=True, order="C"),
            to_arrays(tensors, "from_tensor_slices"))
        leaves = flatten(self._components)
        if not leaves:
            raise ValueError("from_tensor_slices: Invalid `element`. `element` should not be empty (it has no "
                             "component to slice).")
        for i, a in enumerate(leaves):
            if len(a.shape) == 0:
                raise ValueError(f"from_tensor_slices: component {i} is a scalar (shape ()); every component "
                                 "needs a first dimension to slice along")
        sizes = [a.shape[0] for a in leaves]
        if len(set(sizes)) > 1:
            detail = ", ".join(f"component {i} shape {tuple(a.shape)}" for i, a in enumerate(leaves))
            raise ValueError(f"from_tensor_slices: all components must have the same size in their first "
                             f"dimension, got {detail}")
        self._n = sizes[0]

    def _size(self) -> int:
        return self._n

    def _rows(self, index) -> Any:
        if isinstance(index, slice):
            return map_structure(lambda a: slice_rows(a, index), self._components)
        if isinstance(index, int):
            return map_structure(lambda a: row(a, index), self._components)
        return map_structure(lambda a: take_rows(a, index), self._components)

    def _iterate(self):
        return (self._rows(i) for i in range(self._n))

    def _cardinality(self) -> int:
        return self._n

    def _spec(self):
        return map_structure(lambda a: spec_of(a, rows=True), self._components)


class _TensorDataset(Dataset):
    def __init__(self, tensors: Any):
        self._components = map_structure(lambda a: a if _is_sparse(a) else B.module_of(a).array(a, copy=True),
                                         to_arrays(tensors, "from_tensors"))
        if not flatten(self._components):
            raise InvalidArgumentError("from_tensors: the element has no component (an empty tuple or dict)",
                                       op="from_tensors")

    def _iterate(self):
        yield self._components

    def _cardinality(self) -> int:
        return 1

    def _spec(self):
        return map_structure(spec_of, self._components)


class _RangeDataset(Dataset):
    def __init__(self, *args, output_type=dtypes.int64):
        if not 1 <= len(args) <= 3:
            raise ValueError(f"Dataset.range: Invalid `args`. The length of `args` should be between 1 and 3 "
                             f"(stop | start, stop[, step]) but was {len(args)}.")
        names = ("stop",) if len(args) == 1 else ("start", "stop", "step")
        values = [int64_scalar("range", n, a) for n, a in zip(names, args)]
        start, stop, step = (0, values[0], 1) if len(values) == 1 else (values + [1])[:3]
        if step == 0:
            raise InvalidArgumentError("Dataset.range: step must be a non-zero integer.", op="range")
        self._start, self._step = start, step
        self._n = max(0, math.ceil((stop - start) / step))
        self._dtype = dtypes.as_dtype(output_type)._np

    def _size(self) -> int:
        return self._n

    def _rows(self, index) -> Any:
        if isinstance(index, int):
            return B.xp.asarray(self._start + self._step * index, dtype=self._dtype)
        if isinstance(index, slice):
            lo, hi, step = index.indices(self._n)
            return B.xp.arange(self._start + self._step * lo, self._start + self._step * hi, self._step * step,
                               dtype=self._dtype)
        return (self._start + self._step * B.xp.asarray(index)).astype(self._dtype)

    def _iterate(self):
        return (self._rows(i) for i in range(self._n))

    def _cardinality(self) -> int:
        return self._n

    def _spec(self):
        return TensorSpec((), dtypes.from_numpy(self._dtype))


# --- transformations --------------------------------------------------------------------------------
class _UnaryDataset(Dataset):
    """A node with one input; by default elements, spec and cardinality pass through."""

    def __init__(self, input_dataset: Dataset):
        if not isinstance(input_dataset, Dataset):
            raise TypeError(f"expected a Dataset, got {type(input_dataset).__name__}")
        self._input = input_dataset

    def _iterate(self):
        return self._input._iterate()

    def _cardinality(self) -> int:
        return self._input._cardinality()

    def _spec(self):
        return self._input._spec()


class _BatchDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, size: int, drop_remainder: bool):
        super().__init__(input_dataset)
        if size < 1:
            raise InvalidArgumentError(f"batch: Batch size must be greater than zero, got {size}.", op="batch")
        self._batch, self._drop = size, drop_remainder

    def _iterate(self):
        fast = self._input._batches(self._batch, self._drop)
        if fast is not None:
            yield from fast
            return
        pending = []
        for element in self._input._iterate():
            pending.append(element)
            if len(pending) == self._batch:
                yield _stack(pending)
                pending = []
        if pending and not self._drop:
            yield _stack(pending)

    def _cardinality(self) -> int:
        return batch_count(self._input._cardinality(), self._batch, self._drop)

    def _spec(self):
        lead = self._batch if self._drop else None
        return map_structure(lambda s: type(s)(None if s.shape is None else (lead, *s.shape), s.dtype),
                             self._input._spec())


def batch_count(n: int, size: int, drop_remainder: bool) -> int:
    """How many batches of ``size`` ``n`` elements make: n // size with ``drop_remainder``, else
    ceil(n / size) (the last batch is short); an infinite or unknown count (< 0) stays as it is."""
    if n < 0:
        return n
    return n // size if drop_remainder else -(-n // size)


def _stack(elements: list) -> Any:
    """Stack equal-shaped elements leaf by leaf; refuse differing shapes as TF does."""
    columns = list(zip(*(flatten(e) for e in elements)))
    stacked = []
    for k, column in enumerate(columns):
        if _is_sparse(column[0]):  # SparseTensors batch into one of a rank more
            from minitf import sparse
            stacked.append(sparse.stack(list(column)))
            continue
        first = column[0].shape
        for i, leaf in enumerate(column):
            if leaf.shape != first:
                raise ValueError(f"batch: Cannot batch tensors with different shapes in component {k}. First "
                                 f"element had shape {list(first)} and element {i} had shape {list(leaf.shape)}.")
        stacked.append(B.module_of(column[0]).stack(column))
    return _pack_as(elements[0], stacked)


class _UnbatchDataset(_UnaryDataset):
    def _iterate(self):
        for element in self._input._iterate():
            leaves = flatten(element)
            for k, leaf in enumerate(leaves):
                if leaf.ndim == 0:
                    raise ValueError(f"unbatch: component {k} is a scalar; every component needs a leading "
                                     "dimension to split")
            n = leaves[0].shape[0]
            if any(leaf.shape[0] != n for leaf in leaves):
                raise ValueError(f"unbatch: components have different leading sizes "
                                 f"{[leaf.shape[0] for leaf in leaves]}")
            for i in range(n):
                yield map_structure(lambda a: row(a, i), element)

    def _cardinality(self) -> int:
        return UNKNOWN  # each element may split into any number (TF says the same)

    def _spec(self):
        def inner(s):
            if s.shape is None:
                return TensorSpec(None, s.dtype)
            if len(s.shape) == 0:
                raise ValueError("unbatch: an element component is a scalar; there is nothing to unbatch")
            return TensorSpec(s.shape[1:], s.dtype)
        return map_structure(inner, self._input._spec())


class _ShuffleDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, buffer_size: int, seed: int | None, reshuffle: bool):
        super().__init__(input_dataset)
        if buffer_size == UNKNOWN:  # TF: buffer the whole dataset
            buffer_size = _INT64_MAX
        elif buffer_size < 1:
            raise InvalidArgumentError(f"shuffle: buffer_size must be greater than zero or UNKNOWN_CARDINALITY "
                                       f"(-2), got {buffer_size}", op="shuffle")
        from minitf import random
        self._buffer = buffer_size
        # Without a seed, one drawn from the global stream: minitf.random.set_seed makes it repeatable.
        # Any int64 seed (TF takes negative ones too); NumPy wants it non-negative.
        self._seed = int(seed) % 2**64 if seed is not None else int(random.global_numpy_rng().integers(2**63))
        self._reshuffle = reshuffle
        self._passes = 0

    def _next_rng(self) -> np.random.Generator:
        """The generator of the next pass: epoch e of seed s always draws the same order."""
        epoch = self._passes if self._reshuffle else 0
        self._passes += 1
        return np.random.default_rng([self._seed, epoch])

    def _whole_permutation(self):
        """One permutation of all rows, when the input reads rows directly and fits in the buffer."""
        n = self._input._size()
        if n is None or self._buffer < n:
            return None
        return self._next_rng().permutation(n)

    def _batches(self, size: int, drop_remainder: bool):
        order = self._whole_permutation()
        if order is None:
            return None
        order = B.xp.asarray(order)
        n = len(order)
        stop = n - n % size if drop_remainder else n
        return (self._input._rows(order[i:i + size]) for i in range(0, stop, size))

    def _iterate(self):
        order = self._whole_permutation()
        if order is not None:
            yield from (self._input._rows(int(i)) for i in order)
            return
        rng = self._next_rng()
        buffer: list = []
        for element in self._input._iterate():
            if len(buffer) < self._buffer:
                buffer.append(element)
                continue
            j = int(rng.integers(len(buffer)))
            yield buffer[j]
            buffer[j] = element
        # Input exhausted: what is left leaves in random order. (If everything fit in the buffer,
        # this is rng.permutation(n), the same order the direct path above draws.)
        for j in rng.permutation(len(buffer)):
            yield buffer[j]


class _MapDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, fn: Callable):
        super().__init__(input_dataset)
        self._fn = fn
        self._spec_cache = None

    def _iterate(self):
        for element in self._input._iterate():
            yield to_arrays(_call(self._fn, element), "map: the function's result")

    def _spec(self):
        """Traced the cheap way: the function on zeros with unknown dims set to 1, then to 2;
        output dims that differ between the two are unknown (None)."""
        if self._spec_cache is None:
            specs = self._input._spec()

            def zeros(s, fill):
                shape = [fill if d is None else d for d in (s.shape or ())]  # (unknown rank: a scalar)
                if type(s).__name__ == "SparseTensorSpec":  # an empty SparseTensor of that shape
                    from minitf.sparse import SparseTensor
                    return SparseTensor(np.zeros((0, len(shape)), np.int64), np.zeros(0, s.dtype._np), shape)
                return B.zeros(shape, s.dtype._np)

            def run(fill):
                dummy = map_structure(lambda s: zeros(s, fill), specs)
                with np.errstate(all="ignore"):
                    return to_arrays(_call(self._fn, dummy), "map: the function's result")

            one, two = run(1), run(2)
            self._spec_cache = map_structure(
                lambda a, b: TensorSpec([x if x == y else None for x, y in zip(a.shape, b.shape)]
                                        if a.ndim == b.ndim else a.shape, dtypes.from_numpy(a.dtype)), one, two)
        return self._spec_cache


class _FilterDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, predicate: Callable):
        super().__init__(input_dataset)
        self._predicate = predicate

    def _iterate(self):
        for element in self._input._iterate():
            keep = convert_to_tensor(_call(self._predicate, element))
            if keep.dtype != dtypes.bool or keep.ndim != 0:
                raise ValueError(f"filter: Invalid `predicate`. `predicate` must return a `tf.bool` scalar tensor, "
                                 f"but it returned {keep.dtype.name} of shape {tuple(keep.shape)}")
            if bool(keep._value):
                yield element

    def _cardinality(self) -> int:
        return UNKNOWN


class _TakeDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, count: int):
        super().__init__(input_dataset)
        self._count = count

    def _size(self):
        n = self._input._size()
        return None if n is None else (n if self._count < 0 else min(n, self._count))

    def _rows(self, index):
        return self._input._rows(index)  # rows 0..size-1 of the input, which callers never exceed

    def _iterate(self):
        if self._count < 0:
            yield from self._input._iterate()
            return
        if self._count == 0:
            return
        for i, element in enumerate(self._input._iterate()):
            yield element
            if i + 1 == self._count:
                return

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count < 0:
            return n
        if n == INFINITE:
            return self._count
        return UNKNOWN if n == UNKNOWN else min(n, self._count)


class _SkipDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, count: int):
        super().__init__(input_dataset)
        self._count = count

    def _size(self):
        n = self._input._size()
        return None if n is None else (0 if self._count < 0 else max(n - self._count, 0))

    def _rows(self, index):
        offset = self._count
        if isinstance(index, int):
            return self._input._rows(index + offset)
        if isinstance(index, slice):
            lo, hi, step = index.indices(self._size())
            return self._input._rows(slice(lo + offset, hi + offset, step))
        return self._input._rows(index + offset)

    def _iterate(self):
        if self._count < 0:
            return
        for i, element in enumerate(self._input._iterate()):
            if i >= self._count:
                yield element

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count < 0:
            return 0
        return n if n < 0 else max(n - self._count, 0)


class _RepeatDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, count: int | None):
        super().__init__(input_dataset)
        self._count = None if count is None or count < 0 else count

    def _iterate(self):
        done = 0
        while self._count is None or done < self._count:
            produced = False
            for element in self._input._iterate():  # a new pass each time: shuffles reshuffle
                produced = True
                yield element
            done += 1
            if not produced:
                return  # repeating an empty dataset gives nothing (and must not spin forever)

    def _cardinality(self) -> int:
        n = self._input._cardinality()
        if self._count is None:
            return 0 if n == 0 else INFINITE
        if n == INFINITE or n == UNKNOWN:
            return n if self._count else 0
        return n * self._count


class _EnumerateDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset, start: int):
        super().__init__(input_dataset)
        self._start = start

    def _iterate(self):
        for i, element in enumerate(self._input._iterate(), start=self._start):
            yield B.xp.asarray(i, dtype=np.int64), element

    def _spec(self):
        return TensorSpec((), dtypes.int64), self._input._spec()


class _CacheDataset(_UnaryDataset):
    def __init__(self, input_dataset: Dataset):
        super().__init__(input_dataset)
        self._cached: list | None = None

    def _iterate(self):
        if self._cached is not None:
            yield from self._cached
            return
        seen = []
        for element in self._input._iterate():
            seen.append(element)
            yield element
        self._cached = seen  # only a complete pass is kept


class _ZipDataset(Dataset):
    def __init__(self, datasets: Any):
        for d in flatten(datasets):
            if not isinstance(d, Dataset):
                raise TypeError(f"Dataset.zip: expected Datasets (in a tuple or dict), got {type(d).__name__}")
        if not flatten(datasets):
            raise TypeError("Dataset.zip: Must pass at least one dataset to `zip`.")
        self._datasets = datasets

    def _iterate(self):
        iterators = [d._iterate() for d in flatten(self._datasets)]
        while True:
            parts = []
            for it in iterators:
                try:
                    parts.append(next(it))
                except StopIteration:
                    return
            yield _pack_as(self._datasets, parts)

    def _cardinality(self) -> int:
        counts = [d._cardinality() for d in flatten(self._datasets)]
        if UNKNOWN in counts:
            return UNKNOWN
        finite = [n for n in counts if n != INFINITE]
        return min(finite) if finite else INFINITE

    def _spec(self):
        return map_structure(lambda d: d._spec(), self._datasets)


class _ConcatenateDataset(Dataset):
    def __init__(self, first: Dataset, second: Dataset):
        if not isinstance(second, Dataset):
            raise TypeError(f"concatenate: expected a Dataset, got {type(second).__name__}")
        a, b = first._spec(), second._spec()
        if not same_layout(a, b) or not all(
                x.dtype == y.dtype and len(x.shape) == len(y.shape) for x, y in zip(flatten(a), flatten(b))):
            raise TypeError(f"concatenate: Incompatible dataset elements:\n  {a!r} vs.\n  {b!r}\n"
                            "(the structure, dtypes and ranks must match)")
        self._first, self._second = first, second
        self._merged = map_structure(lambda x, y: x.most_specific_compatible(y), a, b)

    def _iterate(self):
        yield from self._first._iterate()
        yield from self._second._iterate()

    def _cardinality(self) -> int:
        a, b = self._first._cardinality(), self._second._cardinality()
        if INFINITE in (a, b):
            return INFINITE
        return UNKNOWN if UNKNOWN in (a, b) else a + b

    def _spec(self):
        return self._merged


class DatasetIterator:
    """``iter(dataset)``: the elements one by one, as minitf Tensors (TF's ``OwnedIterator``).

    A ``tf.train.Checkpoint`` can hold one (``Checkpoint(iterator=it)``): it saves how many elements
    were taken, and restoring starts the pass again and skips that many, so ``next`` continues where
    the save was. That is TF's position for every pipeline that gives the same elements on every pass
    (a ``shuffle`` without a seed draws a new order instead: TF restores its buffer, minitf cannot).
    """

    def __init__(self, dataset: Dataset):
        self._dataset = dataset
        self._source = dataset._iterate()
        self._taken = 0
        self._position = None  # a Variable, made when a checkpoint first asks for the state
        self._position_seen = 0

    def __iter__(self) -> "DatasetIterator":
        return self

    def __next__(self) -> Any:
        if self._position is not None:
            self._follow_restore()
        element = next(self._source)
        self._taken += 1
        return to_tensors(element)

    def get_next(self) -> Any:
        return next(self)

    def get_next_as_optional(self):
        raise NotImplementedError("Iterator.get_next_as_optional is not implemented in minitf")

    @property
    def element_spec(self) -> Any:
        return self._dataset.element_spec

    def _follow_restore(self) -> None:
        wanted = int(self._position.numpy())
        if wanted != self._position_seen:  # a checkpoint was restored: go to its position
            self._source = self._dataset._iterate()
            for _ in range(wanted):
                next(self._source)
            self._taken = self._position_seen = wanted

    def _checkpoint_state(self) -> dict:
        from minitf.tensor import Variable
        if self._position is None:
            self._position = Variable(np.int64(self._taken), trainable=False, name="position")
        else:
            self._follow_restore()
            self._position.assign(np.int64(self._taken))
        self._position_seen = self._taken
        return {"position": self._position}
