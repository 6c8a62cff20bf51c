"""TF's CPU samplers for categorical, gamma, Poisson and binomial draws, reproduced in NumPy on
TF's Philox stream (``minitf/_philox.py``), so that the stateless ops give TF's numbers for a seed.

Each sampler is the C++ kernel read line by line (tensorflow/core/kernels/multinomial_op.cc,
stateless_random_gamma_op.cc, random_poisson_op.cc, random_binomial_op.cc), vectorized over the
outputs. What every kernel shares:

- a *generator* is a Philox key and a 128-bit counter; ``Skip(n)`` adds n to the counter, and one
  call of a distribution takes the block at the counter and moves it on by one;
- uniform doubles take two 32-bit words each (2 per block), a double normal pair is Box-Muller on
  one block (every sampler here works in double, whatever the dtype);
- gamma, Poisson and binomial give output ``i`` (counted parameter by parameter, then sample by
  sample) its own stretch of the stream: the generator skipped by ``256 * i`` blocks (42 for the
  binomial's inversion), so that the numbers do not depend on how TF splits the work on threads;
- they take values from a block of several *last first* (TF's sample buffers count down).

Rounding: the kernels' arithmetic (+, -, *, /, sqrt, floor) is IEEE and NumPy's is the same. Their
transcendental calls (log, log1p, exp, pow, sin, cos, lgamma, in double) go to the C library, and so
do minitf's: one value at a time through Python's ``math``, never NumPy's SIMD loops (whose last
bits depend on the CPU's vector features). So the values are TF's on the same machine; glibc
itself picks FMA variants of some of these functions on CPUs that have FMA, which may differ in the
last bit in rare hard cases (TF's numbers move with them). TF takes the categorical's exponentials
with Eigen's vectorized exp instead (see ``categorical``).
"""
from __future__ import annotations

import math

import numpy as np

from minitf._philox import philox, uint64_to_double

RESERVED_BLOCKS_PER_OUTPUT = 256  # TF's kReservedSamplesPerOutput (gamma, Poisson, binomial)
INVERSION_BLOCKS_PER_OUTPUT = 42  # the binomial's inversion sampler reserves less


# --- the stream --------------------------------------------------------------------------------------
def blocks_at(key, counter, offsets) -> np.ndarray:
    """Philox blocks at ``counter + offsets`` (offsets: non-negative ints below 2**64): (n, 4) uint32."""
    offsets = np.asarray(offsets, dtype=np.uint64).reshape(-1)
    lo = np.uint64(int(counter[0]) | (int(counter[1]) << 32))
    hi = np.uint64(int(counter[2]) | (int(counter[3]) << 32))
    with np.errstate(over="ignore"):
        new_lo = lo + offsets
        new_hi = hi + (new_lo < offsets).astype(np.uint64)  # the carry into the high 64 bits
    mask = np.uint64(0xFFFFFFFF)
    words = np.stack([new_lo & mask, new_lo >> np.uint64(32), new_hi & mask, new_hi >> np.uint64(32)], axis=1)
    return philox(words.astype(np.uint32), key)


def libm(fn, x) -> np.ndarray:
    """``fn`` (a ``math`` function: the C library's, in double) applied to each value of ``x``;
    where Python's ``math`` raises (log of 0, pow overflowing), the C value NumPy gives is kept."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        out = _NUMPY_TWIN[fn](x).astype(np.float64)
    flat = out.reshape(-1)
    for i, value in enumerate(x.reshape(-1).tolist()):
        try:
            flat[i] = fn(value)
        except (ValueError, OverflowError):
            pass
    return out


def libm_pow(base, exponent) -> np.ndarray:
    base, exponent = np.broadcast_arrays(np.asarray(base, np.float64), np.asarray(exponent, np.float64))
    with np.errstate(all="ignore"):
        out = np.power(base, exponent)
    flat = out.reshape(-1)
    for i, (b, e) in enumerate(zip(base.reshape(-1).tolist(), exponent.reshape(-1).tolist())):
        try:
            flat[i] = math.pow(b, e)
        except (ValueError, OverflowError):
            pass
    return out


_NUMPY_TWIN = {math.log: np.log, math.log1p: np.log1p, math.exp: np.exp, math.sin: np.sin, math.cos: np.cos,
               math.lgamma: lambda x: np.full_like(x, np.nan)}


def _lgamma(x):
    out = libm(math.lgamma, x)
    out[np.isinf(x) | (x <= 0) & (x == np.floor(x))] = np.inf  # C's lgamma at poles and infinities
    return out


class _Streams:
    """One generator per output (``base + reserve * output_index``), each drawn in variable amounts:
    ``next(kind, rows)`` gives the next value of a uniform-double or normal-double buffer for the outputs ``rows`` (filling the buffer from the next block when it is empty)."""

    _PER_BLOCK = {"uniform_double": 2, "normal_double": 2}

    def __init__(self, key, counter, output_index: np.ndarray, reserve: int):
        self.key, self.counter = key, counter
        self.position = np.asarray(output_index, dtype=np.uint64) * np.uint64(reserve)
        n = len(self.position)
        self.buffers = {kind: (np.zeros((n, size)), np.zeros(n, dtype=np.int64)) for kind, size in self._PER_BLOCK.items()}

    def clear(self, rows) -> None:
        for _, remaining in self.buffers.values():
            remaining[rows] = 0

    def next(self, kind: str, rows: np.ndarray) -> np.ndarray:
        values, remaining = self.buffers[kind]
        empty = rows[remaining[rows] == 0]
        if len(empty):
            block = blocks_at(self.key, self.counter, self.position[empty])
            self.position[empty] += np.uint64(1)
            values[empty] = _from_block(kind, block)
            remaining[empty] = self._PER_BLOCK[kind]
        remaining[rows] -= 1
        return values[rows, remaining[rows]]


def _from_block(kind: str, block: np.ndarray) -> np.ndarray:
    if kind == "uniform_double":
        return np.stack([uint64_to_double(block[:, 0], block[:, 1]), uint64_to_double(block[:, 2], block[:, 3])], 1)
    return np.stack(box_muller_double(block), axis=1)


def box_muller_double(block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TF's BoxMullerDouble on blocks (n, 4): ``u1 = max(U(w0, w1), 1e-7)``, ``v = 2 pi U(w2, w3)``,
    ``r = sqrt(-2 log u1)``, ``(r sin v, r cos v)`` with the C library's log, sin and cos."""
    u1 = np.maximum(uint64_to_double(block[:, 0], block[:, 1]), 1e-7)
    v1 = 2 * np.pi * uint64_to_double(block[:, 2], block[:, 3])
    r = np.sqrt(-2.0 * libm(math.log, u1))
    return libm(math.sin, v1) * r, libm(math.cos, v1) * r


# --- categorical (TF's Multinomial / StatelessMultinomial) --------------------------------------------
def categorical(key, counter, logits: np.ndarray, num_samples: int) -> np.ndarray:
    """Class indices (batch, num_samples), int64, as TF's CPU MultinomialFunctor run in one shard.

    Per row: ``cdf_j`` = running sum of ``exp(logit_j - max)`` over the finite logits (a non-finite
    logit adds nothing; ``max`` is over the finite ones), then each sample is the first class whose
    ``cdf`` exceeds ``u * cdf_last`` (``std::upper_bound``), ``u`` a uniform double (two words). The
    rows take their doubles one after the other from one stream at ``counter``.

    TF splits the rows of a large draw across threads (when rows x (samples x log2(classes) +
    classes) x 50 passes about 200,000 on a machine with several cores), and each thread then
    starts its rows ``start_row * (num_samples + 3) / 4`` blocks into the stream: TF's own numbers
    then depend on its thread count. minitf always draws as one thread does (TF's numbers with
    ``intra_op_parallelism_threads=1``, or for any draw below that size). TF takes the exponentials
    with Eigen's vectorized ``exp``; minitf with the C library's: a sample could differ only if its
    uniform fell within an ulp of a cumulative probability.
    """
    logits = np.asarray(logits)
    batch, classes = logits.shape
    finite = np.isfinite(logits)
    lowest = np.finfo(logits.dtype).min if logits.dtype.kind == "f" else np.iinfo(logits.dtype).min
    row_max = np.where(finite, logits, lowest).max(axis=1).astype(np.float64) if classes else np.zeros(batch)
    shifted = logits.astype(np.float64) - row_max[:, None]
    weights = np.where(finite, libm(math.exp, shifted), 0.0)
    cdf = np.cumsum(weights, axis=1)  # sequential sums, left to right, as TF's running_total
    n_doubles = batch * num_samples
    words = blocks_at(key, counter, np.arange(-(-n_doubles // 2))).reshape(-1)[:2 * n_doubles]
    u = uint64_to_double(words[0::2], words[1::2]).reshape(batch, num_samples)
    out = np.empty((batch, num_samples), dtype=np.int64)
    for b in range(batch):
        out[b] = np.searchsorted(cdf[b], u[b] * cdf[b, -1], side="right")
    return out


# --- gamma (TF's StatelessRandomGammaV2/V3 and RandomGamma) -------------------------------------------
def gamma(key, counter, alpha: np.ndarray, samples_per_alpha: int) -> np.ndarray:
    """Gamma(alpha, 1) draws, (samples_per_alpha, alpha.size) float64, as TF computes them in double.

    Output ``i = alpha_index * samples_per_alpha + sample`` (stored at ``[sample, alpha_index]``)
    draws from its own stretch (skip 256 i). ``alpha == 1``: ``-log1p(-u)``, u the second uniform of
    one block. Otherwise Marsaglia and Tsang: ``d = alpha - 1/3`` (``+ 2/3`` when alpha < 1),
    ``c = 1/3 / sqrt(d)``; draw ``x`` normal until ``v = 1 + c x > 0``, ``v = v^3``, ``u`` uniform;
    accept if ``u < 1 - 0.0331 x^4`` or ``log u < x^2/2 + d (1 - v + log v)``, giving ``d v``, times
    ``b^(1/alpha)`` (b uniform) when alpha < 1. Normals and uniforms come from two buffers (2 per
    block, last first) filling from the same stretch as they empty.
    """
    alpha = np.asarray(alpha, dtype=np.float64).reshape(-1)
    out = np.empty((samples_per_alpha, alpha.size), dtype=np.float64)
    index = np.arange(alpha.size * samples_per_alpha, dtype=np.int64)
    a = np.repeat(alpha, samples_per_alpha)
    streams = _Streams(key, counter, index, RESERVED_BLOCKS_PER_OUTPUT)
    result = np.full(index.size, np.nan)
    exponential = np.flatnonzero(a == 1.0)
    if exponential.size:
        block = blocks_at(key, counter, streams.position[exponential])
        result[exponential] = -libm(math.log1p, -uint64_to_double(block[:, 2], block[:, 3]))
    rows = np.flatnonzero(a != 1.0)
    small = a < 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        d = a + np.where(small, 2.0 / 3, -1.0 / 3)
        c = 1.0 / 3 / np.sqrt(d)
    while rows.size:
        x = streams.next("normal_double", rows)
        with np.errstate(invalid="ignore"):
            v = 1 + c[rows] * x
        retry = rows[v <= 0]  # `v <= 0: continue`: these draw another normal next round
        keep = ~(v <= 0)
        drawn, x, v = rows[keep], x[keep], v[keep]
        v = v * v * v
        u = streams.next("uniform_double", drawn)
        with np.errstate(invalid="ignore"):
            accept = u < 1 - 0.0331 * (x * x) * (x * x)
            slow = ~accept
            accept[slow] = libm(math.log, u[slow]) < 0.5 * x[slow] * x[slow] + d[drawn[slow]] * (
                1 - v[slow] + libm(math.log, v[slow]))
        done = drawn[accept]
        value = d[done] * v[accept]
        shrink = small[done]
        if shrink.any():
            b = streams.next("uniform_double", done[shrink])
            with np.errstate(divide="ignore"):
                value[shrink] *= libm_pow(b, 1 / a[done[shrink]])
        result[done] = value
        rows = np.sort(np.concatenate([retry, drawn[~accept]]))
    out[index % samples_per_alpha, index // samples_per_alpha] = result
    return out


# --- Poisson (TF's RandomPoissonV2 and StatelessRandomPoisson) -----------------------------------------
def poisson(key, counter, rate: np.ndarray, samples_per_rate: int) -> np.ndarray:
    """Poisson(rate) draws, (samples_per_rate, rate.size) float64 (whole numbers), as TF's kernel.

    TF 2.21 computes in double for every rate dtype (checked: float32 rates give the float64 rates'
    numbers). Output ``i`` draws from its own stretch (skip 256 i); uniform doubles come 2 per block,
    last first. ``rate < 10``: Knuth (multiply uniforms until the product is <= exp(-rate), counting
    them; a negative rate gives 0). ``rate >= 10``: Hormann's transformed rejection (PTRS) with
    ``b = 0.931 + 2.53 sqrt(rate)``, ``a = -0.059 + 0.02483 b``, ``k = floor((2a / us + b) u + rate + 0.43)``,
    accepted in the box ``us >= 0.07, v <= 0.9277 - 3.6224 / (b - 2)`` or when
    ``log(v inv_alpha / (a / us^2 + b)) <= -rate + k log(rate) - lgamma(k + 1)``.
    An infinite rate gives infinity, a NaN rate NaN (TF's loop never ends there).
    """
    lam = np.asarray(rate).astype(np.float64).reshape(-1)
    out = np.empty((samples_per_rate, lam.size), dtype=np.float64)
    index = np.arange(lam.size * samples_per_rate, dtype=np.int64)
    r = np.repeat(lam, samples_per_rate)
    streams = _Streams(key, counter, index, RESERVED_BLOCKS_PER_OUTPUT)
    result = np.full(index.size, np.nan)

    knuth = np.flatnonzero(r < 10)
    limit = libm(math.exp, -r[knuth])
    prod = np.ones(knuth.size)
    count = np.zeros(knuth.size)
    active = np.arange(knuth.size)
    while active.size:
        prod[active] = prod[active] * streams.next("uniform_double", knuth[active])
        stop = prod[active] <= limit[active]
        result[knuth[active[stop]]] = count[active[stop]]
        active = active[~stop]
        count[active] += 1

    result[r == np.inf] = np.inf  # (TF's kernel returns infinity there: checked, not read in its source)
    rows = np.flatnonzero((r >= 10) & (r < np.inf))
    lr = r[rows]
    log_rate = libm(math.log, lr)
    b = 0.931 + 2.53 * np.sqrt(lr)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    box_v = 0.9277 - 3.6224 / (b - 2)
    pending = np.arange(rows.size)
    while pending.size:
        at = rows[pending]
        u = streams.next("uniform_double", at) - 0.5
        v = streams.next("uniform_double", at)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            us = 0.5 - np.abs(u)
            k = np.floor((2 * a[pending] / us + b[pending]) * u + lr[pending] + 0.43)
            accept = (us >= 0.07) & (v <= box_v[pending])
            test = ~accept & ~((k < 0) | ((us < 0.013) & (v > us)))
            p = pending[test]
            s = libm(math.log, v[test] * inv_alpha[p] / (a[p] / (us[test] * us[test]) + b[p]))
            t = -lr[p] + k[test] * log_rate[p] - _lgamma(k[test] + 1)
            accept[test] = s <= t
        result[rows[pending[accept]]] = k[accept]
        pending = pending[~accept]
    out[index % samples_per_rate, index // samples_per_rate] = result
    return out


# --- binomial (TF's StatelessRandomBinomial and StatefulRandomBinomial) ---------------------------------
_STIRLING_TAIL = np.array([0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
                           0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
                           0.00925546218271273, 0.00833056343336287])


def _stirling_tail(k: np.ndarray) -> np.ndarray:
    """log k! - Stirling's approximation: a table below 10, the series' first terms above."""
    with np.errstate(invalid="ignore", divide="ignore"):
        kp1sq = (k + 1) * (k + 1)
        series = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    table = _STIRLING_TAIL[np.clip(k, 0, 9).astype(np.int64)]
    return np.where(k <= 9, table, series)


def _btrs(streams: _Streams, at: np.ndarray, count: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Hormann's BTRS for count * prob >= 10 (prob <= 1/2), per output, in double."""
    stddev = np.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = np.floor((count + 1) * prob)
    result = np.full(at.size, np.nan)
    pending = np.arange(at.size)
    while pending.size:
        p = pending
        u = streams.next("uniform_double", at[p])
        v = streams.next("uniform_double", at[p])
        u = u - 0.5
        us = 0.5 - np.abs(u)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.floor((2 * a[p] / us + b[p]) * u + c[p])
        accept = (us >= 0.07) & (v <= v_r[p])
        test = ~accept & ~((k < 0) | (k > count[p]))
        q, kt = p[test], k[test]
        n, mm, rr = count[q], m[q], r[q]
        with np.errstate(divide="ignore", invalid="ignore"):
            lhs = libm(math.log, v[test] * alpha[q] / (a[q] / (us[test] * us[test]) + b[q]))
            bound = ((mm + 0.5) * libm(math.log, (mm + 1) / (rr * (n - mm + 1)))
                     + (n + 1) * libm(math.log, (n - mm + 1) / (n - kt + 1))
                     + (kt + 0.5) * libm(math.log, rr * (n - kt + 1) / (kt + 1))
                     + _stirling_tail(mm) + _stirling_tail(n - mm) - _stirling_tail(kt) - _stirling_tail(n - kt))
        accept[test] = lhs <= bound
        result[p[accept]] = k[accept]
        pending = p[~accept]
    return result


def _inversion(streams: _Streams, at: np.ndarray, count: np.ndarray, prob: np.ndarray) -> np.ndarray:
    """Binomial inversion for count * prob < 10: add geometric gaps ``ceil(log u / log1p(-prob))``
    until they pass ``count``; the number of gaps that fit."""
    total = np.zeros(at.size)
    fitted = np.zeros(at.size)
    result = np.full(at.size, np.nan)
    log_q = libm(math.log1p, -prob)
    pending = np.arange(at.size)
    while pending.size:
        u = streams.next("uniform_double", at[pending])
        with np.errstate(divide="ignore", invalid="ignore"):
            total[pending] += np.ceil(libm(math.log, u) / log_q[pending])
        over = total[pending] > count[pending]
        result[pending[over]] = fitted[pending[over]]
        pending = pending[~over]
        fitted[pending] += 1
    return result


def binomial(key, counter, counts: np.ndarray, probs: np.ndarray, samples_per_batch: int) -> np.ndarray:
    """Binomial(count, prob) draws, (samples_per_batch, counts.size) float64 (whole numbers or NaN),
    as TF's RandomBinomialFunctor. ``counts``/``probs``: already broadcast to one shape, of the
    parameters' dtype T (the ``count * prob >= 10`` and ``1 - prob`` steps are in T).

    Per output ``i`` (batch-major): count <= 0 or prob <= 0 gives 0, prob >= 1 gives count, NaN prob
    NaN (and a NaN or infinite count, where TF's loop never ends); prob <= 1/2 draws k ~ B(count, prob), prob > 1/2 draws ``count - B(count, 1 - prob)``; BTRS
    when ``count * p >= 10`` (skip 256 i), inversion otherwise (skip 42 i)."""
    t = counts.dtype
    n_t = counts.reshape(-1)
    p_t = probs.reshape(-1).astype(t)
    batches = n_t.size
    index = np.arange(batches * samples_per_batch, dtype=np.int64)
    batch = index // samples_per_batch
    n, p = n_t[batch], p_t[batch]
    dcount = n.astype(np.float64)
    result = np.full(index.size, np.nan)
    with np.errstate(invalid="ignore"):
        zero = (dcount <= 0.0) | (p <= t.type(0))
        one = ~zero & (p >= t.type(1))
        low = ~zero & ~one & (p <= t.type(0.5))
        high = ~zero & ~one & (p > t.type(0.5))
        q = np.where(high, t.type(1) - p, p).astype(t)
        btrs_rows = (low | high) & (n * q >= t.type(10))
    result[zero] = 0.0
    result[one] = dcount[one]
    endless = ~np.isfinite(dcount)  # TF's samplers never stop for an infinite or NaN count: NaN here
    low, high = low & ~endless, high & ~endless
    for rows, reserve, sampler in ((np.flatnonzero(btrs_rows), RESERVED_BLOCKS_PER_OUTPUT, _btrs),
                                   (np.flatnonzero((low | high) & ~btrs_rows), INVERSION_BLOCKS_PER_OUTPUT, _inversion)):
        if rows.size:
            streams = _Streams(key, counter, index[rows], reserve)
            k = sampler(streams, np.arange(rows.size), dcount[rows], q[rows].astype(np.float64))
            result[rows] = np.where(high[rows], dcount[rows] - k, k)
    out = np.empty((samples_per_batch, batches), dtype=np.float64)
    out[index % samples_per_batch, batch] = result
    return out
