"""minitf.nn convolution and pooling against naive loop references written here, and gradchecks.

The references loop over output pixels and kernel offsets (slow and obvious); padding for
SAME is computed here from TF's rule, independently of minitf. Tolerances: float64 forward
checks rtol 1e-10; float32 rtol 1e-5 atol 1e-5 (sums of up to ~100 products);
gradcheck in float64 with its defaults (atol 1e-5, rtol 1e-4).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as tf
from minitf import array_backend as B
from minitf.errors import InvalidArgumentError
from minitf.testing import gradcheck


# --- independent references ---------------------------------------------------------------
def same_pads(n: int, k: int, s: int, d: int = 1) -> tuple[int, int]:
    """TF's SAME split: out = ceil(n/s); total = max((out-1)*s + span - n, 0); extra cell after."""
    span = (k - 1) * d + 1
    total = max((math.ceil(n / s) - 1) * s + span - n, 0)
    return total // 2, total - total // 2


def resolve_pads(padding, in_hw, kernel, strides, dilations):
    if padding == "VALID":
        return ((0, 0), (0, 0))
    if padding == "SAME":
        return tuple(same_pads(n, k, s, d) for n, k, s, d in zip(in_hw, kernel, strides, dilations))
    return (tuple(padding[1]), tuple(padding[2]))


def out_size(n, k, s, d, lo, hi):
    return (n + lo + hi - ((k - 1) * d + 1)) // s + 1


def naive_conv2d(x, w, strides, dilations, pads):
    n, h, wd, c = x.shape
    kh, kw, _, f = w.shape
    (sh, sw), (dh, dw), ((pt, pb), (pl, pr)) = strides, dilations, pads
    xp = np.zeros((n, h + pt + pb, wd + pl + pr, c), x.dtype)
    xp[:, pt:pt + h, pl:pl + wd] = x
    oh, ow = out_size(h, kh, sh, dh, pt, pb), out_size(wd, kw, sw, dw, pl, pr)
    y = np.zeros((n, oh, ow, f), np.float64)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    y[:, i, j, :] += xp[:, i * sh + a * dh, j * sw + b * dw, :].astype(np.float64) @ w[a, b]
    return y


def naive_filter_gradient(x, dy, kernel_hw, strides, dilations, pads):
    """dw[a, b, c, f] = sum over n, i, j of x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * dy[n, i, j, f]."""
    n, h, wd, c = x.shape
    (kh, kw), (sh, sw), (dh, dw), ((pt, pb), (pl, pr)) = kernel_hw, strides, dilations, pads
    xp = np.zeros((n, h + pt + pb, wd + pl + pr, c))
    xp[:, pt:pt + h, pl:pl + wd] = x
    grad = np.zeros((kh, kw, c, dy.shape[-1]))
    for i in range(dy.shape[1]):
        for j in range(dy.shape[2]):
            for a in range(kh):
                for b in range(kw):
                    grad[a, b] += xp[:, i * sh + a * dh, j * sw + b * dw, :].T @ dy[:, i, j, :]
    return grad


def naive_conv2d_transpose(dy, w, out_shape, strides, dilations, pads):
    """Scatter each dy pixel, times the kernel, onto the padded output; crop."""
    n, h, wd, c = out_shape
    kh, kw, _, _ = w.shape
    (sh, sw), (dh, dw), ((pt, pb), (pl, pr)) = strides, dilations, pads
    out = np.zeros((n, h + pt + pb, wd + pl + pr, c))
    for i in range(dy.shape[1]):
        for j in range(dy.shape[2]):
            for a in range(kh):
                for b in range(kw):
                    out[:, i * sh + a * dh, j * sw + b * dw, :] += dy[:, i, j, :] @ w[a, b].T
    return out[:, pt:pt + h, pl:pl + wd]


def naive_pool(x, k, s, pads, kind):
    """Max (padding never wins) or mean over the real cells of each window; and the max winners."""
    n, h, wd, c = x.shape
    (kh, kw), (sh, sw), ((pt, pb), (pl, pr)) = k, s, pads
    oh, ow = out_size(h, kh, sh, 1, pt, pb), out_size(wd, kw, sw, 1, pl, pr)
    y = np.zeros((n, oh, ow, c))
    grad = np.zeros(x.shape)  # d sum(y) / dx for max: 1 at each window's first maximum
    for i in range(oh):
        for j in range(ow):
            rows = [r for r in range(i * sh - pt, i * sh - pt + kh) if 0 <= r < h]
            cols = [q for q in range(j * sw - pl, j * sw - pl + kw) if 0 <= q < wd]
            window = x[:, rows][:, :, cols].reshape(n, -1, c)
            if kind == "max":
                y[:, i, j] = window.max(axis=1)
                first = window.argmax(axis=1)  # numpy: the first maximum in row-major order
                for bn in range(n):
                    for ch in range(c):
                        r, q = divmod(int(first[bn, ch]), len(cols))
                        grad[bn, rows[r], cols[q], ch] += 1
            else:
                y[:, i, j] = window.mean(axis=1)
    return y, grad


# --- hypothesis cases --------------------------------------------------------------------
@st.composite
def conv_cases(draw, max_hw=6):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    dh, dw = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kind = draw(st.sampled_from(["VALID", "SAME", "explicit"]))
    if kind == "explicit":
        pt, pb, pl, pr = (draw(st.integers(0, 2)) for _ in range(4))
        padding = [[0, 0], [pt, pb], [pl, pr], [0, 0]]
    else:
        pt = pb = pl = pr = 0
        padding = kind
    span_h, span_w = (kh - 1) * dh + 1, (kw - 1) * dw + 1
    lo_h = max(1, span_h - pt - pb) if kind != "SAME" else 1
    lo_w = max(1, span_w - pl - pr) if kind != "SAME" else 1
    h = draw(st.integers(lo_h, max(lo_h, max_hw)))
    w = draw(st.integers(lo_w, max(lo_w, max_hw)))
    # c up to 5: conv.py builds im2col one way below 4 input channels and another from 4 on.
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    return dict(shape=(n, h, w, c), kernel=(kh, kw, c, f), strides=(sh, sw), dilations=(dh, dw),
                padding=padding, seed=seed)


def arrays(case, dtype=np.float64):
    rng = np.random.default_rng(case["seed"])
    return rng.standard_normal(case["shape"]).astype(dtype), rng.standard_normal(case["kernel"]).astype(dtype)


def pads_of(case):
    return resolve_pads(case["padding"], case["shape"][1:3], case["kernel"][:2], case["strides"], case["dilations"])


# --- conv2d -------------------------------------------------------------------------------
@given(conv_cases())
def test_conv2d_forward_matches_naive_loops(case):
    x, w = arrays(case)
    got = tf.nn.conv2d(x, w, case["strides"], case["padding"], dilations=case["dilations"]).numpy()
    want = naive_conv2d(x, w, case["strides"], case["dilations"], pads_of(case))
    assert got.shape == want.shape, f"conv2d: shape {got.shape} vs naive {want.shape} for {case}"
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=f"conv2d float64 vs naive, {case}")


@given(conv_cases())
def test_conv2d_float32_stays_float32(case):
    x, w = arrays(case, np.float32)
    got = tf.nn.conv2d(x, w, case["strides"], case["padding"], dilations=case["dilations"])
    assert got.dtype == tf.float32
    want = naive_conv2d(x, w, case["strides"], case["dilations"], pads_of(case))
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-5, atol=1e-5, err_msg=f"conv2d float32 vs naive, {case}")


@given(conv_cases(max_hw=5))
def test_conv2d_gradcheck_input_and_filters(case):
    x, w = arrays(case)
    gradcheck(lambda x, w: tf.nn.conv2d(x, w, case["strides"], case["padding"], dilations=case["dilations"]), [x, w])


@given(conv_cases(max_hw=4))
def test_conv2d_second_order_gradcheck(case):
    """The backward ops record their own backward: d/d(x, w) of a gradient is right."""
    x, w = arrays(case)

    def grads(x, w):
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            y = tf.nn.conv2d(x, w, case["strides"], case["padding"], dilations=case["dilations"])
            loss = tf.reduce_sum(y * y)
        gx, gw = tape.gradient(loss, [x, w])
        return tf.reduce_sum(gx * gx) + tf.reduce_sum(gw * gw * gw)

    gradcheck(grads, [x, w])


@given(conv_cases(max_hw=7), st.sampled_from(["im2col", "shifted", "row_taps"]), st.booleans())
def test_conv2d_and_its_two_gradients_by_every_kernel_in_any_blocks_match_naive_loops(case, kernel, one_row):
    """Each correlation kernel (``correlate_shifted`` for every stride-1 case when ``kernel`` is
    "shifted"; row taps for both gradients at every vertical stride of 1 when "row_taps"; else
    ``correlate_im2col``), with the default blocks or, when ``one_row``, with a budget of a
    few bytes: one output row of one image per block (the path of large images), padded alone."""
    from unittest import mock

    from minitf.nn import conv as conv_module

    budget = 8 if one_row else conv_module.BLOCK_BYTES
    shifted = kernel == "shifted"
    choice = (lambda strides, c, f: tuple(strides) == (1, 1)) if shifted else (lambda strides, c, f: False)
    row_taps = (lambda strides, kh, c, f: strides[0] == 1) if kernel == "row_taps" else (lambda strides, kh, c, f: False)
    x, w = arrays(case)
    pads = pads_of(case)
    want_y = naive_conv2d(x, w, case["strides"], case["dilations"], pads)
    dy = np.random.default_rng(case["seed"] + 1).standard_normal(want_y.shape)
    want_dx = naive_conv2d_transpose(dy, w, x.shape, case["strides"], case["dilations"], pads)
    want_dw = naive_filter_gradient(x, dy, w.shape[:2], case["strides"], case["dilations"], pads)
    with mock.patch.object(conv_module, "BLOCK_BYTES", budget), mock.patch.object(conv_module, "GPU_BLOCK_BYTES", budget), \
            mock.patch.object(conv_module, "use_shifted_products", choice), \
            mock.patch.object(conv_module, "use_row_taps", row_taps):
        y = tf.nn.conv2d(x, w, case["strides"], case["padding"], dilations=case["dilations"]).numpy()
        dx = tf.nn.conv2d_transpose(dy, w, x.shape, case["strides"], case["padding"],
                                    dilations=case["dilations"]).numpy()
        xt, dyt = tf.constant(x), tf.constant(dy)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            wt = tf.constant(w)
            tape.watch(wt)
            out = tf.nn.conv2d(xt, wt, case["strides"], case["padding"], dilations=case["dilations"])
        dw = tape.gradient(out, wt, output_gradients=dyt).numpy()
    np.testing.assert_allclose(y, want_y, rtol=1e-10, atol=1e-12, err_msg=f"conv2d ({kernel}, one row {one_row}), {case}")
    np.testing.assert_allclose(dx, want_dx, rtol=1e-10, atol=1e-12, err_msg=f"its input gradient, {case}")
    np.testing.assert_allclose(dw, want_dw, rtol=1e-10, atol=1e-12, err_msg=f"its filter gradient, {case}")


@given(st.integers(1, 300), st.integers(1, 300))
def test_row_blocks_are_even_and_cover_every_row_once(total, most):
    """A block of 1 row after blocks of ``most`` would run its product at a fraction of full speed."""
    from minitf.nn.conv import even_chunks

    chunks = list(even_chunks(total, most))
    assert [start for start, _ in chunks] == [0] + [stop for _, stop in chunks[:-1]] and chunks[-1][1] == total
    sizes = [stop - start for start, stop in chunks]
    assert max(sizes) <= most and max(sizes) - min(sizes) <= 1 and len(chunks) == -(-total // most), (total, most, chunks)


def test_conv2d_non_contiguous_inputs():
    rng = np.random.default_rng(1)
    big = rng.standard_normal((2, 9, 14, 8))
    x = big[:, ::2, ::-2, 1::2]                      # strided, reversed, offset: not contiguous
    w = np.transpose(rng.standard_normal((4, 3, 3, 2)), (1, 2, 0, 3))  # (3, 3, 4, 2), Fortran-ish strides
    assert not x.flags.c_contiguous and not w.flags.c_contiguous
    got = tf.nn.conv2d(x, w, 1, "SAME").numpy()
    want = naive_conv2d(np.ascontiguousarray(x), np.ascontiguousarray(w), (1, 1), (1, 1), resolve_pads(
        "SAME", x.shape[1:3], (3, 3), (1, 1), (1, 1)))
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg="conv2d on non-contiguous arrays")
    gradcheck(lambda x, w: tf.nn.conv2d(x, w, 2, "VALID"), [tf.constant(x[:1, :4, :5, :2]), w[:, :, :2, :]])


def test_conv2d_nchw_is_nhwc_transposed():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 5, 6, 3)), rng.standard_normal((3, 2, 3, 4))
    nhwc = tf.nn.conv2d(x, w, [1, 2, 1, 1], "SAME").numpy()
    nchw = tf.nn.conv2d(x.transpose(0, 3, 1, 2), w, [1, 1, 2, 1], "SAME", data_format="NCHW").numpy()
    np.testing.assert_allclose(nchw, nhwc.transpose(0, 3, 1, 2), rtol=1e-12, atol=1e-12,
                               err_msg="conv2d NCHW differs from NHWC")


def test_conv2d_strides_argument_forms_agree():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((1, 7, 7, 2)), rng.standard_normal((3, 3, 2, 2))
    ref = tf.nn.conv2d(x, w, 2, "SAME").numpy()
    for s in ([2], [2, 2], [1, 2, 2, 1], (2, 2)):
        np.testing.assert_array_equal(tf.nn.conv2d(x, w, s, "SAME").numpy(), ref, err_msg=f"strides={s}")


# --- conv2d_transpose -----------------------------------------------------------------------
@given(conv_cases())
def test_conv2d_transpose_matches_naive_scatter_and_is_the_adjoint(case):
    x, w = arrays(case)
    pads = pads_of(case)
    y_shape = naive_conv2d(x, w, case["strides"], case["dilations"], pads).shape
    dy = np.random.default_rng(case["seed"] + 1).standard_normal(y_shape)
    got = tf.nn.conv2d_transpose(dy, w, x.shape, case["strides"], case["padding"], dilations=case["dilations"]).numpy()
    want = naive_conv2d_transpose(dy, w, x.shape, case["strides"], case["dilations"], pads)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=f"conv2d_transpose vs naive, {case}")
    # <conv2d(x, w), dy> == <x, conv2d_transpose(dy, w)>: the transpose of a linear map, by definition.
    lhs = float(np.sum(naive_conv2d(x, w, case["strides"], case["dilations"], pads) * dy))
    np.testing.assert_allclose(float(np.sum(x * got)), lhs, rtol=1e-10, atol=1e-10, err_msg="adjoint identity")


@given(conv_cases(max_hw=4))
def test_conv2d_transpose_gradcheck(case):
    x, w = arrays(case)
    y_shape = naive_conv2d(x, w, case["strides"], case["dilations"], pads_of(case)).shape
    dy = np.random.default_rng(case["seed"] + 1).standard_normal(y_shape)
    gradcheck(lambda dy, w: tf.nn.conv2d_transpose(dy, w, x.shape, case["strides"], case["padding"],
                                                   dilations=case["dilations"]), [dy, w])


# --- conv1d -------------------------------------------------------------------------------------
@st.composite
def conv1d_cases(draw):
    k, s, d = draw(st.integers(1, 3)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    padding = draw(st.sampled_from(["VALID", "SAME"]))
    span = (k - 1) * d + 1
    width = draw(st.integers(span if padding == "VALID" else 1, 8))
    # c up to 5: conv.py builds im2col one way below 4 input channels and another from 4 on.
    n, c, f = draw(st.integers(1, 2)), draw(st.integers(1, 5)), draw(st.integers(1, 3))
    return dict(shape=(n, width, c), kernel=(k, c, f), stride=s, dilation=d, padding=padding,
                seed=draw(st.integers(0, 2**16)))


@given(conv1d_cases())
def test_conv1d_forward_and_gradcheck(case):
    rng = np.random.default_rng(case["seed"])
    x, w = rng.standard_normal(case["shape"]), rng.standard_normal(case["kernel"])
    s, d, k = case["stride"], case["dilation"], case["kernel"][0]
    lo, hi = same_pads(x.shape[1], k, s, d) if case["padding"] == "SAME" else (0, 0)
    xp = np.pad(x, ((0, 0), (lo, hi), (0, 0)))
    ow = (xp.shape[1] - (k - 1) * d - 1) // s + 1
    want = np.stack([sum(xp[:, i * s + a * d, :] @ w[a] for a in range(k)) for i in range(ow)], axis=1)
    got = tf.nn.conv1d(x, w, s, case["padding"], dilations=d)
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-10, atol=1e-12, err_msg=f"conv1d vs naive, {case}")
    gradcheck(lambda x, w: tf.nn.conv1d(x, w, s, case["padding"], dilations=d), [x, w])
    # conv1d_transpose's filters are (K, out_channels, in_channels): w's (K, C, F) layout read backwards.
    gradcheck(lambda y, w: tf.nn.conv1d_transpose(y, w, x.shape, s, case["padding"], dilations=d), [want, w])


def test_conv1d_explicit_padding_is_valid_on_the_padded_input():
    """A minitf extension (TF's conv1d takes only strings): [[0, 0], [left, right], [0, 0]]."""
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 6, 3)), rng.standard_normal((3, 3, 2))
    got = tf.nn.conv1d(x, w, 1, [[0, 0], [2, 1], [0, 0]]).numpy()
    want = tf.nn.conv1d(np.pad(x, ((0, 0), (2, 1), (0, 0))), w, 1, "VALID").numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg="conv1d explicit padding")


def test_conv1d_ncw_matches_nwc():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 9, 3)), rng.standard_normal((3, 3, 2))
    nwc = tf.nn.conv1d(x, w, 2, "SAME").numpy()
    ncw = tf.nn.conv1d(x.transpose(0, 2, 1), w, 2, "SAME", data_format="NCW").numpy()
    np.testing.assert_allclose(ncw, nwc.transpose(0, 2, 1), rtol=1e-12, atol=1e-12, err_msg="conv1d NCW vs NWC")


# --- pooling -------------------------------------------------------------------------------------
@st.composite
def pool_cases(draw, max_hw=7):
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    sh, sw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["VALID", "SAME"]))
    h = draw(st.integers(kh if padding == "VALID" else 1, max_hw))
    w = draw(st.integers(kw if padding == "VALID" else 1, max_hw))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    ties = draw(st.booleans())
    return dict(shape=(n, h, w, c), ksize=(kh, kw), strides=(sh, sw), padding=padding, ties=ties,
                seed=draw(st.integers(0, 2**16)))


def pool_input(case):
    rng = np.random.default_rng(case["seed"])
    if case["ties"]:  # few distinct values: many ties, which must go to the first maximum
        return rng.integers(-2, 2, case["shape"]).astype(np.float64)
    return rng.permutation(np.prod(case["shape"])).reshape(case["shape"]).astype(np.float64) / 50 - 1  # 0.02 apart


@given(pool_cases())
def test_max_pool2d_matches_naive_and_first_max_gets_the_gradient(case):
    x = pool_input(case)
    pads = resolve_pads(case["padding"], x.shape[1:3], case["ksize"], case["strides"], (1, 1))
    want, want_grad = naive_pool(x, case["ksize"], case["strides"], pads, "max")
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.max_pool2d(xt, case["ksize"], case["strides"], case["padding"])
    np.testing.assert_array_equal(y.numpy(), want, err_msg=f"max_pool2d vs naive, {case}")
    np.testing.assert_array_equal(tape.gradient(y, xt).numpy(), want_grad, err_msg=f"max_pool2d gradient, {case}")


@given(pool_cases())
def test_avg_pool2d_matches_naive_excluding_padding(case):
    x = pool_input(case)
    pads = resolve_pads(case["padding"], x.shape[1:3], case["ksize"], case["strides"], (1, 1))
    want, _ = naive_pool(x, case["ksize"], case["strides"], pads, "avg")
    got = tf.nn.avg_pool2d(x, case["ksize"], case["strides"], case["padding"]).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=f"avg_pool2d vs naive, {case}")


@given(pool_cases(max_hw=5))
def test_pool_gradchecks_first_and_second_order(case):
    x = pool_input(dict(case, ties=False))  # distinct values: the max is differentiable
    k, s, p = case["ksize"], case["strides"], case["padding"]
    gradcheck(lambda x: tf.nn.avg_pool2d(x, k, s, p), [x])
    gradcheck(lambda x: tf.nn.max_pool2d(x, k, s, p), [x])

    def second(pool):
        def f(x):
            with tf.GradientTape() as tape:
                tape.watch(x)
                loss = tf.reduce_sum(pool(x, k, s, p) ** 3)
            return tape.gradient(loss, x) ** 2
        return f

    gradcheck(second(tf.nn.avg_pool2d), [x])
    gradcheck(second(tf.nn.max_pool2d), [x])


@pytest.mark.parametrize("ksize, shape", [((2, 2), (3, 6, 8, 10)), ((3, 2), (2, 9, 4, 3)), ((1, 3), (2, 2, 9, 1)),
                                          ((2, 2), (2, 4, 4, 64))])
def test_max_pool_grad_of_tiling_windows_equals_the_general_scatter(ksize, shape, monkeypatch):
    """Windows that tile the input (stride = window, no padding) take a fast path on the views of each
    window cell, a block of rows at a time; it must give the general path's bits: ties to the first
    maximum in row-major window order (0.0 and -0.0 tie), NaN and -inf windows as TF's scan has them
    (see ``_winners``), +0.0 (never -0.0) in cells that did not win."""
    from minitf.nn import conv as conv_module
    from minitf.nn.conv import window_geometry
    from minitf.nn.pooling import MaxPool, MaxPoolGrad, _winners, _windows, col2im

    monkeypatch.setattr(conv_module, "BLOCK_BYTES", 512)  # several blocks even for these small inputs
    monkeypatch.setattr(conv_module, "GPU_BLOCK_BYTES", 512)
    rng = np.random.default_rng(sum(shape))
    x = rng.integers(-2, 2, shape).astype(np.float32)  # many ties
    x[rng.random(shape) < 0.2] = -0.0
    x[0, 0, 0, 0] = np.nan  # a first cell
    x[-1, -1, -1, 0] = np.nan  # a last cell
    x[-1, -1, -1, -1] = -np.inf
    x[0, -ksize[0]:, -ksize[1]:, -1] = -np.inf  # a window where no cell equals its max (the lowest float)
    x[0, -1, -1, -1] = np.nan
    geom = window_geometry("MaxPool", shape[1:3], ksize, ksize, (1, 1), "VALID")
    x = B.xp.asarray(x)
    y = MaxPool.forward(x, geom)
    dy = B.xp.asarray(rng.standard_normal(y.shape).astype(np.float32))  # negative values: -0.0 would show
    winner = _winners(_windows(x, geom), y, geom)
    general = B.to_numpy(col2im(lambda a, b: dy * (winner == a * ksize[1] + b), geom, shape[0], shape[-1], dy.dtype))
    fast = B.to_numpy(MaxPoolGrad.forward(dy, x, y, geom))
    assert fast.tobytes() == general.tobytes()
    assert not np.signbit(fast[fast == 0]).any()


@pytest.mark.parametrize("dtype", ["float32", "float16", "float64", "int32"])
@pytest.mark.parametrize("ksize, shape", [((2, 2), (3, 6, 8, 10)), ((3, 2), (2, 9, 4, 3)), ((2, 3), (2, 4, 9, 1))])
def test_max_pool_of_tiling_windows_row_max_first_equals_the_cell_by_cell_scan(ksize, shape, dtype, monkeypatch):
    """Without -0.0 in its rows, the tiling forward takes the max of each window's rows first, then
    across its columns (``_row_max``): the bits of the cell-by-cell scan over the general window view,
    NaN skipped, a window of NaN and -inf only pooled to the lowest finite value."""
    from minitf._tf_compat import window_max
    from minitf.nn import conv as conv_module
    from minitf.nn.conv import window_geometry
    from minitf.nn.pooling import MaxPool, _windows

    monkeypatch.setattr(conv_module, "BLOCK_BYTES", 256)  # several blocks even for these small inputs
    monkeypatch.setattr(conv_module, "GPU_BLOCK_BYTES", 256)
    rng = np.random.default_rng(sum(shape))
    x = rng.integers(-3, 4, shape).astype(dtype) + 1  # many ties; no -0.0 (1 + -1 is +0.0)
    if x.dtype.kind == "f":
        x[rng.random(shape) < 0.15] = np.nan
        x[rng.random(shape) < 0.15] = -np.inf
        x[0, :ksize[0], :ksize[1], 0] = np.nan  # a window of NaN only
        x[-1, -ksize[0]:, -ksize[1]:, -1] = -np.inf  # one of -inf only
    geom = window_geometry("MaxPool", shape[1:3], ksize, ksize, (1, 1), "VALID")
    x = B.xp.asarray(x)
    windows = _windows(x, geom)
    scan = window_max((windows[:, :, :, a, b, :] for a in range(ksize[0]) for b in range(ksize[1])), x.dtype,
                      negative_zeros=True)
    assert B.to_numpy(MaxPool.forward(x, geom)).tobytes() == B.to_numpy(scan).tobytes()


@pytest.mark.parametrize("budget", [8, 1 << 20])  # one output row per block; whole images
def test_max_pool_of_tiling_windows_in_blocks_matches_naive_loops(budget, monkeypatch):
    from minitf.nn import conv as conv_module

    monkeypatch.setattr(conv_module, "BLOCK_BYTES", budget)
    monkeypatch.setattr(conv_module, "GPU_BLOCK_BYTES", budget)
    x = np.random.default_rng(budget).permutation(3 * 8 * 6 * 5).reshape(3, 8, 6, 5).astype(np.float32)
    for k in ((2, 2), (2, 3), (4, 1)):
        want, _ = naive_pool(x, k, k, ((0, 0), (0, 0)), "max")
        np.testing.assert_array_equal(tf.nn.max_pool2d(x, k, k, "VALID").numpy(), want, err_msg=f"window {k}")


def test_pool1d_and_generic_names():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 9, 3))
    want_max = np.stack([x[:, i * 2:i * 2 + 3].max(axis=1) for i in range(4)], axis=1)
    want_avg = np.stack([x[:, i * 2:i * 2 + 3].mean(axis=1) for i in range(4)], axis=1)
    np.testing.assert_array_equal(tf.nn.max_pool1d(x, 3, 2, "VALID").numpy(), want_max)
    np.testing.assert_array_equal(tf.nn.max_pool(x, 3, 2, "VALID").numpy(), want_max)
    np.testing.assert_allclose(tf.nn.avg_pool1d(x, 3, 2, "VALID").numpy(), want_avg, rtol=1e-12)
    np.testing.assert_allclose(tf.nn.avg_pool(x, [3], [2], "VALID").numpy(), want_avg, rtol=1e-12)
    np.testing.assert_allclose(tf.nn.max_pool1d(x.transpose(0, 2, 1), 3, 2, "VALID", data_format="NCW").numpy(),
                               want_max.transpose(0, 2, 1), rtol=0)
    # SAME, width 9, k 2, s 2: windows [0,1] ... [8, pad]; the last mean is over the one real cell
    np.testing.assert_allclose(tf.nn.avg_pool1d(x, 2, 2, "SAME").numpy()[:, -1], x[:, 8], rtol=1e-12)
    gradcheck(lambda x: tf.nn.max_pool1d(x, 2, 1, "SAME"), [x[:1]])
    x4 = rng.standard_normal((1, 4, 5, 2))
    np.testing.assert_array_equal(tf.nn.max_pool(x4, 2, 2, "SAME").numpy(), tf.nn.max_pool2d(x4, 2, 2, "SAME").numpy())


def test_max_pool_explicit_padding_never_lets_padding_win():
    x = np.arange(1, 13, dtype=np.float32).reshape(1, 3, 4, 1) - 20  # all negative: 0-padding would win
    got = tf.nn.max_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]]).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(got, np.array([[1, 3, 4], [9, 11, 12]], np.float32) - 20)


def test_max_pool_integers_and_avg_pool_refuses_them():
    x = np.arange(16, dtype=np.int32).reshape(1, 4, 4, 1)
    y = tf.nn.max_pool2d(x, 2, 2, "VALID")
    assert y.dtype == tf.int32
    np.testing.assert_array_equal(y.numpy()[0, :, :, 0], [[5, 7], [13, 15]])
    with pytest.raises(TypeError, match="avg_pool2d: input must be floating point"):
        tf.nn.avg_pool2d(x, 2, 2, "VALID")


# --- errors --------------------------------------------------------------------------------------
def test_conv2d_error_on_3d_input_names_the_layout_and_shape():
    with pytest.raises(InvalidArgumentError, match=r"Conv2D: input must be 4-D \(batch, height, width, channels\), "
                                                   r"got shape \(28, 28, 3\)"):
        tf.nn.conv2d(np.zeros((28, 28, 3), np.float32), np.zeros((3, 3, 3, 8), np.float32), 1, "SAME")


def test_conv2d_error_when_kernel_larger_than_padded_input():
    # TF's reference kernels: output size (n - span + s) / s, truncated; 0 gives an empty output,
    # a negative size is an InvalidArgumentError naming the sizes (TF's oneDNN CPU build crashes here instead).
    with pytest.raises(InvalidArgumentError, match=r"output size would be negative: -2 \[input_size: 2, "
                                                   r"effective_filter_size: 5, stride: 1\]"):
        tf.nn.conv2d(np.zeros((1, 2, 9, 1), np.float32), np.zeros((5, 3, 1, 1), np.float32), 1, "VALID")
    with pytest.raises(InvalidArgumentError, match="effective_filter_size: 7.*dilation 3"):
        tf.nn.conv2d(np.zeros((1, 5, 9, 1), np.float32), np.zeros((3, 1, 1, 1), np.float32), 1,
                     [[0, 0], [0, 0], [0, 0], [0, 0]], dilations=3)
    with pytest.raises(InvalidArgumentError, match="max_pool2d: Computed output size would be negative"):
        tf.nn.max_pool2d(np.zeros((1, 2, 2, 1), np.float32), 4, 1, "VALID")


def test_kernel_one_larger_than_the_input_gives_an_empty_output():
    y = tf.nn.conv2d(np.ones((1, 2, 2, 1), np.float32), np.ones((3, 3, 1, 4), np.float32), 1, "VALID")
    assert tuple(y.shape) == (1, 0, 0, 4)
    assert tuple(tf.nn.max_pool2d(np.ones((1, 2, 2, 1), np.float32), 3, 1, "VALID").shape) == (1, 0, 0, 1)
    assert tuple(tf.nn.conv2d(np.ones((1, 2, 2, 1), np.float32), np.ones((5, 5, 1, 4), np.float32), 2,
                              "VALID").shape) == (1, 0, 0, 4)  # (2 - 5 + 2) / 2 truncates to 0


def test_conv2d_error_on_channel_mismatch():
    with pytest.raises(InvalidArgumentError, match=r"input has 3 channels .*filters expect 2 .*\(3, 3, 2, 4\)"):
        tf.nn.conv2d(np.zeros((1, 5, 5, 3), np.float32), np.zeros((3, 3, 2, 4), np.float32), 1, "SAME")
    with pytest.raises(InvalidArgumentError, match="conv1d: filters must be 3-D"):
        tf.nn.conv1d(np.zeros((1, 5, 3), np.float32), np.zeros((3, 3, 3, 4), np.float32), 1, "SAME")


def test_other_argument_errors():
    x, w = np.zeros((1, 5, 5, 2), np.float32), np.zeros((3, 3, 2, 4), np.float32)
    with pytest.raises(InvalidArgumentError, match="padding must be 'VALID' or 'SAME'"):
        tf.nn.conv2d(x, w, 1, "FULL")
    with pytest.raises(InvalidArgumentError, match="explicit padding"):
        tf.nn.conv2d(x, w, 1, [[1, 1], [1, 1]])
    with pytest.raises(InvalidArgumentError, match="strides must be positive"):
        tf.nn.conv2d(x, w, 0, "SAME")
    with pytest.raises(TypeError, match="one dtype"):
        tf.nn.conv2d(x, w.astype(np.float64), 1, "SAME")
    with pytest.raises(InvalidArgumentError, match=r"input spatial size \(4, 4\) does not match output_shape"):
        tf.nn.conv2d_transpose(np.zeros((1, 4, 4, 4), np.float32), w, (1, 5, 5, 2), 1, "SAME")
    with pytest.raises(InvalidArgumentError, match="avg_pool2d: padding must be the string"):
        tf.nn.avg_pool2d(x, 2, 2, [[0, 0], [1, 1], [1, 1], [0, 0]])
    with pytest.raises(InvalidArgumentError, match=r"explicit padding \(0, 2\) on spatial axis 1 must be smaller"):
        tf.nn.max_pool2d(x, 2, 2, [[0, 0], [1, 1], [0, 2], [0, 0]])
    with pytest.raises(InvalidArgumentError, match=r"max_pool2d: input must be 4-D \(batch, height, width, channels\)"):
        tf.nn.max_pool2d(np.zeros((5, 5, 2), np.float32), 2, 2, "VALID")


# --- memory: patch matrices are built a block at a time ---------------------------------------------
@pytest.mark.parametrize("strides, padding", [(1, "SAME"), (2, "VALID")])
def test_convolution_intermediates_stay_bounded_whatever_the_batch(strides, padding, monkeypatch):
    """conv2d and both its gradients on 64 images of 64x64x16 per thread with a 3x3 kernel: a whole
    patch matrix would take 9x the input (144 MiB per 64 images at stride 1, 35 MiB at stride 2).
    Measured with tracemalloc (NumPy reports its arrays to it): the peak above what is alive before
    each op never exceeds the op's own result plus a few blocks per thread (conv.BLOCK_BYTES each,
    set to 1 MiB here; two threads on NumPy), i.e. no intermediate grows with the batch."""
    import tracemalloc

    from minitf import parallel
    from minitf.nn import conv as conv_module
    from minitf.nn.conv import Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, window_geometry

    monkeypatch.setattr(conv_module, "BLOCK_BYTES", 1 << 20)
    monkeypatch.setattr(conv_module, "GPU_BLOCK_BYTES", 1 << 20)  # the same bound on a device backend
    monkeypatch.setattr(parallel, "_requested", 2)  # two threads, each with its own blocks
    batch = 64 * parallel.workers()  # each thread's blocks are alive at once: more images keep the test meaningful
    rng = np.random.default_rng(0)
    x = B.xp.asarray(rng.standard_normal((batch, 64, 64, 16), dtype=np.float32))  # 16 MiB per 64 images
    w = B.xp.asarray(rng.standard_normal((3, 3, 16, 16), dtype=np.float32))
    geom = window_geometry("Conv2D", (64, 64), (3, 3), (strides, strides), (1, 1), padding)
    dy = B.xp.asarray(rng.standard_normal((batch, *geom.out_hw, 16), dtype=np.float32))
    allowance = 4 * conv_module.BLOCK_BYTES * parallel.workers()
    patch_matrix_bytes = batch * geom.out_hw[0] * geom.out_hw[1] * 9 * 16 * 4
    assert patch_matrix_bytes > 8 * allowance  # the test means something: a full im2col would not fit
    for name, run in (("Conv2D", lambda: Conv2D.forward(x, w, geom)),
                      ("Conv2DBackpropInput", lambda: Conv2DBackpropInput.forward(dy, w, geom)),
                      ("Conv2DBackpropFilter", lambda: Conv2DBackpropFilter.forward(x, dy, geom))):
        tracemalloc.start()
        try:
            before, _ = tracemalloc.get_traced_memory()
            result = run()
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        extra = peak - before - result.nbytes
        assert extra <= allowance, (f"{name}: {extra / 2**20:.1f} MiB of intermediates (allowed "
                                    f"{allowance / 2**20:.0f} MiB; a full patch matrix: {patch_matrix_bytes / 2**20:.0f} MiB)")


@pytest.mark.parametrize("channels", [1, 4])  # the scatter (1-3 channels) and the correlation (4 on)
@pytest.mark.parametrize("strides", [1, 2])
def test_empty_output_has_zero_gradients(channels, strides):
    """A kernel larger than the input: no window, so dx and dw are zeros (and nothing breaks)."""
    x = tf.constant(np.ones((2, 2, 3, channels), np.float32))
    w = tf.constant(np.ones((3, 4, channels, 2), np.float32))
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.nn.conv2d(x, w, strides, "VALID")
    assert tuple(y.shape) == (2, 0, 0, 2)
    dx, dw = tape.gradient(y, [x, w], output_gradients=tf.zeros_like(y))
    np.testing.assert_array_equal(dx.numpy(), np.zeros(x.shape, np.float32))
    np.testing.assert_array_equal(dw.numpy(), np.zeros(w.shape, np.float32))


# --- extra batch axes, and NaN / -inf in max pooling (TF's outcomes, found by the outcome fuzz) ----------
def test_conv_takes_extra_leading_batch_axes_as_tf():
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 3, 5, 5, 2))  # two batch axes
    w = rng.standard_normal((3, 3, 2, 4))
    y = tf.nn.conv2d(x, w, 1, "SAME")
    assert tuple(y.shape) == (2, 3, 5, 5, 4)  # the conv of the 6 images as one batch, unfolded
    np.testing.assert_array_equal(y.numpy().reshape(6, 5, 5, 4), tf.nn.conv2d(x.reshape(6, 5, 5, 2), w, 1, "SAME"))
    for i in range(2):  # each leading index is an ordinary batch (summed in blocks of another size)
        np.testing.assert_allclose(y.numpy()[i], tf.nn.conv2d(x[i], w, 1, "SAME").numpy(), rtol=1e-12, atol=1e-12)
    x1, w1 = rng.standard_normal((2, 3, 7, 2)), rng.standard_normal((3, 2, 4))
    y1 = tf.nn.conv1d(x1, w1, 2, "VALID")
    assert tuple(y1.shape) == (2, 3, 3, 4)
    np.testing.assert_allclose(y1.numpy()[1], tf.nn.conv1d(x1[1], w1, 2, "VALID").numpy(), rtol=1e-12, atol=1e-12)
    gradcheck(lambda x: tf.nn.conv2d(x, w[:2, :2], 1, "VALID"), [x[:, :2, :3, :3]])  # the fold differentiates
    with pytest.raises(InvalidArgumentError, match="Conv2D: input must be 4-D"):  # fewer axes stay an error
        tf.nn.conv2d(x[0, 0], w, 1, "SAME")

    @tf.function(input_signature=[tf.TensorSpec([None, 3, 5, 5, 2], tf.float64)])
    def traced(x):  # an unknown leading axis folds too
        return tf.nn.conv2d(x, w, 1, "VALID")
    np.testing.assert_array_equal(traced(x).numpy(), tf.nn.conv2d(x, w, 1, "VALID").numpy())


def test_max_pool_skips_nan_and_stops_at_the_lowest_finite_value_as_tf_cpu():
    nan, inf, lowest = np.nan, np.inf, np.finfo(np.float32).min
    x = np.array([nan, nan, 1, nan, -inf, -inf, nan, 5], np.float32).reshape(1, 8, 1)
    y = tf.nn.max_pool1d(x, 2, 2, "VALID").numpy().ravel()
    np.testing.assert_array_equal(y, [lowest, 1, lowest, 5])  # [nan nan] [1 nan] [-inf -inf] [nan 5]
    np.testing.assert_array_equal(tf.nn.max_pool1d(x, 3, 2, "SAME").numpy().ravel(), [1, 1, lowest, 5])
    assert tf.nn.max_pool1d(x.astype(np.float16), 2, 2, "VALID").numpy()[0, 0, 0] == np.float16(-65504)
    assert tf.nn.max_pool1d(x.astype(np.float64), 2, 2, "VALID").numpy()[0, 0, 0] == np.finfo(np.float64).min
    grid = np.array([[nan, 1, 2, nan], [nan, nan, 3, -inf]], np.float32).reshape(1, 2, 4, 1)
    np.testing.assert_array_equal(tf.nn.max_pool2d(grid, 2, 2, "VALID").numpy().ravel(), [1, 3])
    np.testing.assert_array_equal(tf.keras.layers.MaxPooling1D(2)(x).numpy().ravel(), [lowest, 1, lowest, 5])
    # The gradient, as TF's MaxPoolGrad scans a window (its first cell, then any strictly larger one):
    # a NaN first cell keeps dy, and so does the first cell of a window of NaN or -inf only.
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        pooled = tf.nn.max_pool1d(xv, 2, 2, "VALID")
    dx = tape.gradient(pooled, xv, output_gradients=tf.constant([1.0, 2.0, 3.0, 4.0], shape=(1, 4, 1)))
    np.testing.assert_array_equal(dx.numpy().ravel(), [1, 0, 2, 0, 3, 0, 4, 0])


# --- the bias gradient: dy summed over the batch and the pixels -----------------------------------------
def test_bias_gradient_of_a_large_conv_output_is_the_sum_over_batch_and_pixels():
    """SumTo sums a large (N, H, W, C) gradient in blocks of rows (rows of width W*C, then the W partial
    sums per channel, each ``SUM_BLOCK`` rows at a time): far more exact than NumPy's one-stage sum,
    which adds the rows one after another; 64 rows or fewer, other axes and non-contiguous arrays
    take the backend's sum, bit for bit."""
    from minitf.ops.elementwise import _WIDE_ROWS_MIN, SUM_BLOCK, sum_over_axes

    rng = np.random.default_rng(5)
    dy_host = (rng.standard_normal((8, 150, 150, 10)) + 0.5).astype(np.float32)
    dy = B.xp.asarray(dy_host)
    assert dy.size >= _WIDE_ROWS_MIN  # the wide-rows path
    exact = dy_host.astype(np.float64).sum(axis=(0, 1, 2))
    got = B.to_numpy(sum_over_axes(dy, (0, 1, 2)))
    assert got.dtype == np.float32 and got.shape == (10,)
    assert sum_over_axes(dy, (0, 1, 2), keepdims=True).shape == (1, 1, 1, 10)
    one_stage_error = np.abs(dy_host.sum(axis=(0, 1, 2)) - exact).max()
    assert np.abs(got - exact).max() <= one_stage_error / 10, (np.abs(got - exact).max(), one_stage_error)
    np.testing.assert_allclose(B.to_numpy(sum_over_axes(dy, (0, 1))), dy_host.astype(np.float64).sum(axis=(0, 1)),
                               rtol=1e-5, atol=1e-3)
    small = dy[:1, :SUM_BLOCK, :1]
    assert B.to_numpy(sum_over_axes(small, (0, 1, 2))).tobytes() == B.to_numpy(small.sum(axis=(0, 1, 2))).tobytes()
    for axes, array in (((1, 2), dy), ((0, 1, 2), dy[:, ::2]), ((0, 1, 2, 3), dy)):
        assert B.to_numpy(sum_over_axes(array, axes)).tobytes() == B.to_numpy(array.sum(axis=axes)).tobytes(), axes
    x = tf.constant(rng.standard_normal((8, 150, 150, 10)).astype(np.float32))
    b = tf.Variable(np.zeros(10, np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum((x + b) * dy_host)
    np.testing.assert_allclose(tape.gradient(loss, b).numpy(), exact, rtol=1e-5)


@given(st.integers(1, 3000), st.integers(1, 3), st.booleans())
def test_blocked_sum_of_rows_is_the_sum_to_a_few_roundings(rows, width, keepdims):
    """Any number of rows (whole blocks, a shorter last block, several levels): the float64 sum to
    a few dozen roundings of the sum of |terms|, where one after another would allow ``rows`` of them."""
    from minitf.ops.elementwise import sum_over_axes

    x = np.random.default_rng(rows).standard_normal((rows, 2, width)).astype(np.float32)
    got = B.to_numpy(sum_over_axes(B.xp.asarray(x), (0, 1), keepdims))
    exact = x.astype(np.float64).sum(axis=(0, 1), keepdims=keepdims)
    assert got.shape == exact.shape and got.dtype == np.float32
    bound = 200 * np.finfo(np.float32).eps * np.abs(x.astype(np.float64)).sum(axis=(0, 1), keepdims=keepdims)
    assert (np.abs(got - exact) <= bound).all(), (rows, width, np.abs(got - exact).max())


def test_reduce_mean_over_a_batch_of_images_is_exact_to_float32_where_one_by_one_is_not():
    """``tf.reduce_mean`` over the batch and pixels (BatchNormalization's moments) adds in blocks: the
    mean of 2**20 copies of 0.1 is 0.1 to float32's precision; added one after another it drifts."""
    x = np.full((16, 256, 256, 2), 0.1, np.float32)  # 2 channels: NumPy adds the pixels one by one
    assert abs(float(x.sum(axis=(0, 1, 2))[0]) / x[..., 0].size - 0.1) > 1e-4  # NumPy's one-by-one sum drifts
    mean = tf.reduce_mean(tf.constant(x), axis=[0, 1, 2]).numpy()
    assert abs(float(mean[0]) - 0.1) <= 1e-7, mean
