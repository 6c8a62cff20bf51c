"""Smaller things TF's guides use (issue 18): tf.io.decode_raw, adjust_contrast's missing gradient,
a plain function as a Keras initializer in a saved model."""
import numpy as np
import pytest

import minitf as tf


def test_decode_raw():
    assert tf.io.decode_raw(tf.constant("Duck"), tf.uint8).numpy().tolist() == [68, 117, 99, 107]
    pairs = tf.io.decode_raw(tf.constant(["abcd", "efgh"]), tf.int16)
    assert pairs.shape == (2, 2) and pairs.dtype == tf.int16
    assert pairs.numpy().tolist()[0] == [ord("a") + 256 * ord("b"), ord("c") + 256 * ord("d")]  # little-endian
    big = tf.io.decode_raw(tf.constant(["abcd"]), tf.int16, little_endian=False)
    assert big.numpy().tolist() == [[256 * ord("a") + ord("b"), 256 * ord("c") + ord("d")]]
    padded = tf.io.decode_raw(tf.constant(["ab", "efgh"]), tf.uint8, fixed_length=3)
    assert padded.numpy().tolist() == [[97, 98, 0], [101, 102, 103]]
    assert tf.io.decode_raw(tf.constant(np.float32(1.5).tobytes()), tf.float32).numpy().tolist() == [1.5]
    with pytest.raises(tf.errors.InvalidArgumentError, match="all be the same size"):
        tf.io.decode_raw(tf.constant(["abc", "efgh"]), tf.int16)
    with pytest.raises(tf.errors.InvalidArgumentError, match="not a multiple of 2"):
        tf.io.decode_raw(tf.constant("abc"), tf.int16)


def test_adjust_contrast_has_no_gradient_as_in_tf():
    image = tf.Variable([[[0.5, 0.0, 0.0]]])
    delta = tf.Variable(0.1)
    with tf.GradientTape() as tape:
        new_image = tf.image.adjust_contrast(image, delta)
    with pytest.raises(LookupError, match="gradient registry has no entry for: AdjustContrastv2"):
        tape.gradient(new_image, [image, delta])
    assert new_image.numpy().tolist() == [[[0.5, 0.0, 0.0]]]  # one pixel: its own mean


def test_a_plain_function_initializer_is_saved_by_name(tmp_path):
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1, kernel_initializer=tf.random.normal)])
    config = model.layers[0].get_config()["kernel_initializer"]
    assert config == {"module": "builtins", "class_name": "function", "config": "normal",
                      "registered_name": "function"}
    model.save(str(tmp_path / "m.keras"))
    assert (tmp_path / "m.keras").exists()
