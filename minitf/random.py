"""Random tensors (``tf.random``), seeded the TF way: a global seed plus per-op seeds.

minitf draws on the host with NumPy's PCG64 and moves the result to the backend,
so the same seed gives the same numbers on CPU and GPU. The numbers are NOT
TensorFlow's (no NumPy engine can reproduce TF's Philox streams): to compare a
model with TF, copy the weights (see PARITY_NOTES.md), never the seeds.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import backend as B
from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops.op import Op
from minitf.tensor import Tensor, convert_to_tensor

# TF's semantics (eager): set_seed(g) restarts everything; an op seed s names a stream of its own,
# derived from (g, s), that moves on with each call -- uniform(seed=1) twice gives two different
# draws, the same two again after set_seed(g). Without a global seed, TF uses a default one.
_DEFAULT_GLOBAL_SEED = 87654321  # TF's DEFAULT_GRAPH_SEED
_global_seed: int | None = None
_global_rng = np.random.default_rng()
_op_streams: dict[int, np.random.Generator] = {}


def set_seed(seed: int) -> None:
    """Make every later random op (and Keras initializer) repeatable."""
    global _global_rng, _global_seed
    _global_seed = int(seed)
    _global_rng = np.random.default_rng(_global_seed)
    _op_streams.clear()


def _rng(seed: int | None) -> np.random.Generator:
    """The stream an op draws from: the global one, or the op seed's own (see above)."""
    if seed is None:
        return _global_rng
    stream = _op_streams.get(int(seed))
    if stream is None:
        global_seed = _DEFAULT_GLOBAL_SEED if _global_seed is None else _global_seed
        stream = _op_streams[int(seed)] = np.random.default_rng([global_seed, int(seed)])
    return stream


def _out(values: np.ndarray, dtype) -> Tensor:
    return Tensor(B.xp.asarray(values.astype(dtypes.as_dtype(dtype)._np, copy=False)))


def _shape(shape) -> tuple:
    if isinstance(shape, Tensor):
        shape = shape.numpy().tolist()
    return (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(d) for d in shape)


class _RandomOp(Op):
    """Base of the random draws: stateful (each run draws anew from the stream), so a traced
    function draws on every call. While tracing, a draw is a stand-in of zeros."""

    stateful = True

    def trace_forward(*inputs, shape, dtype, **attrs):
        return B.xp.zeros(shape, dtype=dtype)


class RandomStandardNormal(_RandomOp):
    def forward(shape, mean, stddev, dtype, seed):
        return B.xp.asarray(_rng(seed).normal(mean, stddev, shape).astype(dtype, copy=False))


class RandomUniform(_RandomOp):
    def forward(shape, minval, maxval, dtype, seed, stream=None):
        rng = stream if stream is not None else _rng(seed)
        values = rng.integers(minval, maxval, shape) if dtype.kind in "iu" else rng.uniform(minval, maxval, shape)
        return B.xp.asarray(values.astype(dtype, copy=False))


class TruncatedNormal(_RandomOp):
    """Normal, with values beyond 2 standard deviations drawn again (as TF does)."""

    def forward(shape, mean, stddev, dtype, seed):
        rng = _rng(seed)
        values = rng.normal(0.0, 1.0, shape)
        bad = np.abs(values) > 2
        while bad.any():
            values[bad] = rng.normal(0.0, 1.0, int(bad.sum()))
            bad = np.abs(values) > 2
        return B.xp.asarray((values * stddev + mean).astype(dtype, copy=False))


class RandomShuffle(_RandomOp):
    def forward(x, seed):
        return x[B.xp.asarray(_rng(seed).permutation(x.shape[0]))]

    def shape(x, seed):
        return x

    def trace_forward(x, seed):
        return x


class Multinomial(_RandomOp):
    def forward(logits, num_samples, dtype, seed):
        z = B.to_numpy(logits).astype(np.float64)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        rng = _rng(seed)
        draws = np.stack([rng.choice(p.shape[1], size=num_samples, p=row) for row in p])
        return B.xp.asarray(draws.astype(dtype))

    def trace_forward(logits, num_samples, dtype, seed):
        return B.xp.zeros((logits.shape[0], num_samples), dtype=dtype)

    def shape(logits, num_samples, dtype, seed):
        return (logits[0], num_samples)


def _seed(seed):
    return None if seed is None else int(seed)


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    return RandomStandardNormal.apply(shape=_shape(shape), mean=float(mean), stddev=float(stddev),
                                      dtype=dtypes.as_dtype(dtype)._np, seed=_seed(seed))


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Uniform on [minval, maxval) (floats default to [0, 1); integers need maxval)."""
    dt = dtypes.as_dtype(dtype)
    if dt.is_integer:
        if maxval is None:
            raise InvalidArgumentError("random.uniform: an integer dtype needs maxval", "RandomUniformInt")
        lo, hi = int(minval), int(maxval)
    else:
        lo, hi = float(minval), 1.0 if maxval is None else float(maxval)
    return RandomUniform.apply(shape=_shape(shape), minval=lo, maxval=hi, dtype=dt._np, seed=_seed(seed))


def uniform_from(stream: np.random.Generator | None, shape, minval=0.0, maxval=1.0, dtype=dtypes.float32) -> Tensor:
    """A uniform draw from ``stream`` (a layer's own seeded NumPy generator), or from the global stream
    when it is None: an op, so a traced training step draws anew on every call."""
    dt = dtypes.as_dtype(dtype)
    return RandomUniform.apply(shape=_shape(shape), minval=float(minval), maxval=float(maxval), dtype=dt._np,
                               seed=None, stream=stream)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    return TruncatedNormal.apply(shape=_shape(shape), mean=float(mean), stddev=float(stddev),
                                 dtype=dtypes.as_dtype(dtype)._np, seed=_seed(seed))


def shuffle(value: Any, seed=None, name=None) -> Tensor:
    """The tensor with its first axis in a random order."""
    return RandomShuffle.apply(convert_to_tensor(value), seed=_seed(seed))


def categorical(logits: Any, num_samples: int, dtype=None, seed=None, name=None) -> Tensor:
    """``num_samples`` class indices per row, drawn with probabilities softmax(logits)."""
    return Multinomial.apply(convert_to_tensor(logits), num_samples=int(num_samples),
                             dtype=dtypes.as_dtype(dtypes.int64 if dtype is None else dtype)._np, seed=_seed(seed))


class Generator:
    """A seeded random stream (``tf.random.Generator.from_seed(42).normal((2, 3))``)."""

    def __init__(self, seed: int | None = None):
        self._rng = np.random.default_rng(seed)

    @classmethod
    def from_seed(cls, seed: int, alg=None) -> "Generator":
        return cls(int(seed))

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        return cls(None)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        return _out(self._rng.normal(float(mean), float(stddev), _shape(shape)), dtype)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None) -> Tensor:
        dt = dtypes.as_dtype(dtype)
        if dt.is_integer:
            if maxval is None:
                raise InvalidArgumentError("Generator.uniform: an integer dtype needs maxval")
            return _out(self._rng.integers(int(minval), int(maxval), _shape(shape)), dt)
        return _out(self._rng.uniform(float(minval), 1.0 if maxval is None else float(maxval), _shape(shape)), dt)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        values = self._rng.normal(0.0, 1.0, _shape(shape))
        bad = np.abs(values) > 2
        while bad.any():
            values[bad] = self._rng.normal(0.0, 1.0, int(bad.sum()))
            bad = np.abs(values) > 2
        return _out(values * float(stddev) + float(mean), dtype)

    def numpy_rng(self) -> np.random.Generator:
        """The underlying NumPy generator (for minitf's own initializers and shuffles)."""
        return self._rng


def global_numpy_rng() -> np.random.Generator:
    """The stream that ``set_seed`` resets (initializers and shuffling draw from it)."""
    return _global_rng
