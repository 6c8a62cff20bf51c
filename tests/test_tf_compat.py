"""minitf._tf_compat: each copy of a TF accident does what its docstring says, on every CPU.

The power rule is checked against exact arithmetic (Python's Fraction; Decimal at 60 digits for
fractional exponents), not against another floating-point power: tensors get the correctly
rounded float32, scalars C's powf (TF's), within 1 ulp of it. It is checked once more in a NumPy
started with its AVX-512 kernels switched off (tests/simd_paths.py), so that both SIMD paths
are exercised wherever this runs. TF's own values: parity_tests/test_tf_compat_parity.py.
"""
import decimal
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitf as tf
from minitf import array_backend as B
from minitf._tf_compat import eigen_sum, nan_top_k_order, pow_rounded, pow_rounded_array, positive_zeros_
from tests.simd_paths import run_without_avx512

f32 = np.float32
TINY = np.finfo(f32).tiny  # the smallest normal float32: TF flushes smaller results to zero
OVERFLOW = Fraction(2 ** 128 - 2 ** 103)  # float32's largest finite value plus half an ulp: from here on, inf


def round_to_f32(exact: Fraction) -> np.float32:
    """The float32 nearest to ``exact`` (ties to even), then TF's flush of subnormals to zero."""
    if abs(exact) >= OVERFLOW:
        return f32(np.inf) if exact > 0 else f32(-np.inf)
    guess = f32(float(exact))  # float() rounds to double first, so the nearest float32 is this or a neighbour
    candidates = [np.nextafter(guess, f32(-np.inf)), guess, np.nextafter(guess, f32(np.inf))]
    best = min(candidates, key=lambda c: (abs(Fraction(float(c)) - exact), int(c.view(np.uint32)) & 1))
    return f32(0.0) if abs(best) < TINY else best


def exact_power(base: np.float32, exponent: np.float32) -> Fraction:
    """base ** exponent for float32 inputs: exact for integer exponents, else to 60 significant digits."""
    if float(exponent).is_integer():
        return Fraction(float(base)) ** int(exponent)
    with decimal.localcontext() as context:
        context.prec = 60
        return Fraction(decimal.Decimal(float(base)) ** decimal.Decimal(float(exponent)))


def bits(x) -> list[int]:
    return np.asarray(x, dtype=f32).reshape(-1).view(np.uint32).tolist()


# --- the power rule -----------------------------------------------------------------------------
def ulps_apart(a, b) -> np.ndarray:
    return np.abs(np.asarray(a, f32).view(np.int32).astype(np.int64) - np.asarray(b, f32).view(np.int32))


def test_the_issue_s_power_is_the_correctly_rounded_one():
    # 0.9f ** 4 = 0.65609991550445556640625... (0.9f is 0.89999997615814208984375): float32 0.6560999,
    # which TF prints; NumPy's float32 power gives 0.6561 on CPUs with AVX-512.
    assert round_to_f32(exact_power(f32(0.9), f32(4))) == f32(0.6560999)
    assert pow_rounded_array(0.9, 4) == f32(0.6560999)
    assert pow_rounded_array([0.9], [4])[0] == f32(0.6560999)
    assert pow_rounded(tf.constant(0.9), 4.0).numpy() == f32(0.6560999)


def test_array_powers_of_optimizer_betas_are_correctly_rounded_for_every_step():
    """beta ** t for the betas people use, t = 1 .. 1000, on arrays (float64, rounded once): the
    exact product rounded once. (Scalars take C's powf, TF's: see the next tests.)"""
    steps = np.arange(1, 1001, dtype=f32)
    for beta in (0.9, 0.999, 0.99, 0.8, 0.95, 0.5):
        base = f32(beta)
        exact, want = Fraction(1), []
        for _ in steps:
            exact *= Fraction(float(base))
            want.append(round_to_f32(exact))
        assert bits(pow_rounded_array(np.full(steps.shape, base), steps)) == bits(want), f"beta {beta}"
        scalars = [pow_rounded_array(base, t) for t in steps]
        assert ulps_apart(scalars, want).max() <= 1, f"beta {beta}: C's powf is within 1 ulp"


@settings(max_examples=150)
@given(base=st.floats(0.5, 1.0, width=32, exclude_max=True) | st.floats(2.0 ** -10, 3.0, width=32),
       step=st.integers(1, 3000))
def test_pow_rounded_is_correctly_rounded_for_integer_steps(base, step):
    base = f32(base)
    want = round_to_f32(exact_power(base, f32(step)))
    assert bits(pow_rounded_array([base], [step])) == bits(want)  # arrays: correctly rounded
    assert bits(pow_rounded(tf.constant([base]), float(step)).numpy()) == bits(want)
    scalar = pow_rounded(tf.constant(base), float(step)).numpy()  # scalars: C's powf, TF's
    assert ulps_apart(scalar, want) <= 1 or (np.isinf(want) and scalar == want)
    if B.xp is np:  # host scalars: the same powf call as pow_rounded_array's (on a GPU: the tensor rule)
        assert bits(pow_rounded_array(base, step)) == bits(scalar)


def _c_powf():
    """C's float32 powf, called through ctypes (None where no C math library loads)."""
    import ctypes
    import ctypes.util
    for name in ("libm.so.6", ctypes.util.find_library("m"), ctypes.util.find_library("c")):
        try:
            powf = ctypes.CDLL(name).powf
        except (OSError, AttributeError, TypeError):
            continue
        powf.restype, powf.argtypes = ctypes.c_float, (ctypes.c_float, ctypes.c_float)
        return powf
    return None


def _flushed(value: np.float32) -> np.float32:
    return value * f32(0) if abs(value) < TINY else value


def test_a_power_of_two_scalars_is_c_s_powf_itself():
    """pow_rounded on two float32 scalars uses NumPy's scalar power, on the premise that it is C's
    powf (NumPy's scalar math calls npy_powf = powf, no SIMD routine): checked against powf called
    directly, for the optimizers' betas at every step up to 3000 (where glibc's powf is 1 ulp from
    the correctly rounded value now and then, e.g. 0.999 ** 873) and for drawn bases and exponents."""
    powf = _c_powf()
    if powf is None:
        pytest.skip("no C math library to call powf from")
    for beta in (0.9, 0.999, 0.99, 0.95, 0.5):
        got = [pow_rounded_array(beta, t) for t in range(1, 3001)]
        want = [_flushed(f32(powf(float(f32(beta)), float(t)))) for t in range(1, 3001)]
        assert bits(got) == bits(want), f"beta {beta}"

    @settings(max_examples=300)
    @given(base=st.floats(0.0, 4.0, width=32), exponent=st.floats(-40.0, 3000.0, width=32))
    def drawn(base, exponent):
        with np.errstate(all="ignore"):
            assert bits(pow_rounded_array(base, exponent)) == bits(_flushed(f32(powf(float(base), float(exponent)))))
    drawn()


@settings(max_examples=150)
@given(base=st.floats(2.0 ** -7, 1.0, width=32), exponent=st.floats(0.0, 60.0, width=32))
def test_pow_rounded_is_correctly_rounded_for_fractional_exponents(base, exponent):
    """ExponentialDecay's rate ** (step / decay_steps), PolynomialDecay's (1 - p) ** power."""
    base, exponent = f32(base), f32(exponent)
    want = round_to_f32(exact_power(base, exponent))
    assert bits(pow_rounded_array([base], [exponent])) == bits(want)
    assert ulps_apart(pow_rounded_array(base, exponent), want) <= 1


def test_tf_s_edge_values():
    for power in (lambda b, e: pow_rounded_array(b, e), lambda b, e: pow_rounded_array([b], [e])[0]):
        assert power(0.5, 140) == 0.0  # 7.2e-43 is subnormal: TF's CPU kernels flush it to zero
        assert np.signbit(power(-0.5, 141))  # ... keeping the sign: -0.0
        assert power(0.5, 126) == f32(2.0 ** -126)  # the smallest normal stays
        assert power(10.0, 400.0) == np.inf
        assert np.isnan(power(-8.0, 1 / 3))
        assert power(0.0, -1.0) == np.inf
    # float64 scalars: C's pow, where Python's math.pow would raise
    assert pow_rounded(tf.constant(10.0, tf.float64), 400.0).numpy() == np.inf
    assert np.isnan(pow_rounded(tf.constant(-8.0, tf.float64), 1 / 3).numpy())
    assert pow_rounded(tf.constant(2.0, tf.float64), 0.5).numpy() == np.sqrt(2.0)


_GRID_SCRIPT = """
import json, numpy as np
from minitf._tf_compat import pow_rounded_array
rng = np.random.default_rng(7)
bases = np.concatenate([np.float32([0.9, 0.999, 0.99, 0.8, 0.95, 0.96]), rng.uniform(0.5, 1, 26).astype(np.float32)])
steps = np.arange(1, 301, dtype=np.float32)
fractional = rng.uniform(0, 40, 300).astype(np.float32)
grid = [pow_rounded_array(np.full(300, b), e) for b in bases for e in (steps, fractional)]
grid += [np.array([pow_rounded_array(b, e) for e in steps[::7]]) for b in bases]
print(json.dumps([np.asarray(g).view(np.uint32).tolist() for g in grid]))
print(json.dumps([float(np.power(np.float32(0.9), np.float32(4)))]))
"""


def test_powers_are_the_same_bits_with_and_without_avx512():
    """The rule gives the same bits with NumPy's AVX-512 kernels on and off (tests/simd_paths.py),
    while NumPy's own float32 power may not (here, with AVX-512: 0.6561 vs 0.6560999)."""
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(_GRID_SCRIPT, {})
    here = out.getvalue().splitlines()
    there = run_without_avx512(_GRID_SCRIPT).splitlines()
    assert json.loads(here[0]) == json.loads(there[0])
    # and without AVX-512, NumPy's float32 power of the issue's example is the correctly rounded one
    assert json.loads(there[1]) == [float(f32(0.6560999))]


# --- Eigen's summation order ---------------------------------------------------------------------
def eigen_order_by_hand(values: np.ndarray) -> np.float32:
    """sum in Eigen's order, one float32 addition at a time: 4 accumulators x 8 lanes over blocks
    of 32, merged lane by lane; then whole packets of 8 into the lanes; the lanes folded in halves
    (4 + 4, 2 + 2, 1 + 1); the leftover elements summed in order and added last."""
    x = [f32(v) for v in values]
    n, lanes, i = len(x), 8, 0
    accumulators = [[f32(0)] * lanes for _ in range(4)]
    while i + 4 * lanes <= n:
        for k in range(4):
            for lane in range(lanes):
                accumulators[k][lane] = f32(accumulators[k][lane] + x[i + k * lanes + lane])
        i += 4 * lanes
    acc = [f32(f32(f32(accumulators[0][j] + accumulators[1][j]) + accumulators[2][j]) + accumulators[3][j])
           for j in range(lanes)]
    while i + lanes <= n:
        acc = [f32(acc[j] + x[i + j]) for j in range(lanes)]
        i += lanes
    leftover = f32(0)
    for v in x[i:]:
        leftover = f32(leftover + v)
    half = [f32(acc[j] + acc[j + 4]) for j in range(4)]
    quarter = [f32(half[j] + half[j + 2]) for j in range(2)]
    return f32(leftover + f32(quarter[0] + quarter[1]))


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 31, 32, 33, 63, 64, 100, 257, 1000])
def test_eigen_sum_adds_in_the_documented_order(n):
    rng = np.random.default_rng(n)
    values = (rng.normal(size=n) * 10.0 ** rng.integers(-3, 4, n)).astype(f32)  # magnitudes 1e-3 .. 1e3
    got = eigen_sum(tf.constant(values)).numpy()
    assert got.dtype == f32
    if B.xp is not np:  # on a GPU TF's sum is CUDA's, not Eigen's CPU order: minitf uses the device's
        assert bits(got) == bits(B.to_numpy(B.xp.sum(B.xp.asarray(values))))
        return
    assert bits(got) == bits(eigen_order_by_hand(values))


def eigen_tree_by_hand(x, first=0, n=None):
    """Above 8192 elements Eigen sums two halves, cut where a packet starts (counted from x[0])."""
    n = len(x) if n is None else n
    if n <= 8192:
        return eigen_order_by_hand(x[first:first + n])
    split = math.ceil((first + math.ceil(n / 2)) / 8) * 8
    left = min(split - first, n)
    return f32(f32(0) + eigen_tree_by_hand(x, first, left)) + eigen_tree_by_hand(x, split, n - left)


@pytest.mark.parametrize("n", [8192, 8193, 8201, 20011, 40000])
def test_eigen_sum_of_large_arrays_adds_two_halves(n):
    values = (np.random.default_rng(n).normal(size=n) * 1e-3).astype(f32)
    got = eigen_sum(tf.constant(values)).numpy()
    if B.xp is not np:
        assert bits(got) == bits(B.to_numpy(B.xp.sum(B.xp.asarray(values))))
        return
    assert bits(got) == bits(f32(eigen_tree_by_hand(values)))


def test_eigen_sum_of_float64_arrays_is_the_backend_sum():
    doubles = np.random.default_rng(1).normal(size=50)
    assert eigen_sum(tf.constant(doubles)).numpy() == np.sum(doubles)


# --- signed zeros ------------------------------------------------------------------------------------
def test_positive_zeros_changes_only_negative_zeros():
    a = np.array([-0.0, 0.0, -1.5, 2.0, -np.inf, np.inf, -1e-45], dtype=f32)
    want = a.copy()
    want[0] = 0.0
    assert positive_zeros_(a) is a
    assert bits(a) == bits(want) and not np.signbit(a[0])
    assert np.isnan(positive_zeros_(np.array([np.nan], f32))).all()


@pytest.mark.parametrize("pool,strides", [(2, 2), (3, 3), (2, 1)], ids=["tiling", "tiling3", "overlapping"])
def test_max_pool_gradient_has_tf_s_positive_zeros(pool, strides):
    """MaxPoolGrad as TF computes it: dy added into a zero gradient at each window's winner, so a cell
    no window picked is +0.0, even where dy is negative (both minitf paths: tiling and col2im)."""
    rng = np.random.default_rng(pool * 10 + strides)
    x = rng.permutation(2 * 6 * 6 * 3).reshape(2, 6, 6, 3).astype(f32)  # distinct values: no ties
    out = (6 - pool) // strides + 1
    dy = -np.abs(rng.normal(size=(2, out, out, 3))).astype(f32) - 1  # all negative
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, pool, strides, "VALID")
    dx = tape.gradient(y, xt, output_gradients=tf.constant(dy)).numpy()
    want = np.zeros_like(x)  # the reference: scatter dy onto zeros at each window's argmax
    for b in range(2):
        for i in range(out):
            for j in range(out):
                window = x[b, i * strides:i * strides + pool, j * strides:j * strides + pool]
                for c in range(3):
                    r, s = np.unravel_index(np.argmax(window[:, :, c]), (pool, pool))
                    want[b, i * strides + r, j * strides + s, c] += dy[b, i, j, c]
    if pool == strides:
        np.testing.assert_array_equal(dx, want)
    else:  # a cell won by several windows adds their dy up, in an order that is not this loop's (rtol: one ulp)
        np.testing.assert_allclose(dx, want, rtol=2.5e-7, atol=0)
    assert not np.signbit(dx[dx == 0]).any(), "a -0.0 in the gradient: TF has +0.0 there"


def tf_max_pool_scan(x, pool, strides, padding):
    """TF's MaxPool kernel in Python: each window starts at the lowest finite value and takes a cell
    only if it is larger (NaN, -inf and a zero tied with the window's zero never are)."""
    n, h, w, c = x.shape
    if padding == "VALID":
        oh, ow, top, left = (h - pool) // strides + 1, (w - pool) // strides + 1, 0, 0
    else:
        oh, ow = -(-h // strides), -(-w // strides)
        top = max((oh - 1) * strides + pool - h, 0) // 2
        left = max((ow - 1) * strides + pool - w, 0) // 2
    y = np.full((n, oh, ow, c), np.finfo(x.dtype).min, dtype=x.dtype)
    for i in range(oh):
        for j in range(ow):
            for r in range(i * strides - top, i * strides - top + pool):
                for q in range(j * strides - left, j * strides - left + pool):
                    if 0 <= r < h and 0 <= q < w:
                        cell = x[:, r, q]
                        y[:, i, j] = np.where(cell > y[:, i, j], cell, y[:, i, j])
    return y


@settings(deadline=None)
@given(st.integers(1, 17), st.integers(1, 9), st.sampled_from([(2, 2), (3, 3), (2, 1), (3, 2)]),
       st.sampled_from(["VALID", "SAME"]), st.booleans(), st.integers(0, 2**32 - 1))
def test_max_pool_takes_the_first_of_tied_zeros_as_tf_on_every_cpu(channels, size, window, padding, relu, seed):
    """A window whose max is 0 gives its first zero: -0.0 where that one is -0.0 (fmax, the fast loop, picks
    either zero of a tie, by its SIMD path). With or without -0.0 in the input, NaN and -inf as TF has them."""
    pool, strides = window
    size = max(size, pool)
    rng = np.random.default_rng(seed)
    values = np.array([0.0, 0.0, 1.0] if relu else [0.0, -0.0, -1.0, 1.0, np.nan, -np.inf], f32)
    x = rng.choice(values, size=(2, size, size, channels))
    got = tf.nn.max_pool2d(x, pool, strides, padding).numpy()
    assert bits(got) == bits(tf_max_pool_scan(x, pool, strides, padding))


# --- reduce_max and reduce_min of tied zeros ----------------------------------------------------------
# Eigen's loops under TF's reduce_max/reduce_min, written out as the C++ runs them (TensorReduction.h,
# reduction_ops_common.h), to check _tf_compat.extreme_with_tf_zeros' closed form of "the last tie
# in a fixed order". Packets: 8 float32 lanes, 4 float64, 8 float16.
def eigen_packet_op(op, half):
    """pmax/pmin<PropagateNaN>(a, b) on packets: NaN in a wins, then NaN in b; of equal values the
    second (x86's maxps(a, b)); float16 packets compute maxps(b, a) in float32, the first."""
    def run(a, b):
        better = (a > b) if op == "max" else (a < b)
        if half:
            better = ~((b > a) if op == "max" else (b < a))
        return np.where(np.isnan(a), a, np.where(np.isnan(b), b, np.where(better, a, b)))
    return run


def eigen_scalar_op(op):
    """The scalar pmax/pmin<PropagateNaN>(a, b): NaN in a, then in b, then std::max(a, b) (a on a tie)."""
    def run(a, b):
        if np.isnan(a):
            return a
        if np.isnan(b):
            return b
        return b if ((a < b) if op == "max" else (b < a)) else a
    return run


def eigen_inner_most_dim_reducer(row, lanes, op, half):
    packet, scalar = eigen_packet_op(op, half), eigen_scalar_op(op)
    bottom = row.dtype.type(-np.inf if op == "max" else np.inf)
    n, start = len(row), 0
    accs = [np.full(lanes, bottom, row.dtype) for _ in range(4)]
    if n >= 4 * lanes:
        for j in range(0, n // (4 * lanes) * (4 * lanes), 4 * lanes):
            for k in range(4):
                accs[k] = packet(accs[k], row[j + k * lanes:j + (k + 1) * lanes])  # reducePacket(p, &acc)
        for k in (1, 2, 3):
            accs[0] = packet(accs[0], accs[k])
        start = n // (4 * lanes) * (4 * lanes)
    if start <= n - lanes:
        for j in range(start, n // lanes * lanes, lanes):
            accs[0] = packet(accs[0], row[j:j + lanes])
        start = n // lanes * lanes
    accum = bottom
    for t in row[start:]:
        accum = scalar(t, accum)  # reduce(t, &accum)
    folded, fold = accs[0], eigen_packet_op(op, half=False)  # (predux of float16: on the lanes as float32)
    while folded.size > 1:  # predux: halves, then quarters, then pairs
        folded = fold(folded[:folded.size // 2], folded[folded.size // 2:])
    return scalar(accum, folded[0])  # finalizeBoth


def eigen_preserving_reduce(x3, lanes, op, half):
    """(A, B, C) reduced over B: the executor takes packets of output elements; a packet whose columns
    stay in one row of C runs InnerMostDimPreserver (four accumulators from 16 on), the rest coeff()."""
    packet, scalar = eigen_packet_op(op, half), eigen_scalar_op(op)
    a, b, c = x3.shape
    bottom = x3.dtype.type(-np.inf if op == "max" else np.inf)
    flat_in, out = x3.reshape(-1), np.empty(a * c, x3.dtype)

    def coeff(o):
        accum = bottom
        for j in range(b):
            accum = scalar(flat_in[(o // c) * b * c + j * c + o % c], accum)
        return accum

    o = 0
    while o + lanes <= a * c:
        first = (o // c) * b * c + o % c
        if o % c + lanes - 1 < c:
            def load(j):
                return flat_in[first + j * c:first + j * c + lanes]
            accs = [np.full(lanes, bottom, x3.dtype) for _ in range(4)]
            if b >= 16:
                for j in range(0, b // 4 * 4, 4):
                    for k in range(4):
                        accs[k] = packet(accs[k], load(j + k))
                for k in (1, 2, 3):
                    accs[0] = packet(accs[0], accs[k])
                rest = range(b // 4 * 4, b)
            else:
                rest = range(b)
            for j in rest:
                accs[0] = packet(accs[0], load(j))
            out[o:o + lanes] = accs[0]
        else:
            out[o:o + lanes] = [coeff(o + i) for i in range(lanes)]
        o += lanes
    out[o:] = [coeff(i) for i in range(o, a * c)]
    return out


def tf_reduce_extreme_by_hand(x, axes, op):
    """TF's ReductionOp: Simplify (skip leading 1s; a size-1 axis joins the run before it), then its
    cases: a full or last-axis reduction row by row, (X, Y) over X or (A, B, C) over B preserving,
    (A, B, C) over A and C element by element (GenericDimReducer: C outermost), else a transpose."""
    half = x.dtype == np.float16
    lanes = 8 if half else 32 // x.itemsize
    out_shape = tuple(n for i, n in enumerate(x.shape) if i not in axes)
    dims = [i for i, n in enumerate(x.shape) if n != 1]
    if not dims:
        return x.reshape(out_shape).copy()
    reshape, bitmap = [x.shape[dims[0]]], [dims[0] in axes]
    for i in range(dims[0] + 1, x.ndim):
        reduced = bitmap[-1] if x.shape[i] == 1 else i in axes
        if reduced == bitmap[-1]:
            reshape[-1] *= x.shape[i]
        else:
            reshape.append(x.shape[i])
            bitmap.append(reduced)
    xr, first = x.reshape(reshape), bitmap[0]
    if len(reshape) == 1 and not first:
        return x.reshape(out_shape).copy()
    if len(reshape) == 1 or (len(reshape) == 2 and not first):
        rows = xr.reshape(-1, reshape[-1])
        result = [eigen_inner_most_dim_reducer(r, lanes, op, half) for r in rows]
    elif len(reshape) == 2:
        result = eigen_preserving_reduce(xr.reshape((1,) + tuple(reshape)), lanes, op, half)
    elif len(reshape) == 3 and not first:
        result = eigen_preserving_reduce(xr, lanes, op, half)
    elif len(reshape) == 3:
        scalar, result = eigen_scalar_op(op), []
        for j in range(reshape[1]):
            accum = x.dtype.type(-np.inf if op == "max" else np.inf)
            for k in range(reshape[2]):
                for i in range(reshape[0]):
                    accum = scalar(xr[i, j, k], accum)
            result.append(accum)
    else:
        kept = list(range(1 if first else 0, len(reshape), 2))
        moved = xr.transpose(kept + list(range(0 if first else 1, len(reshape), 2)))
        rows = moved.reshape(int(np.prod([reshape[i] for i in kept])), -1)
        result = [eigen_inner_most_dim_reducer(r, lanes, op, half) for r in rows]
    return np.asarray(result, x.dtype).reshape(out_shape)


@st.composite
def reductions(draw):
    shape = tuple(draw(st.lists(st.integers(1, 40), min_size=1, max_size=4)))
    while np.prod(shape) > 3000:
        shape = shape[:-1]
    axes = draw(st.lists(st.integers(0, len(shape) - 1), unique=True, min_size=1).map(sorted).map(tuple))
    return shape, axes


@settings(deadline=None, max_examples=150)
@given(reductions(), st.sampled_from([np.float32, np.float64, np.float16]), st.sampled_from(["max", "min"]),
       st.floats(0.02, 1.0), st.booleans(), st.integers(0, 2**32 - 1))
def test_reduce_max_and_min_give_tf_s_zero_of_a_tie_on_every_cpu(reduction, dtype, op, zeros, nan, seed):
    """Of tied 0.0 and -0.0 the one Eigen's loops keep (NumPy's max returns either, by SIMD path);
    every other value, NaN included, as before."""
    shape, axes = reduction
    rng = np.random.default_rng(seed)
    other = np.array([-1.0, -2.0, np.nan] if op == "max" else [1.0, 2.0, np.nan], dtype)[:3 if nan else 2]
    x = np.where(rng.random(shape) < zeros, rng.choice(np.array([0.0, -0.0], dtype), shape),
                 rng.choice(other, shape, p=[0.45, 0.45, 0.1] if nan else None)).astype(dtype)
    got = getattr(tf, "reduce_" + op)(x, axis=list(axes)).numpy()
    want = tf_reduce_extreme_by_hand(x, axes, op)
    np.testing.assert_array_equal(got, want)  # values, NaN where NaN
    if B.xp is not np:  # on a GPU CuPy's max: TF's GPU kernels are CUDA's, not Eigen's CPU loops
        return
    assert np.signbit(got).tolist() == np.signbit(want).tolist(), "the sign of a tied zero"


@pytest.mark.parametrize("shape,axes", [
    ((70,), (0,)), ((6, 45), (1,)), ((40, 19), (0,)), ((17, 16), (0,)),  # TF's shapes: (N), (X, Y) either axis
    ((5, 9, 13), (0, 2)), ((4, 20, 11), (1,)), ((3, 17, 16), (1,)), ((2, 1, 18, 1, 9), (0, 2)),  # (A, B, C)
    ((3, 4, 5, 6), (0, 2)), ((2, 3, 4, 5, 3), (1, 3))])  # transposed, reduced axes last
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_reduce_max_and_min_take_each_of_tf_s_loops(shape, axes, dtype):
    """One shape per loop of TF's kernel (and a column packet that straddles two rows: (4, 20, 11)),
    dense in tied zeros, so that each order is seen."""
    rng = np.random.default_rng(len(shape) * 100 + sum(shape))
    for op, other in (("max", -1.0), ("min", 1.0)):
        for density in (0.1, 0.5, 0.9):
            x = np.where(rng.random(shape) < density, rng.choice(np.array([0.0, -0.0], dtype), shape),
                         other).astype(dtype)
            got = getattr(tf, "reduce_" + op)(x, axis=list(axes)).numpy()
            want = tf_reduce_extreme_by_hand(x, axes, op)
            np.testing.assert_array_equal(got, want)
            if B.xp is np:  # (on a GPU CuPy's zero: see above)
                assert np.signbit(got).tolist() == np.signbit(want).tolist(), f"{op}, {density:.0%} zeros"


def test_reduce_max_of_tied_zeros_examples():
    """The docstring's examples, and a row long enough for packets (TF 2.21: parity_tests). On a GPU,
    CuPy's zero (TF's GPU kernels do not take Eigen's CPU order): a zero of either sign."""
    if B.xp is not np:
        assert tf.reduce_max(np.array([0.0, -0.0, -1.0], f32)).numpy() == 0
        return
    assert np.signbit(tf.reduce_max(np.array([0.0, -0.0, -1.0], f32)).numpy())
    assert not np.signbit(tf.reduce_max(np.array([-0.0, 0.0], f32)).numpy())
    row = np.full(9, -1.0, f32)
    row[[0, 8]] = [0.0, -0.0]  # eight lanes of one packet, then a leftover: the leftover wins
    assert np.signbit(tf.reduce_max(row).numpy())
    row[[0, 8]] = [-0.0, 0.0]
    assert not np.signbit(tf.reduce_max(row).numpy())


# --- top_k with NaN ----------------------------------------------------------------------------------
def test_nan_top_k_order_gives_tf_s_examples():
    """The docstring's examples (TF 2.21's top_k: parity_tests/test_edge_cases_parity.py checks TF itself)."""
    nan = np.nan
    for row, want in (([3, nan, 1], [0, 1, 2]), ([3, 1, nan, 5], [3, 0, 1, 2]), ([np.inf, nan, 2], [0, 1, 2])):
        got = B.to_numpy(nan_top_k_order(B.xp.asarray(np.array([row], f32)), len(row)))
        assert got.tolist() == [want], f"{row}: {got.tolist()} vs {want}"


@given(rows=st.lists(st.lists(st.integers(-3, 3), min_size=4, max_size=4), min_size=1, max_size=5),
       k=st.integers(0, 4))
def test_nan_top_k_order_without_nan_is_a_stable_descending_sort(rows, k):
    """Without NaN the insertion rule is an ordinary stable sort, largest first (ties: lower index first)."""
    x = np.array(rows, f32)
    got = B.to_numpy(nan_top_k_order(B.xp.asarray(x), k))
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, np.argsort(-x, axis=-1, kind="stable")[:, :k])
