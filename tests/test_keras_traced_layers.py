"""Every Keras layer traced (``tf.function``) gives the eager bits, call after call.

A traced function runs its Python once and replays the recorded ops afterwards, so a layer that
computed on its input's array (NumPy on ``x._value``), drew random numbers on the host, or
decided something from the data in Python would either fail while tracing or bake the first
call's numbers into the graph. Each case here builds one layer twice with the same weights and
seeds, calls one eagerly and the other through ``tf.function`` on three batches (two different,
then the first again), and requires identical bits each time -- a baked value shows up on the
second batch, a baked random draw on the third. Random layers must also draw anew on each call.
"""
import zlib

import numpy as np
import pytest

import minitf as tf
from minitf.keras import backend as keras_backend
from minitf.keras import layers

RNG = np.random.default_rng(0)


def floats(*shape, low=-2.0, high=2.0):
    return lambda rng: rng.uniform(low, high, shape).astype(np.float32)


def ints(*shape, high=6):
    return lambda rng: rng.integers(0, high, shape)


def pair(make_a, make_b):
    return lambda rng: [make_a(rng), make_b(rng)]


def images(*shape):
    return floats(*shape, low=0.0, high=255.0)


def _adapted_normalization():
    layer = layers.Normalization()
    layer.adapt(np.array([[1.0, -2.0], [3.0, 0.5], [2.0, 4.0]], np.float32))
    return layer


# (id, layer factory, input factory, call kwargs, random: draws anew on each call)
CASES = [
    ("Dense", lambda: layers.Dense(3, activation="relu"), floats(4, 5), {}, False),
    ("Activation-softmax", lambda: layers.Activation("softmax"), floats(4, 5), {}, False),
    ("Activation-nn.sigmoid", lambda: layers.Activation(tf.nn.sigmoid), floats(4, 5), {}, False),
    ("Add", layers.Add, pair(floats(3, 4), floats(3, 4)), {}, False),
    ("Subtract", layers.Subtract, pair(floats(3, 4), floats(3, 4)), {}, False),
    ("Multiply", layers.Multiply, pair(floats(3, 4), floats(3, 4)), {}, False),
    ("Average", layers.Average, pair(floats(3, 4), floats(3, 4)), {}, False),
    ("Maximum", layers.Maximum, pair(floats(3, 4), floats(3, 4)), {}, False),
    ("Minimum", layers.Minimum, pair(floats(3, 4), floats(3, 4)), {}, False),
    ("Concatenate", layers.Concatenate, pair(floats(3, 4), floats(3, 2)), {}, False),
    ("Conv1D", lambda: layers.Conv1D(3, 2, activation="tanh"), floats(2, 7, 3), {}, False),
    ("Conv2D", lambda: layers.Conv2D(3, 3, padding="same"), floats(2, 6, 6, 2), {}, False),
    ("Conv2DTranspose", lambda: layers.Conv2DTranspose(2, 3, strides=2), floats(2, 4, 4, 3), {}, False),
    ("MaxPooling1D", layers.MaxPooling1D, floats(2, 6, 3), {}, False),
    ("AveragePooling1D", lambda: layers.AveragePooling1D(2), floats(2, 6, 3), {}, False),
    ("MaxPooling2D", layers.MaxPooling2D, floats(2, 6, 6, 3), {}, False),
    ("AveragePooling2D", lambda: layers.AveragePooling2D(3, strides=2, padding="same"), floats(2, 7, 7, 2), {},
     False),
    ("GlobalAveragePooling1D", layers.GlobalAveragePooling1D, floats(2, 6, 3), {}, False),
    ("GlobalMaxPooling2D", layers.GlobalMaxPooling2D, floats(2, 5, 5, 3), {}, False),
    ("GlobalAveragePooling2D", layers.GlobalAveragePooling2D, floats(2, 5, 5, 3), {}, False),
    ("BatchNormalization-train", layers.BatchNormalization, floats(8, 3), {"training": True}, False),
    ("BatchNormalization-infer", layers.BatchNormalization, floats(8, 3), {"training": False}, False),
    ("LayerNormalization", layers.LayerNormalization, floats(4, 6), {}, False),
    ("Embedding", lambda: layers.Embedding(10, 4), ints(3, 5, high=10), {}, False),
    ("Flatten", layers.Flatten, floats(2, 3, 4), {}, False),
    ("Reshape", lambda: layers.Reshape((6, 2)), floats(2, 3, 4), {}, False),
    ("Cropping2D", lambda: layers.Cropping2D(1), floats(2, 5, 5, 1), {}, False),
    ("ZeroPadding2D", lambda: layers.ZeroPadding2D(1), floats(2, 3, 3, 1), {}, False),
    ("UpSampling2D", lambda: layers.UpSampling2D(2), floats(2, 3, 3, 1), {}, False),
    ("UpSampling2D-bilinear", lambda: layers.UpSampling2D(2, interpolation="bilinear"), floats(2, 3, 3, 1), {},
     False),
    ("SimpleRNN", lambda: layers.SimpleRNN(3), floats(2, 5, 4), {}, False),
    ("GRU", lambda: layers.GRU(3, return_sequences=True), floats(2, 5, 4), {}, False),
    ("LSTM-dropout", lambda: layers.LSTM(3, dropout=0.3, recurrent_dropout=0.3, seed=5), floats(2, 5, 4),
     {"training": True}, True),
    ("RNN-cell", lambda: layers.RNN(layers.LSTMCell(3), return_sequences=True), floats(2, 5, 4), {}, False),
    ("Embedding-mask-pooling", lambda: tf.keras.Sequential([
        tf.keras.Input((5,), dtype="int32"), layers.Embedding(8, 3, mask_zero=True),
        layers.GRU(2, return_sequences=True), layers.GlobalAveragePooling1D()]), ints(3, 5, high=3), {}, False),
    ("Normalization-adapted", _adapted_normalization, floats(5, 2), {}, False),
    ("Bidirectional", lambda: layers.Bidirectional(layers.LSTM(2, return_sequences=True)), floats(2, 4, 3), {},
     False),
    ("TimeDistributed", lambda: layers.TimeDistributed(layers.Dense(2)), floats(2, 4, 3), {}, False),
    ("Lambda", lambda: layers.Lambda(lambda x: tf.square(x) + 1.0), floats(3, 4), {}, False),
    ("Normalization", lambda: layers.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.25]), floats(5, 2), {},
     False),
    ("Rescaling", lambda: layers.Rescaling(1 / 255.0, offset=-0.5), images(2, 3, 3, 1), {}, False),
    ("Dropout-seed", lambda: layers.Dropout(0.4, seed=3), floats(6, 8), {"training": True}, True),
    ("Dropout-noise-shape", lambda: layers.Dropout(0.5, noise_shape=(None, 1), seed=4), floats(6, 8),
     {"training": True}, True),
    ("CategoryEncoding-multi_hot", lambda: layers.CategoryEncoding(6), ints(4, 3), {}, False),
    ("CategoryEncoding-count", lambda: layers.CategoryEncoding(6, output_mode="count"), ints(4, 3), {}, False),
    ("CategoryEncoding-one_hot", lambda: layers.CategoryEncoding(6, output_mode="one_hot"), ints(4, 1), {}, False),
    ("IntegerLookup", lambda: layers.IntegerLookup(vocabulary=[3, 1, 4]), ints(4, 3), {}, False),
    ("IntegerLookup-multi_hot", lambda: layers.IntegerLookup(vocabulary=[3, 1, 4], output_mode="multi_hot"),
     ints(4, 3), {}, False),
    ("IntegerLookup-invert", lambda: layers.IntegerLookup(vocabulary=[3, 1, 4], invert=True), ints(4, 3, high=5), {},
     False),
    ("Resizing", lambda: layers.Resizing(5, 7), images(2, 9, 11, 2), {}, False),
    ("CenterCrop", lambda: layers.CenterCrop(4, 5), images(2, 9, 11, 2), {}, False),
    ("RandomFlip", lambda: layers.RandomFlip(seed=3), images(8, 5, 6, 2), {"training": True}, True),
    ("RandomRotation", lambda: layers.RandomRotation(0.3, seed=1), images(4, 9, 11, 2), {"training": True}, True),
    ("RandomZoom", lambda: layers.RandomZoom(0.2, (-0.1, 0.3), fill_mode="constant", seed=2), images(4, 9, 11, 2),
     {"training": True}, True),
    ("RandomTranslation", lambda: layers.RandomTranslation(0.2, 0.3, fill_mode="nearest", seed=5),
     images(4, 9, 11, 2), {"training": True}, True),
    ("RandomContrast", lambda: layers.RandomContrast(0.4, seed=6), images(4, 5, 6, 2), {"training": True}, True),
    ("RandomFlip-inference", lambda: layers.RandomFlip(seed=3), images(4, 5, 6, 2), {"training": False}, False),
]


def _array(x):
    return [_array(v) for v in x] if isinstance(x, list) else np.asarray(x.numpy())


def _twins(make, sample):
    """Two copies of a layer with the same weights and seeds, built without a call (a call would draw)."""
    eager_layer, traced_layer = make(), make()
    shapes = [tuple(s.shape) for s in sample] if isinstance(sample, list) else tuple(sample.shape)
    for layer in (eager_layer, traced_layer):
        if not layer.built:  # (a Sequential with an Input is built already)
            layer.build(shapes)
            layer.built = True
    traced_layer.set_weights(eager_layer.get_weights())
    return eager_layer, traced_layer


@pytest.mark.parametrize("name,make,inputs,kwargs,random", CASES, ids=[c[0] for c in CASES])
def test_a_traced_layer_gives_the_eager_bits_on_every_call(name, make, inputs, kwargs, random):
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    first, second = inputs(rng), inputs(rng)
    batches = [first, second, first]
    eager_layer, traced_layer = _twins(make, first)
    traced = tf.function(lambda x: traced_layer(x, **kwargs))
    for i, x in enumerate(batches):
        want = _array(eager_layer(x, **kwargs))
        got = _array(traced(x))
        np.testing.assert_array_equal(got, want, err_msg=f"{name}: call {i} traced differs from eager")
    assert traced.experimental_get_tracing_count() == 1
    for w_eager, w_traced in zip(eager_layer.get_weights(), traced_layer.get_weights()):  # (moving statistics)
        np.testing.assert_array_equal(w_traced, w_eager, err_msg=f"{name}: the state differs after the calls")
    if random:
        a, b = _array(traced(first)), _array(traced(first))
        assert not np.array_equal(a, b), f"{name}: two traced calls on the same input drew the same numbers"


def test_random_image_layers_take_an_unknown_batch_size():
    """Traced with TensorSpec(None, ...), the per-image draws read the batch size when the graph runs."""
    x = images(6, 9, 11, 2)(RNG)
    for make in (lambda: layers.RandomRotation(0.2, seed=1), lambda: layers.RandomFlip(seed=2),
                 lambda: layers.RandomContrast(0.3, seed=3)):
        eager_layer, traced_layer = make(), make()
        traced = tf.function(lambda t: traced_layer(t, training=True),
                             input_signature=[tf.TensorSpec([None, 9, 11, 2])])
        for batch in (x[:2], x, x[:5]):
            np.testing.assert_array_equal(traced(batch).numpy(), eager_layer(batch, training=True).numpy())
        assert traced.experimental_get_tracing_count() == 1


def test_integer_lookup_traced_sees_a_later_adapt():
    """The vocabulary is read when the op runs (as TF's lookup table), not baked into the trace."""
    lookup = layers.IntegerLookup(vocabulary=[7, 8])
    traced = tf.function(lambda t: lookup(t))
    ids = np.array([[7, 8, 9]])
    np.testing.assert_array_equal(traced(ids).numpy(), [[1, 2, 0]])
    lookup.set_vocabulary([9, 7])
    np.testing.assert_array_equal(traced(ids).numpy(), [[2, 0, 1]])


def test_category_encoding_checks_the_ids_when_the_traced_op_runs():
    encode = layers.CategoryEncoding(3)
    traced = tf.function(lambda t: encode(t))
    np.testing.assert_array_equal(traced(np.array([[0, 2]])).numpy(), [[1, 0, 1]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="0 <= values < num_tokens"):
        traced(np.array([[0, 3]]))


def test_merge_masks_are_ops():
    """Concatenate of an Embedding(mask_zero) and a masked input: the mask is computed by ops, traced too."""
    emb_a, emb_b = layers.Embedding(5, 2, mask_zero=True), layers.Embedding(5, 3, mask_zero=True)
    concat, add = layers.Concatenate(), layers.Add()

    def masks(ids_a, ids_b):
        a, b = emb_a(ids_a), emb_b(ids_b)
        return (keras_backend.get_keras_mask(concat([a, b])), keras_backend.get_keras_mask(add([a, emb_a(ids_b)])))

    eager = masks(np.array([[1, 0, 2]]), np.array([[0, 0, 3]]))
    traced = tf.function(masks)(np.array([[1, 0, 2]]), np.array([[0, 0, 3]]))
    np.testing.assert_array_equal(traced[0].numpy(), [[True, False, True]])
    np.testing.assert_array_equal(traced[1].numpy(), [[True, False, True]])  # Keras 3.15's merges: the OR
    for e, t in zip(eager, traced):
        np.testing.assert_array_equal(t.numpy(), e.numpy())


def test_a_layer_built_inside_a_trace_initialises_its_weights_eagerly():
    """An initializer written with tf ops runs in init_scope, even when the first call is traced."""
    class Scaled(layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1], 2), initializer=lambda shape, dtype=None: tf.ones(shape) * 3.0)

        def call(self, x):
            return x @ self.w

    layer = Scaled()
    out = tf.function(lambda x: layer(x))(np.ones((2, 4), np.float32))
    np.testing.assert_array_equal(out.numpy(), np.full((2, 2), 12.0, np.float32))
    np.testing.assert_array_equal(layer.w.numpy(), np.full((4, 2), 3.0, np.float32))
