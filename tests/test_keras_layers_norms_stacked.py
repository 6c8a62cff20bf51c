"""GroupNormalization, RMSNormalization, SpectralNormalization and StackedRNNCells, without TF.

Values against NumPy formulas written here (Keras 3.15's definitions), gradients by central
differences, errors for bad arguments, config round trips, traced calls equal to eager ones.
"""
import numpy as np
import pytest

import minitf as tf
from minitf.keras import layers
from minitf.testing import gradcheck

RNG = np.random.default_rng(0)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _perturbed(layer, rng, scale=0.5):
    """Non-trivial weights (gamma 1, beta 0 would hide a mix-up of the two)."""
    layer.set_weights([w + rng.uniform(-scale, scale, w.shape).astype(w.dtype) for w in layer.get_weights()])
    return layer


# --- GroupNormalization ------------------------------------------------------------------------------------------
def _group_norm_reference(x, groups, axis, gamma, beta, epsilon):
    """Move the channels last, split them in groups, normalize each (example, group) over all its elements."""
    x = np.moveaxis(x, axis, -1)
    shape = x.shape
    g = x.reshape(shape[0], -1, groups, shape[-1] // groups)
    mean = g.mean(axis=(1, 3), keepdims=True)
    var = ((g - mean) ** 2).mean(axis=(1, 3), keepdims=True)
    y = ((g - mean) / np.sqrt(var + epsilon)).reshape(shape)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return np.moveaxis(y, -1, axis)


GROUP_CASES = [
    (dict(groups=2), (3, 5, 4)),
    (dict(groups=3, axis=1, epsilon=1e-5), (2, 6, 4)),          # channels first
    (dict(groups=-1, center=False), (2, 3, 3, 4)),               # instance normalization
    (dict(groups=1, scale=False), (2, 4, 6)),                    # layer norm over all non-batch axes
    (dict(groups=2, axis=2), (2, 3, 4, 5)),
    (dict(groups=4, axis=-2), (2, 3, 4, 5)),
]


@pytest.mark.parametrize("kwargs,shape", GROUP_CASES, ids=str)
def test_group_normalization_values(kwargs, shape):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape) * 3 + 1
    layer = layers.GroupNormalization(dtype="float64", **kwargs)
    layer.build(shape)
    _perturbed(layer, rng)
    axis = kwargs.get("axis", -1)
    dim = shape[axis]
    groups = dim if kwargs["groups"] == -1 else kwargs["groups"]
    gamma = layer.gamma.numpy() if kwargs.get("scale", True) else None
    beta = layer.beta.numpy() if kwargs.get("center", True) else None
    want = _group_norm_reference(x, groups, axis % len(shape), gamma, beta, kwargs.get("epsilon", 1e-3))
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-12, atol=1e-12)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["gamma", "beta"][0 if kwargs.get("scale", True) else 1:
                                                               2 if kwargs.get("center", True) else 1]
    assert all(tuple(w.shape) == (dim,) for w in layer.weights)


def test_group_normalization_defaults_and_float32():
    layer = layers.GroupNormalization()
    assert (layer.groups, layer.axis, layer.epsilon, layer.center, layer.scale) == (32, -1, 1e-3, True, True)
    x = RNG.normal(size=(2, 4, 64)).astype("float32")
    y = layer(x)
    assert y.dtype == tf.float32
    np.testing.assert_allclose(y.numpy(), _group_norm_reference(x.astype("float64"), 32, 2, 1.0, 0.0, 1e-3),
                               rtol=1e-5, atol=1e-5)
    assert layer.groups == 32


def test_group_normalization_minus_one_becomes_the_channel_count():
    layer = layers.GroupNormalization(groups=-1)
    layer.build((2, 5, 6))
    assert layer.get_config()["groups"] == 6  # Keras stores the count in place of -1


@pytest.mark.parametrize("kwargs,shape", [(dict(groups=2), (2, 3, 4)), (dict(groups=3, axis=1), (2, 6, 2)),
                                          (dict(groups=2, center=False), (2, 4))], ids=str)
def test_group_normalization_gradients(kwargs, shape):
    rng = np.random.default_rng(2)
    layer = layers.GroupNormalization(dtype="float64", **kwargs)
    layer.build(shape)
    _perturbed(layer, rng)
    x = rng.normal(size=shape)
    gradcheck(lambda t: layer(t), [x])
    gradcheck(lambda *ws: _group_norm_with(layer, x, ws), [w.numpy() for w in layer.weights])


def _group_norm_with(layer, x, weights):
    """The layer's output as a function of its weights given as tensors (for the weights' gradcheck)."""
    saved = [(name, getattr(layer, name)) for name in ("gamma", "beta")]
    try:
        names = [name for name, value in saved if value is not None]
        for name, w in zip(names, weights):
            setattr(layer, name, w)
        return layer.call(tf.constant(x))
    finally:
        for name, value in saved:
            setattr(layer, name, value)


@pytest.mark.parametrize("kwargs,shape,error,match", [
    (dict(groups=0), None, ValueError, "invalid value for argument `groups`"),
    (dict(groups=-2), None, ValueError, "invalid value for argument `groups`"),
    (dict(groups=2.0), None, ValueError, "invalid value for argument `groups`"),
    (dict(axis=[1, 2]), None, TypeError, "`axis` must be an int"),
    (dict(epsilon=0.0), None, ValueError, "`epsilon` must be positive"),
    (dict(groups=3), (2, 4), ValueError, r"channels \(4\) of axis -1 must be a multiple of the number of groups \(3\)"),
    (dict(groups=8), (2, 4), ValueError, r"number of groups \(8\) cannot be more than the number of channels \(4\)"),
    (dict(groups=2, axis=3), (2, 4), ValueError, "axis 3 is out of bounds"),
    (dict(groups=2, axis=0), (2, 4), ValueError, "batch axis"),
    (dict(groups=2), (2, None), ValueError, "should have a defined dimension"),
], ids=str)
def test_group_normalization_errors(kwargs, shape, error, match):
    with pytest.raises(error, match=match):
        layer = layers.GroupNormalization(**kwargs)
        layer.build(shape)


def test_group_normalization_names_itself_and_checks_the_input():
    layer = layers.GroupNormalization(groups=2, name="gn")
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match="gn"):
        layer(np.ones((2, 6), "float32"))


def test_group_normalization_config_round_trip():
    layer = layers.GroupNormalization(groups=2, axis=1, epsilon=1e-4, center=False, gamma_initializer="zeros",
                                      beta_regularizer="l2", name="g")
    config = layer.get_config()
    again = layers.GroupNormalization.from_config(config)
    assert again.get_config() == config
    assert config["groups"] == 2 and config["axis"] == 1 and config["center"] is False


# --- RMSNormalization ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,shape", [(dict(), (3, 5)), (dict(axis=[1, 2], epsilon=1e-3), (2, 3, 4)),
                                          (dict(axis=(-1, -2)), (2, 3, 4)), (dict(axis=-1, epsilon=0.5), (2, 3, 4))],
                         ids=str)
def test_rms_normalization_values_and_gradients(kwargs, shape):
    rng = np.random.default_rng(3)
    x = rng.normal(size=shape) * 2
    layer = layers.RMSNormalization(dtype="float64", **kwargs)
    layer.build(shape)
    _perturbed(layer, rng)
    axes = tuple(sorted(a % len(shape) for a in np.atleast_1d(kwargs.get("axis", -1))))
    scale = layer.scale.numpy()
    want = x / np.sqrt((x ** 2).mean(axis=axes, keepdims=True) + kwargs.get("epsilon", 1e-6)) * scale
    np.testing.assert_allclose(layer(x).numpy(), want, rtol=1e-12)
    assert [w.path.split("/")[-1] for w in layer.weights] == ["scale"]
    assert tuple(layer.scale.shape) == tuple(shape[a] for a in axes)
    gradcheck(lambda t: layer(t), [x])

    def of_scale(s):
        saved = layer.scale
        layer.scale = s
        try:
            return layer.call(tf.constant(x))
        finally:
            layer.scale = saved
    gradcheck(of_scale, [scale])


def test_rms_normalization_computes_float16_in_float32():
    x = (RNG.normal(size=(2, 8)) * 300).astype("float16")  # squares overflow float16
    layer = layers.RMSNormalization(dtype="float16")
    y = layer(x)
    assert y.dtype == tf.float16
    x32 = x.astype("float32")
    want = x32 / np.sqrt((x32 ** 2).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(y.numpy().astype("float32"), want, rtol=2e-3)


def test_rms_normalization_config_as_keras():
    layer = layers.RMSNormalization(axis=-1, epsilon=1e-4)
    assert layer.get_config()["axis"] == -1
    layer.build((2, 3))
    config = layer.get_config()
    assert config["axis"] == [-1] and config["epsilon"] == 1e-4  # Keras turns the axis into a list when built
    again = layers.RMSNormalization.from_config(config)
    again.build((2, 3))
    assert again.get_config() == config


@pytest.mark.parametrize("kwargs,shape,error,match", [
    (dict(axis="last"), None, TypeError, "RMSNormalization: expected an int or a list/tuple of ints"),
    (dict(axis=[]), None, TypeError, "RMSNormalization"),
    (dict(epsilon=-1.0), None, ValueError, "`epsilon` must be non-negative"),
    (dict(axis=2), (2, 3), ValueError, "axis 2 is out of bounds"),
    (dict(axis=1), (2, 3, 4), ValueError, r"scale` of shape \(3,\).*trailing axes \(4,\)"),
    (dict(), (2, None), ValueError, "must have known sizes"),
], ids=str)
def test_rms_normalization_errors(kwargs, shape, error, match):
    with pytest.raises(error, match=match):
        layers.RMSNormalization(**kwargs).build(shape)


# --- SpectralNormalization -----------------------------------------------------------------------------------------
def _l2_normalize(v):
    return v * min(1.0 / np.sqrt((v ** 2).sum()), 1e7)


def _spectral_reference(kernel, u, iterations):
    w = kernel.reshape(-1, kernel.shape[-1])
    for _ in range(iterations):
        v = _l2_normalize(u @ w.T)
        u = _l2_normalize(v @ w)
    sigma = (v @ w @ u.T)[0, 0]
    return u, kernel / sigma


@pytest.mark.parametrize("make,shape,iterations", [
    (lambda: layers.Dense(3, dtype="float64"), (4, 5), 1),
    (lambda: layers.Dense(4, dtype="float64"), (2, 3), 3),
    (lambda: layers.Conv2D(2, 2, dtype="float64"), (2, 4, 4, 3), 2),
], ids=["dense", "dense-3-iterations", "conv2d"])
def test_spectral_normalization_training_and_inference(make, shape, iterations):
    rng = np.random.default_rng(4)
    tf.keras.utils.set_random_seed(4)  # the kernel and vector_u initializers draw from the global stream
    inner = make()
    layer = layers.SpectralNormalization(inner, power_iterations=iterations, dtype="float64")
    x = rng.normal(size=shape)
    layer.build(shape)
    assert [w.path for w in layer.weights][:2] == [f"{layer.name}/{inner.name}/kernel", f"{layer.name}/vector_u"]
    assert [w.path.split("/")[-1] for w in layer.non_trainable_weights] == ["vector_u"]
    kernel, u = inner.kernel.numpy(), layer.vector_u.numpy()
    # inference: the kernel as it is, nothing assigned
    np.testing.assert_array_equal(layer(x).numpy(), inner(x).numpy())
    np.testing.assert_array_equal(inner.kernel.numpy(), kernel)
    # training: u and kernel / sigma assigned, then the layer runs on them
    want_u, want_kernel = _spectral_reference(kernel, u, iterations)
    y = layer(x, training=True)
    np.testing.assert_allclose(layer.vector_u.numpy(), want_u, rtol=1e-10)
    np.testing.assert_allclose(inner.kernel.numpy(), want_kernel, rtol=1e-10)
    np.testing.assert_array_equal(y.numpy(), inner(x).numpy())
    assert abs(np.linalg.svd(want_kernel.reshape(-1, want_kernel.shape[-1]), compute_uv=False)[0] - 1) < 0.5
    # repeated training steps follow the reference and bring the spectral norm to 1
    kernel, u = inner.kernel.numpy(), layer.vector_u.numpy()
    for _ in range(40):
        u, kernel = _spectral_reference(kernel, u, iterations)
        layer(x, training=True)
    np.testing.assert_allclose(inner.kernel.numpy(), kernel, rtol=1e-9)
    top = np.linalg.svd(kernel.reshape(-1, kernel.shape[-1]), compute_uv=False)[0]
    assert abs(top - 1) < 1e-2


def test_spectral_normalization_gradients_reach_the_kernel_through_the_layer():
    rng = np.random.default_rng(5)
    inner = layers.Dense(3, dtype="float64")
    layer = layers.SpectralNormalization(inner, dtype="float64")
    x = rng.normal(size=(4, 2))
    layer.build(x.shape)
    gradcheck(lambda t: layer(t), [x])  # inference
    with tf.GradientTape() as tape:
        y = layer(x, training=True)
        loss = tf.reduce_sum(y ** 2)
    g_kernel, g_bias = tape.gradient(loss, [inner.kernel, inner.bias])
    # d loss / d (the kernel read after the assignment) = x^T 2y
    np.testing.assert_allclose(g_kernel.numpy(), x.T @ (2 * y.numpy()), rtol=1e-12)
    np.testing.assert_allclose(g_bias.numpy(), (2 * y.numpy()).sum(0), rtol=1e-12)


def test_spectral_normalization_keeps_an_all_zero_kernel():
    inner = layers.Dense(2, kernel_initializer="zeros")
    layer = layers.SpectralNormalization(inner)
    y = layer(np.ones((1, 3), "float32"), training=True)
    assert np.all(inner.kernel.numpy() == 0) and not np.any(np.isnan(layer.vector_u.numpy()))
    np.testing.assert_array_equal(y.numpy(), 0)


def test_spectral_normalization_embedding_output_takes_the_input_dtype():
    layer = layers.SpectralNormalization(layers.Embedding(5, 3, embeddings_initializer="ones"))
    y = layer(np.array([[1, 2]]), training=True)
    assert y.dtype == tf.int64  # Keras casts the output to the input's dtype


@pytest.mark.parametrize("make,error,match", [
    (lambda: layers.SpectralNormalization(layers.Dense(2), power_iterations=0), ValueError,
     "`power_iterations` should be greater than zero"),
    (lambda: layers.SpectralNormalization("dense"), ValueError, "isn't a supported layer"),
    (lambda: layers.SpectralNormalization(layers.Flatten(), name="sn").build((2, 3)), ValueError,
     "'sn': Flatten object has no attribute 'kernel' nor 'embeddings'"),
], ids=["iterations", "not-a-layer", "no-kernel"])
def test_spectral_normalization_errors(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_spectral_normalization_config_round_trip():
    layer = layers.SpectralNormalization(layers.Dense(3, activation="relu"), power_iterations=2)
    config = layer.get_config()
    assert config["power_iterations"] == 2 and config["layer"]["class_name"] == "Dense"
    again = layers.SpectralNormalization.from_config(config)
    assert again.get_config()["layer"]["config"]["units"] == 3 and again.power_iterations == 2


# --- StackedRNNCells -----------------------------------------------------------------------------------------------
def _lstm_step(x, h, c, kernel, recurrent, bias):
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = np.split(z, 4, axis=-1)
    c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
    h = _sigmoid(o) * np.tanh(c)
    return h, c


def _gru_step(x, h, kernel, recurrent, bias):
    """Keras's GRU with reset_after=True: bias row 0 on the inputs, row 1 on the recurrent product."""
    xz, xr, xh = np.split(x @ kernel + bias[0], 3, axis=-1)
    rz, rr, rh = np.split(h @ recurrent + bias[1], 3, axis=-1)
    z, r = _sigmoid(xz + rz), _sigmoid(xr + rr)
    return z * h + (1 - z) * np.tanh(xh + r * rh)


def _stacked_reference(x, lstm_weights, gru_weights, mask=None):
    batch = x.shape[0]
    h1 = c1 = np.zeros((batch, lstm_weights[1].shape[0]))
    h2 = np.zeros((batch, gru_weights[1].shape[0]))
    outputs, out = [], np.zeros_like(h2)
    for t in range(x.shape[1]):
        nh1, nc1 = _lstm_step(x[:, t], h1, c1, *lstm_weights)
        nh2 = _gru_step(nh1, h2, *gru_weights)
        keep = np.ones((batch, 1), bool) if mask is None else mask[:, t:t + 1]
        h1, c1, h2 = np.where(keep, nh1, h1), np.where(keep, nc1, c1), np.where(keep, nh2, h2)
        out = np.where(keep, nh2, out)
        outputs.append(out)
    return np.stack(outputs, 1), (h1, c1), h2


def _stacked_rnn(**kwargs):
    cells = [layers.LSTMCell(3, dtype="float64"), layers.GRUCell(2, dtype="float64")]
    return layers.RNN(layers.StackedRNNCells(cells, dtype="float64"), dtype="float64", **kwargs)


def test_stacked_cells_values_states_and_shapes():
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, 5, 3))
    rnn = _stacked_rnn(return_sequences=True, return_state=True)
    rnn.build(x.shape)
    _perturbed(rnn, rng)
    lstm, gru = rnn.cell.cells
    out, lstm_states, gru_states = rnn(x)
    want, (h1, c1), h2 = _stacked_reference(x, [w.numpy() for w in lstm.weights], [w.numpy() for w in gru.weights])
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(lstm_states[0].numpy(), h1, rtol=1e-12)
    np.testing.assert_allclose(lstm_states[1].numpy(), c1, rtol=1e-12)
    assert isinstance(gru_states, list) and len(gru_states) == 1  # Keras nests each cell's states as its own list
    np.testing.assert_allclose(gru_states[0].numpy(), h2, rtol=1e-12)
    assert rnn.compute_output_shape((4, 5, 3)) == [(4, 5, 2), [(4, 3), (4, 3)], (4, 2)]  # Keras: from state_size
    assert rnn.cell.state_size == [[3, 3], 2] and rnn.cell.output_size == 2
    assert [w.path for w in rnn.weights] == [f"{rnn.name}/{rnn.cell.name}/{cell.name}/{name}"
                                             for cell in (lstm, gru) for name in ("kernel", "recurrent_kernel", "bias")]


def test_stacked_cells_masks_and_initial_states():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 4, 2))
    mask = np.array([[1, 1, 0, 1], [1, 0, 0, 0], [0, 1, 1, 1]], bool)
    rnn = _stacked_rnn(return_sequences=True)
    rnn.build(x.shape)
    _perturbed(rnn, rng)
    lstm, gru = rnn.cell.cells
    want, _, _ = _stacked_reference(x, [w.numpy() for w in lstm.weights], [w.numpy() for w in gru.weights], mask)
    np.testing.assert_allclose(rnn(x, mask=mask).numpy(), want, rtol=1e-12, atol=1e-14)
    # zero initial states given nested, as Keras's return_state gives them back, change nothing
    zeros = [[np.zeros((3, 3)), np.zeros((3, 3))], [np.zeros((3, 2))]]
    np.testing.assert_allclose(rnn(x, initial_state=zeros).numpy(), _stacked_reference(
        x, [w.numpy() for w in lstm.weights], [w.numpy() for w in gru.weights])[0], rtol=1e-12, atol=1e-14)
    with pytest.raises(ValueError, match="expects 3 initial state"):
        rnn(x, initial_state=zeros[0])


def test_stacked_cells_gradients():
    rng = np.random.default_rng(8)
    x = rng.normal(size=(2, 3, 2))
    rnn = _stacked_rnn(return_sequences=True)
    rnn.build(x.shape)
    gradcheck(lambda t: rnn(t), [x])
    variables = rnn.trainable_weights
    # the weights are Variables read inside the loop: one element of each against central differences
    with tf.GradientTape() as tape:
        y = rnn(x)
        loss = tf.reduce_sum(y * np.linspace(0.5, 1.5, y.shape[-1] * y.shape[1]).reshape(y.shape[1:]))
    grads = tape.gradient(loss, variables)
    for variable, grad in zip(variables, grads):
        value = variable.numpy()
        index = tuple(rng.integers(0, n) for n in value.shape)
        numeric = []
        for delta in (1e-6, -1e-6):
            bumped = value.copy()
            bumped[index] += delta
            variable.assign(bumped)
            y = rnn(x).numpy()
            numeric.append((y * np.linspace(0.5, 1.5, y.shape[-1] * y.shape[1]).reshape(y.shape[1:])).sum())
        variable.assign(value)
        np.testing.assert_allclose(grad.numpy()[index], (numeric[0] - numeric[1]) / 2e-6, rtol=1e-5, atol=1e-8,
                                   err_msg=variable.path)


def test_a_list_of_cells_makes_the_stack_and_one_cell_matches_the_layer():
    """RNN([cell]) is RNN(StackedRNNCells([cell])); a stack of one seeded LSTMCell draws the dropout masks of
    LSTM with the same seed (the masks are drawn once per call, before the loop, in the same order)."""
    x = RNG.normal(size=(3, 4, 2)).astype("float32")
    rnn = layers.RNN([layers.LSTMCell(3, dropout=0.4, recurrent_dropout=0.3, seed=9)], return_state=True)
    lstm = layers.LSTM(3, dropout=0.4, recurrent_dropout=0.3, seed=9, return_state=True)
    assert type(rnn.cell).__name__ == "StackedRNNCells"
    rnn.build(x.shape)
    lstm.build(x.shape)
    lstm.set_weights(rnn.get_weights())
    for training in (True, True, False):
        out, states = rnn(x, training=training)
        want = lstm(x, training=training)
        np.testing.assert_array_equal(out.numpy(), want[0].numpy())
        np.testing.assert_array_equal(states[1].numpy(), want[2].numpy())
    a, b = rnn(x, training=True)[0].numpy(), rnn(x, training=True)[0].numpy()
    assert not np.array_equal(a, b)  # new masks each call


def test_stacked_cells_a_custom_cell_and_a_cell_called_by_hand():
    class Doubler(layers.Layer):
        state_size = 2

        def call(self, inputs, states):
            new = states[0] + inputs[:, :2] * 2.0
            return new, [new]

    x = RNG.normal(size=(2, 3, 2))
    stack = layers.StackedRNNCells([Doubler(dtype="float64"), layers.SimpleRNNCell(2, dtype="float64")],
                                   dtype="float64")
    rnn = layers.RNN(stack, return_state=True, dtype="float64")
    out, s1, s2 = rnn(x)
    np.testing.assert_allclose(s1.numpy(), 2 * x.sum(1))  # a custom cell's lone state stays unnested
    assert isinstance(s2, list)
    # one step by hand: (output, new states nested per cell)
    step_out, step_states = stack(x[:, 0], [np.zeros((2, 2)), [np.zeros((2, 2))]])
    simple = stack.cells[1]
    want = np.tanh((2 * x[:, 0]) @ simple.kernel.numpy() + simple.bias.numpy())
    np.testing.assert_allclose(step_out.numpy(), want, rtol=1e-12)
    np.testing.assert_allclose(step_states[0].numpy(), 2 * x[:, 0])


@pytest.mark.parametrize("cells,match", [
    ([], "non-empty list"),
    ([object()], "must have a `call` method"),
    ([layers.Dense(2)], "must have a `state_size`"),
], ids=["empty", "no-call", "no-state-size"])
def test_stacked_cells_errors(cells, match):
    with pytest.raises(ValueError, match=match):
        layers.StackedRNNCells(cells)


def test_stacked_cells_config_round_trip_and_saving(tmp_path):
    rnn = layers.RNN(layers.StackedRNNCells([layers.LSTMCell(3, dropout=0.2), layers.GRUCell(2, reset_after=False)]),
                     return_sequences=True)
    model = tf.keras.Sequential([tf.keras.Input((4, 2)), rnn])
    config = rnn.cell.get_config()
    assert [c["class_name"] for c in config["cells"]] == ["LSTMCell", "GRUCell"]
    again = layers.StackedRNNCells.from_config(config)
    assert [type(c).__name__ for c in again.cells] == ["LSTMCell", "GRUCell"] and again.cells[1].reset_after is False
    x = RNG.normal(size=(2, 4, 2)).astype("float32")
    path = str(tmp_path / "stacked.keras")
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    np.testing.assert_array_equal(loaded(x).numpy(), model(x).numpy())


# --- traced calls give the eager bits ------------------------------------------------------------------------------
TRACED = [
    ("GroupNormalization", lambda: layers.GroupNormalization(groups=2), (3, 4, 6), {}),
    ("RMSNormalization", lambda: layers.RMSNormalization(axis=[1, 2]), (3, 4, 6), {}),
    ("SpectralNormalization-train", lambda: layers.SpectralNormalization(layers.Dense(3), power_iterations=2),
     (4, 5), {"training": True}),
    ("SpectralNormalization-infer", lambda: layers.SpectralNormalization(layers.Dense(3)), (4, 5), {}),
    ("StackedRNNCells-dropout", lambda: layers.RNN(layers.StackedRNNCells([
        layers.LSTMCell(3, dropout=0.3, recurrent_dropout=0.2, seed=1), layers.GRUCell(2, dropout=0.2, seed=2)]),
        return_sequences=True), (2, 5, 3), {"training": True}),
]


@pytest.mark.parametrize("name,make,shape,kwargs", TRACED, ids=[c[0] for c in TRACED])
def test_traced_calls_give_the_eager_bits(name, make, shape, kwargs):
    rng = np.random.default_rng(10)
    eager_layer, traced_layer = make(), make()
    for layer in (eager_layer, traced_layer):
        layer.build(shape)
    traced_layer.set_weights(_perturbed(eager_layer, rng, 0.1).get_weights())
    traced = tf.function(lambda t: traced_layer(t, **kwargs))
    first, second = rng.normal(size=shape).astype("float32"), rng.normal(size=shape).astype("float32")
    for x in (first, second, first):
        np.testing.assert_array_equal(traced(x).numpy(), eager_layer(x, **kwargs).numpy(), err_msg=name)
        for a, b in zip(traced_layer.get_weights(), eager_layer.get_weights()):
            np.testing.assert_array_equal(a, b, err_msg=f"{name}: weights after the call")
    assert traced.experimental_get_tracing_count() == 1


def test_layers_train_in_fit():
    """Each new layer inside a model trained with (traced) fit: the loss goes down."""
    rng = np.random.default_rng(11)
    x = rng.normal(size=(64, 6, 4)).astype("float32")
    y = (x.sum(axis=(1, 2)) > 0).astype("float32")[:, None]
    tf.keras.utils.set_random_seed(1)
    model = tf.keras.Sequential([
        tf.keras.Input((6, 4)), layers.GroupNormalization(groups=2), layers.RMSNormalization(),
        layers.RNN([layers.LSTMCell(4, dropout=0.1, seed=3), layers.GRUCell(3)]),
        layers.SpectralNormalization(layers.Dense(1, activation="sigmoid"))])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.05), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=8, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.85 * history.history["loss"][0]


@pytest.mark.parametrize("make,shape", [
    (lambda: layers.GroupNormalization(groups=2), (None, 3, 4)),
    (lambda: layers.RMSNormalization(), (None, 3, 4)),
    (lambda: layers.SpectralNormalization(layers.Dense(2)), (None, 4)),
    (lambda: layers.RNN([layers.LSTMCell(3), layers.GRUCell(2)], return_state=True), (None, 3, 4)),
], ids=["group", "rms", "spectral", "stacked"])
def test_traced_with_an_unknown_batch_size(make, shape):
    traced_layer, eager_layer = make(), make()
    for layer in (traced_layer, eager_layer):
        layer.build((2,) + shape[1:])
    eager_layer.set_weights(traced_layer.get_weights())
    traced = tf.function(lambda t: traced_layer(t, training=True), input_signature=[tf.TensorSpec(shape)])
    for batch in (2, 5):
        x = np.random.default_rng(batch).normal(size=(batch,) + shape[1:]).astype("float32")
        got, want = tf.nest.flatten(traced(x)), tf.nest.flatten(eager_layer(x, training=True))
        for a, b in zip(got, want):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert traced.experimental_get_tracing_count() == 1


def test_stateful_stacked_cells_carry_nested_states():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(2, 6, 3))
    whole = _stacked_rnn(return_sequences=True)
    halves = _stacked_rnn(return_sequences=True, stateful=True)
    whole.build(x.shape)
    halves.build(x.shape)
    _perturbed(whole, rng)
    halves.set_weights(whole.get_weights())
    want = whole(x).numpy()
    got = np.concatenate([halves(x[:, :3]).numpy(), halves(x[:, 3:]).numpy()], axis=1)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    assert [len(s) for s in halves.states] == [2, 1]  # nested per cell, as Keras's
    halves.reset_states()
    assert all(not v.numpy().any() for s in halves.states for v in s)
    np.testing.assert_allclose(halves(x[:, :3]).numpy(), want[:, :3], rtol=1e-12, atol=1e-14)
