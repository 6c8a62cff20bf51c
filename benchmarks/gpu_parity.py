"""The cases of the GPU parity check, written ONCE as functions of the framework module.

``case(tf)`` runs under TensorFlow (to record reference values on a CPU machine) and under
minitf (on CuPy, on a GPU machine that has no TensorFlow), with the same inputs: every input,
weight and label comes from a NumPy generator seeded with the case's name, so both sides see the
same numbers on every machine. Each case returns named arrays: forward values, gradients from
``GradientTape``, a training curve. ``TOLERANCES`` says how close minitf must come, per group.
"""
from __future__ import annotations

import zlib
from types import ModuleType
from typing import Callable

import numpy as np

from . import models as M

f32 = np.float32
Case = Callable[[ModuleType], dict[str, np.ndarray]]
CASES: dict[str, Case] = {}
# (rtol, atol) per group, rtol relative to each array's largest reference value: float32 kernels on
# a GPU sum in other orders than TF's CPU kernels; a few epochs of training let such differences grow.
TOLERANCES = {"op": (1e-5, 1e-6), "layer": (1e-5, 1e-6), "train": (5e-3, 1e-5)}


def case(group: str):
    def register(fn: Case) -> Case:
        CASES[f"{group}/{fn.__name__}"] = fn
        return fn
    return register


def rng_for(fn_or_name) -> np.random.Generator:
    name = fn_or_name if isinstance(fn_or_name, str) else fn_or_name.__name__
    return np.random.default_rng(zlib.crc32(name.encode()))


def normal(rng: np.random.Generator, *shape, scale: float = 1.0) -> np.ndarray:
    return (rng.standard_normal(shape) * scale).astype(f32)


def grads(tf, fn: Callable, *inputs: np.ndarray, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """fn(*inputs) and the gradient of sum(fn * weights) with respect to each input."""
    xs = [tf.constant(a) for a in inputs]
    with tf.GradientTape() as tape:
        for x in xs:
            tape.watch(x)
        y = fn(*xs)
        loss = tf.reduce_sum(y * tf.constant(weights)) if weights is not None else tf.reduce_sum(y)
    out = {"y": y.numpy()}
    for i, g in enumerate(tape.gradient(loss, xs)):
        out[f"d{i}"] = np.zeros(inputs[i].shape, f32) if g is None else tf.convert_to_tensor(g).numpy()
    return out


# ---------------------------------------------------------------------------------- ops
@case("op")
def matmul(tf):
    r = rng_for(matmul)
    return grads(tf, tf.matmul, normal(r, 8, 16), normal(r, 16, 4), weights=normal(r, 8, 4))


@case("op")
def broadcast_arithmetic(tf):
    r = rng_for(broadcast_arithmetic)
    return grads(tf, lambda a, b, c: (a + b) * c - a / (tf.abs(b) + 1.0),
                 normal(r, 4, 5), normal(r, 5), normal(r, 4, 1), weights=normal(r, 4, 5))


@case("op")
def transcendental(tf):
    r = rng_for(transcendental)
    return grads(tf, lambda a: tf.tanh(a) + tf.sigmoid(a) * tf.exp(a * 0.5) + tf.math.log(tf.square(a) + 1.0)
                 + tf.sqrt(tf.abs(a) + 0.1) + tf.pow(tf.abs(a) + 1.0, 1.5), normal(r, 6, 7), weights=normal(r, 6, 7))


@case("op")
def activations(tf):
    r = rng_for(activations)
    return grads(tf, lambda a: tf.concat([tf.nn.relu(a), tf.nn.softmax(a), tf.nn.log_softmax(a),
                                          tf.nn.gelu(a), tf.nn.softplus(a)], axis=-1),
                 normal(r, 5, 6), weights=normal(r, 5, 30))


@case("op")
def reductions(tf):
    r = rng_for(reductions)
    x = normal(r, 4, 6, 3)
    return grads(tf, lambda a: tf.concat([tf.reshape(tf.reduce_sum(a, axis=1), [-1]), tf.reshape(tf.reduce_mean(a, axis=[0, 2]), [-1]),
                                          tf.reshape(tf.reduce_max(a, axis=-1), [-1]), tf.reshape(tf.reduce_logsumexp(a, axis=0), [-1])], 0),
                 x, weights=normal(r, 12 + 6 + 24 + 18))


@case("op")
def conv2d(tf):
    r = rng_for(conv2d)
    x, k = normal(r, 2, 9, 9, 3), normal(r, 3, 3, 3, 4, scale=0.3)
    out = {f"same_{n}": v for n, v in grads(tf, lambda a, b: tf.nn.conv2d(a, b, 1, "SAME"), x, k,
                                              weights=normal(r, 2, 9, 9, 4)).items()}
    out.update({f"valid2_{n}": v for n, v in grads(tf, lambda a, b: tf.nn.conv2d(a, b, 2, "VALID"), x, k,
                                                    weights=normal(r, 2, 4, 4, 4)).items()})
    return out


@case("op")
def pooling(tf):
    r = rng_for(pooling)
    x = normal(r, 2, 8, 8, 3)
    out = {f"max_{n}": v for n, v in grads(tf, lambda a: tf.nn.max_pool2d(a, 2, 2, "VALID"), x,
                                             weights=normal(r, 2, 4, 4, 3)).items()}
    out.update({f"avg_{n}": v for n, v in grads(tf, lambda a: tf.nn.avg_pool2d(a, 3, 2, "SAME"), x,
                                                 weights=normal(r, 2, 4, 4, 3)).items()})
    return out


@case("op")
def crossentropy(tf):
    r = rng_for(crossentropy)
    logits, labels = normal(r, 6, 5), r.integers(0, 5, 6).astype(np.int32)
    targets = r.integers(0, 2, (6, 5)).astype(f32)
    out = grads(tf, lambda z: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels), logits=z),
                logits, weights=normal(r, 6))
    out.update({f"sigmoid_{n}": v for n, v in grads(
        tf, lambda z: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant(targets), logits=z),
        logits, weights=normal(r, 6, 5)).items()})
    return out


@case("op")
def gather_and_shapes(tf):
    r = rng_for(gather_and_shapes)
    table, ids = normal(r, 10, 4), r.integers(0, 10, (3, 5)).astype(np.int32)
    return grads(tf, lambda t: tf.transpose(tf.reshape(tf.gather(t, tf.constant(ids)), [3, 20]))[2:9],
                 table, weights=normal(r, 7, 3))


@case("op")
def selection(tf):
    r = rng_for(selection)
    a, b = normal(r, 5, 4), normal(r, 5, 4)
    out = grads(tf, lambda x, y: tf.where(x > y, tf.maximum(x, 0.2), tf.minimum(y, -0.1))
                + tf.clip_by_value(x, -0.5, 0.5) + tf.math.cumsum(y, axis=1), a, b, weights=normal(r, 5, 4))
    out["argmax"] = tf.argmax(tf.constant(a), axis=1).numpy()
    out["one_hot"] = tf.one_hot(tf.constant(r.integers(0, 4, 6).astype(np.int32)), 4).numpy()
    mean, variance = tf.nn.moments(tf.constant(a), axes=[0])
    out["moments"] = np.concatenate([mean.numpy(), variance.numpy()])
    return out


# ---------------------------------------------------------------------------------- layers
def layer_case(tf, layer, x: np.ndarray, r: np.random.Generator, scale: float = 0.3, training: bool = True,
               int_input: bool = False) -> dict[str, np.ndarray]:
    """A layer's output and the gradients of sum(out * w) for its input and weights, from set weights."""
    xt = tf.constant(x)
    layer(xt)  # build
    layer.set_weights([normal(r, *w.shape, scale=scale) if "variance" not in w.name else
                       np.abs(normal(r, *w.shape)) + 0.5 for w in layer.weights])
    weights = layer.trainable_variables
    with tf.GradientTape() as tape:
        if not int_input:
            tape.watch(xt)
        y = layer(xt, training=training)
        w_out = tf.constant(normal(r, *y.shape))
        loss = tf.reduce_sum(y * w_out)
    sources = weights if int_input else [xt] + list(weights)
    out = {"y": y.numpy()}
    for i, g in enumerate(tape.gradient(loss, sources)):
        out[f"d{i}"] = tf.convert_to_tensor(g).numpy()  # an embedding's gradient is IndexedSlices in TF
    return out


@case("layer")
def dense(tf):
    r = rng_for(dense)
    return layer_case(tf, tf.keras.layers.Dense(7, activation="relu"), normal(r, 5, 6), r)


@case("layer")
def conv2d_relu(tf):
    r = rng_for(conv2d_relu)
    return layer_case(tf, tf.keras.layers.Conv2D(4, 3, padding="same", activation="relu"), normal(r, 2, 7, 7, 3), r)


@case("layer")
def conv1d(tf):
    r = rng_for(conv1d)
    return layer_case(tf, tf.keras.layers.Conv1D(5, 3, padding="causal"), normal(r, 2, 9, 4), r)


@case("layer")
def embedding(tf):
    r = rng_for(embedding)
    return layer_case(tf, tf.keras.layers.Embedding(20, 6), r.integers(0, 20, (3, 7)).astype(np.int32), r,
                      int_input=True)


@case("layer")
def lstm(tf):
    r = rng_for(lstm)
    return layer_case(tf, tf.keras.layers.LSTM(5, return_sequences=True), normal(r, 3, 6, 4), r)


@case("layer")
def gru(tf):
    r = rng_for(gru)
    return layer_case(tf, tf.keras.layers.GRU(5), normal(r, 3, 6, 4), r)


@case("layer")
def simple_rnn(tf):
    r = rng_for(simple_rnn)
    return layer_case(tf, tf.keras.layers.SimpleRNN(5), normal(r, 3, 6, 4), r)


@case("layer")
def batch_normalization(tf):
    r = rng_for(batch_normalization)
    return layer_case(tf, tf.keras.layers.BatchNormalization(), normal(r, 8, 5), r)


@case("layer")
def layer_normalization(tf):
    r = rng_for(layer_normalization)
    return layer_case(tf, tf.keras.layers.LayerNormalization(), normal(r, 4, 6), r)


# ---------------------------------------------------------------------------------- training curves
def train_case(tf, model, x: np.ndarray, y: np.ndarray, r: np.random.Generator, epochs: int, batch: int,
               scale: float = 0.2) -> dict[str, np.ndarray]:
    """Set weights from ``r``, fit (no shuffling), return the loss curve and the final predictions."""
    model.set_weights([normal(r, *np.shape(w), scale=scale) for w in model.get_weights()])
    history = model.fit(x, y, batch_size=batch, epochs=epochs, verbose=0, shuffle=False)
    return {"loss": np.asarray(history.history["loss"], np.float64),
            "predictions": np.asarray(model.predict(x[:8], verbose=0), np.float32)}


@case("train")
def fahrenheit(tf):
    """Lesson 05: Dense(1) learns F = 1.8 C + 32."""
    r = rng_for(fahrenheit)
    c = np.array([-40, -10, 0, 8, 15, 22, 38], f32)
    model = tf.keras.Sequential([tf.keras.Input((1,)), tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.1), loss="mean_squared_error")
    return train_case(tf, model, c[:, None], (c * 1.8 + 32)[:, None], r, epochs=40, batch=7, scale=1.0)


@case("train")
def circles_mlp(tf):
    r = rng_for(circles_mlp)
    x, y = M.circles_data(128, seed=1)
    return train_case(tf, M.compile_circles_mlp(tf, M.build_circles_mlp(tf)), x, y, r, epochs=5, batch=32)


@case("train")
def udacity_cnn(tf):
    r = rng_for(udacity_cnn)
    x, y = M.image_data(64, seed=1)
    return train_case(tf, M.compile_cnn(tf, M.build_cnn(tf)), x, y, r, epochs=2, batch=32, scale=0.05)


@case("train")
def embedding_lstm(tf):
    r = rng_for(embedding_lstm)
    x, y = M.token_data(64, 15, vocab=500, seed=1)
    model = M.compile_lstm(tf, M.build_lstm(tf, seq_len=15, vocab=500, embed=16, units=8))
    return train_case(tf, model, x, y, r, epochs=3, batch=32)
