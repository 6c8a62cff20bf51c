"""Depthwise and separable convolutions (minitf/nn/depthwise_conv.py and the four Keras layers), without TF.

The ops are checked against the formulas written as plain NumPy loops here (float64), forward and
both gradients; their drawn gradchecks, traced bits and bad-input outcomes come from the op table
(tests/op_specs.py rows nn.depthwise_conv2d and nn.separable_conv2d). The layers: shapes, weights,
config round trips, errors, 1-D == 2-D with height 1, traced calls and fits equal to eager ones.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitf as tf
from minitf import errors

L = tf.keras.layers


# --- the formulas, as loops ------------------------------------------------------------------------
def pads_and_size(n, k, s, d, padding, axis):
    span = (k - 1) * d + 1
    if padding == "SAME":
        out = -(-n // s)
        total = max((out - 1) * s + span - n, 0)
        return (total // 2, total - total // 2), out
    lo, hi = (0, 0) if padding == "VALID" else padding[axis + 1]
    return (lo, hi), (n + lo + hi - span) // s + 1


def depthwise_loops(x, w, strides, dilations, padding):
    """y[n, i, j, c*M + m] = sum_{a, b} x_pad[n, s_h*i + d_h*a, s_w*j + d_w*b, c] * w[a, b, c, m]."""
    n, h, wd, c = x.shape
    kh, kw, _, m = w.shape
    (sh, sw), (dh, dw) = strides, dilations
    (pt, pb), oh = pads_and_size(h, kh, sh, dh, padding, 0)
    (pl, pr), ow = pads_and_size(wd, kw, sw, dw, padding, 1)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    y = np.zeros((n, oh, ow, c * m))
    for i in range(oh):
        for j in range(ow):
            for ch in range(c):
                for q in range(m):
                    y[:, i, j, ch * m + q] = sum(xp[:, sh * i + dh * a, sw * j + dw * b, ch] * w[a, b, ch, q]
                                                 for a in range(kh) for b in range(kw))
    return y


def depthwise_grads_loops(x, w, dy, strides, dilations, padding):
    """dx and dw of sum(y * dy), by the chain rule term by term (each product's two partials)."""
    n, h, wd, c = x.shape
    kh, kw, _, m = w.shape
    (sh, sw), (dh, dw_) = strides, dilations
    (pt, pb), oh = pads_and_size(h, kh, sh, dh, padding, 0)
    (pl, pr), ow = pads_and_size(wd, kw, sw, dw_, padding, 1)
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    dxp, dw = np.zeros_like(xp), np.zeros_like(w)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    r, s = sh * i + dh * a, sw * j + dw_ * b
                    for ch in range(c):
                        for q in range(m):
                            g = dy[:, i, j, ch * m + q]
                            dxp[:, r, s, ch] += g * w[a, b, ch, q]
                            dw[a, b, ch, q] += np.sum(g * xp[:, r, s, ch])
    return dxp[:, pt:pt + h, pl:pl + wd], dw


CASES = [  # (x shape, (kh, kw, M), strides, dilations, padding)
    ((2, 5, 6, 3), (3, 3, 1), (1, 1), (1, 1), "VALID"),
    ((2, 5, 6, 3), (3, 2, 2), (1, 1), (1, 1), "SAME"),
    ((1, 7, 6, 2), (3, 3, 3), (2, 2), (1, 1), "SAME"),
    ((2, 7, 7, 2), (2, 3, 1), (3, 2), (1, 1), "VALID"),  # unequal strides (TF's oneDNN build takes them)
    ((1, 8, 7, 2), (3, 3, 2), (1, 1), (2, 2), "SAME"),
    ((1, 8, 9, 1), (3, 2, 1), (1, 1), (2, 3), "VALID"),
    ((2, 6, 5, 2), (3, 3, 2), (2, 1), (1, 1), [[0, 0], [1, 2], [0, 1], [0, 0]]),
    ((1, 6, 6, 2), (2, 2, 1), (1, 1), (2, 1), [[0, 0], [2, 0], [1, 1], [0, 0]]),
]


def _arrays(case, seed=0):
    shape, (kh, kw, m) = case[:2]
    rng = np.random.default_rng(seed)
    return rng.normal(size=shape), rng.normal(size=(kh, kw, shape[3], m))


def _op_args(case):
    strides, dilations, padding = case[2:]
    return dict(strides=[1, *strides, 1], padding=padding, dilations=list(dilations))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_depthwise_conv2d_is_the_loop_formula(case):
    x, w = _arrays(case)
    got = tf.nn.depthwise_conv2d(x, w, **_op_args(case)).numpy()
    np.testing.assert_allclose(got, depthwise_loops(x, w, *case[2:]), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_depthwise_gradients_are_the_loop_formulas(case):
    x, w = _arrays(case, seed=1)
    xt, wt = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([xt, wt])
        y = tf.nn.depthwise_conv2d(xt, wt, **_op_args(case))
        dy = np.random.default_rng(2).normal(size=y.shape)
        loss = tf.reduce_sum(y * dy)
    dx, dw = tape.gradient(loss, [xt, wt])
    want_dx, want_dw = depthwise_grads_loops(x, w, dy, *case[2:])
    np.testing.assert_allclose(dx.numpy(), want_dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw.numpy(), want_dw, rtol=1e-12, atol=1e-12)


def test_output_channels_are_in_tf_order():
    """Channel c*M + m is input channel c with kernel m (channel-major), written out on a tiny case."""
    x = np.array([1.0, 10.0]).reshape(1, 1, 1, 2)  # two channels, one pixel
    w = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]).reshape(1, 1, 2, 3)  # M = 3
    y = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID").numpy().ravel()
    np.testing.assert_array_equal(y, [1.0, 2.0, 3.0, 40.0, 50.0, 60.0])


def test_tf_docstring_example():
    """The example of tf.nn.depthwise_conv2d's documentation, with its printed values."""
    x = np.array([[1., 2.], [3., 4.], [5., 6.]], dtype=np.float32).reshape((1, 3, 2, 1))
    kernel = np.array([[1., 2.], [3., 4]], dtype=np.float32).reshape((2, 1, 1, 2))
    np.testing.assert_array_equal(tf.nn.depthwise_conv2d(x, kernel, [1, 1, 1, 1], "VALID").numpy(),
                                  [[[[10., 14.], [14., 20.]], [[18., 26.], [22., 32.]]]])
    padded = tf.nn.depthwise_conv2d(x, kernel, [1, 1, 1, 1], [[0, 0], [1, 0], [1, 0], [0, 0]]).numpy()
    np.testing.assert_array_equal(padded, [[[[0., 0.], [3., 4.], [6., 8.]], [[0., 0.], [10., 14.], [14., 20.]],
                                            [[0., 0.], [18., 26.], [22., 32.]]]])


def test_separable_conv2d_is_depthwise_then_pointwise():
    x, w = _arrays(CASES[4], seed=3)
    p = np.random.default_rng(4).normal(size=(1, 1, w.shape[2] * w.shape[3], 3))
    got = tf.nn.separable_conv2d(x, w, p, **_op_args(CASES[4])).numpy()
    want = np.einsum("nijk,kf->nijf", depthwise_loops(x, w, *CASES[4][2:]), p[0, 0])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_nchw_is_nhwc_transposed():
    """NCHW: the strides and dilations lists are in NCHW order too."""
    x, w = _arrays(CASES[2])
    want = tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME", dilations=[1, 1]).numpy()
    got = tf.nn.depthwise_conv2d(x.transpose(0, 3, 1, 2), w, [1, 1, 2, 2], "SAME", data_format="NCHW").numpy()
    np.testing.assert_array_equal(got, want.transpose(0, 3, 1, 2))


def test_forward_adds_the_taps_in_order_onto_zero_in_float32():
    """TF's CPU kernel: acc = 0; acc += w[a, b] * x_tap for (a, b) in row-major order, each product
    rounded to float32 first (no fused multiply-add). So -0.0 products give +0.0, as in TF."""
    rng = np.random.default_rng(5)
    x, w = rng.normal(size=(2, 6, 6, 3)).astype(np.float32), rng.normal(size=(3, 3, 3, 2)).astype(np.float32)
    got = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID").numpy()
    want = np.zeros_like(got).reshape(2, 4, 4, 3, 2)
    for a in range(3):
        for b in range(3):
            want += x[:, a:a + 4, b:b + 4, :, None] * w[a, b]
    np.testing.assert_array_equal(got, want.reshape(got.shape))
    zero = tf.nn.depthwise_conv2d(-np.zeros((1, 1, 1, 1), np.float32), np.ones((1, 1, 1, 1), np.float32),
                                  [1, 1, 1, 1], "VALID").numpy()
    assert not np.signbit(zero).any()


def test_tape_records_tf_op_names():
    """The forward is TF's DepthwiseConv2dNative; its gradient, recorded by an outer tape, is made of TF's
    two backprop ops (and is differentiable again)."""
    x, w = tf.constant(np.ones((1, 4, 4, 2))), tf.constant(np.ones((2, 2, 2, 1)))
    with tf.GradientTape() as outer:
        outer.watch([x, w])
        with tf.GradientTape() as inner:
            inner.watch([x, w])
            y = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME")
        assert [e.name for e in inner.operations] == ["DepthwiseConv2dNative"]
        dx, dw = inner.gradient(y, [x, w])
        z = tf.reduce_sum(dx * dx)
    names = [e.name for e in outer.operations]
    assert "DepthwiseConv2dNativeBackpropInput" in names and "DepthwiseConv2dNativeBackpropFilter" in names
    assert outer.gradient(z, w).shape == w.shape


def test_empty_batch_and_zero_multiplier():
    y = tf.nn.depthwise_conv2d(np.zeros((0, 5, 5, 2), np.float32), np.ones((3, 3, 2, 1), np.float32),
                               [1, 1, 1, 1], "SAME")
    assert y.shape == (0, 5, 5, 2)
    x, w = tf.constant(np.ones((1, 5, 5, 2), np.float32)), tf.constant(np.ones((3, 3, 2, 0), np.float32))
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "VALID")
        loss = tf.reduce_sum(y)
    assert y.shape == (1, 3, 3, 0)
    dx, dw = tape.gradient(loss, [x, w])
    assert dx.shape == x.shape and not dx.numpy().any() and dw.shape == w.shape


@pytest.mark.parametrize("args, error, match", [
    (dict(x=(1, 5, 5, 3), w=(3, 3, 2, 1)), errors.InvalidArgumentError, "same depth"),
    (dict(x=(1, 5, 5, 3), w=(3, 3, 3)), errors.InvalidArgumentError, "filter must be 4-D"),
    (dict(x=(1, 1, 5, 5, 3), w=(3, 3, 3, 1)), errors.InvalidArgumentError, "input must be 4-D"),
    (dict(x=(5, 3), w=(3, 3, 3, 1)), ValueError, "rank 4"),
    (dict(x=(1, 1, 1, 1), w=(3, 3, 1, 1)), errors.InvalidArgumentError, "negative"),
    (dict(x=(1, 5, 5, 1), w=(3, 3, 1, 1), strides=[1, 2, 2, 1], dilations=[2, 2]), errors.InvalidArgumentError,
     "all strides must be 1"),
    (dict(x=(1, 5, 5, 1), w=(3, 3, 1, 1), strides=[2, 1, 1, 1]), errors.InvalidArgumentError, "batch or channel"),
    (dict(x=(1, 5, 5, 1), w=(3, 3, 1, 1), padding="FULL"), errors.InvalidArgumentError, "padding"),
    (dict(x=(1, 5, 5, 1), w=(3, 3, 1, 1), data_format="NWHC"), errors.InvalidArgumentError, "data_format"),
    (dict(x=(1, 5, 5, 1), w=(3, 3, 1, 1), x_dtype="int32"), errors.InvalidArgumentError, "floating point"),
    (dict(x=(1, 5, 5, 1), w=(3, 3, 1, 1), x_dtype="bool", dilations=[2, 2]), errors.NotFoundError, "SpaceToBatchND"),
    (dict(x=(1, 5, 5, 1), w=(0, 3, 1, 1), padding="SAME", dilations=[2, 2]), errors.InvalidArgumentError,
     "non-negative"),
    (dict(x=(1, 5, 5, 1), w=(3, 3, 1, 1), w_dtype="float64"), errors.InvalidArgumentError, "one dtype"),
])
def test_bad_arguments_have_clear_errors(args, error, match):
    x = np.ones(args["x"], args.get("x_dtype", "float32"))
    w = np.ones(args["w"], args.get("w_dtype", "float32"))
    with pytest.raises(error, match=match) as info:
        tf.nn.depthwise_conv2d(x, w, args.get("strides", [1, 1, 1, 1]), args.get("padding", "VALID"),
                               data_format=args.get("data_format"), dilations=args.get("dilations"))
    assert "DepthwiseConv2dNative" in str(info.value)


def test_separable_conv2d_errors():
    x, d = np.ones((1, 5, 5, 2), np.float32), np.ones((3, 3, 2, 2), np.float32)
    with pytest.raises(ValueError, match=r"\(1, 1, in_channels \* channel_multiplier, out_channels\)"):
        tf.nn.separable_conv2d(x, d, np.ones((3, 1, 4, 2), np.float32), [1, 1, 1, 1], "VALID")
    with pytest.raises(errors.InvalidArgumentError, match="Conv2D"):
        tf.nn.separable_conv2d(x, d, np.ones((1, 1, 3, 2), np.float32), [1, 1, 1, 1], "VALID")


def test_traced_with_unknown_batch_gives_the_eager_bits():
    x = np.random.default_rng(6).normal(size=(3, 7, 7, 2)).astype(np.float32)
    w = np.random.default_rng(7).normal(size=(3, 3, 2, 2)).astype(np.float32)
    p = np.random.default_rng(8).normal(size=(1, 1, 4, 3)).astype(np.float32)

    def f(x):
        return tf.nn.separable_conv2d(x, w, p, [1, 2, 2, 1], "SAME")

    traced = tf.function(f, input_signature=[tf.TensorSpec([None, 7, 7, 2], tf.float32)])
    assert traced.get_concrete_function().structured_outputs.shape.as_list() == [None, 4, 4, 3]
    np.testing.assert_array_equal(traced(x).numpy(), f(x).numpy())


# --- the layers ---------------------------------------------------------------------------------------
def test_depthwise_conv2d_layer_is_the_formula_plus_bias():
    x = np.random.default_rng(0).normal(size=(2, 6, 5, 3)).astype(np.float32)
    layer = L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2, bias_initializer="ones",
                              activation="relu")
    y = layer(x).numpy()
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 3, 3, 2) and bias.shape == (6,)
    want = np.maximum(depthwise_loops(x.astype(np.float64), kernel.astype(np.float64), (2, 2), (1, 1), "SAME")
                      + bias, 0)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)
    assert [w.path for w in layer.weights] == [f"{layer.name}/kernel", f"{layer.name}/bias"]


def test_separable_conv2d_layer_weights_and_formula():
    x = np.random.default_rng(1).normal(size=(2, 6, 6, 3)).astype(np.float32)
    layer = L.SeparableConv2D(4, (3, 2), depth_multiplier=2, bias_initializer="ones")
    y = layer(x).numpy()
    assert [w.path.split("/")[-1] for w in layer.weights] == ["depthwise_kernel", "pointwise_kernel", "bias"]
    dk, pk, bias = layer.get_weights()
    assert dk.shape == (3, 2, 3, 2) and pk.shape == (1, 1, 6, 4) and bias.shape == (4,)
    want = np.einsum("nijk,kf->nijf", depthwise_loops(x.astype(np.float64), dk.astype(np.float64), (1, 1), (1, 1),
                                                      "VALID"), pk[0, 0]) + bias
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind, extra", [("DepthwiseConv", {}), ("SeparableConv", {"filters": 3})])
@pytest.mark.parametrize("kwargs", [dict(kernel_size=3), dict(kernel_size=3, strides=2, padding="same",
                                                              depth_multiplier=2),
                                    dict(kernel_size=2, dilation_rate=2, strides=3, padding="same")], ids=str)
def test_1d_layer_is_the_2d_layer_with_height_1(kind, extra, kwargs):
    x = np.random.default_rng(2).normal(size=(2, 11, 3)).astype(np.float32)
    one = getattr(L, kind + "1D")(**extra, **kwargs)
    y1 = one(x)
    two = getattr(L, kind + "2D")(**extra, **{k: (1, v) if k != "padding" and k != "depth_multiplier" else v
                                               for k, v in kwargs.items()})
    two.build((None, 1, 11, 3))
    two.set_weights([w[None] for w in one.get_weights()[:-1]] + one.get_weights()[-1:])
    np.testing.assert_array_equal(y1.numpy(), two(x[:, None]).numpy()[:, 0])
    assert tuple(y1.shape) == one.compute_output_shape(x.shape)


def test_strides_with_dilation_is_every_sth_output_of_the_dilated_conv():
    """Keras allows both (it computes the stride-1 dilated conv and keeps every s-th output)."""
    x = np.random.default_rng(3).normal(size=(1, 9, 9, 2)).astype(np.float32)
    strided = L.DepthwiseConv2D(3, strides=2, dilation_rate=2, padding="same", use_bias=False)
    y = strided(x).numpy()
    kernel = strided.get_weights()[0]
    total = (5 - 1) * 2 + (3 - 1) * 2 + 1 - 9  # SAME, stride 2: 5 output rows; the dilated kernel spans 5: pad 4
    xp = np.pad(x, ((0, 0), (total // 2, total - total // 2), (total // 2, total - total // 2), (0, 0)))
    full = tf.nn.depthwise_conv2d(xp, kernel, [1, 1, 1, 1], "VALID", dilations=[2, 2]).numpy()
    np.testing.assert_array_equal(y, full[:, ::2, ::2])


def test_channels_first_layers_transpose():
    x = np.random.default_rng(4).normal(size=(2, 3, 7, 6)).astype(np.float32)
    first = L.SeparableConv2D(4, 3, padding="same", data_format="channels_first")
    last = L.SeparableConv2D(4, 3, padding="same")
    y = first(x)
    last.build((None, 7, 6, 3))
    last.set_weights(first.get_weights())
    np.testing.assert_array_equal(y.numpy(), last(x.transpose(0, 2, 3, 1)).numpy().transpose(0, 3, 1, 2))
    assert first.compute_output_shape((None, 3, 7, 6)) == (None, 4, 7, 6)


@pytest.mark.parametrize("kind, args", [
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, padding="same", depthwise_regularizer="l2",
                             bias_constraint="non_neg", activity_regularizer="l1", activation="relu6")),
    ("SeparableConv2D", dict(filters=4, kernel_size=(3, 2), strides=2, pointwise_regularizer="l1",
                             depthwise_initializer="he_normal", data_format="channels_first")),
    ("DepthwiseConv1D", dict(kernel_size=5, dilation_rate=2, use_bias=False)),
    ("SeparableConv1D", dict(filters=2, kernel_size=3, depth_multiplier=3, pointwise_constraint="max_norm")),
])
def test_config_round_trip(kind, args):
    layer = getattr(L, kind)(**args)
    config = layer.get_config()
    for key in ("depth_multiplier", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                "activation", "use_bias", "depthwise_initializer", "depthwise_regularizer", "depthwise_constraint"):
        assert key in config, key
    again = type(layer).from_config(config)
    assert again.get_config() == config
    restored = tf.keras.saving.deserialize_keras_object(tf.keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer) and restored.get_config() == config


def test_regularizer_losses_are_collected():
    layer = L.SeparableConv2D(2, 3, depthwise_regularizer=tf.keras.regularizers.L2(0.5),
                              pointwise_regularizer=tf.keras.regularizers.L1(0.25))
    layer.build((None, 5, 5, 2))
    dk, pk, _ = layer.get_weights()
    np.testing.assert_allclose(sum(float(v) for v in layer.losses),
                               0.5 * np.sum(dk.astype(np.float64) ** 2) + 0.25 * np.sum(np.abs(pk)), rtol=1e-5)


@pytest.mark.parametrize("make, match", [
    (lambda: L.DepthwiseConv2D(3, depth_multiplier=0), "depth_multiplier"),
    (lambda: L.SeparableConv2D(0, 3), "filters"),
    (lambda: L.SeparableConv1D(2, 3, padding="causal"), "padding"),
    (lambda: L.DepthwiseConv2D(0), "kernel_size"),
    (lambda: L.DepthwiseConv1D(3, strides=(1, 2)), "strides"),
    (lambda: L.DepthwiseConv2D(3, data_format="NHWC"), "data_format"),
])
def test_bad_layer_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_layer_inputs():
    with pytest.raises(ValueError, match="expects a 4-D input"):
        L.DepthwiseConv2D(3)(np.zeros((5, 5, 2), np.float32))
    with pytest.raises(ValueError, match="larger than the input"):
        L.SeparableConv2D(2, 5)(np.zeros((1, 4, 4, 2), np.float32))
    layer = L.DepthwiseConv2D(3)
    layer(np.zeros((1, 5, 5, 2), np.float32))
    with pytest.raises(ValueError):
        layer(np.zeros((1, 5, 5, 3), np.float32))


def test_integer_images_are_computed_in_the_kernel_dtype():
    x = np.arange(2 * 5 * 5 * 3).reshape(2, 5, 5, 3).astype(np.uint8)
    layer = L.DepthwiseConv2D(3)
    np.testing.assert_array_equal(layer(x).numpy(), layer(x.astype(np.float32)).numpy())


def mobilenet_block():
    return tf.keras.Sequential([
        tf.keras.Input((12, 12, 3)),
        L.Conv2D(8, 3, strides=2, padding="same", use_bias=False),
        L.BatchNormalization(),
        L.ReLU(6.0),
        L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, use_bias=False),
        L.BatchNormalization(),
        L.ReLU(6.0),
        L.SeparableConv2D(8, 3, padding="same", activation="relu"),
        L.GlobalAveragePooling2D(),
        L.Dense(3, activation="softmax"),
    ])


def test_traced_and_eager_fit_give_the_same_bits():
    rng = np.random.default_rng(0)
    x, y = rng.uniform(0, 1, (40, 12, 12, 3)).astype(np.float32), rng.integers(0, 3, 40)
    histories, weights = [], []
    tf.keras.utils.set_random_seed(1)
    initial = mobilenet_block().get_weights()
    for run_eagerly in (False, True):
        model = mobilenet_block()
        model.set_weights(initial)
        model.compile(optimizer=tf.keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], run_eagerly=run_eagerly)
        histories.append(model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history)
        weights.append(model.get_weights())
    assert histories[0] == histories[1]
    for a, b in zip(*weights):
        np.testing.assert_array_equal(a, b)
    assert histories[0]["loss"][1] < histories[0]["loss"][0]


def test_layer_call_in_tf_function_gives_the_eager_bits():
    x = np.random.default_rng(5).normal(size=(4, 9, 9, 3)).astype(np.float32)
    for layer in (L.DepthwiseConv2D(3, strides=2, depth_multiplier=2), L.SeparableConv1D(4, 3, dilation_rate=2),
                  L.DepthwiseConv1D(2, data_format="channels_first"), L.SeparableConv2D(2, 3, padding="same")):
        data = x[:, 0] if layer.rank == 1 else x
        eager = layer(data)
        np.testing.assert_array_equal(tf.function(layer)(data).numpy(), eager.numpy())


@pytest.mark.parametrize("case", CASES[:4] + CASES[6:7], ids=str)
def test_backprop_functions_are_the_tape_gradients(case):
    x, w = _arrays(case, seed=8)
    args = _op_args(case)
    xt, wt = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([xt, wt])
        y = tf.nn.depthwise_conv2d(xt, wt, **args)
        dy = np.random.default_rng(9).normal(size=y.shape)
        loss = tf.reduce_sum(y * dy)
    dx, dw = tape.gradient(loss, [xt, wt])
    np.testing.assert_array_equal(
        tf.nn.depthwise_conv2d_backprop_input(list(x.shape), w, dy, **args).numpy(), dx.numpy())
    np.testing.assert_array_equal(
        tf.nn.depthwise_conv2d_backprop_filter(x, list(w.shape), dy, **args).numpy(), dw.numpy())


def test_backprop_functions_refuse_shapes_of_another_convolution():
    w, dy = np.ones((3, 3, 2, 2), np.float32), np.ones((1, 3, 3, 4), np.float32)
    with pytest.raises(errors.InvalidArgumentError, match="DepthwiseConv2dNativeBackpropInput: shapes do not fit"):
        tf.nn.depthwise_conv2d_backprop_input([1, 6, 6, 2], w, dy, [1, 1, 1, 1], "VALID")
    with pytest.raises(errors.InvalidArgumentError, match="DepthwiseConv2dNativeBackpropFilter: shapes do not fit"):
        tf.nn.depthwise_conv2d_backprop_filter(np.ones((1, 5, 5, 2), np.float32), [3, 3, 2, 3], dy, [1, 1, 1, 1],
                                               "VALID")


@pytest.mark.parametrize("case", [CASES[2], CASES[4], CASES[6]], ids=str)
def test_backprop_functions_gradcheck(case):
    """The gradient ops as functions of their own inputs (and so their own gradients) against finite
    differences: first derivatives, and the derivatives of those (the backward pass differentiated)."""
    from minitf.testing import gradcheck
    x, w = _arrays(case, seed=10)
    args = _op_args(case)
    dy = np.random.default_rng(11).normal(size=tf.nn.depthwise_conv2d(x, w, **args).shape)

    def backprop_input(w, dy):
        return tf.nn.depthwise_conv2d_backprop_input(list(x.shape), w, dy, **args)

    def backprop_filter(x, dy):
        return tf.nn.depthwise_conv2d_backprop_filter(x, list(w.shape), dy, **args)

    def gradient_of(f):
        def grad_f(a, b):
            with tf.GradientTape() as tape:
                tape.watch([a, b])
                y = f(a, b)
                target = tf.reduce_sum(y * y)
            return tf.concat([tf.reshape(g, [-1]) for g in tape.gradient(target, [a, b])], 0)
        return grad_f

    gradcheck(backprop_input, [w, dy])
    gradcheck(backprop_filter, [x, dy])
    gradcheck(gradient_of(backprop_input), [w, dy], atol=1e-4, rtol=1e-3)
    gradcheck(gradient_of(backprop_filter), [x, dy], atol=1e-4, rtol=1e-3)


def test_exported_model_with_unknown_batch_gives_the_same_outputs(tmp_path, capsys):
    """model.export traces the layers with an unknown batch size (the ops' static shape rules) and
    tf.saved_model.load replays them: the same outputs as the model's own call."""
    model = tf.keras.Sequential([tf.keras.Input((8, 8, 3)), L.DepthwiseConv2D(3, padding="same", depth_multiplier=2),
                                 L.SeparableConv2D(4, 3, strides=2), L.GlobalAveragePooling2D()])
    x = np.random.default_rng(0).normal(size=(2, 8, 8, 3)).astype(np.float32)
    model.export(str(tmp_path / "model"))
    loaded = tf.saved_model.load(str(tmp_path / "model"))
    np.testing.assert_array_equal(loaded.serve(x).numpy(), model(x).numpy())
