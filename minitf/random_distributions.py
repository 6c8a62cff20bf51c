"""Categorical, gamma, Poisson and binomial draws (``tf.random.categorical``, ``stateless_gamma`` ...).

The stateless ops give TF's numbers for a seed: they run TF's CPU kernels, reproduced on TF's
Philox stream in ``minitf/_philox_samplers.py`` (see there for what is exact and why). The
stateful ones (``tf.random.categorical``, ``gamma``, ``poisson``) draw like every stateful op of
``minitf.random``: from minitf's own seeded stream (repeatable with ``tf.random.set_seed``, new
numbers on each call and each run of a traced function), not TF's numbers; each call takes a
fresh 2-int seed from that stream and runs the same kernel, so the distributions are TF's.

None of these has a gradient (as in TF), except the gamma draws with respect to ``alpha``: TF's
implicit reparameterization gradient ``RandomGammaGrad`` (``minitf/_gamma_grad.py``). The ``beta``
of a gamma draw is applied after the draw (``x / beta``), so gradients flow to ``beta`` as in TF.
"""
from __future__ import annotations

import numpy as np

from minitf import _philox
from minitf._gamma_grad import gamma_sample_der_alpha
from minitf import _philox_samplers as samplers
from minitf import array_backend as B
from minitf import dtypes
from minitf.errors import InvalidArgumentError, InvalidArgumentTypeError, NotFoundError
from minitf.ops.op import Op
from minitf.random import _RandomOp, _rng, _seed, _seed_tensor, _shape
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["categorical", "stateless_categorical", "gamma", "stateless_gamma", "poisson", "stateless_poisson",
           "stateless_binomial", "generator_binomial"]


def _key_counter(source: np.ndarray, from_state: bool = False) -> tuple:
    """Philox key and counter of a 2-int seed (TF's StatelessRandomGetKeyCounter) or a Generator state."""
    if from_state:
        return _philox.state_key_counter(source)
    seed = [int(v) for v in np.asarray(source).reshape(-1)]
    return _philox.key_counter_from_seed(seed[0], seed[1])


def _fresh_seed(seed) -> np.ndarray:
    """A 2-int seed from minitf's stream for a stateful draw (op seed ``seed``, see minitf.random)."""
    return _rng(seed).integers(-(1 << 63), (1 << 63) - 1, size=2, dtype=np.int64)


def _out(values: np.ndarray, dtype: np.dtype):
    """A draw computed in double, stored as ``dtype`` the way TF's kernels store it."""
    from minitf import _tf_compat
    if np.dtype(dtype) == np.float16:
        values = _tf_compat.double_to_half(values)
    elif np.dtype(dtype).kind in "iu":
        values = _tf_compat.nonfinite_draw_as_integer(values)
    return B.xp.asarray(values.astype(dtype))


def _ends_with(op: str, shape: tuple, tail: tuple) -> None:
    if len(tail) > len(shape) or tuple(shape[len(shape) - len(tail):]) != tuple(tail):
        raise InvalidArgumentError(f"{op}: Shape passed in must end with broadcasted shape. (shape {list(shape)}, "
                                   f"parameters' shape {list(tail)})", op)


def _allowed(op: str, attr: str, dtype, allowed: tuple) -> np.dtype:
    dt = dtypes.as_dtype(dtype)
    if dt.name not in allowed:
        raise InvalidArgumentError(f"{op}: Value for attr '{attr}' of {dt.name} is not in the list of allowed values: "
                                   + ", ".join({"float16": "half", "float32": "float", "float64": "double"}.get(a, a)
                                               for a in allowed), op)
    return dt._np


_FLOATS = ("float16", "float32", "float64")


# --- categorical ------------------------------------------------------------------------------------------
def _check_logits(op: str, logits: Tensor, num_samples: int) -> None:
    if len(logits.shape) != 2:
        raise InvalidArgumentError(f"{op}: logits should be a matrix, got shape {list(logits.shape)}", op)
    if not logits.dtype.is_floating:
        raise NotFoundError(f"{op}: no kernel for {logits.dtype.name} logits (TF has none either: "
                            "Could not find device for node); cast them to a float type", op)
    if num_samples < 0:
        raise InvalidArgumentError(f"{op}: num_samples should be non-negative, got {num_samples}", op)
    if logits.shape[1] == 0:
        raise InvalidArgumentError(f"{op}: num_classes should be positive, got 0", op)


def _categorical_dtype(dtype) -> np.dtype:
    dt = dtypes.as_dtype(dtypes.int64 if dtype is None else dtype)
    if dt.name not in ("int32", "int64"):
        raise ValueError(f"Argument `dtype` got invalid value {dt!r}. Accepted dtypes are (tf.int32, tf.int64).")
    return dt._np


class StatelessMultinomial(Op):
    """Class indices drawn with probabilities softmax(logits), one row at a time, from ``seed``
    (TF's kernel: see ``_philox_samplers.categorical``).   No gradient."""

    def forward(logits, seed, num_samples, dtype):
        key, counter = _key_counter(B.to_numpy(seed))
        return B.xp.asarray(samplers.categorical(key, counter, B.to_numpy(logits), num_samples).astype(dtype))

    def shape(logits, seed, num_samples, dtype):
        return (logits[0], num_samples)


class Multinomial(_RandomOp):
    """``tf.random.categorical``: TF's kernel on a seed drawn from minitf's stream (a new one per run)."""

    def forward(logits, num_samples, dtype, seed):
        key, counter = _key_counter(_fresh_seed(seed))
        return B.xp.asarray(samplers.categorical(key, counter, B.to_numpy(logits), num_samples).astype(dtype))

    def trace_forward(logits, num_samples, dtype, seed):
        return B.xp.zeros((logits.shape[0], num_samples), dtype=dtype)

    def shape(logits, num_samples, dtype, seed):
        return (logits[0], num_samples)


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None) -> Tensor:
    """``num_samples`` class indices per row of ``logits`` (batch, classes), drawn with probabilities
    softmax(row) (non-finite logits count as probability 0), depending only on ``seed``: TF's numbers.

    TF's own numbers for draws of more than about 200,000 "cost units" (rows x (samples x
    log2(classes) + classes) x 50) depend on its thread count; minitf gives those of one thread."""
    dt = _categorical_dtype(dtype)
    logits = convert_to_tensor(logits)
    n = int(num_samples)
    seed = _seed_tensor("StatelessMultinomial", seed)
    _check_logits("StatelessMultinomial", logits, n)
    return StatelessMultinomial.apply(logits, seed, num_samples=n, dtype=dt)


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """``num_samples`` class indices per row, drawn with probabilities softmax(logits): a stateful
    draw (new numbers on each call; repeatable with ``tf.random.set_seed``)."""
    dt = _categorical_dtype(dtype)
    logits = convert_to_tensor(logits)
    n = int(num_samples)
    _check_logits("Multinomial", logits, n)
    return Multinomial.apply(logits, num_samples=n, dtype=dt, seed=_seed(seed))


# --- gamma --------------------------------------------------------------------------------------------------
def _gamma_parameters(op: str, alpha, beta, dtype) -> tuple[Tensor, Tensor, np.dtype]:
    dt = _allowed(op, "dtype", dtype, _FLOATS)
    alpha = convert_to_tensor(alpha, dtype=dt)
    beta = convert_to_tensor(1 if beta is None else beta, dtype=dt)
    try:
        both = np.broadcast_shapes(tuple(alpha.shape), tuple(beta.shape))
    except ValueError:
        raise InvalidArgumentError(f"{op}: Incompatible shapes: alpha {list(alpha.shape)} vs. beta "
                                   f"{list(beta.shape)}", op) from None
    from minitf.ops.shape_ops import broadcast_to
    alpha = alpha if tuple(alpha.shape) == both else broadcast_to(alpha, both)
    if int(np.prod(both, dtype=np.int64)) == 0:
        raise InvalidArgumentError(f"{op}: Input alpha should have non-zero element count, got: 0", op)
    return alpha, beta, dt


def _scaled_gamma(rnd: Tensor, beta: Tensor, dt: np.dtype) -> Tensor:
    """``max(tiny, rnd / beta)``: TF's wrapper maps a draw rounded to 0 to the smallest normal number."""
    from minitf.ops import elementwise as E
    return E.maximum(convert_to_tensor(np.finfo(dt).tiny, dtype=dt), E.divide(rnd, beta))


def _gamma_values(source, alpha, shape, from_state=False) -> np.ndarray:
    key, counter = _key_counter(B.to_numpy(source), from_state)
    alpha = B.to_numpy(alpha)
    per_alpha = int(np.prod(shape, dtype=np.int64)) // alpha.size
    return samplers.gamma(key, counter, alpha, per_alpha).reshape(shape)


class RandomGammaGrad(Op):
    """d sample / d alpha of Gamma(alpha, 1) samples (broadcast together), holding the sample's
    uniform fixed: ``-(dP(alpha, x)/dalpha) / p(x)`` (``minitf/_gamma_grad.py``).   No gradient."""

    def forward(alpha, sample):
        return B.xp.asarray(gamma_sample_der_alpha(B.to_numpy(alpha), B.to_numpy(sample)).astype(sample.dtype))


def _gamma_alpha_gradient(dy: Tensor, alpha: Tensor, sample: Tensor) -> Tensor:
    """dL/dalpha = sum over the sample dimensions (the leading ones) of dy * dsample/dalpha (TF's rule)."""
    from minitf.ops import elementwise as E
    from minitf.ops.reductions import reduce_sum
    from minitf.ops.shape_ops import reshape
    lead = len(sample.shape) - len(alpha.shape)
    partial = RandomGammaGrad.apply(reshape(alpha, (1,) * lead + tuple(alpha.shape)), sample)
    product = E.multiply(dy, partial)
    return reduce_sum(product, axis=list(range(lead))) if lead else product


class StatelessRandomGammaV2(Op):
    """Gamma(alpha, 1) draws of ``shape`` (which ends with alpha's shape) from ``seed``: TF's
    Marsaglia-Tsang kernel (``_philox_samplers.gamma``).

    Gradient (alpha): ``sum_samples dy * RandomGammaGrad(alpha, sample)``; none for the seed."""

    def forward(seed, alpha, shape, dtype):
        if not int(np.prod(shape, dtype=np.int64)):
            return B.xp.zeros(shape, dtype=dtype)
        return _out(_gamma_values(seed, alpha, shape), dtype)

    def backward(ctx, dy):
        return None, _gamma_alpha_gradient(dy, ctx.inputs[1], ctx.output)

    def shape(seed, alpha, shape, dtype):
        return tuple(shape)


class RandomGamma(_RandomOp):
    """``tf.random.gamma``: shape ``shape + alpha.shape``, TF's kernel on a fresh seed from minitf's stream."""

    def forward(alpha, shape, dtype, seed):
        full = tuple(shape) + tuple(alpha.shape)
        if not int(np.prod(full, dtype=np.int64)):
            return B.xp.zeros(full, dtype=dtype)
        return _out(_gamma_values(_fresh_seed(seed), alpha, full), dtype)

    def trace_forward(alpha, shape, dtype, seed):
        return B.xp.zeros(tuple(shape) + tuple(alpha.shape), dtype=dtype)

    def shape(alpha, shape, dtype, seed):
        return tuple(shape) + tuple(alpha)

    def backward(ctx, dy):
        return _gamma_alpha_gradient(dy, ctx.inputs[0], ctx.output)


def stateless_gamma(shape, seed, alpha, beta=None, dtype=dtypes.float32, name=None) -> Tensor:
    """Gamma(alpha, beta) values (density ``x^(alpha-1) e^(-beta x) beta^alpha / Gamma(alpha)``, mean
    alpha / beta) of ``shape``, which must end with the shape of alpha and beta broadcast together;
    they depend only on ``seed``: TF's numbers, bit for bit (see ``_philox_samplers``)."""
    op = "StatelessRandomGammaV3"
    alpha, beta, dt = _gamma_parameters(op, alpha, beta, dtype)
    shape = _shape(shape)
    _ends_with(op, shape, tuple(alpha.shape))
    rnd = StatelessRandomGammaV2.apply(_seed_tensor(op, seed), alpha, shape=shape, dtype=dt)
    return _scaled_gamma(rnd, beta, dt)


def gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Gamma(alpha, beta) values of shape ``shape + broadcast(alpha, beta).shape``: a stateful draw."""
    alpha, beta, dt = _gamma_parameters("RandomGamma", alpha, beta, dtype)
    rnd = RandomGamma.apply(alpha, shape=_shape(shape), dtype=dt, seed=_seed(seed))
    return _scaled_gamma(rnd, beta, dt)


# --- Poisson ------------------------------------------------------------------------------------------------
_POISSON_TYPES = ("float16", "float32", "float64", "int32", "int64")


def _poisson_values(source, lam, shape) -> np.ndarray:
    key, counter = _key_counter(B.to_numpy(source))
    lam = B.to_numpy(lam)
    per_rate = int(np.prod(shape, dtype=np.int64)) // max(lam.size, 1)
    return samplers.poisson(key, counter, lam, per_rate).reshape(shape)


class StatelessRandomPoisson(Op):
    """Poisson(lam) counts of ``shape`` (which ends with lam's shape) from ``seed``: TF's kernel
    (Knuth below rate 10, Hormann's PTRS above; ``_philox_samplers.poisson``).   No gradient."""

    def forward(seed, lam, shape, dtype):
        if not int(np.prod(shape, dtype=np.int64)):
            return B.xp.zeros(shape, dtype=dtype)
        return _out(_poisson_values(seed, lam, shape), dtype)

    def shape(seed, lam, shape, dtype):
        return tuple(shape)


class RandomPoissonV2(_RandomOp):
    """``tf.random.poisson``: shape ``shape + lam.shape``, TF's kernel on a fresh seed from minitf's stream."""

    def forward(lam, shape, dtype, seed):
        full = tuple(shape) + tuple(lam.shape)
        if not int(np.prod(full, dtype=np.int64)):
            return B.xp.zeros(full, dtype=dtype)
        return _out(_poisson_values(_fresh_seed(seed), lam, full), dtype)

    def trace_forward(lam, shape, dtype, seed):
        return B.xp.zeros(tuple(shape) + tuple(lam.shape), dtype=dtype)

    def shape(lam, shape, dtype, seed):
        return tuple(shape) + tuple(lam)


def _rate(op: str, lam) -> Tensor:
    lam = convert_to_tensor(lam)
    _allowed(op, "Rtype", lam.dtype, _POISSON_TYPES)
    return lam


def stateless_poisson(shape, seed, lam, dtype=dtypes.int32, name=None) -> Tensor:
    """Poisson(lam) counts (mean and variance lam) of ``shape``, which must end with lam's shape,
    depending only on ``seed``: TF's numbers, bit for bit. ``dtype``: int or float."""
    op = "StatelessRandomPoisson"
    dt = _allowed(op, "dtype", dtype, _POISSON_TYPES)
    lam = _rate(op, lam)
    shape = _shape(shape)
    _ends_with(op, shape, tuple(lam.shape))
    return StatelessRandomPoisson.apply(_seed_tensor(op, seed), lam, shape=shape, dtype=dt)


def poisson(shape, lam, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Poisson(lam) counts of shape ``shape + lam.shape``: a stateful draw."""
    op = "RandomPoissonV2"
    dt = _allowed(op, "dtype", dtype, _POISSON_TYPES)
    lam = _rate(op, lam)
    if not int(np.prod(lam.shape, dtype=np.int64)) and int(np.prod(_shape(shape), dtype=np.int64)):
        raise InvalidArgumentError(f"{op}: Input rate should have non-zero element count, got: 0", op)
    return RandomPoissonV2.apply(lam, shape=_shape(shape), dtype=dt, seed=_seed(seed))


# --- binomial -----------------------------------------------------------------------------------------------
def _binomial_layout(op: str, shape: tuple, counts: Tensor, probs: Tensor) -> tuple:
    try:
        both = np.broadcast_shapes(tuple(counts.shape), tuple(probs.shape))
    except ValueError:
        raise InvalidArgumentError(f"{op}: counts and probs must have compatible batch dimensions: "
                                   f"{list(counts.shape)} vs. {list(probs.shape)}", op) from None
    _ends_with(op, shape, both)
    batches = int(np.prod(both, dtype=np.int64))
    return both, int(np.prod(shape[:len(shape) - len(both)], dtype=np.int64)), batches


def _binomial_values(source, counts, probs, shape, from_state=False) -> np.ndarray:
    key, counter = _key_counter(B.to_numpy(source), from_state)
    counts, probs = B.to_numpy(counts), B.to_numpy(probs)
    both = np.broadcast_shapes(counts.shape, probs.shape)
    per_batch = int(np.prod(shape, dtype=np.int64)) // max(int(np.prod(both, dtype=np.int64)), 1)
    values = samplers.binomial(key, counter, np.broadcast_to(counts, both), np.broadcast_to(probs, both), per_batch)
    return values.reshape(shape)


class StatelessRandomBinomial(Op):
    """Binomial(counts, probs) draws of ``shape`` from ``source``: a 2-int seed, or (``from_state``)
    a Generator's state read before the draw. TF's kernel (``_philox_samplers.binomial``).   No gradient."""

    def forward(source, counts, probs, shape, dtype, from_state=False):
        if not int(np.prod(shape, dtype=np.int64)):
            return B.xp.zeros(shape, dtype=dtype)
        return _out(_binomial_values(source, counts, probs, shape, from_state), dtype)

    def shape(source, counts, probs, shape, dtype, from_state=False):
        return tuple(shape)


def _binomial_parameters(op: str, counts, probs) -> tuple[Tensor, Tensor]:
    probs = convert_to_tensor(probs, dtype_hint=dtypes.float32)
    counts = convert_to_tensor(counts, dtype_hint=probs.dtype)
    _allowed(op, "T", probs.dtype, _FLOATS)
    if counts.dtype != probs.dtype:
        raise InvalidArgumentTypeError(f"{op}: Input 'probs' has type {probs.dtype.name} that does not match type "
                                       f"{counts.dtype.name} of argument 'counts'.", op)
    return counts, probs


def stateless_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None) -> Tensor:
    """Binomial(counts, probs) values (successes in ``counts`` trials of probability ``probs``) of
    ``shape``, which must end with the parameters' broadcast shape; they depend only on ``seed``:
    TF's numbers, bit for bit. As TF, a NumPy array or list of probabilities becomes float32."""
    op = "StatelessRandomBinomial"
    dt = _allowed(op, "dtype", output_dtype, _POISSON_TYPES)
    counts, probs = _binomial_parameters(op, counts, probs)
    shape = _shape(shape)
    _binomial_layout(op, shape, counts, probs)
    return StatelessRandomBinomial.apply(_seed_tensor(op, seed), counts, probs, shape=shape, dtype=dt)


def generator_binomial(generator, shape, counts, probs, dtype=dtypes.int32, name=None) -> Tensor:
    """``tf.random.Generator.binomial``: TF's StatefulRandomBinomial, which draws from the state as it
    is and moves its counter on by ``batches * 2 * 100 * (samples per batch + 3) / 4`` times 256."""
    op = "StatefulRandomBinomial"
    dt = _allowed(op, "dtype", dtype, _POISSON_TYPES)
    counts = convert_to_tensor(counts)
    probs = convert_to_tensor(probs)
    _allowed(op, "T", probs.dtype, _FLOATS)
    if counts.dtype != probs.dtype:
        raise InvalidArgumentTypeError(f"{op}: Input 'probs' has type {probs.dtype.name} that does not match type "
                                       f"{counts.dtype.name} of argument 'counts'.", op)
    shape = _shape(shape)
    _, per_batch, batches = _binomial_layout(op, shape, counts, probs)
    state = generator.skip(batches * 2 * 100 * (per_batch + 3) // 4)
    return StatelessRandomBinomial.apply(state, counts, probs, shape=shape, dtype=dt, from_state=True)
