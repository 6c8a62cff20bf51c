"""3-D convolution, its transpose and pooling (``minitf/nn/volume_ops.py``) against loops over the windows
in NumPy, and the Keras layers on volumes. Gradients and TF parity: the op table's rows (``nn.conv3d``,
``nn.conv3d_transpose``, ``nn.max_pool3d``, ``nn.avg_pool3d``) and
``parity_tests/test_keras_layers_conv_parity.py``."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import minitf as tf


def _same_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2


def _windows(x, window, strides, padding):
    """Yield (output index, the window's cells that are inside x) for a (D, H, W, C) volume."""
    outs, befores = [], []
    for n, k, s in zip(x.shape[:3], window, strides):
        if padding == "SAME":
            out, before = _same_pads(n, k, s)
        else:
            out, before = (n - k) // s + 1, 0
        outs.append(out)
        befores.append(before)
    for index in itertools.product(*(range(o) for o in outs)):
        starts = [i * s - b for i, s, b in zip(index, strides, befores)]
        cells = [(d, h, w) for d, h, w in itertools.product(*(range(st, st + k) for st, k in zip(starts, window)))
                 if 0 <= d < x.shape[0] and 0 <= h < x.shape[1] and 0 <= w < x.shape[2]]
        yield index, starts, cells, outs


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("strides", [(1, 1, 1), (2, 1, 2), (1, 3, 1)])
def test_conv3d_is_the_sum_over_each_window(padding, strides):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 5, 6, 3))
    k = rng.normal(size=(2, 3, 2, 3, 4))
    got = tf.nn.conv3d(x, k, [1, *strides, 1], padding).numpy()
    for n in range(2):
        for index, starts, cells, outs in _windows(x[n], k.shape[:3], strides, padding):
            want = sum(x[n][d, h, w] @ k[d - starts[0], h - starts[1], w - starts[2]] for d, h, w in cells)
            np.testing.assert_allclose(got[(n, *index)], want, rtol=1e-12, atol=1e-12)
    assert got.shape[1:4] == tuple(outs)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
@pytest.mark.parametrize("strides", [(1, 1, 1), (2, 1, 2), (3, 2, 1)])
def test_conv3d_transpose_spreads_each_input_cell_over_its_window(padding, strides):
    """Each cell of dy, times the kernel, is added to the window of the volume that conv3d would have
    read for it (the transpose: conv3d's input gradient), padded cells dropped."""
    rng = np.random.default_rng(2)
    volume = np.zeros((5, 4, 6, 3))  # the conv3d input whose windows dy's cells stand for
    k = rng.normal(size=(2, 3, 2, 3, 4))
    windows = list(_windows(volume, k.shape[:3], strides, padding))
    outs = windows[0][3]
    dy = rng.normal(size=(2, *outs, 4))
    got = tf.nn.conv3d_transpose(dy, k, [2, *volume.shape], [1, *strides, 1], padding).numpy()
    for n in range(2):
        want = np.zeros(volume.shape)
        for index, starts, cells, _ in windows:
            for d, h, w in cells:
                want[d, h, w] += k[d - starts[0], h - starts[1], w - starts[2]] @ dy[(n, *index)]
        np.testing.assert_allclose(got[n], want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("padding", ["VALID", "SAME"])
def test_pool3d_is_the_max_and_mean_over_each_window(padding):
    x = np.random.default_rng(1).normal(size=(1, 5, 4, 6, 2))
    window, strides = (3, 2, 2), (2, 1, 2)
    biggest = tf.nn.max_pool3d(x, window, strides, padding).numpy()[0]
    mean = tf.nn.avg_pool3d(x, window, strides, padding).numpy()[0]
    for index, _, cells, _ in _windows(x[0], window, strides, padding):
        values = np.array([x[0][c] for c in cells])
        np.testing.assert_allclose(biggest[index], values.max(axis=0), rtol=1e-12)
        np.testing.assert_allclose(mean[index], values.mean(axis=0), rtol=1e-12)  # padded cells not counted


def test_tfs_cpu_rules_and_the_keras_layers():
    x = np.ones((1, 4, 4, 4, 2), np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="NDHWC"):
        tf.nn.conv3d(x, np.ones((1, 1, 1, 2, 1), np.float32), [1, 1, 1, 1, 1], "SAME", data_format="NCDHW")
    with pytest.raises(tf.errors.InvalidArgumentError, match="dilated"):
        tf.nn.conv3d(x, np.ones((2, 2, 2, 2, 1), np.float32), [1, 1, 1, 1, 1], "SAME", dilations=[1, 2, 2, 2, 1])
    with pytest.raises(tf.errors.NotFoundError):
        tf.nn.max_pool3d(x.astype(np.float16), 2, 2, "VALID")
    model = tf.keras.Sequential([tf.keras.Input((4, 4, 4, 2)), tf.keras.layers.Conv3D(3, 2, padding="same"),
                                 tf.keras.layers.MaxPooling3D(), tf.keras.layers.UpSampling3D(),
                                 tf.keras.layers.ZeroPadding3D(1), tf.keras.layers.Cropping3D(1),
                                 tf.keras.layers.GlobalAveragePooling3D(), tf.keras.layers.Dense(1)])
    assert model.output_shape == (None, 1)
    model.compile("sgd", "mse")
    history = model.fit(np.random.default_rng(2).normal(size=(8, 4, 4, 4, 2)).astype(np.float32), np.ones((8, 1)),
                        epochs=2, verbose=0).history
    assert len(history["loss"]) == 2 and all(np.isfinite(history["loss"]))


def test_local_response_normalization_and_weighted_moments_follow_their_formulas():
    """(Beside the volumes: two more tf.nn functions of the same session, against NumPy loops.)"""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 3, 3, 6))
    r, bias, alpha, beta = 2, 1.5, 0.3, 0.75
    want = np.empty_like(x)
    for d in range(6):
        near = x[..., max(0, d - r):d + r + 1]
        want[..., d] = x[..., d] / (bias + alpha * (near ** 2).sum(axis=-1)) ** beta
    np.testing.assert_allclose(tf.nn.lrn(x, r, bias, alpha, beta).numpy(), want, rtol=1e-12)
    w = rng.uniform(size=(2, 1, 3, 1))
    mean, variance = tf.nn.weighted_moments(x, [0, 1, 2], w)
    weights = np.broadcast_to(w, x.shape)
    want_mean = (weights * x).sum(axis=(0, 1, 2)) / weights.sum(axis=(0, 1, 2))
    np.testing.assert_allclose(mean.numpy(), want_mean, rtol=1e-12)
    np.testing.assert_allclose(variance.numpy(), (weights * (x - want_mean) ** 2).sum(axis=(0, 1, 2))
                               / weights.sum(axis=(0, 1, 2)), rtol=1e-12)
