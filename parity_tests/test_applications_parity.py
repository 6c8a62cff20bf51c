"""tf.keras.applications.MobileNetV2 and mobilenet_v2.preprocess_input: minitf against Keras 3.15.

* architecture, for alpha 0.35 and 1.0 at 96x96 with include_top (10 classes), alpha 0.35 without top
  (pooling None and "avg" at 96x96, "max" at the default (None, None, 3)), and alpha 1.3 without top at
  64x80: the same model name, layer names, layer classes
  and order, weight names and shapes, and parameter count as Keras's ``MobileNetV2(weights=None)``.
* Keras's weights copied in with ``set_weights(keras_model.get_weights())``: the outputs in inference
  and training mode and one training step's loss (rtol 1e-4: 50-odd layers of float32
  convolutions whose sums TF adds in another order); the gradients of that step (BatchNormalization
  on batch statistics, categorical crossentropy) with respect to every trainable weight, with both
  frameworks in float64 (rtol 1e-8). In float32 each framework's gradients are compared with the
  float64 ones (Keras's weights seeded, so the case is the same in every run): minitf's are as exact
  as Keras's for the typical weight, and for every weight above the ReLU6s where a float32 activation
  landed, by rounding, on the other side of a kink than in float64 (below such a crossing no float32
  gradient follows float64's; the crossings themselves are checked to be at rounding level).
* a Keras-saved ``.weights.h5`` loaded by ``MobileNetV2(weights=path)``: Keras's outputs.
* ``preprocess_input`` on NumPy arrays (float and uint8) and on tensors: Keras's values bit for bit;
  ``imagenet_utils.preprocess_input`` in "torch" and "caffe" modes as well.
"""
from __future__ import annotations

import numpy as np
import pytest

import minitf
from parity_tests.harness import assert_close


@pytest.fixture(autouse=True)
def _deterministic_tf(op_determinism):
    pass


def _both(alpha, **kwargs):
    import keras
    keras.backend.clear_session()
    minitf.keras.backend.clear_session()
    keras_model = keras.applications.MobileNetV2(alpha=alpha, weights=None, **kwargs)
    model = minitf.keras.applications.MobileNetV2(alpha=alpha, weights=None, **kwargs)
    return keras_model, model


def _structure(model):
    return [(layer.name, type(layer).__name__) for layer in model.layers]


def _weights(model):
    return [(w.path, tuple(w.shape)) for w in model.weights]


@pytest.mark.parametrize("alpha,kwargs", [
    (0.35, dict(input_shape=(96, 96, 3), classes=10)),
    (0.35, dict(input_shape=(96, 96, 3), include_top=False)),
    (0.35, dict(input_shape=(96, 96, 3), include_top=False, pooling="avg")),
    (0.35, dict(include_top=False, pooling="max")),
    (1.0, dict(input_shape=(96, 96, 3), classes=10)),
    (1.3, dict(input_shape=(64, 80, 3), include_top=False)),
])
def test_same_architecture(alpha, kwargs):
    keras_model, model = _both(alpha, **kwargs)
    assert model.name == keras_model.name
    assert _structure(model) == _structure(keras_model)
    assert _weights(model) == _weights(keras_model)
    assert model.count_params() == keras_model.count_params()
    assert tuple(model.output.shape) == tuple(keras_model.output.shape)


def _training_step(fw, model, x, labels):
    with fw.GradientTape() as tape:
        probs = model(fw.constant(x), training=True)
        loss = fw.reduce_mean(fw.keras.losses.categorical_crossentropy(fw.constant(labels), probs))
    return loss.numpy(), [g.numpy() for g in tape.gradient(loss, model.trainable_weights)]


def _batch(dtype):
    rng = np.random.default_rng(0)
    x = (rng.uniform(0, 255, (4, 96, 96, 3)) / 127.5 - 1.0).astype(dtype)
    return x, np.eye(10, dtype=dtype)[[1, 3, 5, 7]]


@pytest.mark.parametrize("alpha", [0.35, 1.0])
def test_outputs_and_loss_with_keras_weights(tf, alpha):
    keras_model, model = _both(alpha, input_shape=(96, 96, 3), classes=10)
    model.set_weights(keras_model.get_weights())
    x, labels = _batch(np.float32)
    assert_close("MobileNetV2 inference", keras_model(x, training=False).numpy(),
                 model(x, training=False).numpy(), rtol=1e-4, atol=1e-5)
    assert_close("MobileNetV2 training-mode outputs", keras_model(x, training=True).numpy(),
                 model(x, training=True).numpy(), rtol=1e-4, atol=1e-5)
    assert [w.path for w in model.trainable_weights] == [w.path for w in keras_model.trainable_weights]
    keras_loss, _ = _training_step(tf, keras_model, x, labels)
    loss, _ = _training_step(minitf, model, x, labels)
    assert_close("training loss", keras_loss, loss, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("alpha", [0.35, 1.0])
def test_training_gradients_in_float64(tf, alpha):
    """One training step's gradients of every trainable weight, both frameworks in float64 (floatx
    "float64"): Keras's weights copied in, the gradients agree to rounding (here about 1e-13)."""
    import keras
    keras_floatx, floatx = keras.backend.floatx(), minitf.keras.backend.floatx()
    # The global dtype policy too: a test that set one (and "restored" it as "float32") leaves it in
    # place, and a set policy, not floatx, decides a new layer's dtype (in both frameworks).
    keras_policy, policy = keras.config.dtype_policy(), minitf.keras.mixed_precision.global_policy()
    keras.backend.set_floatx("float64")
    minitf.keras.backend.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    minitf.keras.mixed_precision.set_global_policy("float64")
    try:
        keras_model, model = _both(alpha, input_shape=(96, 96, 3), classes=10)
    finally:
        keras.backend.set_floatx(keras_floatx)
        minitf.keras.backend.set_floatx(floatx)
        keras.config.set_dtype_policy(keras_policy)
        minitf.keras.mixed_precision.set_global_policy(policy)
    model.set_weights(keras_model.get_weights())
    x, labels = _batch(np.float64)
    keras_loss, keras_grads = _training_step(tf, keras_model, x, labels)
    loss, grads = _training_step(minitf, model, x, labels)
    assert_close("training loss (float64)", keras_loss, loss, rtol=1e-12, atol=1e-12, check_dtype=True)
    # Some gradients are 0 but for rounding (a BatchNormalization's beta whose output feeds another
    # BatchNormalization, which takes out any per-channel constant): atol is scaled to the largest one.
    scale = max(float(np.abs(g).max()) for g in keras_grads)
    for w, expected, got in zip(model.trainable_weights, keras_grads, grads):
        assert_close(f"gradient of {w.path} (float64)", expected, got, rtol=1e-8, atol=1e-12 * scale)


def _relu6_inputs(fw, model, x) -> list:
    """[(index in model.layers, the input of that ReLU6 layer)] of a training-mode call on x."""
    relus = [(i, layer) for i, layer in enumerate(model.layers) if type(layer).__name__ == "ReLU"]
    probe = fw.keras.Model(model.inputs, [layer.input for _, layer in relus])
    return [(i, t.numpy()) for (i, _), t in zip(relus, probe(fw.constant(x), training=True))]


def _float32_errors(tf, seed):
    """Each framework's float32 training step against Keras's float64 one, Keras's seeded weights in all
    three models: {framework: (errors, crossings)}. errors: [(index in model.layers of the weight's layer,
    worst |error| of its gradient / largest float64 gradient)]; crossings: [(index of a ReLU6 layer, the
    largest |float64 input| among the cells whose float32 input lies on the other side of 0 or 6, relative
    to that input's largest)]."""
    import keras
    keras.utils.set_random_seed(seed)
    keras_model, model = _both(0.35, input_shape=(96, 96, 3), classes=10)
    weights = keras_model.get_weights()
    model.set_weights(weights)
    keras_floatx, keras_policy = keras.backend.floatx(), keras.config.dtype_policy()
    keras.backend.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    try:
        exact_model = keras.applications.MobileNetV2(alpha=0.35, weights=None, input_shape=(96, 96, 3), classes=10)
    finally:
        keras.backend.set_floatx(keras_floatx)
        keras.config.set_dtype_policy(keras_policy)
    exact_model.set_weights([w.astype(np.float64) for w in weights])
    x, labels = _batch(np.float64)
    _, exact = _training_step(tf, exact_model, x, labels)
    exact_relu6_inputs = _relu6_inputs(tf, exact_model, x)
    scale = max(float(np.abs(g).max()) for g in exact)
    layer_index = {layer.name: i for i, layer in enumerate(model.layers)}
    results = {}
    for name, fw, m in (("keras", tf, keras_model), ("minitf", minitf, model)):
        x32, labels32 = x.astype(np.float32), labels.astype(np.float32)
        _, grads = _training_step(fw, m, x32, labels32)
        errors = [(layer_index[w.path.split("/")[0]], float(np.abs(g.astype(np.float64) - e).max()) / scale)
                  for w, g, e in zip(model.trainable_weights, grads, exact)]
        crossings = []
        for (i, got), (_, want) in zip(_relu6_inputs(fw, m, x32), exact_relu6_inputs):
            crossed = ((got > 0) & (got < 6)) != ((want > 0) & (want < 6))
            if crossed.any():
                crossings.append((i, float(np.abs(want[crossed]).max() / np.abs(want).max())))
        results[name] = errors, crossings
    return results


# Seed 4 draws weights where Keras's float32 gradients are ~1e-5 (of the largest) from float64; with
# most draws (seeds 1-3) both frameworks' are ~1e-2 from it: batch statistics of 4 images make the
# step itself ill-conditioned, and no float32 order of additions is exact there.
WELL_CONDITIONED_SEED = 4


def test_training_gradients_in_float32_are_as_exact_as_keras_for_the_typical_weight(tf):
    """Before the blocked sums (``minitf/ops/elementwise.py: sum_over_axes``) minitf's median error was
    3e-4 against Keras's 1.3e-7: NumPy added the 9,216 positions of a 48x48 batch one after another."""
    results = _float32_errors(tf, WELL_CONDITIONED_SEED)
    ours, theirs = (np.median([e for _, e in results[name][0]]) for name in ("minitf", "keras"))
    assert ours <= 2 * theirs + 1e-8, f"median float32 gradient error: minitf {ours:.3g}, Keras {theirs:.3g}"


def test_training_gradients_in_float32_are_as_exact_as_keras_above_the_relu6_kinks_rounding_crossed(tf):
    """A float32 activation within rounding of ReLU6's 0 or 6 may land on the other side than in float64:
    its gradient is then dy where float64 has 0 (or the reverse), and the BatchNormalization below spreads
    that over its channel, so every weight below differs from float64 by far more than rounding. No order
    of additions avoids it; which cells cross is a matter of the last bit. With seed 4, minitf's
    block_1_expand_BN output at (0, 14, 1, 13) is +1.1e-8 where float64 has -1.5e-7 (Keras's: -1.9e-7),
    and its gradients of Conv1 to block_1_expand are ~1e-3 from float64 (Keras's ~1e-5); from block_1's
    depthwise conv on, as exact as Keras's. So: the cells that cross are at rounding level (|float64|
    within 1e-6 of the input's largest), and every weight after the last ReLU6 crossed in either framework
    (most of them) is as exact as Keras's."""
    results = _float32_errors(tf, WELL_CONDITIONED_SEED)
    for name, (_, crossings) in results.items():
        for relu, size in crossings:
            assert size <= 1e-6, f"{name}: ReLU6 #{relu}'s float32 input crossed a kink {size:.3g} (of the largest) away"
    last = max([relu for _, crossings in results.values() for relu, _ in crossings], default=-1)
    ours, theirs = ([e for layer, e in results[name][0] if layer > last] for name in ("minitf", "keras"))
    assert len(ours) >= 0.75 * len(results["minitf"][0]), f"only {len(ours)} weights above the crossings at {last}"
    assert max(ours) <= 10 * max(theirs) + 1e-7, (
        f"worst float32 gradient error above the ReLU6 crossings: minitf {max(ours):.3g}, Keras {max(theirs):.3g}")


def test_weights_file_saved_by_keras(tmp_path):
    import keras
    keras.backend.clear_session()
    keras_model = keras.applications.MobileNetV2(alpha=0.35, weights=None, input_shape=(96, 96, 3), classes=7)
    path = str(tmp_path / "mobilenet_v2.weights.h5")
    keras_model.save_weights(path)
    model = minitf.keras.applications.MobileNetV2(alpha=0.35, weights=path, input_shape=(96, 96, 3), classes=7)
    x = np.random.default_rng(1).uniform(-1, 1, (2, 96, 96, 3)).astype(np.float32)
    assert_close("outputs after load_weights", keras_model(x).numpy(), model(x).numpy(), rtol=1e-4, atol=1e-6)


def test_preprocess_input_is_keras(tf):
    import keras
    rng = np.random.default_rng(2)
    pixels = rng.uniform(0, 255, (2, 5, 6, 3)).astype(np.float32)
    uint8 = rng.integers(0, 256, (2, 5, 6, 3)).astype(np.uint8)
    expected = keras.applications.mobilenet_v2.preprocess_input(pixels.copy())
    np.testing.assert_array_equal(minitf.keras.applications.mobilenet_v2.preprocess_input(pixels.copy()), expected)
    np.testing.assert_array_equal(minitf.keras.applications.mobilenet_v2.preprocess_input(uint8.copy()),
                                  keras.applications.mobilenet_v2.preprocess_input(uint8.copy()))
    got = minitf.keras.applications.mobilenet_v2.preprocess_input(minitf.constant(pixels))
    np.testing.assert_array_equal(got.numpy(), keras.applications.mobilenet_v2.preprocess_input(tf.constant(pixels)))
    for mode in ("torch", "caffe"):
        for data_format, array in (("channels_last", pixels), ("channels_first", pixels.transpose(0, 3, 1, 2))):
            expected = keras.applications.imagenet_utils.preprocess_input(array.copy(), data_format, mode)
            got = minitf.keras.applications.imagenet_utils.preprocess_input(array.copy(), data_format, mode)
            np.testing.assert_array_equal(got, expected, err_msg=f"numpy, {mode}, {data_format}")
            expected = keras.applications.imagenet_utils.preprocess_input(tf.constant(array), data_format, mode)
            got = minitf.keras.applications.imagenet_utils.preprocess_input(minitf.constant(array), data_format, mode)
            np.testing.assert_array_equal(got.numpy(), np.asarray(expected), err_msg=f"tensor, {mode}, {data_format}")
