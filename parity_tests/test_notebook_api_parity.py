"""The TF API that public guides and the course's notebooks use (issue 18), the same code under
TensorFlow and minitf: pandas input, the Softmax layer, Normalization's statistics and the
smaller pieces. Tolerances are float32's (rtol 1e-5, atol 1e-6) unless a check says otherwise."""
import numpy as np
import pytest

from parity_tests.harness import assert_close, frameworks

pd = pytest.importorskip("pandas")


def both(fn):
    """``fn(tf)`` under TensorFlow, then under minitf."""
    tf, mtf = frameworks()
    return fn(tf), fn(mtf)


def frame():
    return pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [4, 5, 6, 7, 9]}), pd.Series([1, 2, 3, 4, 6])


def test_pandas_conversions_keep_dtypes():
    def run(tf):
        df, s = frame()
        return [(t.dtype.name, t.numpy()) for t in (tf.constant(df), tf.constant(s), tf.convert_to_tensor(df[["b"]]),
                                                   tf.reduce_mean(df), tf.square(s))]
    theirs, ours = both(run)
    for (tn, tv), (on, ov) in zip(theirs, ours):
        assert tn == on
        np.testing.assert_array_equal(tv, ov)


def test_pandas_dataset_element_spec():
    def run(tf):
        df, s = frame()
        spec = tf.data.Dataset.from_tensor_slices((dict(df), s)).element_spec
        flat = sorted((k, v.dtype.name, tuple(v.shape)) for k, v in spec[0].items())
        return flat, spec[1].dtype.name, tuple(tf.data.Dataset.from_tensor_slices(df).element_spec.shape)
    theirs, ours = both(run)
    assert theirs == ours


def test_pandas_fit_evaluate_predict_validation_split():
    def run(tf):
        df, s = frame()
        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
        model.set_weights([np.array([[0.3], [-0.2]], np.float32), np.array([0.1], np.float32)])
        model.compile(optimizer=tf.keras.optimizers.SGD(0.01), loss="mse")
        h = model.fit(df, s, epochs=3, batch_size=2, verbose=0, validation_split=0.4, shuffle=False)
        return h.history, model.evaluate(df, s, verbose=0), model.predict(df, verbose=0)
    (th, te, tp), (oh, oe, op) = both(run)
    for key in ("loss", "val_loss"):
        assert_close(key, np.array(th[key]), np.array(oh[key]), rtol=1e-5)
    assert_close("evaluate", te, oe, rtol=1e-5)
    assert_close("predict", tp, op, rtol=1e-5)


def test_softmax_layer_forward_gradient_mask():
    x = np.random.default_rng(1).normal(size=(2, 3, 4)).astype(np.float32)
    mask = np.array([[1, 0, 1, 1]] * 3, dtype=bool)

    def run(tf):
        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            outs = [tf.keras.layers.Softmax()(xt), tf.keras.layers.Softmax(axis=1)(xt),
                    tf.keras.layers.Softmax(axis=[1, 2])(xt), tf.keras.layers.Softmax()(xt, mask=mask)]
            total = sum(tf.reduce_sum(o * (i + 1.5)) for i, o in enumerate(outs))
        return [o.numpy() for o in outs], tape.gradient(total, xt).numpy(), tf.keras.layers.Softmax(axis=2).get_config()
    (to, tg, tc), (oo, og, oc) = both(run)
    for i, (a, b) in enumerate(zip(to, oo)):
        assert_close(f"softmax output {i}", a, b)
    assert_close("softmax gradient", tg, og)
    assert tc["axis"] == oc["axis"] and tc["trainable"] == oc["trainable"]


def test_softmax_layer_output_in_a_crossentropy_loss():
    def run(tf):
        model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(2), tf.keras.layers.Softmax()])
        model.set_weights([np.array([[30.0, -30.0], [0.5, 0.0]], np.float32), np.zeros(2, np.float32)])
        model.compile(loss="sparse_categorical_crossentropy")
        return model.evaluate(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1, 0]), verbose=0)
    theirs, ours = both(run)
    assert_close("loss", theirs, ours, rtol=1e-5)


def test_normalization_mean_and_variance():
    data = np.random.default_rng(2).normal(size=(20, 3)).astype(np.float32)

    def run(tf):
        norm = tf.keras.layers.Normalization(axis=-1)
        before = norm.mean
        norm.adapt(data)
        return before, norm.mean.numpy(), norm.variance.numpy()
    (tb, tm, tv), (ob, om, ov) = both(run)
    assert tb is None and ob is None
    assert_close("mean", tm, om)
    assert_close("variance", tv, ov)


def test_custom_gradient_like_tf():
    def run(tf):
        @tf.custom_gradient
        def clip_gradients(y):
            def backward(dy):
                return tf.clip_by_value(dy, -0.5, 0.5)
            return y, backward

        @tf.custom_gradient
        def log1pexp(x):
            e = tf.exp(x)

            def grad(upstream):
                return upstream * (1 - 1 / (1 + e))
            return tf.math.log(1 + e), grad
        w = tf.Variable(3.0)

        @tf.custom_gradient
        def scaled(x):
            def grad(dy, variables=None):
                return dy * w, [dy * x * 10]
            return x * w, grad
        v = tf.Variable(2.0)
        x = tf.constant([0.5, 100.0])
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            a = clip_gradients(v * v)
            b = log1pexp(x)
            c = scaled(x)
        return [tape.gradient(a, v).numpy(), tape.gradient(b, x).numpy(),
                *[g.numpy() for g in tape.gradient(c, [x, w])],
                tape.gradient(a, x, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy()]
    theirs, ours = both(run)
    for i, (a, b) in enumerate(zip(theirs, ours)):
        assert_close(f"custom gradient {i}", a, b)


def test_small_pieces_like_tf():
    def run(tf):
        R = tf.keras.losses.Reduction
        sched = tf.keras.optimizers.schedules
        return [tf.as_dtype(1).name, tf.as_dtype(9).name, tf.float64.as_datatype_enum, R.all(),
                float(tf.keras.losses.MeanSquaredError(reduction=R.SUM)([[1.0], [2.0]], [[2.0], [4.0]])),
                tf.math.confusion_matrix([1, 2, 4], [2, 2, 4]).numpy().tolist(),
                tf.math.confusion_matrix([1, 0], [1, 1], num_classes=3, weights=[2.0, 3.0],
                                         dtype=tf.float32).numpy().tolist(),
                sched.ExponentialDecay(0.1, 10, 0.5)(np.arange(5)).numpy().tolist(),
                sched.PolynomialDecay(0.1, 10)(np.arange(5)).numpy().tolist(),
                sched.CosineDecay(0.1, 10)(np.arange(5)).numpy().tolist(),
                f"{tf.constant(1.23456):.2f}", float(tf.constant([[1.0, 2.0], [3.0, 4.0]])[np.int64(1), np.int32(0)]),
                tf.random_normal_initializer(0.0, 2.0, seed=1)(shape=(2, 3)).shape,
                tf.keras.backend.random_normal((3,)).dtype.name,
                tf.metrics.BinaryAccuracy()([1, 0], [0.9, 0.8]).numpy().tolist()]
    theirs, ours = both(run)
    for i, (a, b) in enumerate(zip(theirs, ours)):
        if isinstance(a, list) and a and isinstance(a[0], float):
            assert_close(f"piece {i}", np.array(a), np.array(b), rtol=1e-6)
        else:
            assert a == b or tuple(a) == tuple(b), f"piece {i}: TF {a!r}, minitf {b!r}"


@pytest.mark.parametrize("kind", ["SimpleRNN", "GRU", "LSTM"])
def test_stateful_rnn_like_keras(kind):
    x = np.random.default_rng(5).normal(size=(2, 3, 4)).astype(np.float32)
    tf, mtf = frameworks()
    ref = getattr(tf.keras.layers, kind)(3, stateful=True)
    ref(x)
    weights = ref.get_weights()

    def run(fw):
        layer = getattr(fw.keras.layers, kind)(3, stateful=True)
        layer(x)
        layer.reset_states()
        layer.set_weights(weights)
        a = layer(x).numpy()
        b = layer(x).numpy()
        kept = [s.numpy() for s in layer.states]
        layer.reset_states()
        c = layer(x).numpy()
        return [a, b, c] + kept
    for i, (t, o) in enumerate(zip(run(tf), run(mtf))):
        assert_close(f"{kind} stateful value {i}", t, o, rtol=1e-5, atol=1e-6)


def test_model_from_functional_config_and_custom_activation_scope_like_keras():
    """keras.Model.from_config revives a functional config; custom_object_scope also finds a custom
    activation function by name (Keras's save_and_serialize guide)."""
    x = np.random.default_rng(3).normal(size=(2, 4)).astype(np.float32)

    def run(tf):
        keras = tf.keras

        def custom_activation(v):
            return tf.nn.tanh(v) ** 2
        inputs = keras.Input((4,))
        outputs = keras.layers.Activation(custom_activation)(keras.layers.Dense(3)(inputs))
        model = keras.Model(inputs, outputs)
        with keras.utils.custom_object_scope({"custom_activation": custom_activation}):
            revived = keras.Model.from_config(model.get_config())
            cloned = keras.models.clone_model(model)
        revived.set_weights(model.get_weights())
        cloned.set_weights(model.get_weights())
        return ([type(layer).__name__ for layer in revived.layers], tuple(revived.output.shape),
                revived(x).numpy(), cloned(x).numpy(), model(x).numpy())
    theirs, ours = both(run)
    assert theirs[:2] == ours[:2]
    np.testing.assert_array_equal(ours[2], ours[4])
    np.testing.assert_array_equal(ours[3], ours[4])
    np.testing.assert_array_equal(theirs[2], theirs[4])


def test_fit_on_a_get_dummies_frame_like_keras():
    df = pd.get_dummies(pd.DataFrame({"age": [19, 18, 28, 33], "bmi": [27.9, 33.77, 33.0, 22.7],
                                      "sex": ["female", "male", "male", "female"]}))
    y = np.array([1.0, 2.0, 3.0, 4.0])
    tf, mtf = frameworks()
    ref = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(1)])
    weights = ref.get_weights()

    def run(fw):
        model = fw.keras.Sequential([fw.keras.Input((4,)), fw.keras.layers.Dense(1)])
        model.set_weights(weights)
        model.compile(loss="mae", optimizer=fw.keras.optimizers.SGD(0.01))
        loss = model.fit(df, y, verbose=0, epochs=2, batch_size=2, shuffle=False).history["loss"]
        return loss, model.predict(df, verbose=0)
    (tl, tp), (ml, mp) = run(tf), run(mtf)
    assert_close("loss", np.array(tl), np.array(ml), rtol=1e-5, atol=1e-5)
    assert tp.dtype == mp.dtype
    assert_close("predictions", tp, mp, rtol=1e-5, atol=1e-5)


def test_keras_file_with_sparse_categorical_accuracy_loads_like_keras(tmp_path):
    """keras_save_and_load: a compiled model with metrics=[SparseCategoricalAccuracy()] saved and loaded."""
    x = np.random.default_rng(0).normal(size=(8, 6)).astype(np.float32)
    y = np.arange(8) % 3

    def run(tf):
        model = tf.keras.Sequential([tf.keras.Input((6,)), tf.keras.layers.Dense(3)])
        model.compile(optimizer="adam", loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])
        path = str(tmp_path / f"{tf.__name__}.keras")
        model.save(path)
        loaded = tf.keras.models.load_model(path)
        loaded.set_weights(model.get_weights())
        return loaded.evaluate(x, y, verbose=0, return_dict=True)
    tf, mtf = frameworks()
    theirs, ours = run(tf), run(mtf)
    assert sorted(theirs) == sorted(ours) == ["loss", "sparse_categorical_accuracy"]


def test_functional_from_config_with_a_nameless_layer_config_like_keras():
    def run(tf):
        class CustomDense(tf.keras.layers.Layer):
            def __init__(self, units=32):
                super().__init__()
                self.units = units

            def build(self, input_shape):
                self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

            def call(self, inputs):
                return tf.matmul(inputs, self.w)

            def get_config(self):
                return {"units": self.units}
        inputs = tf.keras.Input((4,))
        model = tf.keras.Model(inputs, CustomDense(3)(inputs))
        revived = tf.keras.Model.from_config(model.get_config(), custom_objects={"CustomDense": CustomDense})
        return [type(layer).__name__ for layer in revived.layers], revived(np.ones((2, 4), np.float32)).numpy()
    theirs, ours = both(run)
    assert theirs[0] == ours[0]
    np.testing.assert_array_equal(theirs[1], ours[1])
