"""GroupNormalization, RMSNormalization, SpectralNormalization and StackedRNNCells: minitf against Keras 3.

Each layer is made by the same code under both frameworks, Keras's weights are copied into
minitf's (perturbed first, so that gamma 1 / beta 0 hide nothing), and we compare (float32):
outputs rtol 1e-5 / atol 1e-6, gradients of sum(y * P) (P a fixed random projection) w.r.t. the
input and every trainable weight rtol 1e-5 / atol 1e-5 (``check_layer`` of the conv/norm parity
file). The results are not bit-equal: TF's float32 rsqrt (Eigen's) and its summation order over
non-adjacent axes differ from NumPy's in the last bit (as for LayerNormalization).

Seeded recurrent dropout draws Keras's masks bit for bit, so stacked cells with dropout are
compared in training too; SpectralNormalization's power iteration is compared over several
training calls (the assigned ``vector_u`` and kernel) and in inference. A small model with all
four is trained with ``fit`` and gives Keras's History (``compare_histories``).
"""
from __future__ import annotations

import numpy as np
import pytest

from parity_tests.harness import traced_and_eager
from parity_tests.test_keras_layers_conv_parity import _compare, _data, check_layer
from parity_tests.test_training_parity import compare_histories

OUT_TOL = dict(rtol=1e-5, atol=1e-6)
GRAD_TOL = dict(rtol=1e-5, atol=1e-5)


# --- GroupNormalization ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape", [
    (dict(groups=2), (3, 5, 4)),
    (dict(groups=4, epsilon=1e-5), (2, 3, 3, 8)),
    (dict(groups=3, axis=1), (2, 6, 5)),                     # channels first
    (dict(groups=2, axis=2, center=False), (2, 3, 4, 5)),
    (dict(groups=-1, scale=False), (2, 4, 4, 3)),            # instance normalization
    (dict(groups=1, epsilon=0.1), (3, 7)),
    (dict(groups=4, axis=-2), (2, 3, 4, 5)),
], ids=str)
def test_group_normalization(tf, mtf, kwargs, shape):
    check_layer(tf, mtf, lambda m: m.keras.layers.GroupNormalization(**kwargs), _data(shape, low=-2, high=3))


def test_group_normalization_config(tf, mtf):
    theirs, ours = (m.keras.layers.GroupNormalization(groups=-1, axis=1, epsilon=1e-4, center=False)
                    for m in (tf, mtf))
    for layer in (theirs, ours):
        layer.build((2, 3, 4))
    want, got = theirs.get_config(), ours.get_config()
    for key in ("groups", "axis", "epsilon", "center", "scale"):
        assert got[key] == want[key], key


# --- RMSNormalization ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape", [
    (dict(), (4, 6)),
    (dict(epsilon=1e-3), (2, 3, 5)),
    (dict(axis=[1, 2]), (2, 3, 5)),
    (dict(axis=(-2, -1), epsilon=0.5), (2, 3, 4, 5)),
    (dict(axis=1), (2, 4, 4)),  # a non-last axis: Keras broadcasts scale against the last one; so do we
], ids=str)
def test_rms_normalization(tf, mtf, kwargs, shape):
    check_layer(tf, mtf, lambda m: m.keras.layers.RMSNormalization(**kwargs), _data(shape, low=-2, high=3))


def test_rms_normalization_config(tf, mtf):
    theirs, ours = (m.keras.layers.RMSNormalization(axis=(2, 1), epsilon=1e-4) for m in (tf, mtf))
    assert list(ours.get_config()["axis"]) == list(theirs.get_config()["axis"])
    for layer in (theirs, ours):
        layer.build((2, 3, 4))
    assert ours.get_config()["axis"] == theirs.get_config()["axis"] == [1, 2]


# --- SpectralNormalization -----------------------------------------------------------------------------------------
SPECTRAL = [
    ("dense", lambda m: m.keras.layers.SpectralNormalization(m.keras.layers.Dense(4)), (5, 6)),
    ("dense-3-iterations", lambda m: m.keras.layers.SpectralNormalization(m.keras.layers.Dense(3, use_bias=False),
                                                                           power_iterations=3), (4, 7)),
    ("conv2d", lambda m: m.keras.layers.SpectralNormalization(m.keras.layers.Conv2D(3, 2), power_iterations=2),
     (2, 5, 5, 2)),
]


@pytest.mark.parametrize("name,make,shape", SPECTRAL, ids=[s[0] for s in SPECTRAL])
def test_spectral_normalization(tf, mtf, name, make, shape):
    for m in (tf, mtf):  # fresh name counters: the weights' paths are compared, whatever ran before
        m.keras.backend.clear_session()
    theirs, ours = make(tf), make(mtf)
    x = _data(shape)
    theirs.build(shape)
    ours.build(shape)
    assert [w.path for w in ours.weights] == [w.path.replace(theirs.name, ours.name, 1) for w in theirs.weights]
    ours.set_weights(theirs.get_weights())
    projection = None
    for call, training in enumerate((False, True, True, True, False)):
        results = []
        for module, layer in ((tf, theirs), (mtf, ours)):
            xt = module.constant(x)
            with module.GradientTape() as tape:
                tape.watch(xt)
                y = layer(xt, training=training)
                if projection is None:
                    projection = _data(tuple(y.shape), seed=3)
                loss = module.reduce_sum(y * module.constant(projection))
            grads = tape.gradient(loss, [xt] + list(layer.trainable_weights))
            results.append((y.numpy(), [g.numpy() for g in grads], layer.get_weights()))
        (want_y, want_g, want_w), (got_y, got_g, got_w) = results
        _compare(f"{name} call {call} output", got_y, want_y, **OUT_TOL)
        for k, (g, w) in enumerate(zip(got_g, want_g)):
            _compare(f"{name} call {call} gradient {k}", g, w, **GRAD_TOL)
        for k, (a, b) in enumerate(zip(got_w, want_w)):  # the kernel and vector_u the training calls assign
            _compare(f"{name} call {call} weight {k}", a, b, rtol=1e-5, atol=1e-7)


def test_spectral_normalization_embedding_casts_to_the_input_dtype(tf, mtf):
    ids = np.array([[0, 3, 2]])
    outputs = []
    for m in (tf, mtf):
        layer = m.keras.layers.SpectralNormalization(m.keras.layers.Embedding(4, 3, embeddings_initializer="ones"))
        outputs.append(layer(ids, training=True))
    assert outputs[1].dtype.name == outputs[0].dtype.name
    np.testing.assert_array_equal(outputs[1].numpy(), outputs[0].numpy())


# --- StackedRNNCells -----------------------------------------------------------------------------------------------
def _stack(m, dropout=0.0, recurrent_dropout=0.0, **kwargs):
    layers = m.keras.layers
    cells = [layers.LSTMCell(4, dropout=dropout, recurrent_dropout=recurrent_dropout, seed=11),
             layers.GRUCell(3, dropout=dropout, recurrent_dropout=recurrent_dropout / 2, seed=12)]
    return layers.RNN(layers.StackedRNNCells(cells), **kwargs)


def _flat(result):
    if isinstance(result, (list, tuple)):
        return [leaf for item in result for leaf in _flat(item)]
    return [result]


STACKED = [
    ("sequences", dict(return_sequences=True), False, False),
    ("state", dict(return_state=True), False, False),
    ("sequences-state-backwards", dict(return_sequences=True, return_state=True, go_backwards=True), False, False),
    ("masked", dict(return_sequences=True, return_state=True), True, False),
    ("dropout-train", dict(dropout=0.3, recurrent_dropout=0.4, return_sequences=True, return_state=True), False,
     True),
    ("dropout-masked-train", dict(dropout=0.25, return_sequences=True), True, True),
    ("dropout-infer", dict(dropout=0.3, recurrent_dropout=0.4, return_state=True), False, False),
]


@pytest.mark.parametrize("name,kwargs,masked,training", STACKED, ids=[s[0] for s in STACKED])
def test_stacked_lstm_gru_cells(tf, mtf, name, kwargs, masked, training):
    theirs, ours = _stack(tf, **kwargs), _stack(mtf, **kwargs)
    x = _data((3, 5, 2), low=-2, high=2)
    mask = np.array([[1, 1, 1, 0, 1], [1, 0, 0, 0, 0], [0, 1, 1, 1, 1]], bool) if masked else None
    theirs.build(x.shape)
    ours.build(x.shape)
    assert [w.path for w in ours.weights] == [w.path.replace(theirs.name, ours.name, 1) for w in theirs.weights]
    rng = np.random.default_rng(1)
    weights = [w + rng.uniform(-0.3, 0.3, w.shape).astype(w.dtype) for w in theirs.get_weights()]
    theirs.set_weights(weights)
    ours.set_weights(weights)
    assert list(ours.compute_output_shape(x.shape)) == list(theirs.compute_output_shape(x.shape))
    for call in range(2):  # the second call draws new masks from the stepped seed generators
        results = []
        for module, layer in ((tf, theirs), (mtf, ours)):
            xt = module.constant(x)
            with module.GradientTape() as tape:
                tape.watch(xt)
                out = layer(xt, mask=None if mask is None else module.constant(mask), training=training)
                leaves = _flat(out)
                loss = sum(module.reduce_sum(leaf * module.constant(_data(tuple(leaf.shape), seed=5 + k)))
                           for k, leaf in enumerate(leaves))
            grads = tape.gradient(loss, [xt] + list(layer.trainable_weights))
            results.append(([leaf.numpy() for leaf in leaves], [g.numpy() for g in grads], out))
        (want_out, want_g, want_struct), (got_out, got_g, got_struct) = results
        assert len(got_out) == len(want_out)
        if kwargs.get("return_state"):  # states nested per cell as Keras nests them
            assert [isinstance(s, (list, tuple)) and len(s) for s in got_struct[1:]] == \
                [isinstance(s, (list, tuple)) and len(s) for s in want_struct[1:]]
        for k, (a, b) in enumerate(zip(got_out, want_out)):
            _compare(f"{name} call {call} output {k}", a, b, **OUT_TOL)
        for k, (a, b) in enumerate(zip(got_g, want_g)):
            _compare(f"{name} call {call} gradient {k}", a, b, **GRAD_TOL)


def test_a_list_of_cells_is_a_stack(tf, mtf):
    theirs, ours = (m.keras.layers.RNN([m.keras.layers.SimpleRNNCell(3), m.keras.layers.LSTMCell(2)])
                    for m in (tf, mtf))
    assert type(ours.cell).__name__ == type(theirs.cell).__name__ == "StackedRNNCells"
    x = _data((2, 4, 3))
    theirs.build(x.shape)
    ours.build(x.shape)
    ours.set_weights(theirs.get_weights())
    _compare("RNN([cells])", ours(x).numpy(), theirs(x).numpy(), **OUT_TOL)
    config = ours.get_config()["cell"]
    assert config["class_name"] == "StackedRNNCells"
    assert [c["class_name"] for c in config["config"]["cells"]] == ["SimpleRNNCell", "LSTMCell"]


@pytest.mark.parametrize("name,make,kwargs", [
    ("bidirectional", lambda m: m.keras.layers.Bidirectional(m.keras.layers.RNN(
        [m.keras.layers.LSTMCell(3), m.keras.layers.GRUCell(2)], return_sequences=True)), {}),
    ("stateful", lambda m: m.keras.layers.RNN([m.keras.layers.LSTMCell(3), m.keras.layers.GRUCell(2)],
                                              stateful=True, return_state=True), {}),
], ids=["bidirectional", "stateful"])
def test_stacked_cells_in_wrappers_and_stateful(tf, mtf, name, make, kwargs):
    theirs, ours = make(tf), make(mtf)
    x = _data((2, 4, 3))
    theirs.build(x.shape)
    ours.build(x.shape)
    ours.set_weights(theirs.get_weights())
    for call in range(3):  # stateful: each call starts from the last one's final states
        want, got = _flat(theirs(x, **kwargs)), _flat(ours(x, **kwargs))
        assert len(got) == len(want)
        for k, (a, b) in enumerate(zip(got, want)):
            _compare(f"{name} call {call} output {k}", a.numpy(), b.numpy(), **OUT_TOL)


# --- all four in a model trained with fit --------------------------------------------------------------------------
def test_fit_history(tf, mtf, op_determinism):
    tf.keras.utils.set_random_seed(1234)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(48, 6, 4)).astype("float32")
    y = (x[:, :, 0].sum(axis=1) > 0).astype("float32")[:, None]

    def build(m):
        layers = m.keras.layers
        return m.keras.Sequential([
            m.keras.Input((6, 4)),
            layers.GroupNormalization(groups=2),
            layers.RMSNormalization(),
            layers.RNN([layers.LSTMCell(5, dropout=0.2, recurrent_dropout=0.1, seed=3),
                        layers.GRUCell(4, dropout=0.1, seed=4)]),
            layers.SpectralNormalization(layers.Dense(1, activation="sigmoid"), power_iterations=2),
        ])

    def compile_model(m, model):
        model.compile(optimizer=m.keras.optimizers.Adam(0.01), loss="binary_crossentropy", metrics=["accuracy"])

    t_model = build(tf)
    initial = t_model.get_weights()
    compile_model(tf, t_model)
    t_hist = t_model.fit(x, y, epochs=6, batch_size=16, shuffle=False, verbose=0).history

    def train(run_eagerly):
        m_model = build(mtf)
        m_model.set_weights(initial)
        compile_model(mtf, m_model)
        m_model.run_eagerly = run_eagerly
        return m_model.fit(x, y, epochs=6, batch_size=16, shuffle=False, verbose=0).history, m_model

    (m_hist, m_model), _ = traced_and_eager("norms-stack", train, ())
    compare_histories("GroupNorm+RMSNorm+stacked cells+SpectralNorm", t_hist, m_hist)
    for k, (a, b) in enumerate(zip(m_model.get_weights(), t_model.get_weights())):
        _compare(f"weight {k} after fit", a, b, rtol=1e-4, atol=1e-6)


def test_mixed_precision(tf, mtf):
    """Under mixed_float16 both normalizations compute in float32 (GroupNormalization does not even cast its
    inputs to float16 first: autocast=False, as Keras) and return float16: Keras's bits."""
    x = _data((2, 5, 6), low=-300, high=300)
    results = []
    try:
        for m in (tf, mtf):
            m.keras.mixed_precision.set_global_policy("mixed_float16")
            outputs = []
            for layer in (m.keras.layers.GroupNormalization(groups=3), m.keras.layers.RMSNormalization()):
                y = layer(x)
                weights = [str(getattr(w.dtype, "name", w.dtype)) for w in layer.weights]
                outputs.append((y.dtype.name, y.numpy(), weights))
            results.append(outputs)
    finally:
        for m in (tf, mtf):
            m.keras.mixed_precision.set_global_policy("float32")
    for (want_dtype, want, want_weights), (got_dtype, got, got_weights) in zip(*results):
        assert (got_dtype, got_weights) == (want_dtype, want_weights) == ("float16", got_weights)
        np.testing.assert_array_equal(got, want)


# --- the sums under BatchNormalization's statistics and the bias gradients -----------------------------------------
@pytest.mark.parametrize("shape", [(4, 6, 6, 4), (8, 6, 6, 3), (500, 4), (32, 26, 26, 2), (2, 10, 10, 7)])
def test_sums_over_narrow_rows_are_tfs_bits(tf, mtf, shape):
    """Rows of 2 to 7 numbers TF adds one after another, and so does minitf (``sum_over_axes``). (Rows of one
    number make a sum of all elements: TF then adds in a tree, ``_tf_compat.EigenSum``.)"""
    x = (np.random.default_rng(len(shape) + shape[0]).standard_normal(shape) + 0.3).astype(np.float32)
    axes = list(range(len(shape) - 1))
    for op in ("reduce_sum", "reduce_mean"):
        want, got = (getattr(m, op)(m.constant(x), axis=axes).numpy() for m in (tf, mtf))
        assert got.tobytes() == want.tobytes(), (op, shape, got, want)


@pytest.mark.parametrize("shape", [(4, 48, 48, 16), (32, 28, 28, 32), (1000, 16)])
def test_sums_over_wide_rows_are_as_exact_as_tfs(tf, mtf, shape):
    """From 8 numbers a row TF adds in blocks of its own; minitf's blocks of 64 rows are at least as exact."""
    x = (np.random.default_rng(shape[0]).standard_normal(shape) + 0.3).astype(np.float32)
    axes = list(range(len(shape) - 1))
    exact = x.astype(np.float64).sum(axis=tuple(axes))
    errors = {name: np.abs(m.reduce_sum(m.constant(x), axis=axes).numpy() - exact).max() for name, m in
              (("tf", tf), ("minitf", mtf))}
    assert errors["minitf"] <= errors["tf"], errors
