"""minitf.nn conv and pooling against tf.nn: forward, and gradients (input and filters) from tf.GradientTape.

Each case runs the same call under both frameworks on hypothesis-drawn shapes, strides 1-2,
dilations 1-2 and VALID / SAME / explicit padding. Gradients use a random upstream gradient
(``output_gradients``), so every output element matters.

Tolerances, stated per check: float32 |minitf - tf| <= 1e-5 + 1e-5 |tf| (sums of up to ~100
products accumulated in different orders); float64 1e-10 relative (same formula, so only
rounding differs); max pooling: forward exactly (it selects, never sums), gradient rtol 1e-6 atol 1e-6
(overlapping windows add their dy in a different order).

TF 2.21 on CPU cannot differentiate a dilated conv2d (Conv2DBackpropInput/Filter refuse
dilations > 1) nor run a dilated conv2d_transpose. For those cases the TF reference is the
same op on the explicitly dilated kernel (zeros between the taps, built with tf.einsum, so
TF still differentiates w.r.t. the small kernel); that this equals TF's own dilated forward
is checked too.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

F32 = dict(rtol=1e-5, atol=1e-5)
F64 = dict(rtol=1e-10, atol=1e-10)
MAX_GRAD = dict(rtol=1e-6, atol=1e-6)


def close(what: str, want, got, rtol: float, atol: float, atol_of_max: float = 0.0) -> None:
    """|got - want| <= atol + rtol |want|, where atol grows to atol_of_max * max|want| if that is larger."""
    want, got = np.asarray(want), np.asarray(got)
    atol = max(atol, atol_of_max * float(np.abs(want).max(initial=0.0)))
    assert want.shape == got.shape, f"{what}: shape tf {want.shape} vs minitf {got.shape}"
    assert want.dtype == got.dtype, f"{what}: dtype tf {want.dtype} vs minitf {got.dtype}"
    err = np.abs(want.astype(np.float64) - got.astype(np.float64))
    bad = err > atol + rtol * np.abs(want)
    if bad.any():
        i = np.unravel_index(np.argmax(err - rtol * np.abs(want)), err.shape)
        raise AssertionError(f"{what}: minitf diverges from tf at {tuple(int(k) for k in i)}: tf {want[i]!r}, "
                             f"minitf {got[i]!r} (max abs err {err.max():.3g}, rtol {rtol}, atol {atol})")


def run(fw, fn, inputs, upstream_seed: int):
    """fn(fw, *tensors) under fw, and the gradients of sum(u * out) w.r.t. every input."""
    tensors = [fw.constant(a) for a in inputs]
    with fw.GradientTape() as tape:
        for t in tensors:
            tape.watch(t)
        out = fn(fw, *tensors)
    u = np.random.default_rng(upstream_seed).standard_normal(tuple(out.shape)).astype(inputs[0].dtype)
    grads = tape.gradient(out, tensors, output_gradients=fw.constant(u))
    return out.numpy(), [g.numpy() for g in grads]


def compare(op: str, tf, mtf, fn_tf, fn_mtf, inputs, tol, seed: int, names=("input", "filters")) -> None:
    want, want_grads = run(tf, fn_tf, inputs, seed)
    got, got_grads = run(mtf, fn_mtf, inputs, seed)
    close(f"{op} forward", want, got, **tol)
    for name, w, g in zip(names, want_grads, got_grads):
        close(f"{op} gradient w.r.t. {name}", w, g, **tol)


def dilate_kernel(tf, w, dilations):
    """w (KH, KW, ...) with d-1 zeros between taps: ((KH-1)*dh+1, (KW-1)*dw+1, ...), differentiable."""
    (kh, kw), (dh, dw) = tuple(w.shape[:2]), dilations
    eh = np.zeros(((kh - 1) * dh + 1, kh), w.dtype.as_numpy_dtype)
    ew = np.zeros(((kw - 1) * dw + 1, kw), w.dtype.as_numpy_dtype)
    eh[np.arange(kh) * dh, np.arange(kh)] = 1
    ew[np.arange(kw) * dw, np.arange(kw)] = 1
    return tf.einsum("pa,qb,abcf->pqcf", tf.constant(eh), tf.constant(ew), w)


# --- cases --------------------------------------------------------------------------------------
@st.composite
def conv_cases(draw, dilated=True):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    dh, dw = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    kind = draw(st.sampled_from(["VALID", "SAME", "explicit"]))
    pads = [draw(st.integers(0, 2)) for _ in range(4)] if kind == "explicit" else [0, 0, 0, 0]
    padding = [[0, 0], pads[:2], pads[2:], [0, 0]] if kind == "explicit" else kind
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    lo_h = 1 if kind == "SAME" else max(1, span_h - pads[0] - pads[1])
    lo_w = 1 if kind == "SAME" else max(1, span_w - pads[2] - pads[3])
    h, w = draw(st.integers(lo_h, max(lo_h, 7))), draw(st.integers(lo_w, max(lo_w, 7)))
    n, c, f = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    return dict(x=(n, h, w, c), w=(kh, kw, c, f), strides=[sh, sw], dilations=[dh, dw], padding=padding,
                dtype=dtype, seed=draw(st.integers(0, 2**16)))


def draw_arrays(case):
    rng = np.random.default_rng(case["seed"])
    return (rng.standard_normal(case["x"]).astype(case["dtype"]),
            rng.standard_normal(case["w"]).astype(case["dtype"]))


def tol_of(case):
    return F32 if case["dtype"] == np.float32 else F64


# --- conv2d -------------------------------------------------------------------------------------------
@given(conv_cases())
def test_conv2d_forward_and_gradients(tf, mtf, case):
    x, w = draw_arrays(case)
    s, d, p = case["strides"], case["dilations"], case["padding"]
    ours = lambda fw, x, w: fw.nn.conv2d(x, w, s, p, dilations=d)  # noqa: E731
    if d == [1, 1]:
        theirs = ours
    else:  # TF CPU has no dilated conv2d gradient: same conv on the explicitly dilated kernel
        theirs = lambda fw, x, w: fw.nn.conv2d(x, dilate_kernel(fw, w, d), s, p)  # noqa: E731
        close("conv2d: dilated-kernel reference vs TF's own dilated forward",
              tf.nn.conv2d(x, w, s, p, dilations=d).numpy(), theirs(tf, tf.constant(x), tf.constant(w)).numpy(),
              **tol_of(case))
    compare(f"conv2d {case}", tf, mtf, theirs, ours, [x, w], tol_of(case), case["seed"])


@pytest.mark.parametrize("c, f", [(48, 6), (4, 40)])  # the forward's, then the input gradient's shifted products
@pytest.mark.parametrize("padding, dilations", [("SAME", [1, 1]), ("VALID", [2, 1]), ([[0, 0], [2, 0], [1, 3], [0, 0]], [1, 1])])
def test_conv2d_by_shifted_products_matches_tf(tf, mtf, c, f, padding, dilations):
    """Stride 1 with many more input than output channels: minitf computes the correlation as a sum of
    shifted products (``conv.correlate_shifted``, no patch matrix); (48, 6) takes it in the forward,
    (4, 40) in the input gradient (dy's 40 channels in, 4 out). Sums of up to 432 products in another
    order than TF's: float32 within 1e-5 relative, plus 1e-6 of the largest value."""
    from minitf.nn import conv as conv_module

    assert conv_module.use_shifted_products((1, 1), c, f) or conv_module.use_shifted_products((1, 1), f, c)
    rng = np.random.default_rng(c + f)
    x = rng.standard_normal((3, 11, 10, c)).astype(np.float32)
    w = rng.standard_normal((3, 3, c, f)).astype(np.float32)
    ours = lambda fw, x, w: fw.nn.conv2d(x, w, 1, padding, dilations=dilations)  # noqa: E731
    if dilations == [1, 1]:
        theirs = ours
    else:
        theirs = lambda fw, x, w: fw.nn.conv2d(x, dilate_kernel(fw, w, dilations), 1, padding)  # noqa: E731
    compare(f"conv2d c={c} f={f} {padding} {dilations}", tf, mtf, theirs, ours, [x, w],
            dict(rtol=1e-5, atol=1e-5, atol_of_max=1e-6), c * f)


@pytest.mark.parametrize("c, f", [(10, 10), (16, 24)])  # both gradients by row taps (10 -> 10: TinyVGG's)
@pytest.mark.parametrize("strides, padding, dilations", [([1, 1], "SAME", [1, 1]), ([1, 2], "VALID", [1, 1]),
                                                          ([1, 1], [[0, 0], [2, 0], [1, 3], [0, 0]], [2, 1])])
def test_conv2d_gradients_by_row_taps_match_tf(tf, mtf, c, f, strides, padding, dilations):
    """A vertical stride of 1 and few channels: minitf takes the input and filter gradients from row
    patches (``conv.use_row_taps``: one product per kernel row, added up), the forward by im2col.
    Sums of up to 216 products in another order than TF's: float32 within 1e-5 relative, plus 1e-6
    of the largest value."""
    from minitf.nn import conv as conv_module

    assert conv_module.use_row_taps(strides, 3, c, f) and conv_module.use_row_taps((1, 1), 3, f, c)
    rng = np.random.default_rng(c + f)
    x = rng.standard_normal((3, 12, 11, c)).astype(np.float32)
    w = rng.standard_normal((3, 3, c, f)).astype(np.float32)
    ours = lambda fw, x, w: fw.nn.conv2d(x, w, strides, padding, dilations=dilations)  # noqa: E731
    if dilations == [1, 1]:
        theirs = ours
    else:
        theirs = lambda fw, x, w: fw.nn.conv2d(x, dilate_kernel(fw, w, dilations), strides, padding)  # noqa: E731
    compare(f"conv2d c={c} f={f} {strides} {padding} {dilations}", tf, mtf, theirs, ours, [x, w],
            dict(rtol=1e-5, atol=1e-5, atol_of_max=1e-6), c * f)


@pytest.mark.parametrize("shape, f, strides, padding", [
    ((4, 64, 64, 3), 10, 1, "VALID"), ((4, 62, 62, 10), 10, 1, "VALID"), ((32, 30, 30, 10), 10, 1, "VALID"),
    ((4, 14, 14, 32), 64, 1, "SAME"),  # TinyVGG's layers, the MNIST CNN's second
    ((4, 62, 62, 10), 10, 2, "SAME"), ((8, 32, 32, 16), 16, 1, "SAME"),
    ((32, 52, 52, 10), 10, 1, "VALID")])  # TinyVGG's fourth layer at 112x112: no product of one row (gemv)
def test_conv2d_forward_gives_tf_bits_where_openblas_small_kernels_compute_it(tf, mtf, shape, f, strides, padding):
    """The forward's sums are TF's, bit for bit, for the course's conv layers on a CPU where NumPy's
    OpenBLAS computes them with its AVX-512 small-matrix kernels (``parallel.small_kernel_pieces``):
    each output pixel one dot product over (a, b, c), as TF's oneDNN kernel adds them. This is why
    the forward keeps im2col where the gradients take row taps (``conv.py``, "Which kernel"); a
    kernel that reorders the forward's sums fails here. Other BLAS kernels add in other orders."""
    from minitf.parallel import small_kernel_pieces

    if not small_kernel_pieces():
        pytest.skip("NumPy's BLAS has no OpenBLAS AVX-512 small-matrix kernels here: its sums take "
                    "another order than TF's, so only the tolerance of the other tests applies")
    rng = np.random.default_rng(shape[-1] * f)
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((3, 3, shape[-1], f)).astype(np.float32)
    want = tf.nn.conv2d(x, w, strides, padding).numpy()
    got = mtf.nn.conv2d(x, w, strides, padding).numpy()
    differ = int((want != got).sum())
    assert differ == 0, f"conv2d {shape} -> {f} ({strides}, {padding}): {differ} of {want.size} outputs differ from TF's bits"


@given(conv_cases(dilated=False))
def test_conv2d_second_order_gradients(tf, mtf, case):
    x, w = draw_arrays(case)
    s, p = case["strides"], case["padding"]

    def grad_norm(fw, x, w):
        with fw.GradientTape() as inner:
            inner.watch([x, w])
            y = fw.nn.conv2d(x, w, s, p)
            loss = fw.reduce_sum(y * y)
        gx, gw = inner.gradient(loss, [x, w])
        return fw.reduce_sum(gx * gx) + fw.reduce_sum(gw * gw)

    # Chained sums of squares cancel: a small element carries the absolute rounding error of the
    # largest ones. Both float32 results were ~2e-7 * max|grad| from the float64 truth, so float32
    # is checked to rtol 1e-5 plus atol 1e-5 * max|tf grad|; float64 to 1e-10 the same way.
    tol = dict(rtol=1e-5, atol=1e-5, atol_of_max=1e-5) if case["dtype"] == np.float32 else dict(F64, atol_of_max=1e-10)
    compare(f"conv2d second order {case}", tf, mtf, grad_norm, grad_norm, [x, w], tol, case["seed"])


@given(conv_cases())
def test_conv2d_transpose_forward_and_gradients(tf, mtf, case):
    x, w = draw_arrays(case)
    s, d, p = case["strides"], case["dilations"], case["padding"]
    y_shape = tuple(tf.nn.conv2d(x, w, s, p, dilations=d).shape)
    dy = np.random.default_rng(case["seed"] + 1).standard_normal(y_shape).astype(case["dtype"])
    ours = lambda fw, dy, w: fw.nn.conv2d_transpose(dy, w, x.shape, s, p, dilations=d)  # noqa: E731
    theirs = ours if d == [1, 1] else (
        lambda fw, dy, w: fw.nn.conv2d_transpose(dy, dilate_kernel(fw, w, d), x.shape, s, p))
    compare(f"conv2d_transpose {case}", tf, mtf, theirs, ours, [dy, w], tol_of(case), case["seed"],
            names=("input", "filters"))


# --- conv1d -------------------------------------------------------------------------------------------
@st.composite
def conv1d_cases(draw):
    k, s = draw(st.integers(1, 4)), draw(st.integers(1, 2))
    padding = draw(st.sampled_from(["VALID", "SAME"]))
    width = draw(st.integers(k if padding == "VALID" else 1, 9))
    n, c, f = draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return dict(x=(n, width, c), w=(k, c, f), stride=s, padding=padding, dtype=np.float32,
                seed=draw(st.integers(0, 2**16)))


@given(conv1d_cases())
def test_conv1d_and_conv1d_transpose(tf, mtf, case):
    x, w = draw_arrays(case)
    s, p = case["stride"], case["padding"]
    fn = lambda fw, x, w: fw.nn.conv1d(x, w, s, p)  # noqa: E731
    compare(f"conv1d {case}", tf, mtf, fn, fn, [x, w], F32, case["seed"])
    y = tf.nn.conv1d(x, w, s, p).numpy()
    fn_t = lambda fw, y, w: fw.nn.conv1d_transpose(y, w, x.shape, s, p)  # noqa: E731
    compare(f"conv1d_transpose {case}", tf, mtf, fn_t, fn_t, [y, w], F32, case["seed"])


@pytest.mark.parametrize("stride", [1, 2])
def test_conv1d_dilated_forward(tf, mtf, stride):
    rng = np.random.default_rng(stride)
    x, w = rng.standard_normal((2, 11, 3)).astype(np.float32), rng.standard_normal((3, 3, 4)).astype(np.float32)
    for p in ("VALID", "SAME"):
        close(f"conv1d dilations=2 stride={stride} {p}", tf.nn.conv1d(x, w, stride, p, dilations=2).numpy(),
              mtf.nn.conv1d(x, w, stride, p, dilations=2).numpy(), **F32)


# --- pooling ---------------------------------------------------------------------------------------------
@st.composite
def pool_cases(draw, rank=4):
    k = [draw(st.integers(1, 3)) for _ in range(rank - 2)]
    s = [draw(st.integers(1, 3)) for _ in range(rank - 2)]
    padding = draw(st.sampled_from(["VALID", "SAME"]))
    sizes = [draw(st.integers(ki if padding == "VALID" else 1, 7)) for ki in k]
    n, c = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    return dict(x=(n, *sizes, c), ksize=k, strides=s, padding=padding, ties=draw(st.booleans()),
                seed=draw(st.integers(0, 2**16)))


def pool_input(case):
    rng = np.random.default_rng(case["seed"])
    if case["ties"]:  # few distinct values: ties must send the gradient where TF sends it
        return rng.integers(-2, 2, case["x"]).astype(np.float32)
    return rng.standard_normal(case["x"]).astype(np.float32)


@given(pool_cases())
def test_max_pool2d(tf, mtf, case):
    fn = lambda fw, x: fw.nn.max_pool2d(x, case["ksize"], case["strides"], case["padding"])  # noqa: E731
    x = pool_input(case)
    close(f"max_pool2d forward {case}", fn(tf, x).numpy(), fn(mtf, x).numpy(), rtol=0, atol=0)
    compare(f"max_pool2d {case}", tf, mtf, fn, fn, [x], MAX_GRAD, case["seed"], names=("input",))


@given(pool_cases())
def test_avg_pool2d(tf, mtf, case):
    fn = lambda fw, x: fw.nn.avg_pool2d(x, case["ksize"], case["strides"], case["padding"])  # noqa: E731
    compare(f"avg_pool2d {case}", tf, mtf, fn, fn, [pool_input(case)], dict(rtol=1e-6, atol=1e-6), case["seed"],
            names=("input",))


@given(pool_cases(rank=3))
def test_pool1d(tf, mtf, case):
    x = pool_input(case)
    k, s, p = case["ksize"], case["strides"], case["padding"]
    for name, tol in (("max_pool1d", MAX_GRAD), ("avg_pool1d", dict(rtol=1e-6, atol=1e-6))):
        fn = lambda fw, x: getattr(fw.nn, name)(x, k, s, p)  # noqa: E731
        compare(f"{name} {case}", tf, mtf, fn, fn, [x], tol, case["seed"], names=("input",))


def test_max_pool2d_explicit_padding_and_generic_names(tf, mtf):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 6, 3)).astype(np.float32) - 3  # negative: zero padding would win
    pad = [[0, 0], [1, 1], [0, 2], [0, 0]]
    fn = lambda fw, x: fw.nn.max_pool2d(x, (2, 3), (2, 2), pad)  # noqa: E731
    compare("max_pool2d explicit padding", tf, mtf, fn, fn, [x], MAX_GRAD, 1, names=("input",))
    for name in ("max_pool", "avg_pool"):
        for arr in (x, x[:, 0]):
            fn = lambda fw, x: getattr(fw.nn, name)(x, 2, 2, "SAME")  # noqa: E731
            compare(f"{name} rank {arr.ndim}", tf, mtf, fn, fn, [arr], dict(rtol=1e-6, atol=1e-6), 2, names=("input",))


def test_pool_second_order(tf, mtf):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 5, 2)).astype(np.float32)
    for name in ("max_pool2d", "avg_pool2d"):
        def f(fw, x):
            with fw.GradientTape() as inner:
                inner.watch(x)
                loss = fw.reduce_sum(getattr(fw.nn, name)(x, 3, 2, "SAME") ** 3)
            return inner.gradient(loss, x) ** 2
        compare(f"{name} second order", tf, mtf, f, f, [x], dict(rtol=1e-5, atol=1e-5), 4, names=("input",))
