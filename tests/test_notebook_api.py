"""The TF API that public guides and the course's notebooks use (issue 18): pandas input, the
Softmax layer, Normalization's statistics, and the small pieces listed in the issue. Values are
checked against formulas written here; TF's own values are in parity_tests/test_notebook_api_parity.py."""
import numpy as np
import pytest

import minitf as tf

pd = pytest.importorskip("pandas")


# --------------------------------------------------------------------------- pandas input
def frame():
    return pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [4, 5, 6, 7]}), pd.Series([1, 2, 3, 4], name="y")


def test_pandas_converts_as_its_array_keeping_dtype():
    df, s = frame()
    t = tf.constant(df)
    assert t.dtype == tf.float64 and t.shape == (4, 2)
    np.testing.assert_array_equal(t.numpy(), df.to_numpy())
    assert tf.constant(s).dtype == tf.int64
    assert tf.convert_to_tensor(df[["b"]]).dtype == tf.int64
    assert float(tf.reduce_mean(df)) == pytest.approx(df.to_numpy().mean())
    np.testing.assert_array_equal(tf.square(s).numpy(), s.to_numpy() ** 2)


def test_pandas_conversion_copies():
    df, _ = frame()
    t = tf.constant(df)
    df.iloc[0, 0] = 100.0
    assert t.numpy()[0, 0] == 1.0


def test_pandas_in_from_tensor_slices():
    df, s = frame()
    ds = tf.data.Dataset.from_tensor_slices((dict(df), s))
    features, label = next(iter(ds))
    assert features["a"].dtype == tf.float64 and features["b"].dtype == tf.int64 and label.dtype == tf.int64
    rows = list(tf.data.Dataset.from_tensor_slices(df))
    assert len(rows) == 4 and rows[1].shape == (2,)
    np.testing.assert_array_equal(rows[1].numpy(), [2.0, 5.0])


def test_pandas_in_fit_evaluate_predict_with_validation_split():
    df, s = frame()
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.0), loss="mse")
    history = model.fit(df, s, epochs=1, verbose=0, validation_split=0.25, shuffle=False)
    x = df.to_numpy().astype(np.float32)
    pred = x.sum(axis=1)  # kernel of ones, zero bias, learning rate 0
    y = s.to_numpy()
    assert history.history["loss"][0] == pytest.approx(np.mean((pred[:3] - y[:3]) ** 2), rel=1e-6)
    assert history.history["val_loss"][0] == pytest.approx((pred[3] - y[3]) ** 2, rel=1e-6)
    np.testing.assert_allclose(model.predict(df, verbose=0)[:, 0], pred, rtol=1e-6)
    assert model.evaluate(df, s, verbose=0) == pytest.approx(np.mean((pred - y) ** 2), rel=1e-6)


def test_pandas_as_layer_input_and_normalization_statistics():
    df, _ = frame()
    norm = tf.keras.layers.Normalization(axis=-1)
    assert norm.mean is None  # not built yet, as Keras
    norm.adapt(np.array(df))
    np.testing.assert_allclose(norm.mean.numpy(), [[2.5, 5.5]])
    np.testing.assert_allclose(norm.variance.numpy(), [[1.25, 1.25]])
    out = norm(df).numpy()
    np.testing.assert_allclose(out, (df.to_numpy() - [2.5, 5.5]) / np.sqrt(1.25), rtol=1e-6)
    assert tf.keras.layers.Dense(1)(df).dtype == tf.float32


# --------------------------------------------------------------------------- Softmax layer
def softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax_layer_values_axes_and_mask():
    x = np.random.default_rng(0).normal(size=(2, 3, 4)).astype(np.float32)
    np.testing.assert_allclose(tf.keras.layers.Softmax()(x).numpy(), softmax(x), rtol=1e-6)
    np.testing.assert_allclose(tf.keras.layers.Softmax(axis=1)(x).numpy(), softmax(x, 1), rtol=1e-6)
    both = np.exp(x) / np.exp(x).sum(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(tf.keras.layers.Softmax(axis=[1, 2])(x).numpy(), both, rtol=1e-5)
    mask = np.array([[1, 1, 0, 1]] * 3)
    out = tf.keras.layers.Softmax()(x, mask=mask).numpy()
    expected = softmax(np.where(mask, x, -1e9))
    np.testing.assert_allclose(out, np.where(mask, expected, 0), rtol=1e-6)


def test_softmax_layer_gradient_and_config():
    layer = tf.keras.layers.Softmax(axis=-1, name="sm")
    assert layer.get_config()["axis"] == -1 and layer.get_config()["name"] == "sm"
    assert type(layer).from_config(layer.get_config()).axis == -1
    x = tf.constant([[0.5, -1.0, 2.0]])
    w = np.array([[1.0, 2.0, 3.0]], np.float32)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(layer(x) * w)
    p = softmax(x.numpy())
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), p * (w - (p * w).sum()), rtol=1e-5, atol=1e-7)


def test_softmax_layer_bad_mask_is_refused():
    with pytest.raises(ValueError, match="Softmax: the `mask` must be broadcastable"):
        tf.keras.layers.Softmax()(np.ones((2, 3), np.float32), mask=np.ones((2, 4)))


def test_softmax_output_feeds_crossentropy_from_its_logits():
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(2), tf.keras.layers.Softmax()])
    model.set_weights([np.array([[30.0, -30.0], [0.0, 0.0]], np.float32), np.zeros(2, np.float32)])
    model.compile(loss="sparse_categorical_crossentropy")
    # logits (30, -30) for class 1: -log_softmax = 60 exactly; clipped probabilities would give ~16.1
    assert model.evaluate(np.array([[1.0, 0.0]]), np.array([1]), verbose=0) == pytest.approx(60.0, rel=1e-5)


# --------------------------------------------------------------------------- slicing and scatter ops
def test_slice_and_strided_slice_values():
    t = tf.constant(np.arange(20).reshape(4, 5))
    np.testing.assert_array_equal(tf.slice(t, [1, 1], [-1, 2]).numpy(), np.arange(20).reshape(4, 5)[1:, 1:3])
    np.testing.assert_array_equal(tf.strided_slice(t, [0, 1], [4, 5], [2, 2]).numpy(), [[1, 3], [11, 13]])
    np.testing.assert_array_equal(tf.strided_slice(t, [1], [2], shrink_axis_mask=1).numpy(), np.arange(5, 10))
    np.testing.assert_array_equal(tf.strided_slice(t, [0, 3], [0, 0], begin_mask=1, end_mask=3).numpy(),
                                  np.arange(20).reshape(4, 5)[:, 3:])


def test_slice_errors_name_the_op():
    t = tf.constant(np.zeros((2, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Slice: expected begin and size of length 2"):
        tf.slice(t, [0], [1])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"Slice: expected 0 <= begin\[1\]"):
        tf.slice(t, [0, 2], [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="only stride 1 allowed"):
        tf.strided_slice(t, [0], [1], [2], shrink_axis_mask=1)


def test_gather_batch_dims_values():
    params = np.arange(24).reshape(2, 3, 4)
    idx = np.array([[2, 0], [1, 1]])
    out = tf.gather(params, idx, axis=2, batch_dims=1).numpy()
    np.testing.assert_array_equal(out, np.stack([params[b][:, idx[b]] for b in range(2)]))
    out = tf.gather(params, np.array([[0, 2], [1, 1]]), batch_dims=1).numpy()
    np.testing.assert_array_equal(out, np.stack([params[b][[0, 2] if b == 0 else [1, 1]] for b in range(2)]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="batch_dims .* must be less than or equal to axis"):
        tf.gather(params, idx, axis=0, batch_dims=1)


def test_scatter_nd_and_tensor_scatter_values():
    np.testing.assert_array_equal(tf.scatter_nd([[1], [3], [1]], [9, 10, 11], [5]).numpy(), [0, 20, 0, 10, 0])
    t = np.array([[2, 7, 0], [9, 0, 1], [0, 3, 8]])
    idx, upd = [[0, 2], [2, 2]], [5, 7]
    expect = t.copy()
    expect[0, 2], expect[2, 2] = 5, 7
    np.testing.assert_array_equal(tf.tensor_scatter_nd_update(t, idx, upd).numpy(), expect)
    np.testing.assert_array_equal(tf.tensor_scatter_nd_add(t, idx, upd).numpy(), t + [[0, 0, 5], [0, 0, 0], [0, 0, 7]])
    np.testing.assert_array_equal(tf.tensor_scatter_nd_sub(t, idx, upd).numpy(), t - [[0, 0, 5], [0, 0, 0], [0, 0, 7]])
    np.testing.assert_array_equal(tf.tensor_scatter_nd_max(t, idx, upd).numpy(), [[2, 7, 5], [9, 0, 1], [0, 3, 8]])
    np.testing.assert_array_equal(tf.tensor_scatter_nd_min(t, idx, upd).numpy(), [[2, 7, 0], [9, 0, 1], [0, 3, 7]])
    rows = tf.tensor_scatter_nd_update(np.zeros((3, 2)), [[1]], [[4.0, 5.0]]).numpy()  # whole rows
    np.testing.assert_array_equal(rows, [[0, 0], [4, 5], [0, 0]])


def test_scatter_errors_name_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match="ScatterNd: updates of shape \\[2\\]"):
        tf.scatter_nd([[1], [3], [1]], [9, 10], [5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="ScatterNd: indices\\[...,0\\] = 7 does not index"):
        tf.scatter_nd([[7]], [1], [5])
    with pytest.raises(tf.errors.InvalidArgumentError, match="TensorScatterUpdate"):
        tf.tensor_scatter_nd_update(np.zeros((2, 2)), [[0, 0]], [1.0, 2.0])


# --------------------------------------------------------------------------- custom_gradient, linalg
def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_value(dy, -0.5, 0.5)
        return y, backward
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        out = clip_gradients(v * v)
    assert float(tape.gradient(out, v)) == 2.0  # clipped 1 -> 0.5, times d(v*v)/dv = 4


def test_custom_gradient_is_stable_and_differentiable_twice():
    @tf.custom_gradient
    def log1pexp(x):
        e = tf.exp(x)

        def grad(upstream):
            return upstream * (1 - 1 / (1 + e))
        return tf.math.log(1 + e), grad
    x = tf.constant(100.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = log1pexp(x)
    assert float(tape.gradient(y, x)) == 1.0  # exp(100) overflows float32; the custom formula does not
    x = tf.constant(0.5)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = log1pexp(x)
        dy = inner.gradient(y, x)
    s = 1 / (1 + np.exp(-0.5))
    assert float(dy) == pytest.approx(s, rel=1e-6)
    assert float(outer.gradient(dy, x)) == pytest.approx(s * (1 - s), rel=1e-5)


def test_custom_gradient_with_variables_and_several_outputs():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def f(x):
        def grad(dy_a, dy_b, variables=None):
            assert variables == [w] or variables[0] is w
            return dy_a * w + dy_b, [dy_a * x * 10]
        return (x * w, x + 1.0), grad
    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        a, b = f(x)
        loss = a + 2 * b
    gx, gw = tape.gradient(loss, [x, w])
    assert (float(gx), float(gw)) == (5.0, 20.0)


def test_custom_gradient_errors():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def reads_w(x):
        return x * w, lambda dy: dy
    with tf.GradientTape():
        with pytest.raises(TypeError, match="must take a `variables` keyword"):
            reads_w(tf.constant(1.0))

    @tf.custom_gradient
    def wrong_count(x, y):
        return x * y, lambda dy: dy
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = wrong_count(x, 2.0)
    with pytest.raises(ValueError, match="returned 1 gradients for 2 tensor inputs"):
        tape.gradient(out, x)


def test_unconnected_gradients_enum():
    x, w = tf.constant(1.0), tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = 2 * x
    np.testing.assert_array_equal(tape.gradient(y, w, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy(),
                                  [0.0, 0.0])
    assert tf.UnconnectedGradients.NONE.value == "none"


def test_linalg_values_and_errors():
    a = np.array([[4.0, 1.0], [1.0, 3.0]])
    np.testing.assert_allclose(tf.linalg.inv(a).numpy(), np.linalg.inv(a))
    assert float(tf.linalg.det(a)) == pytest.approx(11.0)
    np.testing.assert_allclose(tf.linalg.solve(a, [[1.0], [2.0]]).numpy(), np.linalg.solve(a, [[1.0], [2.0]]))
    low = tf.linalg.cholesky(a).numpy()
    np.testing.assert_allclose(low @ low.T, a)
    assert low[0, 1] == 0
    with pytest.raises(tf.errors.InvalidArgumentError, match="MatrixInverse: input must be a square matrix"):
        tf.linalg.inv(np.ones((2, 3)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="not invertible"):
        tf.linalg.inv(np.ones((2, 2)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="Cholesky decomposition was not successful"):
        tf.linalg.cholesky(-np.eye(2))
    with pytest.raises(tf.errors.InvalidArgumentError, match="MatrixSolve: rhs of shape \\[3, 1\\]"):
        tf.linalg.solve(a, np.ones((3, 1)))
    with pytest.raises(tf.errors.NotFoundError, match="float16"):
        tf.linalg.det(np.eye(2, dtype=np.float16))


# --------------------------------------------------------------------------- keras.datasets, get_file, version
def test_keras_datasets_read_keras_cache_and_refuse_otherwise(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="minitf downloads nothing"):
        tf.keras.datasets.mnist.load_data()
    (tmp_path / "datasets").mkdir()
    x = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    np.savez(tmp_path / "datasets" / "mnist.npz", x_train=x, y_train=np.array([3, 4], np.uint8),
             x_test=x[:1], y_test=np.array([5], np.uint8))
    (a, b), (c, d) = tf.keras.datasets.mnist.load_data()
    np.testing.assert_array_equal(a, x)
    assert b.tolist() == [3, 4] and c.shape == (1, 28, 28) and d.tolist() == [5]
    with pytest.raises(NotImplementedError, match="pickle"):
        tf.keras.datasets.cifar10.load_data()


def test_fashion_mnist_reads_idx_files(tmp_path, monkeypatch):
    import gzip
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    folder = tmp_path / "datasets" / "fashion-mnist"
    folder.mkdir(parents=True)
    images = np.arange(3 * 784, dtype=np.uint8)
    for prefix, n in (("train", 3), ("t10k", 3)):
        with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
            f.write(b"\0" * 8 + bytes([1, 2, 3][:n]))
        with gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz", "wb") as f:
            f.write(b"\0" * 16 + images.tobytes())
    (x, y), (xt, yt) = tf.keras.datasets.fashion_mnist.load_data()
    assert x.shape == (3, 28, 28) and y.tolist() == [1, 2, 3]
    np.testing.assert_array_equal(x.reshape(-1), images)


def test_get_file_uses_the_cache_only(tmp_path):
    with pytest.raises(FileNotFoundError, match="minitf downloads nothing"):
        tf.keras.utils.get_file("x.csv", "https://example.invalid/x.csv", cache_dir=str(tmp_path))
    (tmp_path / "datasets").mkdir()
    (tmp_path / "datasets" / "x.csv").write_text("a\n")
    assert tf.keras.utils.get_file("x.csv", "https://example.invalid/x.csv", cache_dir=str(tmp_path)) == \
        str(tmp_path / "datasets" / "x.csv")
    (tmp_path / "datasets" / "arch_extracted").mkdir()
    assert tf.keras.utils.get_file("arch.zip", "https://example.invalid/arch.zip", extract=True,
                                   cache_dir=str(tmp_path)).endswith("arch_extracted")


def test_version():
    assert tf.version.VERSION == tf.__version__


# --------------------------------------------------------------------------- small pieces
def test_complex_values_are_refused_clearly():
    with pytest.raises(tf.errors.InvalidArgumentError, match="minitf has no complex dtypes"):
        tf.constant(1 + 2j)


def test_dtype_enums_initializers_reduction_backend_random():
    assert tf.as_dtype(1) == tf.float32 and tf.as_dtype(3) == tf.int32 and tf.as_dtype(9) == tf.int64
    assert tf.as_dtype(7) == tf.string
    assert tf.float64.as_datatype_enum == 2
    with pytest.raises(TypeError, match="not the enum of a supported dtype"):
        tf.as_dtype(8)  # complex64: minitf has no complex dtypes
    layer = tf.keras.layers.Layer()
    assert layer.add_weight(shape=(2,), dtype=1).dtype == tf.float32
    init = tf.random_normal_initializer(mean=1.0, stddev=0.1, seed=3)
    values = init(shape=(2000,)).numpy()
    assert abs(values.mean() - 1.0) < 0.02 and abs(values.std() - 0.1) < 0.01
    assert tf.keras.backend.random_normal((3, 2)).shape == (3, 2)
    R = tf.keras.losses.Reduction
    assert R.all() == ("auto", "none", "sum", "sum_over_batch_size")
    assert float(tf.keras.losses.MeanSquaredError(reduction=R.SUM)([[1.0], [2.0]], [[2.0], [4.0]])) == 5.0
    with pytest.raises(ValueError, match="Invalid Reduction Key: foo"):
        R.validate("foo")


def test_tf_metrics_is_the_keras_metrics_module_and_confusion_matrix():
    assert tf.metrics.BinaryAccuracy is tf.keras.metrics.BinaryAccuracy
    assert tf.losses.MeanSquaredError is tf.keras.losses.MeanSquaredError
    cm = tf.math.confusion_matrix([1, 2, 4], [2, 2, 4])
    assert cm.dtype == tf.int32 and cm.shape == (5, 5)
    expected = np.zeros((5, 5), int)
    expected[1, 2] = expected[2, 2] = expected[4, 4] = 1
    np.testing.assert_array_equal(cm.numpy(), expected)
    weighted = tf.math.confusion_matrix([1, 0], [1, 1], num_classes=3, weights=[2.0, 3.0], dtype=tf.float32)
    np.testing.assert_array_equal(weighted.numpy(), [[0, 3, 0], [0, 2, 0], [0, 0, 0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must be in \\[0, 2\\)"):
        tf.math.confusion_matrix([0, 2], [0, 1], num_classes=2)


def test_learning_rate_schedules_take_arrays_of_steps():
    steps = np.arange(4)
    out = tf.keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.5)(steps).numpy()
    np.testing.assert_allclose(out, 0.1 * 0.5 ** (steps / 10), rtol=1e-6)
    np.testing.assert_array_equal(tf.keras.optimizers.schedules.PiecewiseConstantDecay([2], [1.0, 0.5])(steps).numpy(),
                                  [1, 1, 1, 0.5])


def test_numpy_integer_scalar_indexing_and_format():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert float(t[np.int64(1), np.int32(0)]) == 3.0
    assert f"{tf.constant(1.23456):.2f}" == "1.23"


def test_plot_model_without_pydot_says_so():
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(2)])
    from minitf.keras.model_plot import model_to_dot_source
    dot = model_to_dot_source(model, show_shapes=True)
    assert "dense" in dot and "(None, 2)" in dot
    try:
        import pydot  # noqa: F401
    except ImportError:
        import sys
        if "IPython.core.magics.namespace" not in sys.modules:
            with pytest.raises(ImportError, match="pip install pydot"):
                tf.keras.utils.plot_model(model)


def test_model_from_config_of_a_functional_model_and_custom_activation_in_scope():
    import minitf as tf
    keras = tf.keras

    def custom_activation(v):
        return tf.nn.tanh(v) ** 2
    inputs = keras.Input((4,))
    outputs = keras.layers.Activation(custom_activation)(keras.layers.Dense(3)(inputs))
    model = keras.Model(inputs, outputs)
    config = model.get_config()
    with pytest.raises(ValueError, match="Unknown activation function: 'custom_activation'"):
        keras.Model.from_config(config)
    with keras.utils.custom_object_scope({"custom_activation": custom_activation}):
        revived = keras.Model.from_config(config)
    assert [type(layer).__name__ for layer in revived.layers] == ["InputLayer", "Dense", "Activation"]
    revived.set_weights(model.get_weights())
    x = np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_array_equal(revived(x).numpy(), model(x).numpy())
    kernel, bias = model.get_weights()
    np.testing.assert_allclose(revived(x).numpy(), np.tanh(x @ kernel + bias) ** 2, rtol=1e-5, atol=1e-6)


def test_py_function_runs_python_on_every_call_and_differentiates():
    calls = []

    @tf.py_function(Tout=tf.float32)
    def py_plus(x, y):
        calls.append(float(x.numpy()))  # eager Tensors, even inside a traced function
        return x + y

    @tf.function
    def wrapper(x, y):
        return py_plus(x, y)
    assert float(wrapper(tf.constant(1.0), tf.constant(2.0))) == 3.0
    n = len(calls)
    assert float(wrapper(tf.constant(5.0), tf.constant(2.0))) == 7.0
    assert calls[n:] == [5.0]  # the replay calls back into Python with this call's values

    x = tf.constant([1.0, 2.0])

    @tf.function
    def grad(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.py_function(lambda a: a * a * a, [x], tf.float32)
        return tape.gradient(y, x)
    np.testing.assert_allclose(grad(x).numpy(), [3.0, 12.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tout says float32"):
        tf.py_function(lambda a: tf.cast(a, tf.int32), [x], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match="returned 2 value"):
        tf.py_function(lambda a: (a, a), [x], [tf.float32])
    out = tf.numpy_function(lambda a: (a * 2).astype(np.int32), [tf.constant([1, 2])], tf.int32)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [2, 4]
    ds = tf.data.Dataset.range(3).map(lambda v: tf.py_function(lambda a: a * 10, [v], tf.int64))
    assert [int(v) for v in ds] == [0, 10, 20]


def test_fit_takes_a_frame_of_floats_ints_and_bools():
    # pd.get_dummies gives bool columns beside float ones: Keras casts the whole frame to float32
    df = pd.DataFrame({"age": [19, 18, 28], "bmi": [27.9, 33.77, 33.0], "sex_male": [False, True, True]})
    model = tf.keras.Sequential([tf.keras.Input((3,)), tf.keras.layers.Dense(1, kernel_initializer="ones")])
    model.compile(loss="mae", optimizer=tf.keras.optimizers.SGD(0.0))
    model.fit(df, np.array([1.0, 2.0, 3.0]), verbose=0, epochs=1)
    out = model.predict(df, verbose=0)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[:, 0], np.float32([19 + 27.9, 18 + 33.77 + 1, 28 + 33.0 + 1]), rtol=1e-6)
    ints_and_bools = pd.DataFrame({"a": [1, 2], "b": [True, False]})  # no float column: no cast, as Keras
    with pytest.raises(ValueError, match="holds object values"):
        model.predict(ints_and_bools, verbose=0)


def test_functional_from_config_with_a_layer_config_without_name():
    class CustomDense(tf.keras.layers.Layer):
        def __init__(self, units=32):
            super().__init__()
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="ones")

        def call(self, inputs):
            return tf.matmul(inputs, self.w)

        def get_config(self):
            return {"units": self.units}  # no name: the revived layer gets a new one, as in Keras
    inputs = tf.keras.Input((4,))
    model = tf.keras.Model(inputs, CustomDense(3)(inputs))
    revived = tf.keras.Model.from_config(model.get_config(), custom_objects={"CustomDense": CustomDense})
    assert [type(layer).__name__ for layer in revived.layers] == ["InputLayer", "CustomDense"]
    np.testing.assert_array_equal(revived(np.ones((2, 4), np.float32)).numpy(), np.full((2, 3), 4.0, np.float32))
