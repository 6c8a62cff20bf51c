"""A model used as a layer of another model, as in Keras 3: it saves and loads (.keras; lesson 09's
fine-tuned model holds its base, a Functional model, and a Sequential may hold one too), and the
training flag of the outer call wins over one written when the outer model was built
(``base(inputs, training=False)`` still trains in ``fit``)."""
from __future__ import annotations

import numpy as np

import minitf as tf


def _base():
    inputs = tf.keras.Input((8, 8, 3))
    x = tf.keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = tf.keras.layers.BatchNormalization(name="bn")(x)
    return tf.keras.Model(inputs, x, name="base")


def test_a_functional_model_inside_a_functional_model_loads(tmp_path):
    tf.keras.utils.set_random_seed(0)
    base = _base()
    base.trainable = False
    inputs = tf.keras.Input((8, 8, 3))
    x = tf.keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    model = tf.keras.Model(inputs, tf.keras.layers.Dense(2, activation="softmax")(x))
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    images = np.random.default_rng(0).uniform(size=(5, 8, 8, 3)).astype(np.float32)
    model.fit(images, np.array([0, 1, 0, 1, 1]), epochs=1, verbose=0)
    path = tmp_path / "nested.keras"
    model.save(path)

    loaded = tf.keras.models.load_model(path)
    inner = loaded.get_layer("base")
    assert isinstance(inner, tf.keras.Model) and inner.get_layer("conv").kernel.shape == (3, 3, 3, 4)
    assert inner.trainable is False and len(loaded.trainable_weights) == 2  # only the head's kernel and bias
    np.testing.assert_array_equal(loaded.predict(images, verbose=0), model.predict(images, verbose=0))


def test_a_functional_model_inside_a_sequential_loads(tmp_path):
    tf.keras.utils.set_random_seed(1)
    model = tf.keras.Sequential([tf.keras.Input((8, 8, 3)), _base(), tf.keras.layers.Flatten(),
                                 tf.keras.layers.Dense(1)])
    images = np.random.default_rng(1).uniform(size=(3, 8, 8, 3)).astype(np.float32)
    path = tmp_path / "sequential.keras"
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    assert [layer.name for layer in loaded.layers][0] == "base"
    np.testing.assert_array_equal(loaded.predict(images, verbose=0), model.predict(images, verbose=0))


def test_the_calls_training_flag_wins_over_the_one_written_at_build_time():
    tf.keras.utils.set_random_seed(2)
    base = _base()  # BatchNormalization, trainable: batch statistics when training
    inputs = tf.keras.Input((8, 8, 3))
    model = tf.keras.Model(inputs, base(inputs, training=False))
    images = np.random.default_rng(2).uniform(size=(4, 8, 8, 3)).astype(np.float32)
    features = tf.keras.Model(base.input, base.get_layer("conv").output)(images).numpy()
    mean, var = features.mean(axis=(0, 1, 2)), features.var(axis=(0, 1, 2))
    # no flag given: the flag written at build time holds (inference: moving mean 0, variance 1)
    np.testing.assert_allclose(model(images).numpy(), features / np.sqrt(1 + 1e-3), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(model(images, training=False).numpy(), model(images).numpy())
    # training=True (last: it moves the moving statistics): each channel normalised by the batch's own statistics (gamma 1, beta 0, eps 1e-3)
    np.testing.assert_allclose(model(images, training=True).numpy(), (features - mean) / np.sqrt(var + 1e-3),
                               rtol=1e-4, atol=1e-5)
