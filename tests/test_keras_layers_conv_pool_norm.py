"""Conv1D/Conv2D/Conv2DTranspose, pooling, global pooling, BatchNormalization, LayerNormalization
and ZeroPadding2D/UpSampling2D/Cropping2D, without TensorFlow.

Expected values come from NumPy references written here, independently of minitf (float64,
a loop over the few kernel offsets, never over pixels), from the output-size formulas, and
from finite differences (``minitf.testing.gradcheck``, float64) for every gradient.
Tolerances: float32 layer outputs against float64 references rtol 1e-5, atol 1e-5;
gradcheck atol 1e-5, rtol 1e-4 (its defaults) in float64; BN moving statistics rtol 1e-6.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as mtf
from minitf.testing import gradcheck

layers = mtf.keras.layers
TOL = dict(rtol=1e-5, atol=1e-5)


def _data(shape, seed=0, low=-1.0, high=1.0, dtype="float32"):
    return np.random.default_rng(seed).uniform(low, high, shape).astype(dtype)


# --- NumPy references ---------------------------------------------------------------------------
def _same_pads(n: int, span: int, stride: int) -> tuple[int, int]:
    """TF's "same": ceil(n / s) outputs; the padding split puts the odd cell after."""
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + span - n, 0)
    return total // 2, total - total // 2


def ref_conv2d(x, w, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """y[n,i,j,f] = sum_{a,b,c} xpad[n, s*i + d*a, s*j + d*b, c] w[a,b,c,f], in float64."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    kh, kw = w.shape[:2]
    spans = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    if padding == "same":
        pads = [_same_pads(n, sp, s) for n, sp, s in zip(x.shape[1:3], spans, strides)]
    else:
        pads = [(0, 0), (0, 0)]
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    oh = (xp.shape[1] - spans[0]) // strides[0] + 1
    ow = (xp.shape[2] - spans[1]) // strides[1] + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[3]))
    for a in range(kh):
        for b in range(kw):
            r, c = a * dilation[0], b * dilation[1]
            patch = xp[:, r:r + strides[0] * (oh - 1) + 1:strides[0], c:c + strides[1] * (ow - 1) + 1:strides[1], :]
            out += patch @ w[a, b]
    return out


def ref_conv2d_transpose(x, w, out_hw, strides=(1, 1), padding="valid", dilation=(1, 1)):
    """Scatter each input pixel times the kernel onto the output (the transpose of ref_conv2d)."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    kh, kw = w.shape[:2]
    n, h, wd, _ = x.shape
    spans = ((kh - 1) * dilation[0] + 1, (kw - 1) * dilation[1] + 1)
    if padding == "same":
        tops = [_same_pads(o, sp, s)[0] for o, sp, s in zip(out_hw, spans, strides)]
    else:
        tops = [0, 0]
    size = [max((i - 1) * s + sp, t + o) for i, s, sp, t, o in zip((h, wd), strides, spans, tops, out_hw)]
    canvas = np.zeros((n, size[0], size[1], w.shape[2]))
    for a in range(kh):
        for b in range(kw):
            r, c = a * dilation[0], b * dilation[1]
            canvas[:, r:r + strides[0] * (h - 1) + 1:strides[0], c:c + strides[1] * (wd - 1) + 1:strides[1], :] += \
                x @ w[a, b].T
    return canvas[:, tops[0]:tops[0] + out_hw[0], tops[1]:tops[1] + out_hw[1], :]


def ref_pool2d(x, pool, strides, padding, mode):
    """Max / mean over windows; "same" padding cells are NaN, so they never win and are not counted."""
    x = x.astype(np.float64)
    if padding == "same":
        pads = [_same_pads(n, k, s) for n, k, s in zip(x.shape[1:3], pool, strides)]
    else:
        pads = [(0, 0), (0, 0)]
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)), constant_values=np.nan)
    oh = (xp.shape[1] - pool[0]) // strides[0] + 1
    ow = (xp.shape[2] - pool[1]) // strides[1] + 1
    cells = [xp[:, a:a + strides[0] * (oh - 1) + 1:strides[0], b:b + strides[1] * (ow - 1) + 1:strides[1], :]
             for a in range(pool[0]) for b in range(pool[1])]
    stack = np.stack(cells, axis=-1)
    return np.nanmax(stack, axis=-1) if mode == "max" else np.nanmean(stack, axis=-1)


def ref_batch_norm(x, gamma, beta, mean, var, eps):
    return gamma * (x - mean) / np.sqrt(var + eps) + beta


def expected_length(n, k, s, padding, d=1):
    """Output length, written from the definitions: "valid" counts the window positions that fit."""
    if padding == "valid":
        return len(range(0, n - (k - 1) * d, s))
    return math.ceil(n / s)


# --- helpers: set weights, call with given weight tensors (for gradcheck) ----------------------------------
def _built(layer, shape, weights=None, seed=1):
    layer.build(shape)
    if weights is None:
        rng = np.random.default_rng(seed)
        weights = [rng.uniform(-0.5, 0.5, tuple(w.shape)).astype(np.float32) + (1.0 if "variance" in w.name else 0.0)
                   for w in layer.weights]
    layer.set_weights(weights)
    return layer


def _with_weights(layer, names, training=None):
    """f(x, *weights) = layer.call(x) with the named weight attributes replaced (for gradcheck)."""
    def f(x, *weights):
        saved = [getattr(layer, n) for n in names]
        try:
            for n, w in zip(names, weights):
                object.__setattr__(layer, n, w)
            return layer.call(x, training=training) if training is not None else layer.call(x)
        finally:
            for n, w in zip(names, saved):
                object.__setattr__(layer, n, w)
    return f


def _weights64(layer, names):
    return [getattr(layer, n).numpy().astype(np.float64) for n in names]


# --- Conv2D -----------------------------------------------------------------------------------------
@given(h=st.integers(1, 9), w=st.integers(1, 9), k=st.tuples(st.integers(1, 4), st.integers(1, 4)),
       stride=st.integers(1, 3), dilation=st.integers(1, 2), padding=st.sampled_from(["valid", "same"]),
       use_bias=st.booleans())
def test_conv2d_shape_and_values(h, w, k, stride, dilation, padding, use_bias):
    if stride > 1 and dilation > 1:
        dilation = 1  # Keras refuses the combination (tested below)
    spans = [(kk - 1) * dilation + 1 for kk in k]
    layer = layers.Conv2D(3, k, strides=stride, padding=padding, dilation_rate=dilation, use_bias=use_bias)
    shape = (2, h, w, 2)
    if padding == "valid" and (h < spans[0] or w < spans[1]):
        with pytest.raises(ValueError, match="larger than the input"):
            layer.build(shape)
        return
    _built(layer, shape)
    x = _data(shape)
    y = layer(x).numpy()
    want_shape = (2, expected_length(h, k[0], stride, padding, dilation),
                  expected_length(w, k[1], stride, padding, dilation), 3)
    assert y.shape == want_shape == layer.compute_output_shape(shape)
    want = ref_conv2d(x, layer.kernel.numpy(), (stride,) * 2, padding, (dilation,) * 2)
    if use_bias:
        want = want + layer.bias.numpy()
    np.testing.assert_allclose(y, want, **TOL, err_msg="Conv2D output vs the NumPy reference")


@pytest.mark.parametrize("kwargs", [dict(padding="same"), dict(strides=2), dict(padding="same", strides=(2, 1)),
                                    dict(dilation_rate=2, padding="same"), dict(activation="tanh", padding="same")])
def test_conv2d_gradcheck(kwargs):
    layer = _built(layers.Conv2D(2, (3, 2), dtype="float64", **kwargs), (2, 5, 4, 2))
    names = ["kernel", "bias"]
    gradcheck(_with_weights(layer, names), [_data((2, 5, 4, 2), dtype="float64")] + _weights64(layer, names))


def test_conv2d_defaults_and_initializer():
    layer = layers.Conv2D(8, 3)
    assert (layer.strides, layer.padding, layer.dilation_rate, layer.use_bias) == ((1, 1), "valid", (1, 1), True)
    mtf.random.set_seed(0)
    layer.build((None, 32, 32, 16))
    kernel = layer.kernel.numpy()
    limit = math.sqrt(6 / (3 * 3 * 16 + 3 * 3 * 8))  # glorot_uniform with conv fans
    assert kernel.shape == (3, 3, 16, 8) and np.abs(kernel).max() <= limit and np.abs(kernel).max() > 0.9 * limit
    np.testing.assert_array_equal(layer.bias.numpy(), np.zeros(8, np.float32))
    assert [w.name.split(":")[0] for w in layer.weights] == ["kernel", "bias"]


def test_conv2d_channels_first_matches_channels_last():
    x = _data((2, 6, 5, 3))
    last = _built(layers.Conv2D(4, 3, padding="same", strides=2), (2, 6, 5, 3))
    first = _built(layers.Conv2D(4, 3, padding="same", strides=2, data_format="channels_first"), (2, 3, 6, 5),
                   weights=last.get_weights())
    y_first = first(np.transpose(x, (0, 3, 1, 2))).numpy()
    np.testing.assert_allclose(np.transpose(y_first, (0, 2, 3, 1)), last(x).numpy(), **TOL)
    assert first.compute_output_shape((2, 3, 6, 5)) == (2, 4, 3, 3)


def test_conv2d_integer_input_is_promoted():
    layer = _built(layers.Conv2D(2, 2), (1, 3, 3, 1))
    x = np.arange(9, dtype=np.uint8).reshape(1, 3, 3, 1)
    y = layer(x)
    assert y.dtype == mtf.float32
    np.testing.assert_allclose(y.numpy(), ref_conv2d(x.astype(np.float32), layer.kernel.numpy()) + layer.bias.numpy(),
                               **TOL)


def test_conv_errors_are_clear():
    with pytest.raises(ValueError, match=r"expects a 4-D input \(batch, height, width, channels\).*\(28, 28, 1\)"):
        layers.Conv2D(4, 3)(np.zeros((28, 28, 1), np.float32))
    with pytest.raises(ValueError, match=r"kernel of size \(5, 5\) is larger than the input.*4 cells"):
        layers.Conv2D(4, 5)(np.zeros((1, 4, 9, 1), np.float32))
    with pytest.raises(ValueError, match="dilation 3 it spans 7"):
        layers.Conv2D(4, 3, dilation_rate=3)(np.zeros((1, 6, 9, 1), np.float32))
    with pytest.raises(ValueError, match="expects a 3-D input"):
        layers.Conv1D(4, 3)(np.zeros((2, 5, 5, 1), np.float32))
    with pytest.raises(ValueError, match="filters"):
        layers.Conv2D(0, 3)
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="padding"):
        layers.Conv2D(2, 3, padding="causal")
    with pytest.raises(ValueError, match="strides"):
        layers.Conv2D(2, 3, strides=0)
    with pytest.raises(ValueError, match="kernel_size"):
        layers.Conv2D(2, (3, 3, 3))
    with pytest.raises(ValueError, match="dilation_rate > 1"):
        layers.Conv2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="expected axis -1 of input shape to have value 2"):
        layer = layers.Conv2D(2, 1)
        layer(np.zeros((1, 3, 3, 2), np.float32))
        layer(np.zeros((1, 3, 3, 3), np.float32))


# --- Conv1D ---------------------------------------------------------------------------------------------
@given(n=st.integers(1, 12), k=st.integers(1, 4), stride=st.integers(1, 3), dilation=st.integers(1, 3),
       padding=st.sampled_from(["valid", "same", "causal"]))
def test_conv1d_shape_and_values(n, k, stride, dilation, padding):
    if stride > 1 and dilation > 1:
        dilation = 1
    layer = layers.Conv1D(3, k, strides=stride, padding=padding, dilation_rate=dilation)
    shape = (2, n, 2)
    if padding == "valid" and n < (k - 1) * dilation + 1:
        with pytest.raises(ValueError, match="larger than the input"):
            layer.build(shape)
        return
    _built(layer, shape)
    x = _data(shape)
    y = layer(x).numpy()
    want_n = expected_length(n, k, stride, "same" if padding == "causal" else padding, dilation)
    assert y.shape == (2, want_n, 3) == layer.compute_output_shape(shape)
    if padding == "causal":  # (k - 1) * d zeros on the left, then "valid"
        left = (k - 1) * dilation
        want = ref_conv2d(np.pad(x, ((0, 0), (left, 0), (0, 0)))[:, None], layer.kernel.numpy()[None],
                          (1, stride), "valid", (1, dilation))[:, 0]
    else:
        want = ref_conv2d(x[:, None], layer.kernel.numpy()[None], (1, stride), padding, (1, dilation))[:, 0]
    np.testing.assert_allclose(y, want + layer.bias.numpy(), **TOL, err_msg="Conv1D output vs the NumPy reference")


def test_conv1d_causal_never_sees_the_future():
    layer = _built(layers.Conv1D(1, 3, padding="causal", dilation_rate=2), (1, 10, 1))
    x = _data((1, 10, 1))
    changed = x.copy()
    changed[0, 6:] += 5.0  # change steps 6.. only
    a, b = layer(x).numpy(), layer(changed).numpy()
    np.testing.assert_array_equal(a[0, :6], b[0, :6])
    assert not np.allclose(a[0, 6:], b[0, 6:])


@pytest.mark.parametrize("kwargs", [dict(padding="causal", dilation_rate=2), dict(padding="same", strides=2),
                                    dict(padding="valid")])
def test_conv1d_gradcheck(kwargs):
    layer = _built(layers.Conv1D(2, 3, dtype="float64", **kwargs), (2, 7, 2))
    names = ["kernel", "bias"]
    gradcheck(_with_weights(layer, names), [_data((2, 7, 2), dtype="float64")] + _weights64(layer, names))


# --- Conv2DTranspose -------------------------------------------------------------------------------------
def _transposed_length(n, k, s, padding, output_padding, d=1):
    """Keras's rule (keras/src/backend/common/backend_utils.py)."""
    span = (k - 1) * d + 1
    if padding == "valid":
        return (n - 1) * s + span + (max(span, s) - span if output_padding is None else output_padding)
    return n * s if output_padding is None else (n - 1) * s + span % 2 + output_padding


@given(h=st.integers(1, 5), w=st.integers(1, 5), k=st.integers(1, 4), stride=st.integers(1, 3),
       padding=st.sampled_from(["valid", "same"]), pad_out=st.sampled_from([None, 0, 1, 2]))
def test_conv2d_transpose_shape_and_values(h, w, k, stride, padding, pad_out):
    if pad_out is not None and pad_out >= stride:
        with pytest.raises(ValueError, match="output_padding"):
            layers.Conv2DTranspose(2, k, strides=stride, padding=padding, output_padding=pad_out)
        return
    out_hw = (_transposed_length(h, k, stride, padding, pad_out), _transposed_length(w, k, stride, padding, pad_out))
    # TF itself needs the output to be a size whose forward conv gives back (h, w):
    if any(expected_length(o, k, stride, padding) != i for o, i in zip(out_hw, (h, w))) or min(out_hw) < 1:
        return
    layer = _built(layers.Conv2DTranspose(2, k, strides=stride, padding=padding, output_padding=pad_out), (2, h, w, 3))
    x = _data((2, h, w, 3))
    y = layer(x).numpy()
    assert y.shape == (2,) + out_hw + (2,) == layer.compute_output_shape((2, h, w, 3))
    want = ref_conv2d_transpose(x, layer.kernel.numpy(), out_hw, (stride, stride), padding) + layer.bias.numpy()
    np.testing.assert_allclose(y, want, **TOL, err_msg="Conv2DTranspose output vs the NumPy reference")


def test_conv2d_transpose_dilated_and_gradcheck():
    layer = _built(layers.Conv2DTranspose(2, 3, padding="same", dilation_rate=2, dtype="float64"), (1, 4, 5, 2))
    x = _data((1, 4, 5, 2), dtype="float64")
    want = ref_conv2d_transpose(x, layer.kernel.numpy(), (4, 5), (1, 1), "same", (2, 2)) + layer.bias.numpy()
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-10, atol=1e-10)
    names = ["kernel", "bias"]
    gradcheck(_with_weights(layer, names), [x] + _weights64(layer, names))
    strided = _built(layers.Conv2DTranspose(2, (3, 2), strides=(2, 3), padding="valid", output_padding=(1, 2),
                                            dtype="float64"), (1, 3, 2, 2))
    gradcheck(_with_weights(strided, names), [_data((1, 3, 2, 2), dtype="float64")] + _weights64(strided, names))


@given(n=st.integers(1, 6), k=st.integers(1, 4), stride=st.integers(1, 3), padding=st.sampled_from(["valid", "same"]),
       pad_out=st.sampled_from([None, 0, 1]), first=st.booleans())
def test_conv1d_transpose_is_conv2d_transpose_of_height_one(n, k, stride, padding, pad_out, first):
    """Conv1DTranspose = Conv2DTranspose on (batch, 1, steps, channels), with the kernel (1, k, f, c)."""
    if pad_out is not None and pad_out >= stride:
        with pytest.raises(ValueError, match="Conv1DTranspose: `output_padding`"):
            layers.Conv1DTranspose(2, k, strides=stride, padding=padding, output_padding=pad_out)
        return
    out_n = _transposed_length(n, k, stride, padding, pad_out)
    if expected_length(out_n, k, stride, padding) != n or out_n < 1:
        return
    fmt = "channels_first" if first else "channels_last"
    shape = (2, 3, n) if first else (2, n, 3)
    layer = _built(layers.Conv1DTranspose(2, k, strides=stride, padding=padding, output_padding=pad_out,
                                          data_format=fmt), shape)
    x = _data(shape)
    y = layer(x).numpy()
    assert y.shape == ((2, 2, out_n) if first else (2, out_n, 2)) == layer.compute_output_shape(shape)
    x_last = np.swapaxes(x, 1, 2) if first else x
    want = ref_conv2d_transpose(x_last[:, None], layer.kernel.numpy()[None], (1, out_n), (1, stride), padding)[:, 0]
    want = want + layer.bias.numpy()
    np.testing.assert_allclose(np.swapaxes(y, 1, 2) if first else y, want, **TOL)


def test_conv1d_transpose_gradcheck_and_config():
    layer = _built(layers.Conv1DTranspose(2, 3, strides=2, padding="same", dilation_rate=1, dtype="float64"),
                   (2, 4, 3))
    names = ["kernel", "bias"]
    gradcheck(_with_weights(layer, names), [_data((2, 4, 3), dtype="float64")] + _weights64(layer, names))
    config = layer.get_config()
    assert config["output_padding"] is None and "groups" not in config and config["kernel_size"] == (3,)
    assert layers.Conv1DTranspose.from_config(config).get_config() == config


def test_conv2d_transpose_inverts_conv2d_shapes():
    """The classic use: a stride-2 'same' Conv2D halves, a stride-2 'same' Conv2DTranspose doubles back."""
    x = _data((1, 8, 6, 3))
    down = layers.Conv2D(4, 3, strides=2, padding="same")(x)
    up = layers.Conv2DTranspose(3, 3, strides=2, padding="same")(down)
    assert tuple(down.shape) == (1, 4, 3, 4) and tuple(up.shape) == x.shape


# --- pooling -----------------------------------------------------------------------------------------------
@given(h=st.integers(1, 8), w=st.integers(1, 8), pool=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       strides=st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))),
       padding=st.sampled_from(["valid", "same"]), mode=st.sampled_from(["max", "average"]))
def test_pooling2d_shape_and_values(h, w, pool, strides, padding, mode):
    make = layers.MaxPooling2D if mode == "max" else layers.AveragePooling2D
    layer = make(pool, strides=strides, padding=padding)
    shape = (2, h, w, 3)
    if padding == "valid" and (h < pool[0] or w < pool[1]):
        with pytest.raises(ValueError, match="pool window"):
            layer(np.zeros(shape, np.float32))
        return
    x = _data(shape)
    y = layer(x).numpy()
    s = pool if strides is None else strides
    assert y.shape == (2, expected_length(h, pool[0], s[0], padding), expected_length(w, pool[1], s[1], padding), 3)
    assert y.shape == layer.compute_output_shape(shape)
    np.testing.assert_allclose(y, ref_pool2d(x, pool, s, padding, "max" if mode == "max" else "mean"), **TOL,
                               err_msg=f"{type(layer).__name__} vs the NumPy reference")


def test_pooling_defaults():
    assert layers.MaxPooling2D().pool_size == (2, 2) and layers.MaxPooling2D().strides == (2, 2)
    assert layers.MaxPooling2D(3).strides == (3, 3) and layers.MaxPooling2D((2, 2), 1).strides == (1, 1)
    assert layers.MaxPooling1D().pool_size == (2,) and layers.MaxPooling2D().padding == "valid"
    with pytest.raises(TypeError):
        layers.AveragePooling2D()  # pool_size is required, as in Keras
    assert layers.MaxPool2D is layers.MaxPooling2D and layers.AvgPool1D is layers.AveragePooling1D


def test_average_pooling_same_excludes_padding():
    x = np.ones((1, 3, 3, 1), np.float32)
    np.testing.assert_array_equal(layers.AveragePooling2D(2, strides=1, padding="same")(x).numpy(), x)
    y = layers.MaxPooling2D(3, strides=1, padding="same")(-np.ones((1, 2, 2, 1), np.float32)).numpy()
    np.testing.assert_array_equal(y, -np.ones((1, 2, 2, 1)))  # padded cells (never 0) never win


@pytest.mark.parametrize("make", [lambda: layers.MaxPooling1D(3, strides=2, padding="same", dtype="float64"),
                                  lambda: layers.AveragePooling1D(2, padding="valid", dtype="float64"),
                                  lambda: layers.AveragePooling1D(3, strides=1, padding="same", dtype="float64")])
def test_pooling1d_values_and_gradcheck(make):
    layer = make()
    x = _data((2, 7, 2), dtype="float64")
    mode = "max" if isinstance(layer, layers.MaxPooling1D) else "mean"
    want = ref_pool2d(x[:, None], (1,) + layer.pool_size, (1,) + layer.strides, layer.padding, mode)[:, 0]
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-12)
    gradcheck(layer.call, [x])


@pytest.mark.parametrize("make", [lambda: layers.MaxPooling2D(), lambda: layers.MaxPooling2D(3, 2, "same"),
                                  lambda: layers.AveragePooling2D(2, 1, "same"), lambda: layers.AveragePooling2D(3)])
def test_pooling2d_gradcheck(make):
    gradcheck(make().call, [_data((2, 5, 6, 2), dtype="float64")])


def test_pooling_channels_first():
    x = _data((2, 5, 6, 3))
    for make in (layers.MaxPooling2D, layers.AveragePooling2D):
        last = make(2, padding="same")(x).numpy()
        first = make(2, padding="same", data_format="channels_first")(np.transpose(x, (0, 3, 1, 2))).numpy()
        np.testing.assert_allclose(np.transpose(first, (0, 2, 3, 1)), last, **TOL)


# --- global pooling -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_pooling_values_and_gradcheck(keepdims):
    x2, x1 = _data((2, 4, 5, 3), dtype="float64"), _data((2, 6, 3), dtype="float64")
    cases = [(layers.GlobalAveragePooling2D, x2, np.mean, (1, 2)), (layers.GlobalMaxPooling2D, x2, np.max, (1, 2)),
             (layers.GlobalAveragePooling1D, x1, np.mean, (1,)), (layers.GlobalMaxPooling1D, x1, np.max, (1,))]
    for make, x, fn, axes in cases:
        layer = make(keepdims=keepdims, dtype="float64")
        y = layer(x).numpy()
        np.testing.assert_allclose(y, fn(x, axis=axes, keepdims=keepdims), rtol=1e-12)
        assert y.shape == layer.compute_output_shape(x.shape)
        gradcheck(layer.call, [x])


def test_global_average_pooling1d_mask():
    x = _data((2, 4, 3))
    mask = np.array([[1, 1, 0, 0], [1, 0, 1, 1]], bool)
    want = np.stack([x[0, :2].mean(0), x[1, [0, 2, 3]].mean(0)])
    np.testing.assert_allclose(layers.GlobalAveragePooling1D()(x, mask=mask).numpy(), want, **TOL)


# --- BatchNormalization ----------------------------------------------------------------------------------------
def test_batch_normalization_training_step_against_numpy():
    """Batch mean and BIASED variance normalize; moving = m * moving + (1 - m) * batch statistic."""
    layer = _built(layers.BatchNormalization(momentum=0.9, epsilon=1e-3), (8, 3, 3, 2))
    gamma, beta, mean0, var0 = [w.astype(np.float64) for w in layer.get_weights()]
    x = _data((8, 3, 3, 2), low=-2, high=4).astype(np.float64)
    y = layer(x.astype(np.float32), training=True).numpy()
    batch_mean, batch_var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2))  # np.var is the biased variance
    np.testing.assert_allclose(y, ref_batch_norm(x, gamma, beta, batch_mean, batch_var, 1e-3), **TOL)
    moving_mean, moving_var = layer.get_weights()[2:]
    np.testing.assert_allclose(moving_mean, 0.9 * mean0 + 0.1 * batch_mean, rtol=1e-6)
    np.testing.assert_allclose(moving_var, 0.9 * var0 + 0.1 * batch_var, rtol=1e-6)
    # Inference uses the moving statistics and changes nothing.
    before = layer.get_weights()
    y_inf = layer(x.astype(np.float32), training=False).numpy()
    np.testing.assert_allclose(y_inf, ref_batch_norm(x, gamma, beta, moving_mean, moving_var, 1e-3), **TOL)
    np.testing.assert_allclose(layer(x.astype(np.float32)).numpy(), y_inf)  # no flag: inference
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_normalization_moving_statistics_converge():
    """After many training steps on one distribution the moving stats approach its mean and variance."""
    layer = layers.BatchNormalization(momentum=0.9)
    rng = np.random.default_rng(0)
    for _ in range(200):
        layer(rng.normal(3.0, 2.0, (64, 4)).astype(np.float32), training=True)
    np.testing.assert_allclose(layer.moving_mean.numpy(), 3.0, atol=0.15)
    np.testing.assert_allclose(layer.moving_variance.numpy(), 4.0 * 63 / 64, rtol=0.1)


def test_batch_normalization_frozen_runs_in_inference_mode():
    layer = _built(layers.BatchNormalization(), (4, 3))
    layer.trainable = False
    before = layer.get_weights()
    x = _data((4, 3), low=-2, high=2)
    y = layer(x, training=True).numpy()
    gamma, beta, mean, var = before
    np.testing.assert_allclose(y, ref_batch_norm(x, gamma, beta, mean, var, 1e-3), **TOL)
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4


def test_batch_normalization_weights_and_axis():
    layer = layers.BatchNormalization(axis=1)
    layer.build((None, 3, 5))
    assert [w.name.split(":")[0] for w in layer.weights] == ["gamma", "beta", "moving_mean", "moving_variance"]
    assert [w.shape for w in layer.weights] == [(3,)] * 4
    assert [w.name.split(":")[0] for w in layer.trainable_weights] == ["gamma", "beta"]
    x = _data((4, 3, 5), low=-1, high=3)
    y = layer(x, training=True).numpy()
    mean, var = x.mean(axis=(0, 2), keepdims=True), x.var(axis=(0, 2), keepdims=True)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), **TOL)
    bare = layers.BatchNormalization(center=False, scale=False)
    bare.build((None, 5))
    assert [w.name.split(":")[0] for w in bare.weights] == ["moving_mean", "moving_variance"]
    with pytest.raises(ValueError, match="out of bounds"):
        layers.BatchNormalization(axis=3).build((None, 4))


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("axis,shape", [(-1, (5, 3)), (-1, (3, 2, 2, 2)), (1, (3, 2, 4))])
def test_batch_normalization_gradcheck(training, axis, shape):
    layer = _built(layers.BatchNormalization(axis=axis, dtype="float64"), shape)
    names = ["gamma", "beta"]
    gradcheck(_with_weights(layer, names, training=training),
              [_data(shape, dtype="float64", low=-2, high=2)] + _weights64(layer, names))


# --- LayerNormalization ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis,shape", [(-1, (4, 6)), (-1, (2, 3, 5)), ([1, 2], (2, 3, 4, 2)), (1, (2, 4, 3))])
def test_layer_normalization_values_and_gradcheck(axis, shape):
    layer = _built(layers.LayerNormalization(axis=axis, dtype="float64"), shape)
    x = _data(shape, dtype="float64", low=-2, high=3)
    axes = tuple(a % len(shape) for a in (axis if isinstance(axis, list) else [axis]))
    gamma, beta = layer.get_weights()
    bshape = [shape[i] if i in axes else 1 for i in range(len(shape))]
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    want = gamma.reshape(bshape) * (x - mean) / np.sqrt(var + 1e-3) + beta.reshape(bshape)
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer(x, training=True).numpy(), want, rtol=1e-10, atol=1e-12)
    names = ["gamma", "beta"]
    gradcheck(_with_weights(layer, names), [x] + _weights64(layer, names))
    assert [w.shape for w in layer.weights] == [tuple(shape[a] for a in axes)] * 2


# --- reshaping layers ----------------------------------------------------------------------------------------------
def test_zero_padding_upsampling_cropping_values_and_gradcheck():
    x = _data((2, 3, 4, 2), dtype="float64")
    pad = layers.ZeroPadding2D(((1, 2), (0, 3)), dtype="float64")
    np.testing.assert_array_equal(pad(x).numpy(), np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    assert pad.compute_output_shape(x.shape) == (2, 6, 7, 2)
    assert layers.ZeroPadding2D(2).padding == ((2, 2), (2, 2))
    assert layers.ZeroPadding2D((1, 3)).padding == ((1, 1), (3, 3))
    up = layers.UpSampling2D((2, 3), dtype="float64")
    np.testing.assert_array_equal(up(x).numpy(), x.repeat(2, axis=1).repeat(3, axis=2))
    assert up.compute_output_shape(x.shape) == (2, 6, 12, 2)
    crop = layers.Cropping2D(((1, 0), (1, 2)), dtype="float64")
    np.testing.assert_array_equal(crop(x).numpy(), x[:, 1:, 1:2])
    assert crop.compute_output_shape(x.shape) == (2, 2, 1, 2)
    bilinear = layers.UpSampling2D(2, interpolation="bilinear", dtype="float64")
    for layer in (pad, up, crop, bilinear):
        gradcheck(layer.call, [x])
    with pytest.raises(ValueError, match="should be smaller"):
        layers.Cropping2D(((2, 1), (0, 0)))(x)
    with pytest.raises(ValueError, match="expects a 4-D input"):
        layers.ZeroPadding2D()(x[0])


# --- configs -------------------------------------------------------------------------------------------------------
CONFIG_LAYERS = [
    lambda: layers.Conv2D(4, (3, 2), strides=2, padding="same", activation="relu", use_bias=False,
                          kernel_regularizer=mtf.keras.regularizers.L2(0.01)),
    lambda: layers.Conv1D(3, 2, padding="causal", dilation_rate=2, kernel_initializer="he_normal"),
    lambda: layers.Conv2DTranspose(2, 3, strides=2, padding="valid", output_padding=1, activation="sigmoid"),
    lambda: layers.MaxPooling2D(3, 2, "same"), lambda: layers.AveragePooling1D(2, padding="same"),
    lambda: layers.MaxPooling1D(), lambda: layers.AveragePooling2D((2, 3)),
    lambda: layers.GlobalAveragePooling2D(keepdims=True), lambda: layers.GlobalMaxPooling1D(),
    lambda: layers.BatchNormalization(axis=1, momentum=0.9, epsilon=1e-5, center=False),
    lambda: layers.LayerNormalization(axis=[1, 2], epsilon=1e-6, scale=False),
    lambda: layers.ZeroPadding2D(((1, 2), (3, 4))), lambda: layers.UpSampling2D((2, 3), interpolation="bilinear"),
    lambda: layers.Cropping2D(1),
]


@pytest.mark.parametrize("make", CONFIG_LAYERS, ids=lambda m: type(m()).__name__)
def test_get_config_round_trip(make):
    layer = make()
    config = layer.get_config()
    clone = type(layer).from_config(config)
    assert clone.get_config() == config
    shape = (2, 3, 6, 6) if "Normalization" in type(layer).__name__ else \
        (2, 7, 3) if "1D" in type(layer).__name__ else (2, 6, 7, 3)
    x = _data(shape)
    layer.build(shape)
    clone.build(shape)
    clone.set_weights(layer.get_weights())
    np.testing.assert_array_equal(clone(x).numpy(), layer(x).numpy())


def test_layer_normalization_config_and_output_shape_survive_a_round_trip():
    layer = mtf.keras.layers.LayerNormalization(axis=[1, 2], epsilon=1e-5, center=False)
    layer.build((2, 3, 4))
    assert layer.compute_output_shape((2, 3, 4)) == (2, 3, 4)
    config = layer.get_config()
    assert (config["axis"], config["epsilon"], config["center"], config["rms_scaling"]) == ([1, 2], 1e-5, False, False)
    again = mtf.keras.layers.LayerNormalization.from_config(config)
    assert (again.axis, again.epsilon, again.center) == ([1, 2], 1e-5, False)
