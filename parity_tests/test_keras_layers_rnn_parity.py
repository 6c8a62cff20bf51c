"""Embedding, SimpleRNN, LSTM, GRU, Bidirectional, TimeDistributed: minitf against Keras 3 with copied weights.

Each check builds the layer in both frameworks, gives both the same random weights (biases
included, so that every weight matters), runs the same input (and mask), and compares the
outputs and the gradients of sum(w * outputs) with respect to the input and every weight.

Tolerances (float32, one layer): outputs and gradients rtol 1e-5, atol 1e-6 (the gradients sum
6 time steps; TF and NumPy round differently, yet stay within the single-op tolerance).
"""
import numpy as np
import pytest

from parity_tests.harness import assert_close

OUT_TOL = {"rtol": 1e-5, "atol": 1e-6}
GRAD_TOL = {"rtol": 1e-5, "atol": 1e-6}

MASK = np.array([[1, 1, 1, 0, 0, 0],     # right padded
                 [0, 0, 1, 1, 1, 1],     # left padded
                 [1, 0, 1, 0, 1, 1],     # holes
                 [0, 0, 0, 0, 0, 0]], bool)  # nothing


def _random_like(weights, rng):
    return [rng.normal(0, 0.4, w.shape).astype(np.float32) for w in weights]


def _pair(tf, mtf, make, input_shape, rng):
    """(keras layer, minitf layer) built for input_shape, with the same random weights."""
    theirs, ours = make(tf), make(mtf)
    theirs.build(input_shape)
    ours.build(input_shape)
    weights = _random_like(theirs.get_weights(), rng)
    theirs.set_weights(weights)
    ours.set_weights(weights)
    return theirs, ours


def _flat(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def _compare(tf, mtf, name, theirs, ours, x, rng, call_kwargs=None, mask=None, watch_input=True):
    """Outputs and gradients (input + trainable weights) of sum(w * outputs)."""
    call_kwargs = call_kwargs or {}
    xt, xm = tf.constant(x), mtf.constant(x)
    kt, km = dict(call_kwargs), dict(call_kwargs)
    if mask is not None:
        kt["mask"], km["mask"] = tf.constant(mask), mtf.constant(mask)
    with tf.GradientTape() as tape:
        if watch_input:
            tape.watch(xt)
        out_t = _flat(theirs(xt, **kt))
        seeds = [rng.uniform(0.5, 1.5, tuple(o.shape)).astype(np.float32) for o in out_t]
        loss_t = tf.add_n([tf.reduce_sum(o * s) for o, s in zip(out_t, seeds)])
    sources_t = ([xt] if watch_input else []) + theirs.trainable_weights
    grads_t = [tf.convert_to_tensor(g) for g in tape.gradient(loss_t, sources_t)]  # IndexedSlices -> dense
    with mtf.GradientTape() as tape:
        if watch_input:
            tape.watch(xm)
        out_m = _flat(ours(xm, **km))
        loss_m = sum(mtf.reduce_sum(o * mtf.constant(s)) for o, s in zip(out_m, seeds))
    sources_m = ([xm] if watch_input else []) + ours.trainable_weights
    grads_m = tape.gradient(loss_m, sources_m)
    assert len(out_t) == len(out_m), f"{name}: Keras returned {len(out_t)} outputs, minitf {len(out_m)}"
    for i, (a, b) in enumerate(zip(out_t, out_m)):
        assert_close(f"{name}: output {i}", a, b, **OUT_TOL)
    labels = (["input"] if watch_input else []) + [w.path for w in theirs.trainable_weights]
    for label, a, b in zip(labels, grads_t, grads_m):
        assert_close(f"{name}: gradient of {label}", a, b, **GRAD_TOL)


CONFIGS = [
    {},
    {"return_sequences": True},
    {"return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"go_backwards": True, "return_state": True, "return_sequences": True},
]


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "SimpleRNN"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: "-".join(c) or "default")
@pytest.mark.parametrize("masked", [False, True], ids=["nomask", "mask"])
def test_recurrent_layer(tf, mtf, kind, config, masked):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 6, 5)).astype(np.float32)
    theirs, ours = _pair(tf, mtf, lambda fw: getattr(fw.keras.layers, kind)(3, **config), (None, 6, 5), rng)
    _compare(tf, mtf, f"{kind}{config} mask={masked}", theirs, ours, x, rng, mask=MASK if masked else None)


@pytest.mark.parametrize("kind,config", [
    ("GRU", {"reset_after": False, "return_sequences": True}),
    ("GRU", {"use_bias": False, "return_sequences": True}),
    ("LSTM", {"use_bias": False}),
    ("LSTM", {"unit_forget_bias": False, "activation": "relu", "return_sequences": True}),
    ("GRU", {"recurrent_activation": "hard_sigmoid", "return_state": True}),
    ("SimpleRNN", {"activation": "relu", "return_sequences": True}),
    ("LSTM", {"zero_output_for_mask": True, "return_sequences": True}),
])
def test_recurrent_variants_with_mask(tf, mtf, kind, config):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 6, 5)).astype(np.float32)
    theirs, ours = _pair(tf, mtf, lambda fw: getattr(fw.keras.layers, kind)(3, **config), (None, 6, 5), rng)
    _compare(tf, mtf, f"{kind}{config}", theirs, ours, x, rng, mask=MASK)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_initial_state(tf, mtf, kind):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 6, 5)).astype(np.float32)
    theirs, ours = _pair(tf, mtf, lambda fw: getattr(fw.keras.layers, kind)(3, return_sequences=True,
                                                                           return_state=True), (None, 6, 5), rng)
    states = [rng.normal(size=(4, 3)).astype(np.float32) for _ in range(2 if kind == "LSTM" else 1)]
    out_t = theirs(tf.constant(x), initial_state=[tf.constant(s) for s in states], mask=tf.constant(MASK))
    out_m = ours(mtf.constant(x), initial_state=[mtf.constant(s) for s in states], mask=mtf.constant(MASK))
    for i, (a, b) in enumerate(zip(out_t, out_m)):
        assert_close(f"{kind} with initial_state: output {i}", a, b, **OUT_TOL)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_masked_embedding_feeding_recurrent_layer(tf, mtf, kind, return_sequences):
    """Embedding(mask_zero=True) -> LSTM/GRU: the mask travels between the layers in both frameworks."""
    rng = np.random.default_rng(3)
    ids = rng.integers(1, 20, (4, 6)).astype(np.int32)
    ids[0, 3:] = 0
    ids[1, :2] = 0
    ids[2, [1, 3]] = 0
    ids[3, :] = 0

    def make(fw):
        return fw.keras.Sequential([fw.keras.Input((6,), dtype="int32"),
                                    fw.keras.layers.Embedding(20, 5, mask_zero=True),
                                    getattr(fw.keras.layers, kind)(3, return_sequences=return_sequences)])
    theirs, ours = make(tf), make(mtf)
    ours.set_weights(_random_like(theirs.get_weights(), rng))
    theirs.set_weights(ours.get_weights())
    _compare(tf, mtf, f"Embedding(mask_zero)->{kind}", theirs, ours, ids, rng, watch_input=False)


def test_embedding(tf, mtf):
    rng = np.random.default_rng(4)
    ids = rng.integers(0, 10, (3, 4)).astype(np.int32)
    ids[0, :2] = 7  # a row used twice: its gradient is the sum of both
    theirs, ours = _pair(tf, mtf, lambda fw: fw.keras.layers.Embedding(10, 6), (None, 4), rng)
    _compare(tf, mtf, "Embedding", theirs, ours, ids, rng, watch_input=False)
    mask_t = tf.keras.layers.Embedding(10, 6, mask_zero=True).compute_mask(tf.constant(ids))
    mask_m = mtf.keras.layers.Embedding(10, 6, mask_zero=True).compute_mask(mtf.constant(ids))
    assert_close("Embedding mask", mask_t, mask_m)


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional(tf, mtf, merge_mode):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(4, 6, 5)).astype(np.float32)
    theirs, ours = _pair(tf, mtf, lambda fw: fw.keras.layers.Bidirectional(
        fw.keras.layers.LSTM(3, return_sequences=True), merge_mode=merge_mode), (None, 6, 5), rng)
    _compare(tf, mtf, f"Bidirectional(LSTM, {merge_mode})", theirs, ours, x, rng, mask=MASK)


def test_bidirectional_gru_return_state(tf, mtf):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 6, 5)).astype(np.float32)
    theirs, ours = _pair(tf, mtf, lambda fw: fw.keras.layers.Bidirectional(
        fw.keras.layers.GRU(3, return_state=True)), (None, 6, 5), rng)
    _compare(tf, mtf, "Bidirectional(GRU, return_state)", theirs, ours, x, rng, mask=MASK)


def test_time_distributed(tf, mtf):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 6, 5)).astype(np.float32)
    theirs, ours = _pair(tf, mtf, lambda fw: fw.keras.layers.TimeDistributed(fw.keras.layers.Dense(3, "tanh")),
                         (None, 6, 5), rng)
    _compare(tf, mtf, "TimeDistributed(Dense)", theirs, ours, x, rng)
