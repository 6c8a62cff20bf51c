"""Depthwise and separable convolutions: minitf against TF 2.21 / Keras 3.15.

* ops: ``tf.nn.depthwise_conv2d`` and ``tf.nn.separable_conv2d`` over strides, dilations, paddings
  (VALID, SAME, explicit) and channel multipliers; values and the gradients with respect to the input
  and the filters (GradientTape of sum(y * P), P a fixed random projection). The depthwise forward
  adds the taps in the order of TF's CPU kernel, so with TF's stock kernels (oneDNN off, as
  parity_tests/conftest.py sets by default) it is bit for bit TF's; gradients: rtol 1e-5, atol 1e-5
  (TF's backprop kernels add in another order). The op table rows (tests/op_specs.py) add drawn
  cases, float64/float16 and bad inputs (test_ops_parity.py, test_op_outcomes_parity.py).
* bad arguments: the same error class as TF; where minitf and TF's stock kernel differ on purpose
  (strides > 1 with dilations > 1, NCHW) the difference is checked as documented. Unequal strides
  (TF's stock kernel refuses them, its oneDNN build computes them) are checked in tests/ only.
* layers: DepthwiseConv2D, SeparableConv2D, DepthwiseConv1D, SeparableConv1D with Keras's weights
  copied in: outputs (rtol 1e-5, atol 1e-6), gradients of input and weights (rtol 1e-5, atol 1e-5),
  weight names/shapes, ``compute_output_shape`` and ``get_config``.
* a small MobileNet-like model (Conv2D, DepthwiseConv2D, BatchNormalization, ReLU, SeparableConv2D,
  GlobalAveragePooling2D, Dense) trained with ``fit`` for 3 epochs from Keras's initial weights:
  every epoch's loss and accuracy in History against Keras's (loss rtol 1e-5 on epoch 1, 1e-4
  after; reached here: the same History bit for bit), the weights after training (rtol 1e-3,
  atol 1e-4), traced and eager minitf Histories identical bit for bit.
"""
from __future__ import annotations

import os
import warnings

import numpy as np
import pytest

from minitf.datasets import make_shapes
from parity_tests.harness import traced_and_eager
from parity_tests.test_keras_layers_conv_parity import _compare, check_layer
from tests.saving_examples import comparable_config, same_settings

GRAD_TOL = dict(rtol=1e-5, atol=1e-5)
STOCK_TF_KERNELS = os.environ.get("TF_ENABLE_ONEDNN_OPTS") == "0"


@pytest.fixture(autouse=True)
def _deterministic_tf(op_determinism):
    pass


def _value_and_grads(fw, fn, arrays, projection_seed=5):
    tensors = [fw.constant(a) for a in arrays]
    with fw.GradientTape() as tape:
        tape.watch(tensors)
        y = fn(fw, *tensors)
        projection = np.random.default_rng(projection_seed).uniform(-1, 1, tuple(y.shape)).astype(np.float32)
        loss = fw.reduce_sum(y * fw.constant(projection))
    return y.numpy(), [g.numpy() for g in tape.gradient(loss, tensors)]


def _check_op(tf, mtf, name, fn, arrays, exact_forward):
    want_y, want_g = _value_and_grads(tf, fn, arrays)
    got_y, got_g = _value_and_grads(mtf, fn, arrays)
    assert got_y.shape == want_y.shape, f"{name}: output shape {got_y.shape} vs TF {want_y.shape}"
    if exact_forward and STOCK_TF_KERNELS:
        np.testing.assert_array_equal(got_y, want_y, err_msg=f"{name}: the forward is not TF's bits")
    else:
        _compare(f"{name} output", got_y, want_y, rtol=1e-5, atol=1e-6)
    for label, g, w in zip(("d/dinput", "d/dfilter", "d/dpointwise"), got_g, want_g):
        _compare(f"{name} gradient {label}", g, w, **GRAD_TOL)


# --- the ops -----------------------------------------------------------------------------------------
EXPLICIT = [[0, 0], [1, 2], [2, 0], [0, 0]]
OP_CASES = [  # (H, W, C, M, kh, kw, stride, dilation, padding)
    (7, 6, 3, 1, 3, 3, 1, 1, "VALID"),
    (7, 6, 3, 2, 3, 2, 1, 1, "SAME"),
    (9, 8, 2, 3, 3, 3, 2, 1, "SAME"),
    (9, 8, 2, 2, 3, 3, 2, 1, "VALID"),
    (10, 9, 3, 1, 5, 5, 3, 1, "SAME"),
    (9, 9, 2, 2, 3, 3, 1, 2, "SAME"),
    (9, 10, 3, 1, 3, 2, 1, (2, 3), "VALID"),
    (8, 8, 2, 2, 3, 3, 1, 1, EXPLICIT),
    (8, 9, 2, 1, 3, 3, 2, 1, EXPLICIT),
    (9, 9, 2, 2, 2, 3, 1, 2, EXPLICIT),
    (1, 1, 4, 2, 1, 1, 1, 1, "VALID"),
    (6, 6, 16, 1, 3, 3, 1, 1, "SAME"),  # many channels: one MobileNet block's shape, small
]


def _op_arrays(case, seed=0, separable_filters=0):
    h, w, c, m, kh, kw = case[:6]
    rng = np.random.default_rng(seed)
    arrays = [rng.normal(size=(2, h, w, c)).astype(np.float32), rng.normal(size=(kh, kw, c, m)).astype(np.float32)]
    if separable_filters:
        arrays.append(rng.normal(size=(1, 1, c * m, separable_filters)).astype(np.float32))
    return arrays


def _op_kwargs(case):
    stride, dilation, padding = case[6:]
    dilations = [dilation, dilation] if isinstance(dilation, int) else list(dilation)
    return dict(strides=[1, stride, stride, 1], padding=padding, dilations=dilations)


@pytest.mark.parametrize("case", OP_CASES, ids=str)
def test_depthwise_conv2d_values_and_gradients_match_tf(tf, mtf, case):
    kwargs = _op_kwargs(case)
    _check_op(tf, mtf, f"depthwise_conv2d{case}", lambda fw, x, w: fw.nn.depthwise_conv2d(x, w, **kwargs),
              _op_arrays(case), exact_forward=True)


@pytest.mark.parametrize("case", OP_CASES, ids=str)
def test_separable_conv2d_values_and_gradients_match_tf(tf, mtf, case):
    kwargs = _op_kwargs(case)
    _check_op(tf, mtf, f"separable_conv2d{case}", lambda fw, x, d, p: fw.nn.separable_conv2d(x, d, p, **kwargs),
              _op_arrays(case, seed=1, separable_filters=3), exact_forward=False)


def test_float64_and_float16_match_tf(tf, mtf):
    case = (7, 6, 3, 2, 3, 3, 2, 1, "SAME")
    for dtype, tol in ((np.float64, dict(rtol=1e-12, atol=1e-12)), (np.float16, dict(rtol=2e-3, atol=2e-3))):
        x, w = [a.astype(dtype) for a in _op_arrays(case)]
        want = tf.nn.depthwise_conv2d(x, w, **_op_kwargs(case)).numpy()
        got = mtf.nn.depthwise_conv2d(x, w, **_op_kwargs(case)).numpy()
        assert got.dtype == want.dtype == dtype
        _compare(f"depthwise_conv2d {np.dtype(dtype).name}", got, want, **tol)


def test_second_derivative_matches_tf(tf, mtf):
    """d/dw of (d/dx of sum(y * P)) . Q: the gradient ops' own gradients (BackpropInput's w-gradient)."""
    x, w = _op_arrays((6, 5, 2, 2, 3, 3, 2, 1, "SAME"))
    kwargs = _op_kwargs((6, 5, 2, 2, 3, 3, 2, 1, "SAME"))
    rng = np.random.default_rng(9)

    def run(fw):
        xt, wt = fw.constant(x), fw.constant(w)
        with fw.GradientTape() as outer:
            outer.watch(wt)
            with fw.GradientTape() as inner:
                inner.watch([xt, wt])
                y = fw.nn.depthwise_conv2d(xt, wt, **kwargs)
                loss = fw.reduce_sum(y * fw.constant(rng.uniform(-1, 1, tuple(y.shape)).astype(np.float32)))
            dx = inner.gradient(loss, xt)
            z = fw.reduce_sum(dx * fw.constant(np.linspace(-1, 1, dx.numpy().size, dtype=np.float32).reshape(dx.shape)))
        return outer.gradient(z, wt).numpy()

    want = run(tf)
    rng = np.random.default_rng(9)
    _compare("d2/(dw dx)", run(mtf), want, **GRAD_TOL)


# --- bad arguments ------------------------------------------------------------------------------------
def _error_class(fn):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fn()
    except Exception as e:  # noqa: BLE001
        return type(e)
    return None


@pytest.mark.parametrize("what, x_shape, w_shape, kwargs", [
    ("channel mismatch", (1, 5, 5, 3), (3, 3, 2, 1), {}),
    ("filter of rank 3", (1, 5, 5, 3), (3, 3, 3), {}),
    ("input of rank 5", (1, 1, 5, 5, 3), (3, 3, 3, 1), {}),
    ("input of rank 2", (5, 3), (3, 3, 3, 1), {}),
    ("kernel two cells larger than the input", (1, 1, 1, 1), (3, 3, 1, 1), {}),
    ("dilated kernel two cells larger than the input", (1, 3, 3, 1), (3, 3, 1, 1), dict(dilations=[2, 2])),
    ("stride along the batch", (1, 5, 5, 1), (3, 3, 1, 1), dict(strides=[2, 1, 1, 1])),
    ("bad padding", (1, 5, 5, 1), (3, 3, 1, 1), dict(padding="FULL")),
    ("explicit padding of the channels", (1, 5, 5, 1), (3, 3, 1, 1), dict(padding=[[0, 0], [1, 1], [1, 1], [1, 0]])),
])
def test_bad_arguments_raise_tf_error_class(tf, mtf, what, x_shape, w_shape, kwargs):
    x, w = np.ones(x_shape, np.float32), np.ones(w_shape, np.float32)
    args = dict(dict(strides=[1, 1, 1, 1], padding="VALID"), **kwargs)
    want = _error_class(lambda: tf.nn.depthwise_conv2d(x, w, **args))
    got = _error_class(lambda: mtf.nn.depthwise_conv2d(x, w, **args))
    assert want is not None, f"{what}: TF accepted it"
    assert got is not None and want.__name__ in {c.__name__ for c in got.__mro__}, \
        f"{what}: TF raises {want.__name__}, minitf {got and got.__name__}"


@pytest.mark.parametrize("dtype", ["int32", "bool"])
@pytest.mark.parametrize("dilation", [1, 2])
def test_non_float_inputs_raise_tf_error_class(tf, mtf, dtype, dilation):
    x, w = np.ones((1, 5, 5, 2), dtype), np.ones((3, 3, 2, 1), np.float32)
    args = dict(strides=[1, 1, 1, 1], padding="SAME", dilations=[dilation, dilation])
    want = _error_class(lambda: tf.nn.depthwise_conv2d(x, w, **args))
    got = _error_class(lambda: mtf.nn.depthwise_conv2d(x, w, **args))
    assert want is not None and got is not None and want.__name__ in {c.__name__ for c in got.__mro__}, \
        f"{dtype}, dilation {dilation}: TF raises {want and want.__name__}, minitf {got and got.__name__}"


def test_separable_pointwise_filter_must_be_1x1(tf, mtf):
    x, d, p = np.ones((1, 5, 5, 2), np.float32), np.ones((3, 3, 2, 1), np.float32), np.ones((2, 1, 2, 3), np.float32)
    for fw in (tf, mtf):
        with pytest.raises(ValueError):
            fw.nn.separable_conv2d(x, d, p, [1, 1, 1, 1], "VALID")


def test_strides_with_dilations_tf_warns_minitf_refuses(tf, mtf):
    """TF computes *something* for strides > 1 with dilations > 1 (only a warning: space_to_batch with
    strided phases, not a strided dilated convolution); minitf refuses, as TF's rule says."""
    x, w = _op_arrays((9, 9, 2, 1, 3, 3, 2, 2, "SAME"))
    with pytest.warns(UserWarning, match="dilation rate is greater than 1"):
        tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME", dilations=[2, 2])
    with pytest.raises(mtf.errors.InvalidArgumentError, match="all strides must be 1"):
        mtf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME", dilations=[2, 2])


def test_nchw_is_nhwc_transposed(tf, mtf):
    """TF's stock CPU kernel refuses NCHW (UnimplementedError; its oneDNN build computes it): minitf
    computes it by transposing, equal to TF's NHWC result transposed."""
    x, w = _op_arrays((7, 6, 3, 2, 3, 3, 1, 1, "SAME"))
    want = tf.nn.depthwise_conv2d(x, w, [1, 1, 1, 1], "SAME").numpy().transpose(0, 3, 1, 2)
    got = mtf.nn.depthwise_conv2d(x.transpose(0, 3, 1, 2), w, [1, 1, 1, 1], "SAME", data_format="NCHW").numpy()
    np.testing.assert_array_equal(got, want)


# --- the layers --------------------------------------------------------------------------------------
DEPTHWISE2D_CASES = [
    dict(kernel_size=3),
    dict(kernel_size=3, padding="same", depth_multiplier=2),
    dict(kernel_size=(3, 2), strides=2, padding="same", depth_multiplier=3),
    dict(kernel_size=3, strides=2, padding="valid"),
    dict(kernel_size=3, dilation_rate=2, padding="same"),
    dict(kernel_size=3, strides=2, dilation_rate=2, padding="same", depth_multiplier=2),  # Keras decomposes
    dict(kernel_size=3, padding="same", use_bias=False, activation="relu"),
    dict(kernel_size=3, padding="same", depth_multiplier=2, data_format="channels_first"),
]


@pytest.mark.parametrize("kwargs", DEPTHWISE2D_CASES, ids=str)
def test_depthwise_conv2d_layer_matches_keras(tf, mtf, kwargs):
    shape = (2, 3, 9, 8) if kwargs.get("data_format") == "channels_first" else (2, 9, 8, 3)
    x = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    check_layer(tf, mtf, lambda m: m.keras.layers.DepthwiseConv2D(**kwargs), x)


SEPARABLE2D_CASES = [
    dict(filters=4, kernel_size=3),
    dict(filters=5, kernel_size=3, padding="same", depth_multiplier=2),
    dict(filters=3, kernel_size=(2, 3), strides=2, padding="same"),
    dict(filters=4, kernel_size=3, dilation_rate=2, padding="same", activation="relu"),
    dict(filters=4, kernel_size=3, strides=2, dilation_rate=2, padding="valid"),  # Keras decomposes
    dict(filters=2, kernel_size=3, padding="same", use_bias=False, data_format="channels_first"),
]


@pytest.mark.parametrize("kwargs", SEPARABLE2D_CASES, ids=str)
def test_separable_conv2d_layer_matches_keras(tf, mtf, kwargs):
    shape = (2, 3, 9, 8) if kwargs.get("data_format") == "channels_first" else (2, 9, 8, 3)
    x = np.random.default_rng(1).uniform(-1, 1, shape).astype(np.float32)
    check_layer(tf, mtf, lambda m: m.keras.layers.SeparableConv2D(**kwargs), x)


CONV1D_CASES = [
    dict(kernel_size=3),
    dict(kernel_size=3, padding="same", depth_multiplier=2),
    dict(kernel_size=4, strides=2, padding="same"),
    dict(kernel_size=3, dilation_rate=2, padding="valid"),
    dict(kernel_size=3, strides=3, dilation_rate=2, padding="same"),
    dict(kernel_size=2, data_format="channels_first", depth_multiplier=2),
]


@pytest.mark.parametrize("kwargs", CONV1D_CASES, ids=str)
@pytest.mark.parametrize("kind", ["DepthwiseConv1D", "SeparableConv1D"])
def test_1d_layers_match_keras(tf, mtf, kind, kwargs):
    shape = (2, 3, 11) if kwargs.get("data_format") == "channels_first" else (2, 11, 3)
    x = np.random.default_rng(2).uniform(-1, 1, shape).astype(np.float32)
    extra = dict(filters=4) if kind == "SeparableConv1D" else {}
    check_layer(tf, mtf, lambda m: getattr(m.keras.layers, kind)(**extra, **kwargs), x)


@pytest.mark.parametrize("kind, args, shape", [
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=2, depthwise_regularizer="l2",
                             depthwise_constraint="non_neg", bias_initializer="ones"), (8, 8, 3)),
    ("SeparableConv2D", dict(filters=4, kernel_size=(3, 2), strides=2, pointwise_regularizer="l1",
                             pointwise_initializer="he_normal", activation="relu"), (8, 8, 3)),
    ("DepthwiseConv1D", dict(kernel_size=3, dilation_rate=2, activity_regularizer="l2"), (10, 3)),
    ("SeparableConv1D", dict(filters=2, kernel_size=3, padding="same", bias_constraint="max_norm"), (10, 3)),
])
def test_weights_config_and_output_shape_match_keras(tf, mtf, kind, args, shape):
    theirs, ours = getattr(tf.keras.layers, kind)(**args), getattr(mtf.keras.layers, kind)(**args)
    theirs.build((None, *shape))
    ours.build((None, *shape))
    assert [(w.path.split("/")[-1], tuple(w.shape)) for w in ours.weights] == \
        [(w.path.split("/")[-1], tuple(w.shape)) for w in theirs.weights]
    assert ours.name.rstrip("_0123456789") == theirs.name.rstrip("_0123456789")
    assert tuple(ours.compute_output_shape((None, *shape))) == tuple(theirs.compute_output_shape((None, *shape)))
    want, got = comparable_config(theirs), comparable_config(ours)
    assert sorted(got) == sorted(want), f"{kind}: config keys {sorted(set(got) ^ set(want))} differ"
    assert not same_settings(got, want), f"{kind}: config values differ: {same_settings(got, want)}"
    # and Keras builds the same layer from minitf's config
    rebuilt = getattr(tf.keras.layers, kind).from_config(ours.get_config())
    assert not same_settings(comparable_config(rebuilt), want)


@pytest.mark.parametrize("kind, args", [
    ("DepthwiseConv2D", dict(kernel_size=3, depth_multiplier=0)),
    ("SeparableConv2D", dict(filters=0, kernel_size=3)),
    ("SeparableConv2D", dict(filters=2, kernel_size=0)),
    ("DepthwiseConv1D", dict(kernel_size=3, strides=0)),
    ("DepthwiseConv2D", dict(kernel_size=3, padding="causal")),
])
def test_bad_layer_arguments_raise_value_error_like_keras(tf, mtf, kind, args):
    for fw in (tf, mtf):
        with pytest.raises(ValueError):
            getattr(fw.keras.layers, kind)(**args)


# --- a MobileNet-like model, trained --------------------------------------------------------------------
def mobilenet_like(m):
    L = m.keras.layers
    return m.keras.Sequential([
        m.keras.Input((16, 16, 3)),
        L.Conv2D(8, 3, strides=2, padding="same", use_bias=False),
        L.BatchNormalization(),
        L.ReLU(6.0),
        L.DepthwiseConv2D(3, padding="same", use_bias=False),
        L.BatchNormalization(),
        L.ReLU(6.0),
        L.Conv2D(16, 1, use_bias=False),
        L.BatchNormalization(),
        L.ReLU(6.0),
        L.DepthwiseConv2D(3, strides=2, padding="same", depth_multiplier=2),
        L.ReLU(),
        L.SeparableConv2D(16, 3, padding="same", activation="relu"),
        L.GlobalAveragePooling2D(),
        L.Dense(4, activation="softmax"),
    ])


LOSS_RTOL = (1e-5, 1e-4, 1e-4)
WEIGHT_TOL = dict(rtol=1e-3, atol=1e-4)


def test_mobilenet_like_model_trains_like_keras(tf, mtf):
    x, y = make_shapes(seed=0, n_samples=160, image_size=16, num_classes=4, channels=3)
    tf.keras.utils.set_random_seed(0)
    initial = mobilenet_like(tf).get_weights()

    def train(m, run_eagerly=False):
        model = mobilenet_like(m)
        model.set_weights(initial)
        model.compile(optimizer=m.keras.optimizers.Adam(learning_rate=1e-2), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"], run_eagerly=run_eagerly)
        history = model.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
        return history.history, model

    want, theirs = train(tf)
    (got, ours), _ = traced_and_eager("mobilenet_like", lambda run_eagerly: train(mtf, run_eagerly))
    for epoch in range(3):
        g, w = got["loss"][epoch], want["loss"][epoch]
        assert abs(g - w) <= LOSS_RTOL[epoch] * abs(w), \
            f"epoch {epoch + 1} loss {g!r} vs Keras {w!r} (rel err {abs(g - w) / abs(w):.3g})"
        assert abs(got["accuracy"][epoch] - want["accuracy"][epoch]) <= 1 / len(x) + 1e-6
    assert want["loss"][-1] < want["loss"][0], "the model should learn something in 3 epochs"
    for w, a, b in zip(theirs.weights, ours.get_weights(), theirs.get_weights()):
        _compare(f"{w.path} after training", a, b, **WEIGHT_TOL)
    _compare("predictions after training", ours.predict(x[:16], verbose=0), theirs.predict(x[:16], verbose=0),
             rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("case", [c for c in OP_CASES if c[7] == 1], ids=str)
def test_backprop_functions_match_tf(tf, mtf, case):
    """tf.nn.depthwise_conv2d_backprop_input / _filter (TF's stock kernels take no dilations)."""
    x, w = _op_arrays(case, seed=3)
    kwargs = dict(strides=[1, case[6], case[6], 1], padding=case[8])
    dy = np.random.default_rng(4).normal(size=tf.nn.depthwise_conv2d(x, w, **kwargs).shape).astype(np.float32)
    for fw_name, fn in (("input", lambda fw: fw.nn.depthwise_conv2d_backprop_input(list(x.shape), w, dy, **kwargs)),
                        ("filter", lambda fw: fw.nn.depthwise_conv2d_backprop_filter(x, list(w.shape), dy, **kwargs))):
        _compare(f"depthwise_conv2d_backprop_{fw_name}{case}", fn(mtf).numpy(), fn(tf).numpy(), **GRAD_TOL)
