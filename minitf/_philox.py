"""TF's counter-based random numbers, reproduced in NumPy: Philox4x32-10 and TF's transformations
of its 32-bit words into floats, normals and integers, so that ``tf.random.Generator`` and
``tf.random.stateless_*`` give TF's numbers for the same seeds.

Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011) maps a 128-bit
counter (four uint32) and a 64-bit key (two uint32) to four uint32 words in ten rounds::

    round:  (hi0, lo0) = M0 * c0;  (hi1, lo1) = M1 * c2          (32x32 -> 64-bit products)
            c = (hi1 ^ c1 ^ k0,  lo1,  hi0 ^ c3 ^ k1,  lo0);  k += (W0, W1)

TF fills an output of n values group by group: group g (``kResultElementCount`` values, 4 for
float32, 2 for float64/int64) comes from the block at counter + g. From the words (TF's
``random_distributions.h``):

- uniform float32: the low 23 bits as a mantissa of [1, 2), minus 1: ``u = float(0x3f800000 | w & 0x7fffff) - 1``;
- uniform float64: 52 bits from two words the same way;
- normal: Box-Muller on pairs, ``u1 = max(uniform(w0), 1e-7)``, ``v = 2 pi uniform(w1)`` (the product in
  double, then rounded), ``r = sqrt(-2 log u1)``, ``(r sin v, r cos v)``, in float32 for float32;
- truncated normal: Box-Muller pairs drawn one word at a time, each group from its own stretch of 256
  blocks, keeping values with ``|x| < 2`` until the group is full;
- integers in [lo, hi): ``lo + w % (hi - lo)`` (two words per int64).

Float32 steps are computed in float64 and rounded once to float32: exactly what the C library's
``logf``/``sinf``/``cosf`` return whenever their result is correctly rounded (almost always; a
1-ulp difference is possible, and on every CPU the same, since nothing here uses SIMD kernels).
"""
from __future__ import annotations

import numpy as np

_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK32 = np.uint64(0xFFFFFFFF)


def philox(counters: np.ndarray, key: tuple[int, int]) -> np.ndarray:
    """Philox4x32-10 of each row of ``counters`` ((n, 4) uint32) under ``key``: (n, 4) uint32."""
    c = [counters[:, i].astype(np.uint64) for i in range(4)]
    k0, k1 = int(key[0]), int(key[1])
    for r in range(10):
        p0 = _M0 * c[0]
        p1 = _M1 * c[2]
        hi0, lo0 = p0 >> np.uint64(32), p0 & _MASK32
        hi1, lo1 = p1 >> np.uint64(32), p1 & _MASK32
        c = [hi1 ^ c[1] ^ np.uint64(k0), lo1, hi0 ^ c[3] ^ np.uint64(k1), lo0]
        k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return np.stack(c, axis=1).astype(np.uint32)


def counter_plus(counter: tuple, n: int) -> tuple:
    """The 128-bit counter (four uint32, low word first) plus ``n``."""
    value = sum(int(w) << (32 * i) for i, w in enumerate(counter)) + int(n)
    value &= (1 << 128) - 1
    return tuple((value >> (32 * i)) & 0xFFFFFFFF for i in range(4))


def blocks(key: tuple, counter: tuple, n_blocks: int, start: int = 0) -> np.ndarray:
    """Philox outputs for counters counter+start ... counter+start+n_blocks-1: (n_blocks, 4) uint32."""
    base = (sum(int(w) << (32 * i) for i, w in enumerate(counter)) + start) & ((1 << 128) - 1)
    low, high = np.uint64(base & 0xFFFFFFFFFFFFFFFF), np.uint64(base >> 64)
    low_words = low + np.arange(n_blocks, dtype=np.uint64)  # wraps modulo 2**64 ...
    high_words = high + (low_words < low).astype(np.uint64)  # ... and carries into the high half
    counters = np.empty((n_blocks, 4), dtype=np.uint32)
    counters[:, 0], counters[:, 1] = low_words & _MASK32, low_words >> np.uint64(32)
    counters[:, 2], counters[:, 3] = high_words & _MASK32, high_words >> np.uint64(32)
    return philox(counters, key)


def _words(key, counter, n_values: int, per_block: int) -> np.ndarray:
    """The words for ``n_values`` outputs taking ``4 // per_block`` words each, in order."""
    n_blocks = -(-n_values // per_block)
    return blocks(key, counter, n_blocks).reshape(-1)


def uint32_to_float(w: np.ndarray) -> np.ndarray:
    return ((w & np.uint32(0x7FFFFF)) | np.uint32(0x3F800000)).view(np.float32) - np.float32(1.0)


def uint64_to_double(w0: np.ndarray, w1: np.ndarray) -> np.ndarray:
    man = ((w0 & np.uint32(0xFFFFF)).astype(np.uint64) << np.uint64(32)) | w1.astype(np.uint64)
    return (man | (np.uint64(1023) << np.uint64(52))).view(np.float64) - 1.0


def _box_muller_float(w0: np.ndarray, w1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    u1 = np.maximum(uint32_to_float(w0), np.float32(1e-7))
    v1 = (2.0 * np.pi * uint32_to_float(w1).astype(np.float64)).astype(np.float32)
    log = np.log(u1.astype(np.float64)).astype(np.float32)
    u2 = np.sqrt((np.float32(-2.0) * log).astype(np.float64)).astype(np.float32)
    sin = np.sin(v1.astype(np.float64)).astype(np.float32)
    cos = np.cos(v1.astype(np.float64)).astype(np.float32)
    return sin * u2, cos * u2


def _box_muller_double(w0, w1, w2, w3) -> tuple[np.ndarray, np.ndarray]:
    u1 = np.maximum(uint64_to_double(w0, w1), 1e-7)
    v1 = 2.0 * np.pi * uint64_to_double(w2, w3)
    u2 = np.sqrt(-2.0 * np.log(u1))
    return np.sin(v1) * u2, np.cos(v1) * u2


def uniform(key, counter, n: int, dtype) -> np.ndarray:
    """n values in [0, 1) (TF's UniformDistribution for float32 / float64 / float16)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        w = _words(key, counter, n, 2)
        return uint64_to_double(w[0::2], w[1::2])[:n]
    w = _words(key, counter, n, 4)[:n]
    if dtype == np.float16:  # TF: the low 10 bits as a half mantissa
        return ((w & np.uint32(0x3FF)).astype(np.uint16) | np.uint16(0x3C00)).view(np.float16) - np.float16(1.0)
    return uint32_to_float(w)


def normal(key, counter, n: int, dtype) -> np.ndarray:
    """n standard normals (TF's NormalDistribution)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        w = _words(key, counter, n, 2).reshape(-1, 4)
        a, b = _box_muller_double(w[:, 0], w[:, 1], w[:, 2], w[:, 3])
        return np.stack([a, b], axis=1).reshape(-1)[:n]
    w = _words(key, counter, n, 4).reshape(-1, 2)
    a, b = _box_muller_float(w[:, 0], w[:, 1])
    out = np.stack([a, b], axis=1).reshape(-1)[:n]
    return out.astype(np.float16) if dtype == np.float16 else out


def truncated_normal(key, counter, n: int, dtype) -> np.ndarray:
    """n standard normals within (-2, 2) (TF's TruncatedNormalDistribution, float32/float16)."""
    dtype = np.dtype(dtype)
    per_group = 2 if dtype == np.float64 else 4
    groups = -(-n // per_group)
    out = np.empty(groups * per_group, dtype=np.float64 if dtype == np.float64 else np.float32)
    base = sum(int(w) << (32 * i) for i, w in enumerate(counter))
    skip = per_group * 256 // 4  # TF reserves 256 samples per output: each group starts its own stretch
    for g in range(groups):
        start = base + g * skip
        got, drawn = [], 0
        while len(got) < per_group:
            stretch = blocks(key, counter_plus((0, 0, 0, 0), start), 4, drawn).reshape(-1)
            drawn += 4
            if dtype == np.float64:
                q = stretch.reshape(-1, 4)
                a, b = _box_muller_double(q[:, 0], q[:, 1], q[:, 2], q[:, 3])
            else:
                q = stretch.reshape(-1, 2)
                a, b = _box_muller_float(q[:, 0], q[:, 1])
            for value in np.stack([a, b], axis=1).reshape(-1):
                if abs(value) < 2.0:
                    got.append(value)
                    if len(got) == per_group:
                        break
        out[g * per_group:(g + 1) * per_group] = got
    out = out[:n]
    return out.astype(np.float16) if dtype == np.float16 else out


def uniform_int(key, counter, n: int, lo: int, hi: int, dtype) -> np.ndarray:
    """n integers in [lo, hi): ``lo + word % (hi - lo)`` (two words per value for 64-bit types)."""
    dtype = np.dtype(dtype)
    span = (hi - lo) & ((1 << (dtype.itemsize * 8)) - 1)
    if dtype.itemsize == 8:
        w = _words(key, counter, n, 2)
        bits = w[0::2].astype(np.uint64) | (w[1::2].astype(np.uint64) << np.uint64(32))
        values = [lo + int(b) % span for b in bits[:n]]
        return np.array(values, dtype=np.int64).astype(dtype)
    w = _words(key, counter, n, 4)[:n]
    return (lo + (w.astype(np.int64) % span)).astype(dtype)


def full_int(key, counter, n: int, dtype) -> np.ndarray:
    """n integers over the whole range of ``dtype`` (two words per 64-bit value)."""
    dtype = np.dtype(dtype)
    if dtype.itemsize == 8:
        w = _words(key, counter, n, 2)
        bits = w[0::2].astype(np.uint64) | (w[1::2].astype(np.uint64) << np.uint64(32))
        return bits[:n].view(np.int64).astype(dtype) if dtype.kind == "i" else bits[:n]
    w = _words(key, counter, n, 4)[:n]
    return w.view(np.int32) if dtype.kind == "i" else w


# --- seeds, keys and counters ------------------------------------------------------------------------
def key_counter_from_seed(seed0: int, seed1: int) -> tuple[tuple, tuple]:
    """TF's ``StatelessRandomGetKeyCounter``: the two seed integers scrambled by one Philox call."""
    counter = (seed0 & 0xFFFFFFFF, (seed0 >> 32) & 0xFFFFFFFF, seed1 & 0xFFFFFFFF, (seed1 >> 32) & 0xFFFFFFFF)
    mix = philox(np.array([counter], dtype=np.uint32), (0x3EC8F720, 0x02461E29))[0]
    return (int(mix[0]), int(mix[1])), (0, 0, int(mix[2]), int(mix[3]))


def state_key_counter(state: np.ndarray) -> tuple[tuple, tuple]:
    """(key, counter) from a Generator's Philox state [counter_lo, counter_hi, key] (int64)."""
    s = [int(v) & 0xFFFFFFFFFFFFFFFF for v in state]
    counter = (s[0] & 0xFFFFFFFF, s[0] >> 32, s[1] & 0xFFFFFFFF, s[1] >> 32)
    return (s[2] & 0xFFFFFFFF, s[2] >> 32), counter


def state_skip(state: np.ndarray, delta: int) -> np.ndarray:
    """The state with its 128-bit counter advanced by ``delta * 256`` (TF's RngReadAndSkip)."""
    s = [int(v) & 0xFFFFFFFFFFFFFFFF for v in state]
    value = (s[0] | (s[1] << 64)) + int(delta) * 256
    value &= (1 << 128) - 1
    out = [value & 0xFFFFFFFFFFFFFFFF, value >> 64, s[2]]
    return np.array([v - (1 << 64) if v >= 1 << 63 else v for v in out], dtype=np.int64)
