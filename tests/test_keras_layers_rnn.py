"""Recurrent layers, Embedding, Bidirectional, TimeDistributed: against NumPy references and finite differences.

The references below are written from the equations in PARITY_NOTES.md and Keras's
``backend.rnn`` masking rules, step by step, independently of minitf's fused step ops.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minitf as mt
from minitf.keras import layers
from minitf.keras.layers.rnn import steps as rnn_steps
from minitf.testing import gradcheck


# --- NumPy references -----------------------------------------------------------------------------
def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _relu(a):
    return np.maximum(a, 0.0)


def reference_rnn(kind, x, kernel, recurrent, bias, mask=None, go_backwards=False, return_sequences=False,
                  initial=None, zero_output_for_mask=False, reset_after=True, activation=np.tanh):
    """Keras semantics: masked steps keep the states; the output is the previous output (zeros at
    first) or zeros with zero_output_for_mask; go_backwards runs and returns the steps reversed."""
    batch, steps, _ = x.shape
    u = recurrent.shape[0]
    h = np.zeros((batch, u)) if initial is None else initial[0]
    c = np.zeros((batch, u)) if initial is None or kind != "lstm" else initial[1]
    previous_output = np.zeros((batch, u))
    outputs = []
    for t in (range(steps - 1, -1, -1) if go_backwards else range(steps)):
        xt = x[:, t]
        if kind == "lstm":
            z = xt @ kernel + h @ recurrent + (0 if bias is None else bias)
            i, f = _sigmoid(z[:, :u]), _sigmoid(z[:, u:2 * u])
            g, o = activation(z[:, 2 * u:3 * u]), _sigmoid(z[:, 3 * u:])
            c_new = f * c + i * g
            h_new = o * activation(c_new)
        elif kind == "gru":
            if reset_after:
                b_in, b_rec = (0, 0) if bias is None else (bias[0], bias[1])
                xw, hu = xt @ kernel + b_in, h @ recurrent + b_rec
                z = _sigmoid(xw[:, :u] + hu[:, :u])
                r = _sigmoid(xw[:, u:2 * u] + hu[:, u:2 * u])
                hh = activation(xw[:, 2 * u:] + r * hu[:, 2 * u:])
            else:
                xw = xt @ kernel + (0 if bias is None else bias)
                z = _sigmoid(xw[:, :u] + h @ recurrent[:, :u])
                r = _sigmoid(xw[:, u:2 * u] + h @ recurrent[:, u:2 * u])
                hh = activation(xw[:, 2 * u:] + (r * h) @ recurrent[:, 2 * u:])
            h_new = z * h + (1 - z) * hh
            c_new = c
        else:
            h_new = activation(xt @ kernel + (0 if bias is None else bias) + h @ recurrent)
            c_new = c
        keep = np.ones((batch, 1), bool) if mask is None else mask[:, t][:, None]
        output = np.where(keep, h_new, 0.0 if zero_output_for_mask else previous_output)
        h, c = np.where(keep, h_new, h), np.where(keep, c_new, c)
        previous_output = output
        outputs.append(output)
    result = np.stack(outputs, axis=1) if return_sequences else outputs[-1]
    return result, ([h, c] if kind == "lstm" else [h])


LAYERS = {"lstm": layers.LSTM, "gru": layers.GRU, "simple": layers.SimpleRNN}
GATES = {"lstm": 4, "gru": 3, "simple": 1}


def random_weights(kind, features, units, rng, reset_after=True, use_bias=True):
    k = GATES[kind] * units
    kernel = rng.normal(0, 0.5, (features, k))
    recurrent = rng.normal(0, 0.5, (units, k))
    if not use_bias:
        return kernel, recurrent, None
    bias = rng.normal(0, 0.3, (2, k) if kind == "gru" and reset_after else (k,))
    return kernel, recurrent, bias


def make_layer(kind, units, features, weights, dtype="float64", **kwargs):
    layer = LAYERS[kind](units, dtype=dtype, **kwargs)
    layer.build((None, 5, features))
    layer.set_weights([w for w in weights if w is not None])
    return layer


def bind_weights(layer, kernel, recurrent, bias):
    """Point the cell at given tensors (so a gradcheck can vary them)."""
    cell = layer.cell
    cell.kernel, cell.recurrent_kernel = kernel, recurrent
    if bias is not None:
        cell.bias = bias


MASK = np.array([[1, 1, 1, 0, 0],       # right padded
                 [0, 0, 1, 1, 1],       # left padded
                 [1, 0, 1, 0, 1],       # holes
                 [0, 0, 0, 0, 0]], bool)  # all masked


# --- forward against the references ------------------------------------------------------------------
CONFIGS = [
    {},
    {"return_sequences": True},
    {"go_backwards": True, "return_sequences": True},
    {"return_state": True},
    {"go_backwards": True, "return_state": True},
    {"zero_output_for_mask": True, "return_sequences": True},
]


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple"])
@pytest.mark.parametrize("config", CONFIGS)
@pytest.mark.parametrize("masked", [False, True])
def test_forward_matches_numpy_reference(kind, config, masked):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 5, 3))
    weights = random_weights(kind, 3, 2, rng)
    layer = make_layer(kind, 2, 3, weights, **config)
    mask = MASK if masked else None
    out = layer(x, mask=None if mask is None else mt.constant(mask))
    expected, states = reference_rnn(kind, x, *weights, mask=mask, go_backwards=config.get("go_backwards", False),
                                     return_sequences=config.get("return_sequences", False),
                                     zero_output_for_mask=config.get("zero_output_for_mask", False))
    got = out if config.get("return_state") else (out,)
    want = [expected] + (states if config.get("return_state") else [])
    assert len(got) == len(want), f"{kind} {config}: {len(got)} outputs, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-10, atol=1e-12,
                                   err_msg=f"{kind} {config} mask={masked}: output {i} differs from the reference")


@pytest.mark.parametrize("kind", ["lstm", "gru", "simple"])
def test_initial_state_and_float32(kind):
    """A given initial state (outputs start at zeros before the first unmasked step), in float32."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(4, 5, 3)).astype(np.float32)
    weights = [w.astype(np.float32) for w in random_weights(kind, 3, 2, rng)]
    initial = [rng.normal(size=(4, 2)).astype(np.float32) for _ in range(2 if kind == "lstm" else 1)]
    layer = make_layer(kind, 2, 3, weights, dtype="float32", return_sequences=True, return_state=True)
    got = layer(x, initial_state=[mt.constant(s) for s in initial], mask=mt.constant(MASK))
    expected, states = reference_rnn(kind, x.astype(np.float64), *[w.astype(np.float64) for w in weights],
                                     mask=MASK, return_sequences=True, initial=[s.astype(np.float64) for s in initial])
    assert got[0].dtype == mt.float32
    for g, w in zip(got, [expected] + states):
        np.testing.assert_allclose(g.numpy(), w, rtol=1e-5, atol=1e-6, err_msg=f"{kind} with initial_state (float32)")


@pytest.mark.parametrize("kind,extra", [("gru", {"reset_after": False}), ("gru", {"use_bias": False}),
                                        ("lstm", {"use_bias": False}), ("lstm", {"activation": "relu"}),
                                        ("gru", {"activation": "relu"}), ("simple", {"activation": "relu"})])
def test_variants_match_reference(kind, extra):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 5, 3))
    weights = random_weights(kind, 3, 2, rng, reset_after=extra.get("reset_after", True),
                             use_bias=extra.get("use_bias", True))
    layer = make_layer(kind, 2, 3, weights, return_sequences=True, **extra)
    act = _relu if extra.get("activation") == "relu" else np.tanh
    expected, _ = reference_rnn(kind, x, *weights, mask=MASK, return_sequences=True,
                                reset_after=extra.get("reset_after", True), activation=act)
    np.testing.assert_allclose(layer(x, mask=mt.constant(MASK)).numpy(), expected, rtol=1e-10, atol=1e-12,
                               err_msg=f"{kind} {extra}")


# --- gradients: finite differences over inputs and every weight ----------------------------------
GRAD_CASES = [
    ("lstm", {}, False), ("lstm", {"return_sequences": True}, True), ("lstm", {"go_backwards": True}, True),
    ("lstm", {"return_state": True}, True), ("lstm", {"activation": "relu", "return_sequences": True}, True),
    ("gru", {}, False), ("gru", {"return_sequences": True}, True), ("gru", {"go_backwards": True,
                                                                           "return_state": True}, True),
    ("gru", {"reset_after": False, "return_sequences": True}, True), ("gru", {"reset_after": False}, False),
    ("simple", {"return_sequences": True}, True), ("simple", {"go_backwards": True, "return_state": True}, False),
]


@pytest.mark.parametrize("kind,config,masked", GRAD_CASES)
def test_gradcheck_inputs_and_weights(kind, config, masked):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5, 3))
    weights = random_weights(kind, 3, 2, rng, reset_after=config.get("reset_after", True))
    layer = make_layer(kind, 2, 3, weights, **config)
    mask = mt.constant(MASK) if masked else None

    def f(x, kernel, recurrent, bias):
        bind_weights(layer, kernel, recurrent, bias)
        out = layer(x, mask=mask)
        return mt.concat([mt.reshape(o, (4, -1)) for o in (out if isinstance(out, tuple) else (out,))], axis=1)

    gradcheck(f, [x, *weights], atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_gradcheck_initial_state(kind):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(4, 5, 3))
    weights = random_weights(kind, 3, 2, rng)
    layer = make_layer(kind, 2, 3, weights, return_sequences=True)
    states = [rng.normal(size=(4, 2)) for _ in range(2 if kind == "lstm" else 1)]

    def f(*s):
        return layer(mt.constant(x), initial_state=list(s), mask=mt.constant(MASK))

    gradcheck(f, states, atol=1e-6, rtol=1e-5)


def test_second_derivatives_through_the_fused_steps():
    """Nested tapes: the step ops' backward runs on minitf ops when an outer tape records it."""
    rng = np.random.default_rng(5)
    b, u = 3, 2
    mask = mt.constant([[True], [False], [True]])

    def lstm_grad(xw, h, c, kernel):
        with mt.GradientTape() as tape:
            tape.watch([xw, h, c, kernel])
            h2, c2 = rnn_steps.lstm_step(xw, h, c, kernel, mask)
            y = mt.reduce_sum(h2 * h2) + mt.reduce_sum(mt.sin(c2))
        return mt.concat([mt.reshape(g, (-1,)) for g in tape.gradient(y, [xw, h, c, kernel])], axis=0)

    gradcheck(lstm_grad, [rng.normal(size=(b, 4 * u)), rng.normal(size=(b, u)), rng.normal(size=(b, u)),
                          rng.normal(0, 0.5, (u, 4 * u))], atol=1e-6, rtol=1e-5)

    def gru_grad(xw, h, kernel, bias):
        with mt.GradientTape() as tape:
            tape.watch([xw, h, kernel, bias])
            y = mt.reduce_sum(rnn_steps.gru_step(xw, h, kernel, bias, mask) ** 3)
        return mt.concat([mt.reshape(g, (-1,)) for g in tape.gradient(y, [xw, h, kernel, bias])], axis=0)

    gradcheck(gru_grad, [rng.normal(size=(b, 3 * u)), rng.normal(size=(b, u)), rng.normal(0, 0.5, (u, 3 * u)),
                         rng.normal(size=(3 * u,))], atol=1e-6, rtol=1e-5)

    def gru_before_grad(xw, h, kernel):
        with mt.GradientTape() as tape:
            tape.watch([xw, h, kernel])
            y = mt.reduce_sum(rnn_steps.gru_step_reset_before(xw, h, kernel, mask) ** 3)
        return mt.concat([mt.reshape(g, (-1,)) for g in tape.gradient(y, [xw, h, kernel])], axis=0)

    gradcheck(gru_before_grad, [rng.normal(size=(b, 3 * u)), rng.normal(size=(b, u)),
                                rng.normal(0, 0.5, (u, 3 * u))], atol=1e-6, rtol=1e-5)


def test_one_recorded_op_per_step_and_one_input_projection():
    """Issue 4 item 4: one matmul for all steps' inputs, then one fused op per step."""
    rng = np.random.default_rng(6)
    x = mt.constant(rng.normal(size=(2, 7, 3)).astype(np.float32))
    for kind, op in (("lstm", "LSTMCell"), ("gru", "GRUCell")):
        layer = LAYERS[kind](4)
        layer(x)
        with mt.GradientTape() as tape:
            layer(x)
        names = [e.name for e in tape.operations if e.name != "ReadVariableOp"]
        assert names.count(op) == 7, f"{kind}: expected 7 {op} ops (one per step), recorded {names}"
        assert names.count("MatMul") == 1, f"{kind}: expected one MatMul (the input projection), recorded {names}"
        assert len(names) <= 7 + 8, f"{kind}: too many recorded ops per call: {names}"


# --- dropout --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["lstm", "gru", "simple"])
def test_input_dropout_uses_one_mask_for_every_step(kind, monkeypatch):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 5, 3))
    weights = random_weights(kind, 3, 2, rng)
    layer = make_layer(kind, 2, 3, weights, dropout=0.5, return_sequences=True)
    mask = np.where(rng.random((4, 3)) < 0.5, 0.0, 2.0)
    monkeypatch.setattr(layer.cell, "_draw_dropout_masks", lambda batch, features, dtype: (mask, None))
    expected, _ = reference_rnn(kind, x * mask[:, None, :], *weights, return_sequences=True)
    np.testing.assert_allclose(layer(x, training=True).numpy(), expected, rtol=1e-10, atol=1e-12)
    plain, _ = reference_rnn(kind, x, *weights, return_sequences=True)
    np.testing.assert_allclose(layer(x, training=False).numpy(), plain, rtol=1e-10, atol=1e-12,
                               err_msg=f"{kind}: dropout must be off at inference")


def test_recurrent_dropout_masks_per_gate(monkeypatch):
    """LSTM with recurrent_dropout: Keras's implementation 1, one mask per gate on x and on h."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=(3, 4, 2))
    kernel, recurrent, bias = random_weights("lstm", 2, 2, rng)
    layer = make_layer("lstm", 2, 2, (kernel, recurrent, bias), dropout=0.3, recurrent_dropout=0.4)
    x_masks = [np.where(rng.random((3, 2)) < 0.3, 0.0, 1 / 0.7) for _ in range(4)]
    h_masks = [np.where(rng.random((3, 2)) < 0.4, 0.0, 1 / 0.6) for _ in range(4)]
    monkeypatch.setattr(layer.cell, "_draw_dropout_masks", lambda batch, features, dtype: (x_masks, h_masks))
    h = c = np.zeros((3, 2))
    for t in range(4):
        pre = [(x[:, t] * x_masks[j]) @ kernel[:, 2 * j:2 * j + 2] + bias[2 * j:2 * j + 2]
               + (h * h_masks[j]) @ recurrent[:, 2 * j:2 * j + 2] for j in range(4)]
        i, f, g, o = _sigmoid(pre[0]), _sigmoid(pre[1]), np.tanh(pre[2]), _sigmoid(pre[3])
        c = f * c + i * g
        h = o * np.tanh(c)
    np.testing.assert_allclose(layer(x, training=True).numpy(), h, rtol=1e-10, atol=1e-12)


def test_dropout_mask_statistics():
    mt.random.set_seed(0)
    cell = layers.LSTMCell(3, dropout=0.25)
    mask = np.asarray(cell._draw_dropout_masks(400, 50, "float32")[0])
    assert set(np.unique(mask)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((mask == 0).mean() - 0.25) < 0.01, f"dropped fraction {(mask == 0).mean()}, expected 0.25"


@pytest.mark.parametrize("kind,rates,draws", [
    ("simple", dict(dropout=0.3), 1), ("simple", dict(recurrent_dropout=0.3), 1),
    ("lstm", dict(dropout=0.3), 1), ("lstm", dict(dropout=0.3, recurrent_dropout=0.2), 8),
    ("gru", dict(recurrent_dropout=0.2), 3), ("gru", dict(dropout=1.0), 0)])
def test_masks_are_drawn_at_every_call_training_or_not(kind, rates, draws):
    """Keras draws the masks before its loop, in training or not, one seed per mask (per gate with
    implementation 1); a rate of 1 zeroes without a draw. So the cell's generator steps by ``draws``."""
    layer = {"simple": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}[kind](2, seed=5, **rates)
    x = np.ones((3, 4, 2), np.float32)
    steps = []
    for training in (True, False):
        before = layer.cell.seed_generator.state.numpy()[1]
        layer(x, training=training)
        steps.append(layer.cell.seed_generator.state.numpy()[1] - before)
    assert steps == [draws, draws]


def test_seeded_dropout_masks_repeat_and_differ_call_to_call():
    x = np.ones((4, 5, 3), np.float32)
    a, b = layers.LSTM(2, dropout=0.5, seed=3), layers.LSTM(2, dropout=0.5, seed=3)
    a.build(x.shape)
    b.build(x.shape)
    b.set_weights(a.get_weights())
    first = a(x, training=True).numpy()
    np.testing.assert_array_equal(first, b(x, training=True).numpy())
    assert not np.array_equal(first, a(x, training=True).numpy()), "a second call must draw a new mask"


# --- Embedding -------------------------------------------------------------------------------------
def test_embedding_forward_gradient_and_mask():
    rng = np.random.default_rng(9)
    ids = np.array([[1, 2, 2, 0], [3, 0, 0, 0]])
    emb = layers.Embedding(5, 3, mask_zero=True, dtype="float64")
    emb.build()
    table = rng.normal(size=(5, 3))
    emb.set_weights([table])
    out = emb(ids)
    np.testing.assert_array_equal(out.numpy(), table[ids])
    np.testing.assert_array_equal(np.asarray(mt.keras.backend.get_keras_mask(out)), ids != 0)
    with mt.GradientTape() as tape:
        y = mt.reduce_sum(emb(ids) * mt.constant(np.arange(24.0).reshape(2, 4, 3)))
    grad = tape.gradient(y, emb.embeddings).numpy()
    expected = np.zeros((5, 3))
    np.add.at(expected, ids, np.arange(24.0).reshape(2, 4, 3))  # row 2 is used twice: both gradients add up
    np.testing.assert_allclose(grad, expected)

    def f(table_tensor):
        emb.embeddings = table_tensor
        return emb(ids)
    gradcheck(f, [table])


def test_embedding_mask_feeds_recurrent_layers():
    rng = np.random.default_rng(10)
    ids = np.array([[4, 2, 0, 0, 0], [0, 0, 3, 1, 2], [1, 2, 3, 4, 1]])
    emb = layers.Embedding(5, 3, mask_zero=True)
    lstm = layers.LSTM(2, return_sequences=True)
    out = lstm(emb(ids))
    vectors = emb(ids)
    explicit = lstm(mt.constant(vectors.numpy()), mask=mt.constant(ids != 0))
    np.testing.assert_array_equal(out.numpy(), explicit.numpy())
    np.testing.assert_array_equal(np.asarray(mt.keras.backend.get_keras_mask(out)), ids != 0)
    unmasked = lstm(mt.constant(vectors.numpy()))
    assert not np.allclose(out.numpy(), unmasked.numpy()), "the mask must change the result"
    assert layers.Embedding(5, 3).compute_mask(ids) is None
    _ = rng


def test_embedding_errors_and_config():
    emb = layers.Embedding(5, 2)
    with pytest.raises(ValueError, match=r"id 5, outside \[0, input_dim=5\)"):
        emb(np.array([[1, 5]]))
    with pytest.raises(ValueError, match="input_dim"):
        layers.Embedding(0, 2)
    with pytest.warns(UserWarning, match="input_length"):
        layers.Embedding(5, 2, input_length=3)
    config = layers.Embedding(7, 3, mask_zero=True).get_config()
    assert config["input_dim"] == 7 and config["mask_zero"] is True
    assert config["embeddings_initializer"]["class_name"] == "RandomUniform"
    assert config["embeddings_initializer"]["config"]["minval"] == -0.05
    again = layers.Embedding.from_config(config)
    assert again.output_dim == 3 and again.mask_zero
    out = emb(np.array([[1.0, 2.0]], dtype=np.float32))  # floats are cast to ids, as Keras does
    assert out.shape == (1, 2, 2)


# --- wrappers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
def test_bidirectional_against_two_references(merge_mode):
    rng = np.random.default_rng(11)
    x = rng.normal(size=(4, 5, 3))
    fwd, bwd = random_weights("gru", 3, 2, rng), random_weights("gru", 3, 2, rng)
    layer = layers.Bidirectional(layers.GRU(2, return_sequences=True, dtype="float64"), merge_mode=merge_mode,
                                 dtype="float64")
    layer.build((None, 5, 3))
    layer.set_weights(list(fwd) + list(bwd))
    got = layer(x, mask=mt.constant(MASK))
    y, _ = reference_rnn("gru", x, *fwd, mask=MASK, return_sequences=True, zero_output_for_mask=True)
    y_rev, _ = reference_rnn("gru", x, *bwd, mask=MASK, return_sequences=True, go_backwards=True,
                             zero_output_for_mask=True)
    y_rev = y_rev[:, ::-1]
    expected = {"concat": np.concatenate([y, y_rev], -1), "sum": y + y_rev, "mul": y * y_rev,
                "ave": (y + y_rev) / 2, None: None}[merge_mode]
    if merge_mode is None:
        np.testing.assert_allclose(got[0].numpy(), y, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(got[1].numpy(), y_rev, rtol=1e-10, atol=1e-12)
    else:
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12, err_msg=f"merge_mode={merge_mode}")
    names = [w.path for w in layer.weights]
    assert names[0].startswith("forward_") and names[3].startswith("backward_"), names


def test_bidirectional_gradcheck_and_return_state():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(2, 4, 3))
    layer = layers.Bidirectional(layers.LSTM(2, return_state=True, dtype="float64"), dtype="float64")
    out = layer(x)
    assert len(out) == 5 and tuple(out[0].shape) == (2, 4)
    gradcheck(lambda x: layer(x)[0], [x])


def test_time_distributed_dense():
    rng = np.random.default_rng(13)
    x = rng.normal(size=(2, 4, 3))
    dense = layers.Dense(5, dtype="float64")
    layer = layers.TimeDistributed(dense, dtype="float64")
    out = layer(x)
    kernel, bias = dense.get_weights()
    np.testing.assert_allclose(out.numpy(), x @ kernel + bias, rtol=1e-12)
    assert [w.shape for w in layer.get_weights()] == [(3, 5), (5,)]
    gradcheck(lambda x: layer(x), [x])
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        layers.TimeDistributed(layers.Dense(2))(np.ones((2, 3), np.float32))


def test_time_distributed_around_a_custom_layer_without_compute_output_shape():
    keras = mt.keras

    class Doubled(layers.Layer):  # output width 2 * input width; no compute_output_shape
        def call(self, x):
            return mt.concat([x, 2.0 * x], axis=-1)

    class Projected(layers.Layer):  # has weights, built from the input shape
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 3), initializer="ones")

        def call(self, x):
            return mt.matmul(x, self.w)

    x = np.arange(24, dtype=np.float32).reshape(3, 4, 2)
    # Direct shape question, then a Sequential with Input, a functional model, and fit.
    assert layers.TimeDistributed(Doubled()).compute_output_shape((None, 4, 2)) == (None, 4, 4)
    sequential = keras.Sequential([keras.Input((4, 2)), layers.TimeDistributed(Doubled())])
    assert sequential.output_shape == (None, 4, 4)
    np.testing.assert_array_equal(sequential(x).numpy(), np.concatenate([x, 2 * x], axis=-1))
    inputs = keras.Input((None, 2))  # unknown number of steps: stays unknown
    wrapped = layers.TimeDistributed(Projected())
    outputs = wrapped(inputs)
    assert tuple(outputs.shape) == (None, None, 3)
    assert wrapped.layer._build_input_shape == (None, 2)  # built for one step, batch unknown
    functional = keras.Model(inputs, outputs)
    np.testing.assert_array_equal(functional(x).numpy(), x @ np.ones((2, 3), np.float32))
    model = keras.Sequential([keras.Input((4, 2)), layers.TimeDistributed(Projected()), layers.Flatten(),
                              layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(x, np.ones((3, 1), np.float32), epochs=1, verbose=0)
    assert [w.shape for w in model.get_weights()] == [(2, 3), (12, 1), (1,)]
    assert np.isfinite(history.history["loss"][0])


# --- errors and configs -----------------------------------------------------------------------------
def test_clear_errors():
    with pytest.raises(ValueError, match=r"expects input of shape \(batch, timesteps, features\).*\(32, 15\)"):
        layers.LSTM(4)(np.zeros((32, 15), np.float32))
    with pytest.raises(ValueError, match="stateful=True.*batch size must be static"):
        layers.GRU(4, stateful=True)(mt.keras.Input((3, 2)))
    with pytest.raises(ValueError, match="mask must have shape"):
        layers.LSTM(2)(np.zeros((2, 3, 1), np.float32), mask=mt.constant(np.ones((2, 4), bool)))
    with pytest.raises(ValueError, match="initial state must have shape"):
        layers.GRU(2)(np.zeros((2, 3, 1), np.float32), initial_state=[np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match="units"):
        layers.SimpleRNN(0)
    with pytest.raises(ValueError, match="merge mode"):
        layers.Bidirectional(layers.LSTM(2), merge_mode="max")


@pytest.mark.parametrize("make", [lambda: layers.LSTM(3, return_sequences=True, dropout=0.1, unit_forget_bias=False),
                                  lambda: layers.GRU(3, reset_after=False, go_backwards=True),
                                  lambda: layers.SimpleRNN(3, activation="relu"),
                                  lambda: layers.Bidirectional(layers.LSTM(3), merge_mode="sum")])
def test_config_round_trip(make):
    layer = make()
    again = type(layer).from_config(layer.get_config())
    x = np.random.default_rng(14).normal(size=(2, 4, 3)).astype(np.float32)
    layer(x)
    again(x)
    again.set_weights(layer.get_weights())
    np.testing.assert_allclose(again(x).numpy(), layer(x).numpy(), rtol=1e-6)


def test_lstm_bias_initialization_and_weight_layout():
    layer = layers.LSTM(3)
    layer.build((None, 4, 2))
    kernel, recurrent, bias = layer.get_weights()
    assert kernel.shape == (2, 12) and recurrent.shape == (3, 12)
    np.testing.assert_array_equal(bias, np.r_[np.zeros(3), np.ones(3), np.zeros(6)])
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(3), atol=1e-5)  # orthogonal
    gru = layers.GRU(3)
    gru.build((None, 4, 2))
    assert [w.shape for w in gru.get_weights()] == [(2, 9), (3, 9), (2, 9)]
    assert [w.path for w in gru.weights] == [f"{gru.name}/gru_cell/kernel", f"{gru.name}/gru_cell/recurrent_kernel",
                                             f"{gru.name}/gru_cell/bias"]


# --- the generic RNN loop ------------------------------------------------------------------------------
class MinimalCell(layers.Layer):
    """A user cell (Keras's documented example): h = tanh(x W + h_prev U)."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")

    def call(self, inputs, states):
        h = mt.tanh(inputs @ self.kernel + states[0] @ self.recurrent_kernel)
        return h, [h]


def test_rnn_with_a_user_cell_and_with_a_builtin_cell():
    rng = np.random.default_rng(15)
    x = rng.normal(size=(4, 5, 3))
    kernel, recurrent = rng.normal(0, 0.5, (3, 2)), rng.normal(0, 0.5, (2, 2))
    layer = layers.RNN(MinimalCell(2, dtype="float64"), return_sequences=True, dtype="float64")
    layer.build((None, 5, 3))
    layer.set_weights([kernel, recurrent])
    expected, _ = reference_rnn("simple", x, kernel, recurrent, None, mask=MASK, return_sequences=True)
    np.testing.assert_allclose(layer(x, mask=mt.constant(MASK)).numpy(), expected, rtol=1e-10, atol=1e-12)
    gradcheck(lambda x: layer(x, mask=mt.constant(MASK)), [x])
    weights = random_weights("lstm", 3, 2, rng)
    wrapped = layers.RNN(layers.LSTMCell(2, dtype="float64"), go_backwards=True, dtype="float64")
    wrapped.build((None, 5, 3))
    wrapped.set_weights(list(weights))
    expected, _ = reference_rnn("lstm", x, *weights, mask=MASK, go_backwards=True)
    np.testing.assert_allclose(wrapped(x, mask=mt.constant(MASK)).numpy(), expected, rtol=1e-10, atol=1e-12)
    cell = layers.GRUCell(2, dtype="float64")  # a cell used by hand, one step
    cell.build((None, 3))
    gru_weights = random_weights("gru", 3, 2, rng)
    cell.set_weights(list(gru_weights))
    h, states = cell(x[:, 0], [np.zeros((4, 2))])
    expected, _ = reference_rnn("gru", x[:, :1], *gru_weights)
    np.testing.assert_allclose(h.numpy(), expected, rtol=1e-10)


def test_bidirectional_with_a_given_backward_layer():
    rng = np.random.default_rng(16)
    x = rng.normal(size=(2, 4, 3))
    forward = layers.LSTM(2, return_sequences=True, dtype="float64")
    backward = layers.GRU(3, return_sequences=True, go_backwards=True, dtype="float64")
    layer = layers.Bidirectional(forward, backward_layer=backward, dtype="float64")
    out = layer(x)
    assert tuple(out.shape) == (2, 4, 5)
    lstm_weights = layer.forward_layer.get_weights()
    gru_weights = layer.backward_layer.get_weights()
    y, _ = reference_rnn("lstm", x, *lstm_weights, return_sequences=True)
    y_rev, _ = reference_rnn("gru", x, *gru_weights, return_sequences=True, go_backwards=True)
    np.testing.assert_allclose(out.numpy(), np.concatenate([y, y_rev[:, ::-1]], -1), rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="go_backwards"):
        layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2))


# --- drawn shapes --------------------------------------------------------------------------------------
@given(kind=st.sampled_from(["lstm", "gru", "simple"]), batch=st.integers(1, 4), steps=st.integers(1, 6),
       features=st.integers(1, 4), units=st.integers(1, 4), go_backwards=st.booleans(), seed=st.integers(0, 1000))
def test_drawn_shapes_match_reference(kind, batch, steps, features, units, go_backwards, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(batch, steps, features))
    mask = rng.random((batch, steps)) < 0.7
    weights = random_weights(kind, features, units, rng)
    layer = LAYERS[kind](units, dtype="float64", return_sequences=True, go_backwards=go_backwards)
    layer.build((None, steps, features))
    layer.set_weights(list(weights))
    expected, _ = reference_rnn(kind, x, *weights, mask=mask, go_backwards=go_backwards, return_sequences=True)
    np.testing.assert_allclose(layer(x, mask=mt.constant(mask)).numpy(), expected, rtol=1e-10, atol=1e-12,
                               err_msg=f"{kind} batch={batch} steps={steps} features={features} units={units}")


# --- stateful layers -----------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [lambda: layers.SimpleRNN(3, stateful=True), lambda: layers.GRU(3, stateful=True),
                                  lambda: layers.LSTM(3, stateful=True)])
def test_stateful_layers_carry_their_final_states_until_reset(make):
    x = np.random.default_rng(3).normal(size=(2, 4, 5)).astype(np.float32)
    layer = make()
    first = layer(x).numpy()
    second = layer(x).numpy()
    plain = type(layer).from_config({**layer.get_config(), "stateful": False})
    plain.build((2, 4, 5))
    plain.set_weights(layer.get_weights())
    np.testing.assert_allclose(first, plain(x).numpy(), rtol=1e-6)
    # the second call starts from the first call's final states: as passing them explicitly
    states = [s.numpy() for s in layer.states]
    layer.reset_states()
    assert all(not s.numpy().any() for s in layer.states)
    np.testing.assert_allclose(layer(x).numpy(), first, rtol=1e-6)
    again = plain(np.concatenate([x, x], axis=1)).numpy()  # one call over both halves = two stateful calls
    np.testing.assert_allclose(second, again, rtol=1e-5, atol=1e-6)
    assert len(layer.weights) == len(plain.weights)  # the kept states are not weights (as Keras)
    assert all(s.shape == (2, 3) for s in layer.states) and len(states) == len(layer.states)


def test_stateful_layer_refuses_another_batch_size():
    layer = layers.LSTM(2, stateful=True)
    layer(np.zeros((3, 2, 1), np.float32))
    with pytest.raises(ValueError, match="stateful, built for batches of 3; got a batch of 2"):
        layer(np.zeros((2, 2, 1), np.float32))


@pytest.mark.parametrize("make", [lambda: layers.Dropout(0.5, seed=2),
                                  lambda: layers.LSTM(4, dropout=0.3, recurrent_dropout=0.2, seed=1),
                                  lambda: layers.GRU(4, recurrent_dropout=0.3, seed=1)],
                         ids=["Dropout", "LSTM", "GRU"])
def test_dropout_in_a_trace_of_any_batch_size_draws_the_eager_masks(make):
    """A signature that leaves the batch size open (``TensorSpec([None, ...])``, as SavedModel serving
    functions have): the masks are drawn at the size of each call (``tf.shape``), the eager draws bit
    for bit, call after call (the seed generators step alike), one trace for every batch size."""
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal((n, 5, 2)).astype(np.float32) for n in (3, 2, 4)]
    eager, traced = make(), make()
    eager(xs[0])
    traced(xs[0])
    traced.set_weights(eager.get_weights())

    @mt.function(input_signature=[mt.TensorSpec([None, 5, 2], mt.float32)])
    def any_batch(inputs):
        return traced(inputs, training=True)

    for x in xs:
        np.testing.assert_array_equal(any_batch(x).numpy(), eager(x, training=True).numpy())
    assert len(any_batch._concrete) == 1
