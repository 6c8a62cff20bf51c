"""AdaptiveAveragePooling1D/2D/3D and AdaptiveMaxPooling1D/2D/3D, without TensorFlow.

Expected values come from a NumPy reference written here from the definition (output cell i of an
axis of n cells pooled to m covers cells floor(i n / m) to ceil((i + 1) n / m), end excluded), one
output cell at a time in float64, not from the layer's two-pool gather. Sizes are drawn by
hypothesis (smaller and larger outputs than inputs, one cell, both data formats). Gradients: central
differences in float64 (``minitf.testing.gradcheck``, its default tolerances), and for the max, the
rule that the whole dy of a window goes to its first largest cell. Outputs: rtol 1e-6, atol 1e-6
against the float64 reference (float32 means of at most a few dozen cells).
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitf as mtf
from minitf.testing import gradcheck

layers = mtf.keras.layers
KINDS = {("average", 1): layers.AdaptiveAveragePooling1D, ("average", 2): layers.AdaptiveAveragePooling2D,
         ("average", 3): layers.AdaptiveAveragePooling3D, ("max", 1): layers.AdaptiveMaxPooling1D,
         ("max", 2): layers.AdaptiveMaxPooling2D, ("max", 3): layers.AdaptiveMaxPooling3D}


def reference(x: np.ndarray, output_size: tuple, mode: str) -> np.ndarray:
    """Channels-last x (batch, *spatial, channels) pooled cell by cell from the definition, in float64."""
    spatial = x.shape[1:-1]
    out = np.empty((x.shape[0], *output_size, x.shape[-1]))
    reduce = np.mean if mode == "average" else np.max
    for cell in itertools.product(*(range(m) for m in output_size)):
        window = tuple(slice(math.floor(i * n / m), math.ceil((i + 1) * n / m))
                       for i, n, m in zip(cell, spatial, output_size))
        block = x[(slice(None), *window, slice(None))].astype(np.float64)
        out[(slice(None), *cell, slice(None))] = reduce(block, axis=tuple(range(1, len(spatial) + 1)))
    return out


@st.composite
def cases(draw):
    spatial = draw(st.integers(1, 3))
    inputs = draw(st.lists(st.integers(1, 9), min_size=spatial, max_size=spatial))
    outputs = draw(st.lists(st.integers(1, 9), min_size=spatial, max_size=spatial))
    return (draw(st.sampled_from(["average", "max"])), tuple(inputs), tuple(outputs),
            draw(st.sampled_from(["channels_last", "channels_first"])), draw(st.integers(0, 2 ** 16)))


@settings(max_examples=60, deadline=None)
@given(cases())
def test_each_output_cell_pools_its_window(case):
    mode, inputs, outputs, data_format, seed = case
    x = np.random.default_rng(seed).uniform(-1, 1, (2, *inputs, 3)).astype("float32")
    layer = KINDS[(mode, len(inputs))](outputs if len(set(outputs)) > 1 else outputs[0], data_format=data_format)
    last = len(inputs) + 1
    to_first = [0, last, *range(1, last)]
    fed = x if data_format == "channels_last" else np.transpose(x, to_first)
    got = layer(mtf.constant(fed)).numpy()
    want = reference(x, outputs, mode)
    if data_format == "channels_first":
        want = np.transpose(want, to_first)
    assert got.shape == want.shape == tuple(layer.compute_output_shape(fed.shape))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("mode,inputs,outputs", [
    ("average", (7,), (3,)), ("average", (5, 4), (3, 6)), ("average", (3, 4, 5), (2, 3, 2)),
    ("max", (7,), (3,)), ("max", (5, 4), (3, 6)), ("max", (3, 4, 5), (2, 3, 2)),
    ("max", (4, 4), (1, 1)), ("average", (1, 6), (1, 4)),
])
def test_gradient_matches_finite_differences(mode, inputs, outputs):
    # distinct values, so that no max is tied within the finite difference's step
    x = np.random.default_rng(3).permutation(np.prod((2, *inputs, 2))).reshape((2, *inputs, 2)) / 10.0
    layer = KINDS[(mode, len(inputs))](outputs, dtype="float64")  # float64 for the finite differences
    gradcheck(layer, [x])


def test_max_sends_each_windows_dy_to_its_first_largest_cell():
    """Overlapping windows (5 -> 3: cells 0-1, 1-2, 3-4) over ties: each window's whole dy goes to
    its first largest cell, and a cell that wins two windows gets both."""
    x = mtf.constant(np.array([[[1.0], [3.0], [3.0], [2.0], [2.0]]], np.float32))
    dy = np.array([[[10.0], [20.0], [40.0]]], np.float32)
    with mtf.GradientTape() as tape:
        tape.watch(x)
        y = layers.AdaptiveMaxPooling1D(3)(x)
    np.testing.assert_array_equal(y.numpy().ravel(), [3.0, 3.0, 2.0])
    np.testing.assert_array_equal(tape.gradient(y, x, output_gradients=mtf.constant(dy)).numpy().ravel(),
                                  [0.0, 30.0, 0.0, 40.0, 0.0])


def test_a_traced_model_trains_and_gives_the_eager_bits():
    model = mtf.keras.Sequential([mtf.keras.Input((9, 9, 2)), layers.Conv2D(3, 3, activation="relu"),
                                  layers.AdaptiveAveragePooling2D((2, 3)), layers.Flatten(), layers.Dense(1)])
    x = np.random.default_rng(0).normal(size=(16, 9, 9, 2)).astype("float32")
    y = np.random.default_rng(1).normal(size=(16, 1)).astype("float32")
    weights = model.get_weights()
    histories = []
    for run_eagerly in (False, True):
        model.set_weights(weights)
        model.compile(optimizer=mtf.keras.optimizers.Adam(0.01), loss="mse", run_eagerly=run_eagerly)
        histories.append(model.fit(x, y, batch_size=8, epochs=3, shuffle=False, verbose=0).history["loss"])
    assert histories[0] == histories[1]
    assert histories[0][-1] < histories[0][0]


@pytest.mark.parametrize("make,error,words", [
    (lambda: layers.AdaptiveAveragePooling2D((3, 4, 5)), TypeError, "(height, width) tuple"),
    (lambda: layers.AdaptiveMaxPooling1D("3"), TypeError, "integer or (length,) tuple"),
    (lambda: layers.AdaptiveMaxPooling3D(0), ValueError, "positive integer"),
    (lambda: layers.AdaptiveAveragePooling1D(2, data_format="NHWC"), ValueError, "data_format"),
])
def test_bad_arguments_are_refused_at_construction(make, error, words):
    with pytest.raises(error, match=words.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_an_input_of_the_wrong_rank_is_refused_naming_the_layer():
    layer = layers.AdaptiveAveragePooling2D(2, name="pool")
    with pytest.raises(ValueError, match=r"AdaptiveAveragePooling2D layer 'pool' expects a 4-D input.*\(2, 5, 3\)"):
        layer(mtf.constant(np.zeros((2, 5, 3), np.float32)))


def test_config_round_trips():
    layer = layers.AdaptiveMaxPooling3D((1, 2, 3), data_format="channels_first", name="p")
    config = layer.get_config()
    assert config["output_size"] == (1, 2, 3) and config["data_format"] == "channels_first"
    clone = layers.AdaptiveMaxPooling3D.from_config(config)
    assert clone.output_size == (1, 2, 3) and clone.data_format == "channels_first"
