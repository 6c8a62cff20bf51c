"""Sequential, functional and subclassed models: building, structure, weights order, freezing, summary."""
import numpy as np
import pytest

import minitf as tf

keras = tf.keras
layers = tf.keras.layers
RNG = np.random.default_rng(1)


def mlp(name="mlp"):
    return keras.Sequential([keras.Input((2,)), layers.Dense(4, activation="relu", name="h1"),
                             layers.Dense(1, name="out")], name=name)


# --------------------------------------------------------------------------- Sequential
def test_sequential_with_input_is_built_and_runs():
    model = mlp()
    assert model.built and [l.name for l in model.layers] == ["h1", "out"]  # no InputLayer listed
    x = RNG.normal(size=(5, 2)).astype(np.float32)
    k1, b1, k2, b2 = model.get_weights()
    np.testing.assert_allclose(model(x).numpy(), np.maximum(x @ k1 + b1, 0) @ k2 + b2, rtol=1e-5, atol=1e-6)
    assert tuple(model.input_shape) == (None, 2) and tuple(model.output_shape) == (None, 1)
    assert len(model.inputs) == 1 and tuple(model.outputs[0].shape) == (None, 1)


def test_sequential_add_and_lazy_build_on_first_call():
    model = keras.Sequential()
    model.add(layers.Dense(3))
    model.add(layers.Dense(1))
    assert not model.built and model.weights == []
    with pytest.raises(AttributeError, match="no defined inputs"):
        _ = model.inputs
    model(np.ones((4, 5), np.float32))
    assert model.built and [w.shape for w in model.get_weights()] == [(5, 3), (3,), (3, 1), (1,)]


def test_sequential_input_shape_argument_and_build():
    with pytest.warns(UserWarning, match="input_shape"):
        model = keras.Sequential([layers.Dense(3, input_shape=(4,)), layers.Dense(1)])
    assert model.built and tuple(model.input_shape) == (None, 4)
    other = keras.Sequential([layers.Dense(3)])
    other.build((None, 6))
    assert other.layers[0].kernel.shape == (6, 3)


def test_sequential_errors():
    with pytest.raises(ValueError, match="Only instances of `keras.Layer`"):
        keras.Sequential([np.zeros(3)])
    with pytest.raises(ValueError, match="unique names"):
        keras.Sequential([layers.Dense(1, name="x"), layers.Dense(1, name="x")])
    with pytest.raises(ValueError, match="no layers"):
        keras.Sequential().build((None, 2))
    model = mlp()
    with pytest.raises(ValueError, match="already been configured to use input shape"):
        model.add(keras.Input((3,)))


def test_sequential_pop():
    model = mlp()
    top = model.pop()
    assert top.name == "out" and [l.name for l in model.layers] == ["h1"]
    assert tuple(model.output_shape) == (None, 4)


def test_get_layer_by_name_and_index():
    model = mlp()
    assert model.get_layer("out").name == "out"
    assert model.get_layer(index=0).name == "h1" and model.get_layer(0).name == "h1"
    with pytest.raises(ValueError, match=r"No such layer: nope. Existing layers are: \['h1', 'out'\]"):
        model.get_layer("nope")
    with pytest.raises(ValueError, match="only has 2 layers"):
        model.get_layer(index=5)


def test_wrong_input_shape_names_the_layer():
    model = mlp()
    with pytest.raises(ValueError, match=r"layer 'h1'.*expected axis -1 of input shape to have value 2.*\(3, 5\)"):
        model(np.zeros((3, 5), np.float32))


# --------------------------------------------------------------------------- functional
def two_in_two_out():
    a = keras.Input((3,), name="a")
    b = keras.Input((4,), name="b")
    h = layers.Concatenate(name="cat")([a, b])
    h = layers.Dense(5, activation="relu", name="hid")(h)
    out1 = layers.Dense(2, name="out1")(h)
    out2 = layers.Dense(1, activation="sigmoid", name="out2")(h)
    return keras.Model(inputs=[a, b], outputs=[out1, out2], name="two")


def test_functional_multi_input_output():
    model = two_in_two_out()
    assert type(model).__name__ == "Functional"
    assert [l.name for l in model.layers] == ["a", "b", "cat", "hid", "out1", "out2"]
    assert model.output_names == ["out1", "out2"]
    xa, xb = RNG.normal(size=(6, 3)).astype(np.float32), RNG.normal(size=(6, 4)).astype(np.float32)
    o1, o2 = model([xa, xb])
    k, bias, k1, b1, k2, b2 = model.get_weights()
    h = np.maximum(np.concatenate([xa, xb], 1) @ k + bias, 0)
    np.testing.assert_allclose(o1.numpy(), h @ k1 + b1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(o2.numpy(), 1 / (1 + np.exp(-(h @ k2 + b2))), rtol=1e-5, atol=1e-6)
    d1, d2 = model({"b": xb, "a": xa})  # a dict by input name
    np.testing.assert_array_equal(d1.numpy(), o1.numpy())


def test_functional_shared_layer_and_nested_model():
    shared = layers.Dense(2, name="shared")
    x1, x2 = keras.Input((3,)), keras.Input((3,))
    out = layers.Add()([shared(x1), shared(x2)])
    model = keras.Model([x1, x2], out)
    assert len(model.trainable_weights) == 2  # one kernel, one bias: shared
    inner = mlp("inner")
    z = keras.Input((2,))
    outer = keras.Model(z, layers.Dense(3, name="after")(inner(z)))
    x = RNG.normal(size=(4, 2)).astype(np.float32)
    np.testing.assert_allclose(outer(x).numpy(), outer.get_layer("after")(inner(x)).numpy(), rtol=1e-6)
    assert tuple(outer.output_shape) == (None, 3)


def test_functional_graph_disconnected_and_operators():
    a, b = keras.Input((2,)), keras.Input((2,))
    with pytest.raises(ValueError, match="Graph disconnected"):
        keras.Model(a, layers.Dense(1)(b))
    model = keras.Model([a, b], a * 2.0 + b)
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose(model([x, 3 * x]).numpy(), 5 * x)


def test_functional_input_rank_is_adjusted_like_keras():
    x = keras.Input((1,))
    model = keras.Model(x, layers.Dense(1, kernel_initializer="ones")(x))
    assert model(np.array([1.0, 2.0], np.float32)).shape == (2, 1)  # (n,) becomes (n, 1)


def test_a_dict_of_one_sample_per_input_predicts_as_in_the_structured_data_tutorial():
    """TF's tutorial predicts with ``{name: tf.convert_to_tensor([value])}``: shape (1,) for an
    Input of shape (1,), a batch of one (the input spec lets the trailing 1 be missing, as Keras's)."""
    inputs = {"age": keras.Input((1,), name="age"), "fee": keras.Input((1,), name="fee")}
    both = layers.concatenate([inputs["age"], inputs["fee"]])
    model = keras.Model(inputs, layers.Dense(1, kernel_initializer="ones", use_bias=False)(both))
    sample = {"age": tf.convert_to_tensor([3.0]), "fee": tf.convert_to_tensor([100.0])}
    np.testing.assert_array_equal(model.predict(sample, verbose=0), [[103.0]])
    with pytest.raises(ValueError, match="incompatible"):
        model({"age": np.ones((1, 2), np.float32), "fee": np.ones((1, 1), np.float32)})


# --------------------------------------------------------------------------- subclassing
class Tower(keras.Model):
    def __init__(self, units=3):
        super().__init__()
        self.units = units
        self.blocks = [layers.Dense(units, activation="relu") for _ in range(2)]
        self.drop = layers.Dropout(0.5)
        self.head = layers.Dense(1)

    def call(self, x, training=False):
        for block in self.blocks:
            x = block(x)
        return self.head(self.drop(x, training=training))


def test_subclassed_model_tracks_sublayers_in_order():
    model = Tower(units=3)
    x = np.ones((2, 4), np.float32)
    model(x)
    assert [w.shape for w in model.get_weights()] == [(4, 3), (3,), (3, 3), (3,), (3, 1), (1,)]
    assert len(model.layers) == 4
    np.testing.assert_array_equal(model(x).numpy(), model(x).numpy())  # inference: dropout off
    assert model.get_config()["units"] == 3


# --------------------------------------------------------------------------- weights
class Stats(layers.Layer):
    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(2,), initializer="ones", name="gamma")
        self.moving = self.add_weight(shape=(2,), initializer="zeros", trainable=False, name="moving")
        self.beta = self.add_weight(shape=(2,), initializer="zeros", name="beta")

    def call(self, x):
        return x * self.gamma + self.beta


def test_get_weights_order_is_layer_order_then_trainable_first():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(2, name="d"), Stats(name="s")])
    names = [v.path for v in model.weights]
    assert names == ["d/kernel", "d/bias", "s/gamma", "s/beta", "s/moving"]
    values = [np.full(w.shape, i, np.float32) for i, w in enumerate(model.get_weights())]
    model.set_weights(values)
    for v, expected in zip(model.get_weights(), values):
        np.testing.assert_array_equal(v, expected)
    with pytest.raises(ValueError, match="expecting 5 weights"):
        model.set_weights(values[:2])


def test_model_trainable_false_freezes_everything():
    model = mlp()
    model.trainable = False
    assert model.trainable_weights == [] and len(model.non_trainable_weights) == 4
    model.trainable = True
    model.get_layer("h1").trainable = False
    assert [v.path for v in model.trainable_weights] == ["out/kernel", "out/bias"]
    assert [v.path for v in model.non_trainable_weights] == ["h1/kernel", "h1/bias"]


# --------------------------------------------------------------------------- summary
# The expected texts are Keras 3.15's output for the same models (line_length 76, the width
# Keras picks when the terminal is 80 columns wide).
SEQUENTIAL_SUMMARY = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ dense (Dense)                   │ (None, 100)            │           300 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ hidden (Dense)                  │ (None, 10)             │         1,010 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 1)              │            11 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 1,321 (5.16 KB)
 Trainable params: 1,021 (3.99 KB)
 Non-trainable params: 300 (1.17 KB)
"""

FUNCTIONAL_SUMMARY = """\
Model: "functional_1"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)      │ (None, 3)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ b (InputLayer)      │ (None, 4)         │          0 │ -                 │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ concatenate         │ (None, 7)         │          0 │ a[0][0], b[0][0]  │
│ (Concatenate)       │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ out1 (Dense)        │ (None, 2)         │         16 │ concatenate[0][0] │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_2 (Dense)     │ (None, 1)         │          3 │ out1[0][0]        │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 19 (76.00 B)
 Trainable params: 19 (76.00 B)
 Non-trainable params: 0 (0.00 B)
"""

COMPILED_SUMMARY_TAIL = """\
 Total params: 1,205 (4.71 KB)
 Trainable params: 401 (1.57 KB)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 804 (3.14 KB)
"""


def _summary(model, **kwargs):
    lines = []
    model.summary(print_fn=lines.append, **kwargs)
    return "".join(lines)


def test_summary_sequential_matches_keras_text():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(100, activation="relu", name="dense"),
                              layers.Dense(10, activation="relu", name="hidden"),
                              layers.Dense(1, activation="sigmoid", name="dense_1")], name="sequential")
    model.layers[0].trainable = False
    assert _summary(model, line_length=76) == SEQUENTIAL_SUMMARY


def test_summary_functional_matches_keras_text():
    a, b = keras.Input((3,), name="a"), keras.Input((4,), name="b")
    c = layers.Concatenate(name="concatenate")([a, b])
    d = layers.Dense(2, name="out1")(c)
    e = layers.Dense(1, name="dense_2")(d)
    model = keras.Model([a, b], [d, e], name="functional_1")
    assert _summary(model, line_length=76) == FUNCTIONAL_SUMMARY


def test_summary_counts_optimizer_variables_once_built():
    model = keras.Sequential([keras.Input((2,)), layers.Dense(100, activation="relu"), layers.Dense(1)])
    model.compile(keras.optimizers.Adam(), "mse")
    model.fit(np.zeros((4, 2)), np.zeros((4, 1)), verbose=0)
    assert _summary(model, line_length=76).endswith(COMPILED_SUMMARY_TAIL)


def test_summary_of_an_unbuilt_model():
    model = keras.Sequential([layers.Dense(3, name="d")])
    text = _summary(model, line_length=76)
    assert "│ d (Dense)                       │ ?                      │   0 (unbuilt) │" in text
    assert " Total params: 0 (0.00 B)" in text
