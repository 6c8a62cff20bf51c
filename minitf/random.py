"""Random tensors (``tf.random``), seeded the TF way: a global seed plus per-op seeds.

Two kinds of draws:

- ``tf.random.normal/uniform/...`` with ``set_seed`` and op seeds, and the Keras initializers:
  drawn on the host with NumPy's PCG64 (moved to the backend), so the same seed gives the same
  numbers on CPU and GPU. These are NOT TensorFlow's numbers: to compare a model with TF, copy
  the weights (see PARITY_NOTES.md), never the seeds.
- ``tf.random.Generator`` and ``tf.random.stateless_*``: TF's counter-based Philox streams,
  reproduced (``minitf/_philox.py``), so the same seed gives TF's numbers (see below).

Categorical, gamma, Poisson and binomial draws (both kinds) live in ``minitf/random_distributions.py``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.errors import InvalidArgumentError
from minitf.ops.op import Op
from minitf.tensor import Tensor, Variable, convert_to_tensor

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
    """The draw's shape as ints. Inside a traced function a shape may hold tensors (``(tf.shape(x)[0],
    4)``, the batch size of a VAE's noise): their values are known from the trace's signature (a new
    signature traces again), so the draw gets them as constants; a size the signature leaves unknown
    (None) is read when the draw runs (``RandomOfDims``, ``StatelessRandomOfDims``)."""
    from minitf.ops.creation import is_traced, shape_tensor, unknown_size_error
    if is_traced(shape):
        from minitf.graph import static_value
        known = static_value(shape_tensor(shape))
        if not isinstance(known, tuple) or None in known:
            raise unknown_size_error(known)
        return known
    if isinstance(shape, Tensor):
        shape = shape.numpy().tolist()
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    shape = tuple(shape)
    if any(d is None for d in shape):  # a static shape from a trace (x.shape), e.g. Dropout's noise
        raise unknown_size_error(shape)
    return tuple(int(d) for d in shape)


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


class RandomOfDims(_RandomOp):
    """A draw of ``kernel`` (RandomStandardNormal, RandomUniform, TruncatedNormal) whose shape is an int
    tensor read when the op runs: ``tf.random.normal([tf.shape(x)[0], 4])`` in a traced function whose
    signature leaves the batch size open draws at the size of each call."""

    shape_value_inputs = (0,)  # while tracing, the output's shape is what is known of dims' value

    def forward(dims, kernel, **attrs):
        return kernel.forward(shape=_dims_tuple(dims), **attrs)

    def trace_forward(dims, kernel, dtype, **attrs):
        return B.xp.zeros(_dims_tuple(dims), dtype=dtype)

    def shape(dims, kernel, **attrs):
        return dims


def _dims_tuple(dims) -> tuple:
    return tuple(int(d) for d in B.to_numpy(dims).tolist())


def _open_dims(shape):
    """The shape as an int tensor when it is traced and some size is known only when the function runs
    (a signature's None); else None (the shape is a constant of the trace)."""
    from minitf.ops.creation import is_traced, shape_tensor
    if not is_traced(shape):
        return None
    from minitf.graph import static_value
    dims = shape_tensor(shape)
    known = static_value(dims)
    return dims if isinstance(known, tuple) and None in known else None


def _stateful_draw(kernel, shape, **attrs) -> Tensor:
    dims = _open_dims(shape)
    if dims is not None:
        return RandomOfDims.apply(dims, kernel=kernel, **attrs)
    return kernel.apply(shape=_shape(shape), **attrs)


class RandomShuffle(_RandomOp):
    def forward(x, seed):
        return x[B.xp.asarray(_rng(seed).permutation(x.shape[0]))]

    def shape(x, seed):
        return x

    def trace_forward(x, seed):
        return x


def _seed(seed):
    return None if seed is None else int(seed)


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    return _stateful_draw(RandomStandardNormal, shape, mean=float(mean), stddev=float(stddev),
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
    return _stateful_draw(RandomUniform, shape, minval=lo, maxval=hi, dtype=dt._np, seed=_seed(seed))


def uniform_from(stream: np.random.Generator | None, shape, minval=0.0, maxval=1.0, dtype=dtypes.float32) -> Tensor:
    """A uniform draw from ``stream`` (a layer's own seeded NumPy generator), or from the global stream
    when it is None: an op, so a traced training step draws anew on every call."""
    dt = dtypes.as_dtype(dtype)
    return _stateful_draw(RandomUniform, shape, minval=float(minval), maxval=float(maxval), dtype=dt._np,
                          seed=None, stream=stream)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    return _stateful_draw(TruncatedNormal, shape, mean=float(mean), stddev=float(stddev),
                                 dtype=dtypes.as_dtype(dtype)._np, seed=_seed(seed))


def shuffle(value: Any, seed=None, name=None) -> Tensor:
    """The tensor with its first axis in a random order."""
    return RandomShuffle.apply(convert_to_tensor(value), seed=_seed(seed))


# --- TF's counter-based random numbers: tf.random.Generator and tf.random.stateless_* -----------------
# These give TF's own numbers for the same seeds (Philox4x32-10 and TF's transformations, see
# minitf/_philox.py): uniforms, integers, float64 normals and generator states bit for bit; float32
# normals within 3 ulp (TF's come from glibc's logf/sinf/cosf, which are not correctly rounded;
# minitf rounds once from float64, so every CPU gets the same bits).
from minitf import _philox  # noqa: E402

_SEED_MASK = (1 << 64) - 1
_STATE_SIZE = 3  # Philox: [counter low 64 bits, counter high 64 bits, key]


class Algorithm:
    """``tf.random.Algorithm``: minitf implements Philox (TF's default on CPU)."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _alg(alg) -> int:
    name = getattr(alg, "name", alg)
    if alg is None or name in (1, 3, "philox", "PHILOX", "auto_select", "AUTO_SELECT") or alg in (1, 3):
        return Algorithm.PHILOX
    raise InvalidArgumentError(f"random: algorithm {alg!r} is not supported by minitf; use Philox "
                               "(tf.random.Algorithm.PHILOX, TF's default on CPU)")


def _to_int64(n: int) -> int:
    n &= _SEED_MASK
    return n - (1 << 64) if n >= 1 << 63 else n


def create_rng_state(seed, alg) -> Tensor:
    """A Philox state from an int (its 64-bit chunks, low first) or a vector (zero-padded in front), as TF."""
    _alg(alg)
    if isinstance(seed, Tensor):
        seed = seed.numpy()
    if isinstance(seed, (int, np.integer)):
        seed, chunks = int(seed), []
        for _ in range(_STATE_SIZE):
            chunks.append(seed & _SEED_MASK)
            seed >>= 64
        values = chunks
    else:
        values = [int(v) for v in np.asarray(seed).reshape(-1)][:_STATE_SIZE]
        values = [0] * (_STATE_SIZE - len(values)) + values
    return Tensor(B.xp.asarray(np.array([_to_int64(v) for v in values], dtype=np.int64)))


class RngReadAndSkip(_RandomOp):
    """The state now, and the state's counter moved on by ``delta * 256`` (TF's RngReadAndSkip)."""

    def forward(state, variable, delta):
        current = B.to_numpy(state)
        variable._value = B.xp.asarray(_philox.state_skip(current, delta))
        return B.xp.asarray(current.copy())

    def trace_forward(state, variable, delta):
        from minitf._context import state as context
        context.graph.variable_values[id(variable)] = state
        return state

    def shape(state, variable, delta):
        return state


_KIND_NAMES = {"normal": "StatelessRandomNormalV2", "uniform": "StatelessRandomUniformV2",
               "truncated_normal": "StatelessTruncatedNormalV2", "uniform_int": "StatelessRandomUniformIntV2",
               "full_int": "StatelessRandomUniformFullIntV2"}


class StatelessRandom(Op):
    """Values that depend only on ``source``: a 2-int seed (``from_state=False``, scrambled as TF's
    StatelessRandomGetKeyCounter) or a Generator state read (``from_state=True``).   No gradient."""

    name = "StatelessRandomV2"

    def forward(source, shape, dtype, kind, from_state, minval=0, maxval=0, replica=None):
        values = B.to_numpy(source)
        if from_state:
            key, counter = _philox.state_key_counter(values)
            if replica is not None:  # TF's _preprocess_key: key = the first uint64 of Philox(key, [replica, 0])
                mixed = int(_philox.full_int(key, (replica & 0xFFFFFFFF, replica >> 32, 0, 0), 1, np.uint64)[0])
                key = (mixed & 0xFFFFFFFF, mixed >> 32)
        else:
            seed = [int(v) for v in values.reshape(-1)]
            key, counter = _philox.key_counter_from_seed(seed[0], seed[1])
        n = int(np.prod(shape, dtype=np.int64))
        if kind == "uniform_int":
            out = _philox.uniform_int(key, counter, n, minval, maxval, dtype)
        elif kind == "full_int":
            out = _philox.full_int(key, counter, n, dtype)
        else:
            out = getattr(_philox, kind)(key, counter, n, dtype)
        return B.xp.asarray(np.asarray(out, dtype=dtype).reshape(shape))

    def shape(source, shape, dtype, kind, from_state, minval=0, maxval=0, replica=None):
        return tuple(shape)


def _float_dtype(op: str, dtype) -> np.dtype:
    dt = dtypes.as_dtype(dtype)
    if not dt.is_floating:
        raise InvalidArgumentError(f"{op}: dtype must be a floating type, got {dt.name}", op)
    return dt._np


def _scaled_normal(rnd: Tensor, mean, stddev, dtype) -> Tensor:
    from minitf.ops import elementwise as E
    return E.add(E.multiply(rnd, convert_to_tensor(stddev, dtype=dtype)), convert_to_tensor(mean, dtype=dtype))


def _scaled_uniform(rnd: Tensor, minval, maxval, dtype) -> Tensor:
    from minitf.ops import elementwise as E
    lo, hi = convert_to_tensor(minval, dtype=dtype), convert_to_tensor(maxval, dtype=dtype)
    return E.add(E.multiply(rnd, E.subtract(hi, lo)), lo)


def _int_bounds(op: str, dt, minval, maxval) -> tuple[int, int]:
    lo, hi = int(convert_to_tensor(minval, dtype=dt)), int(convert_to_tensor(maxval, dtype=dt))
    if lo >= hi:
        raise InvalidArgumentError(f"{op}: Need minval < maxval: {lo} >= {hi}", op)
    return lo, hi


class StatelessRandomOfDims(Op):
    """``StatelessRandom`` whose shape is an int tensor, read when the op runs: a traced function whose
    signature leaves a size open (``TensorSpec([None, 10])``, any batch size) draws ``tf.shape(x)``'s
    values at each call. The same numbers as ``StatelessRandom`` of that shape.   No gradient."""

    name = "StatelessRandomV2"
    shape_value_inputs = (1,)  # while tracing, the output's shape is what is known of dims' value

    def forward(source, dims, dtype, kind, from_state, minval=0, maxval=0, replica=None):
        return StatelessRandom.forward(source, _dims_tuple(dims), dtype, kind, from_state, minval, maxval, replica)

    def shape(source, dims, dtype, kind, from_state, minval=0, maxval=0, replica=None):
        return dims


def _draw(source: Tensor, shape, dtype, kind: str, from_state: bool, **bounds) -> Tensor:
    dims = _open_dims(shape)
    if dims is not None:  # sizes known only when the function runs
        return StatelessRandomOfDims.apply(source, dims, dtype=np.dtype(dtype), kind=kind, from_state=from_state,
                                           **bounds)
    return StatelessRandom.apply(source, shape=_shape(shape), dtype=np.dtype(dtype), kind=kind,
                                 from_state=from_state, **bounds)


def _replica_marker():
    """The ``strategy.run`` replica running now (minitf.distribute's marker), or None outside ``run``."""
    import sys
    distribute = sys.modules.get("minitf.distribute")
    if distribute is None:
        return None
    stack = distribute._stack()
    return stack[-1] if stack and isinstance(stack[-1], distribute._ReplicaMarker) else None


def _strategy_in_scope():
    import sys
    distribute = sys.modules.get("minitf.distribute")
    return distribute.get_strategy() if distribute is not None and distribute.has_strategy() else None


def _seed_tensor(op: str, seed) -> Tensor:
    t = convert_to_tensor(seed)
    if t.dtype.is_integer and tuple(t.shape) == (2,):
        return t
    raise InvalidArgumentError(f"{op}: seed must be a shape [2] integer tensor, got {t.dtype.name} of shape "
                               f"{list(t.shape)}", op)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select") -> Tensor:
    """Normal values that depend only on ``seed`` (two ints): TF's numbers for the same seed."""
    _alg(alg)
    dt = _float_dtype("StatelessRandomNormalV2", dtype)
    rnd = _draw(_seed_tensor("StatelessRandomNormalV2", seed), shape, dt, "normal", False)
    return _scaled_normal(rnd, mean, stddev, dt)


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None,
                               alg="auto_select") -> Tensor:
    _alg(alg)
    dt = _float_dtype("StatelessTruncatedNormalV2", dtype)
    rnd = _draw(_seed_tensor("StatelessTruncatedNormalV2", seed), shape, dt, "truncated_normal", False)
    return _scaled_normal(rnd, mean, stddev, dt)


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None,
                      alg="auto_select") -> Tensor:
    """Uniform values in [minval, maxval) that depend only on ``seed``. Integers need both bounds
    (or neither: the whole range)."""
    _alg(alg)
    dt = dtypes.as_dtype(dtype)
    source = _seed_tensor("StatelessRandomUniformV2", seed)
    if dt.is_integer:
        if (minval is None) != (maxval is None) or (maxval is None and minval != 0 and minval is not None):
            raise ValueError(f"For integer dtype {dt.name}, minval and maxval must be both `None` or both "
                             f"non-`None`; got minval={minval} and maxval={maxval}")
        if maxval is None:
            return _draw(source, shape, dt._np, "full_int", False)
        lo, hi = _int_bounds("StatelessRandomUniformIntV2", dt, minval, maxval)
        return _draw(source, shape, dt._np, "uniform_int", False, minval=lo, maxval=hi)
    rnd = _draw(source, shape, dt._np, "uniform", False)
    return _scaled_uniform(rnd, minval, 1.0 if maxval is None else maxval, dt._np)


class _MirroredState(Variable):
    """A Generator's state; with 2+ replicas, replica 0's, and assigning it (reset, checkpoint restore)
    sets every replica's copy, as TF's MirroredVariable."""

    _replica_copies: list = []

    def assign(self, value, use_locking=None, name=None, read_value=True):
        super().assign(value)
        for copy in self._replica_copies:
            copy.assign(self)
        return self


class Generator:
    """A random stream with TF's Philox state (``tf.random.Generator.from_seed(42).normal((2, 3))``):
    the same seed gives TF's numbers. The state is a Variable of 3 int64 (``state``), so it is saved
    in checkpoints and a traced function draws anew on every call (reading and moving it on)."""

    def __init__(self, copy_from: "Generator | None" = None, state=None, alg=None):
        if copy_from is not None:
            state, alg = copy_from.state.numpy(), copy_from.algorithm
        elif state is None:
            raise ValueError("Generator: give `copy_from` or `state` (or use Generator.from_seed)")
        self._alg = _alg(alg)
        value = state if isinstance(state, Tensor) else create_rng_state(list(np.asarray(state).reshape(-1)), alg)
        if tuple(value.shape) != (_STATE_SIZE,):
            raise ValueError(f"Generator: a Philox state has {_STATE_SIZE} int64 values, got shape {list(value.shape)}")
        value = convert_to_tensor(value, dtype=dtypes.int64)
        # TF: a Generator made in a strategy's scope mixes the replica id into its key inside `run`; made in
        # cross-replica context of a strategy with 2+ replicas, it keeps one state per replica (MirroredVariable)
        self._strategy = _strategy_in_scope()
        replicas = 1
        if self._strategy is not None and _replica_marker() is None:
            replicas = self._strategy.num_replicas_in_sync
        self._state_var = _MirroredState(value, trainable=False, name="StateVar")
        self._state_var._replica_copies = [Variable(value, trainable=False, name=f"StateVar/replica_{i}")
                                           for i in range(1, replicas)]

    @classmethod
    def from_seed(cls, seed, alg=None) -> "Generator":
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_state(cls, state, alg) -> "Generator":
        return cls(state=state, alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> "Generator":
        words = np.random.default_rng().integers(-(1 << 63), (1 << 63) - 1, size=_STATE_SIZE, dtype=np.int64)
        return cls(state=words, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg) -> "Generator":
        counter = [int(v) for v in np.asarray(counter).reshape(-1)]
        return cls(state=counter + [int(key)], alg=alg)

    # --- state ---
    @property
    def state(self):
        """The state Variable: [counter low, counter high, key] (int64); inside a replica of
        ``strategy.run``, that replica's."""
        return self._replica_state()[0]

    def _replica_state(self):
        """(the state Variable to use now, the replica id to mix into the key or None)."""
        marker = _replica_marker() if self._strategy is not None else None
        if marker is None:
            return self._state_var, None
        copies = self._state_var._replica_copies
        return (copies[marker.replica - 1] if marker.replica and copies else self._state_var), marker.replica

    @property
    def algorithm(self) -> int:
        return self._alg

    @property
    def key(self) -> Tensor:
        return self._state_var[-1]

    def reset(self, state) -> None:
        self._state_var.assign(convert_to_tensor(np.asarray(state, dtype=np.int64)))

    def reset_from_seed(self, seed) -> None:
        self._state_var.assign(create_rng_state(seed, self._alg))

    def reset_from_key_counter(self, key, counter) -> None:
        self._state_var.assign(create_rng_state([int(v) for v in np.asarray(counter).reshape(-1)] + [int(key)],
                                                self._alg))

    def skip(self, delta) -> Tensor:
        """Move the counter on by ``delta * 256``; returns the state before (outside ``run``, every
        replica's copy moves on, as TF's ``strategy.extended.update``)."""
        from minitf.ops.op import read_variable
        variable, replica = self._replica_state()
        before = RngReadAndSkip.apply(read_variable(variable), variable=variable, delta=int(delta))
        if replica is None:
            for copy in self._state_var._replica_copies:
                RngReadAndSkip.apply(read_variable(copy), variable=copy, delta=int(delta))
        return before

    def _read_and_skip(self, shape) -> Tensor:
        return self.skip(int(np.prod(_shape(shape), dtype=np.int64)))

    def _draw(self, shape, dtype, kind: str, **bounds) -> Tensor:
        replica = self._replica_state()[1]
        return _draw(self._read_and_skip(shape), shape, dtype, kind, True,
                     **bounds, **({} if replica is None else {"replica": int(replica)}))

    # --- draws ---
    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        dt = _float_dtype("StatelessRandomNormalV2", dtype)
        rnd = self._draw(shape, dt, "normal")
        return _scaled_normal(rnd, mean, stddev, dt)

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        dt = _float_dtype("StatelessTruncatedNormalV2", dtype)
        rnd = self._draw(shape, dt, "truncated_normal")
        return _scaled_normal(rnd, mean, stddev, dt)

    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None) -> Tensor:
        dt = dtypes.as_dtype(dtype)
        if dt.is_integer:
            if (minval is None) != (maxval is None):
                raise ValueError(f"For integer dtype {dt.name}, minval and maxval must be both `None` or both "
                                 f"non-`None`; got minval={minval} and maxval={maxval}")
            if minval is None:
                return self.uniform_full_int(shape, dt)
            lo, hi = _int_bounds("StatelessRandomUniformIntV2", dt, minval, maxval)
            return self._draw(shape, dt._np, "uniform_int", minval=lo, maxval=hi)
        rnd = self._draw(shape, dt._np, "uniform")
        return _scaled_uniform(rnd, minval, 1.0 if maxval is None else maxval, dt._np)

    def uniform_full_int(self, shape, dtype=dtypes.int64, name=None) -> Tensor:
        dt = dtypes.as_dtype(dtype)
        return self._draw(shape, dt._np, "full_int")

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None) -> Tensor:
        """Binomial(counts, probs) draws of ``shape`` (ending with the parameters' broadcast shape): TF's
        numbers for the same state (minitf/random_distributions.py)."""
        from minitf.random_distributions import generator_binomial
        return generator_binomial(self, shape, counts, probs, dtype)

    def make_seeds(self, count: int = 1) -> Tensor:
        """[2, count] int64 seeds for the stateless ops (row 0 random, row 1 zeros), as TF."""
        from minitf.ops import creation as C
        from minitf.ops import shape_ops as S
        keys = self.uniform_full_int([count], dtypes.int64)
        return S.stack([keys, C.zeros_like(keys)])

    def split(self, count: int = 1) -> list["Generator"]:
        """``count`` new generators, each from a key drawn here (TF's rule: state [0, 0, key])."""
        keys = self.uniform_full_int([count], dtypes.int64).numpy()
        return [Generator(state=[0] * (_STATE_SIZE - 1) + [int(k)], alg=self._alg) for k in keys]

    def _checkpoint_state(self) -> dict:
        return {"_state_var": self._state_var}

    def __repr__(self) -> str:
        return f"<minitf.random.Generator state={self._state_var.numpy().tolist()}>"


_global_generator: Generator | None = None


def get_global_generator() -> Generator:
    """The generator ``tf.random.get_global_generator()`` returns (made from a non-deterministic state
    on first use, as TF's)."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator: Generator) -> None:
    global _global_generator
    _global_generator = generator


def global_numpy_rng() -> np.random.Generator:
    """The stream that ``set_seed`` resets (initializers and shuffling draw from it)."""
    return _global_rng


# Categorical, gamma, Poisson and binomial draws: TF's kernels on Philox (minitf/random_distributions.py)
from minitf.random_distributions import (categorical, gamma, poisson, stateless_binomial,  # noqa: E402, F401
                                         stateless_categorical, stateless_gamma, stateless_poisson)
