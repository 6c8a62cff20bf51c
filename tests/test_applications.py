"""tf.keras.applications.MobileNetV2 and preprocess_input, without TensorFlow.

The expected layer names, counts and parameter counts are worked out here from the paper's table 2
(MobileNetV2, Sandler et al. 2018) and Keras's layer naming, not read from minitf's code.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitf
from minitf.keras.applications import MobileNetV2, imagenet_utils, mobilenet_v2

# The paper's table 2: (expansion t, output channels c, repeats n, first stride s).
PAPER_TABLE = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
               (6, 320, 1, 1)]


def round_to_8(v: float) -> int:
    """Channels rounded to the nearest multiple of 8 (at least 8), one step up if that lost over 10%."""
    n = max(8, int(v + 4) // 8 * 8)
    return n + 8 if n < 0.9 * v else n


def expected_layers(alpha: float, top: str | None, classes: int = 1000):
    """[(name, class name, parameter count)] of the layers after the Input, from the paper's table."""
    def bn(name, c):
        return (name, "BatchNormalization", 4 * c)  # gamma, beta, moving mean, moving variance
    c = round_to_8(32 * alpha)
    rows = [("Conv1", "Conv2D", 3 * 3 * 3 * c), bn("bn_Conv1", c), ("Conv1_relu", "ReLU", 0)]
    block = 0
    for t, filters, repeats, first_stride in PAPER_TABLE:
        for r in range(repeats):
            stride = first_stride if r == 0 else 1
            out = round_to_8(int(filters * alpha))
            p = "expanded_conv_" if block == 0 else f"block_{block}_"
            mid = t * c
            if block:
                rows += [(p + "expand", "Conv2D", c * mid), bn(p + "expand_BN", mid), (p + "expand_relu", "ReLU", 0)]
            if stride == 2:
                rows.append((p + "pad", "ZeroPadding2D", 0))
            rows += [(p + "depthwise", "DepthwiseConv2D", 9 * mid), bn(p + "depthwise_BN", mid),
                     (p + "depthwise_relu", "ReLU", 0), (p + "project", "Conv2D", mid * out), bn(p + "project_BN", out)]
            if stride == 1 and c == out:
                rows.append((p + "add", "Add", 0))
            c = out
            block += 1
    last = round_to_8(1280 * alpha) if alpha > 1 else 1280
    rows += [("Conv_1", "Conv2D", c * last), bn("Conv_1_bn", last), ("out_relu", "ReLU", 0)]
    if top == "classifier":
        rows += [("global_average_pooling2d", "GlobalAveragePooling2D", 0),
                 ("predictions", "Dense", last * classes + classes)]
    elif top == "avg":
        rows.append(("global_average_pooling2d", "GlobalAveragePooling2D", 0))
    elif top == "max":
        rows.append(("global_max_pooling2d", "GlobalMaxPooling2D", 0))
    return rows


@pytest.fixture(autouse=True)
def _fresh_names():
    minitf.keras.backend.clear_session()  # automatic names (global_average_pooling2d) start again


@pytest.mark.parametrize("alpha,kwargs,top", [
    (0.35, dict(input_shape=(32, 32, 3), classes=5), "classifier"),
    (0.35, dict(include_top=False), None),
    (0.5, dict(include_top=False, pooling="avg"), "avg"),
    (1.0, dict(include_top=False, pooling="max"), "max"),
    (1.4, dict(input_shape=(32, 32, 3), classes=3), "classifier"),
])
def test_layers_names_and_parameters_follow_the_paper_table(alpha, kwargs, top):
    model = MobileNetV2(alpha=alpha, weights=None, **kwargs)
    expected = expected_layers(alpha, top, kwargs.get("classes", 1000))
    assert type(model.layers[0]).__name__ == "InputLayer"
    got = [(layer.name, type(layer).__name__, layer.count_params()) for layer in model.layers[1:]]
    assert got == expected
    assert model.count_params() == sum(n for _, _, n in expected)
    # 17 inverted residual blocks, 10 of them with a skip connection (the repeats after the first).
    assert sum(1 for name, _, _ in expected if name.endswith("_add")) == 10


def test_well_known_parameter_counts():
    # MobileNetV2 1.0 with 1000 classes: 3,538,984 parameters (the paper's 3.4M trainable + BN statistics).
    assert sum(n for _, _, n in expected_layers(1.0, "classifier")) == 3538984
    assert MobileNetV2(weights=None, input_shape=(32, 32, 3)).count_params() == 3538984


@pytest.mark.parametrize("kwargs,shape", [
    (dict(include_top=False), (2, 2, 2, 1280)),
    (dict(include_top=False, pooling="avg"), (2, 1280)),
    (dict(include_top=False, pooling="max"), (2, 1280)),
    (dict(include_top=True, classes=4), (2, 4)),
])
def test_output_shapes_at_64x64(kwargs, shape):
    model = MobileNetV2(alpha=0.35, weights=None, input_shape=(64, 64, 3), **kwargs)
    images = np.random.default_rng(0).uniform(-1, 1, (2, 64, 64, 3)).astype(np.float32)
    out = model(images).numpy()
    assert out.shape == shape
    assert tuple(model.output.shape) == (None,) + shape[1:]
    if kwargs.get("include_top"):  # softmax
        np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)


def test_pooling_modes_pool_the_last_feature_map():
    images = np.random.default_rng(1).uniform(-1, 1, (2, 64, 64, 3)).astype(np.float32)
    features = MobileNetV2(alpha=0.35, weights=None, include_top=False, input_shape=(64, 64, 3))
    weights = features.get_weights()
    fmap = features(images).numpy()
    for pooling, reduce in (("avg", np.mean), ("max", np.max)):
        pooled = MobileNetV2(alpha=0.35, weights=None, include_top=False, pooling=pooling, input_shape=(64, 64, 3))
        pooled.set_weights(weights)
        np.testing.assert_allclose(pooled(images).numpy(), reduce(fmap, axis=(1, 2)), rtol=1e-5, atol=1e-6)


def test_default_input_shape_and_name():
    model = MobileNetV2(weights=None, include_top=False)
    assert tuple(model.input.shape) == (None, None, None, 3)
    assert model.name == "mobilenetv2_1.00_None"  # named after the input's rows, as in Keras
    assert tuple(MobileNetV2(weights=None, alpha=0.35).input.shape) == (None, 224, 224, 3)
    assert MobileNetV2(weights=None, alpha=0.35, input_shape=(96, 96, 3)).name == "mobilenetv2_0.35_96"
    assert MobileNetV2(weights=None, alpha=0.5, input_shape=(64, 80, 3), include_top=False).name == \
        "mobilenetv2_0.50_64"
    assert MobileNetV2(weights=None, alpha=0.35, input_shape=(32, 32, 3), name="mine").name == "mine"


def test_bad_arguments():
    with pytest.raises(ValueError, match="at least 32x32"):
        MobileNetV2(weights=None, input_shape=(31, 64, 3))
    with pytest.raises(ValueError, match="static `input_shape`"):
        MobileNetV2(weights=None, input_shape=(None, None, 3), include_top=True)
    with pytest.raises(ValueError, match="three integers"):
        MobileNetV2(weights=None, input_shape=(64, 64))
    with pytest.raises(ValueError, match="path to the weights file"):
        MobileNetV2(weights="/nonexistent/weights.h5")
    with pytest.warns(UserWarning, match="1 or 3 input channels"):
        model = MobileNetV2(weights=None, alpha=0.35, input_shape=(32, 32, 4), include_top=False)
    assert tuple(model.get_layer("Conv1").kernel.shape) == (3, 3, 4, 16)


def test_imagenet_weights_are_refused_with_a_way_out():
    with pytest.raises(ValueError) as info:
        MobileNetV2(input_shape=(96, 96, 3), include_top=False)  # weights="imagenet" is the default
    message = str(info.value)
    assert "downloads nothing" in message and "weights=None" in message and "path" in message
    with pytest.raises(NotImplementedError, match="downloads nothing"):  # ImageNet's class index is a download
        mobilenet_v2.decode_predictions(np.zeros((1, 1000), np.float32))


def test_input_tensor_keeps_its_predecessors():
    inputs = minitf.keras.Input((32, 32, 3))
    scaled = minitf.keras.layers.Rescaling(1 / 127.5, offset=-1)(inputs)
    model = MobileNetV2(alpha=0.35, weights=None, input_tensor=scaled, include_top=False, pooling="avg")
    assert model.inputs[0] is inputs
    assert "rescaling" in [layer.name for layer in model.layers]
    pixels = np.random.default_rng(2).uniform(0, 255, (2, 32, 32, 3)).astype(np.float32)
    plain = MobileNetV2(alpha=0.35, weights=None, input_shape=(32, 32, 3), include_top=False, pooling="avg")
    plain.set_weights(model.get_weights())
    np.testing.assert_allclose(model(pixels).numpy(), plain(pixels / 127.5 - 1).numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="input_tensor.shape\\[2\\] must equal input_shape\\[1\\]"):
        MobileNetV2(weights=None, input_tensor=minitf.keras.Input((32, 32, 3)), input_shape=(32, 40, 3))


def test_weights_file_path_loads_with_load_weights(tmp_path):
    model = MobileNetV2(alpha=0.35, weights=None, input_shape=(32, 32, 3), classes=3)
    path = str(tmp_path / "mnv2.weights.h5")
    model.save_weights(path)
    again = MobileNetV2(alpha=0.35, weights=path, input_shape=(32, 32, 3), classes=3)
    images = np.random.default_rng(3).uniform(-1, 1, (2, 32, 32, 3)).astype(np.float32)
    np.testing.assert_array_equal(again(images).numpy(), model(images).numpy())


def test_preprocess_input_tf_mode_is_x_over_127_5_minus_1():
    pixels = np.array([[0.0, 127.5, 255.0]], np.float32)
    np.testing.assert_array_equal(mobilenet_v2.preprocess_input(pixels.copy()), [[-1.0, 0.0, 1.0]])
    rng = np.random.default_rng(4)
    images = rng.uniform(0, 255, (2, 4, 4, 3)).astype(np.float32)
    expected = images / np.float32(127.5) - np.float32(1)
    np.testing.assert_array_equal(mobilenet_v2.preprocess_input(images.copy()), expected)
    as_uint8 = images.astype(np.uint8)
    got = mobilenet_v2.preprocess_input(as_uint8)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, as_uint8.astype(np.float32) / np.float32(127.5) - np.float32(1))
    np.testing.assert_array_equal(mobilenet_v2.preprocess_input(minitf.constant(images)).numpy(), expected)
    # Inside a functional model (the transfer-learning tutorial's use)
    inputs = minitf.keras.Input((4, 4, 3))
    model = minitf.keras.Model(inputs, mobilenet_v2.preprocess_input(inputs))
    np.testing.assert_allclose(model(images).numpy(), expected, rtol=1e-6)


def test_preprocess_input_torch_and_caffe_modes():
    images = np.random.default_rng(5).uniform(0, 255, (2, 3, 4, 3)).astype(np.float64)
    torch = (images / 255 - np.array([0.485, 0.456, 0.406])) / np.array([0.229, 0.224, 0.225])
    caffe = images[..., ::-1] - np.array([103.939, 116.779, 123.68])
    for mode, expected in (("torch", torch), ("caffe", caffe)):
        np.testing.assert_allclose(imagenet_utils.preprocess_input(images.copy(), mode=mode), expected, rtol=1e-12)
        got = imagenet_utils.preprocess_input(minitf.constant(images), mode=mode).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        first = imagenet_utils.preprocess_input(images.transpose(0, 3, 1, 2).copy(), "channels_first", mode)
        np.testing.assert_allclose(first, expected.transpose(0, 3, 1, 2), rtol=1e-12)
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(images, mode="bgr")
    with pytest.raises(ValueError, match="data_format"):
        imagenet_utils.preprocess_input(images, data_format="nhwc")


def test_correct_pad():
    even = minitf.keras.Input((8, 8, 3))
    odd = minitf.keras.Input((7, 9, 3))
    assert imagenet_utils.correct_pad(even, 3) == ((0, 1), (0, 1))  # extra row/column at the bottom/right
    assert imagenet_utils.correct_pad(odd, 3) == ((1, 1), (1, 1))
    assert imagenet_utils.correct_pad(minitf.keras.Input((None, None, 3)), 3) == ((0, 1), (0, 1))


def _small_model_and_data():
    minitf.keras.utils.set_random_seed(7)
    model = MobileNetV2(alpha=0.35, weights=None, input_shape=(32, 32, 3), classes=3)
    rng = np.random.default_rng(6)
    labels = np.arange(12) % 3
    images = rng.uniform(0, 60, (12, 32, 32, 3)).astype(np.float32)
    images[..., 0] += 60 * (labels[:, None, None] == 0)  # the class shows in the colours
    images[..., 1] += 60 * (labels[:, None, None] == 1)
    return model, mobilenet_v2.preprocess_input(images), labels


def test_short_fit_lowers_the_loss():
    model, x, y = _small_model_and_data()
    # SGD: tracing Adam's update for MobileNetV2's 158 weights takes far longer than the step itself
    model.compile(optimizer=minitf.keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
    history = model.fit(x, y, batch_size=6, epochs=4, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert all(np.isfinite(losses))
    assert losses[-1] < losses[0]


def test_traced_and_eager_identical():
    model, x, y = _small_model_and_data()
    weights = model.get_weights()
    eager = model(x, training=False).numpy()
    traced = minitf.function(lambda images: model(images, training=False))(minitf.constant(x)).numpy()
    np.testing.assert_array_equal(traced, eager)
    histories = []
    for run_eagerly in (True, False):
        model.set_weights(weights)
        model.compile(optimizer=minitf.keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy",
                      run_eagerly=run_eagerly)
        histories.append(model.fit(x, y, batch_size=6, epochs=2, verbose=0, shuffle=False).history["loss"])
        histories.append(model.predict(x, verbose=0))
    assert histories[0] == histories[2]
    np.testing.assert_array_equal(histories[1], histories[3])


def test_transfer_learning_tutorial_flow():
    """TF's "Transfer learning and fine-tuning" tutorial at 32x32: a frozen base inside a new model, then
    the top layers unfrozen from layer 100 on."""
    base_model = MobileNetV2(input_shape=(32, 32, 3), include_top=False, weights=None, alpha=0.35)
    base_model.trainable = False
    inputs = minitf.keras.Input((32, 32, 3))
    x = mobilenet_v2.preprocess_input(inputs)
    x = base_model(x, training=False)
    x = minitf.keras.layers.GlobalAveragePooling2D()(x)
    outputs = minitf.keras.layers.Dense(1)(x)
    model = minitf.keras.Model(inputs, outputs)
    model.compile(optimizer=minitf.keras.optimizers.SGD(1e-3),
                  loss=minitf.keras.losses.BinaryCrossentropy(from_logits=True))
    assert len(model.trainable_variables) == 2  # the tutorial's count
    images = np.random.default_rng(8).uniform(0, 255, (4, 32, 32, 3)).astype(np.float32)
    labels = np.array([0, 1, 0, 1], np.float32)
    frozen = base_model.get_weights()
    model.fit(images, labels, epochs=1, batch_size=2, verbose=0)
    for before, after in zip(frozen, base_model.get_weights()):  # moving statistics included
        np.testing.assert_array_equal(before, after)

    rows = expected_layers(0.35, None)
    assert len(base_model.layers) == 1 + len(rows) == 154  # the tutorial's "Number of layers in the base model"
    base_model.trainable = True
    for layer in base_model.layers[:100]:
        layer.trainable = False
    trainable_per_class = {"Conv2D": 1, "DepthwiseConv2D": 1, "BatchNormalization": 2}  # kernel; gamma and beta
    expected = sum(trainable_per_class.get(cls, 0) for _, cls, _ in rows[99:]) + 2
    assert len(model.trainable_variables) == expected == 56  # the tutorial's count after unfreezing
