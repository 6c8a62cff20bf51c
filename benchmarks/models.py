"""The benchmark models and data, written ONCE as functions of the framework module.

``build_circles_mlp(minitf)`` and ``build_circles_mlp(tensorflow)`` run the very same
code: that is minitf's core promise (it mirrors TF's API), and it keeps the comparison
honest. Only standard TF/Keras API is used here.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any, Callable

import numpy as np

# ---------------------------------------------------------------------------- data


def circles_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two noisy concentric circles (like sklearn's make_circles): x (n, 2), y (n, 1) float32."""
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    label = rng.integers(0, 2, n)
    radius = np.where(label == 1, 0.5, 1.0) + rng.normal(0.0, 0.1, n)
    x = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return x.astype(np.float32), label.reshape(n, 1).astype(np.float32)


def image_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """MNIST-shaped random images (n, 28, 28, 1) in [0, 1) and integer labels (n,) in 0..9."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, n).astype(np.int64)
    return x, y


def binary_image_data(n: int, size: int, channels: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random images (n, size, size, channels) in [0, 1) and binary labels (n, 1) float32 (pizza/steak-shaped)."""
    rng = np.random.default_rng(seed)
    x = rng.random((n, size, size, channels), dtype=np.float32)
    y = rng.integers(0, 2, (n, 1)).astype(np.float32)
    return x, y


def token_data(n: int, seq_len: int, vocab: int = 10000,
               seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random token ids (n, seq_len) int32 and binary labels (n, 1) float32 (IMDB-shaped)."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, vocab, (n, seq_len)).astype(np.int32)
    y = rng.integers(0, 2, (n, 1)).astype(np.float32)
    return x, y


def steps_per_epoch(n: int, batch_size: int) -> int:
    """Training steps in one epoch (Keras keeps the last partial batch)."""
    return math.ceil(n / batch_size)


# ---------------------------------------------------------------------------- models


def build_circles_mlp(tf: ModuleType, hidden: int = 100, hidden2: int = 10) -> Any:
    """The course's circles MLP, 2-100-10-1 (relu, relu, sigmoid)."""
    return tf.keras.Sequential([
        tf.keras.Input((2,)),
        tf.keras.layers.Dense(hidden, activation="relu"),
        tf.keras.layers.Dense(hidden2, activation="relu"),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])


def compile_circles_mlp(tf: ModuleType, model: Any, lr: float = 0.01) -> Any:
    """Adam(lr) + binary crossentropy, as in the course."""
    model.compile(optimizer=tf.keras.optimizers.Adam(lr), loss="binary_crossentropy")
    return model


def build_cnn(tf: ModuleType) -> Any:
    """The Udacity MNIST CNN: conv32-pool-conv64-pool-flatten-dense128-dense10 (logits)."""
    return tf.keras.Sequential([
        tf.keras.Input((28, 28, 1)),
        tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
        tf.keras.layers.MaxPooling2D(),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation="relu"),
        tf.keras.layers.Dense(10),
    ])


def compile_cnn(tf: ModuleType, model: Any, lr: float = 0.001) -> Any:
    """Adam + sparse categorical crossentropy from logits."""
    model.compile(optimizer=tf.keras.optimizers.Adam(lr),
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def build_tiny_vgg(tf: ModuleType, size: int = 224, channels: int = 3, filters: int = 10) -> Any:
    """The course's TinyVGG (CNN explainer): two conv blocks of Conv2D(filters, 3, relu) x 2 + MaxPool2D,
    then Flatten and Dense(1, sigmoid), on size x size x channels images."""
    layers = tf.keras.layers
    return tf.keras.Sequential([
        tf.keras.Input((size, size, channels)),
        layers.Conv2D(filters, 3, activation="relu"),
        layers.Conv2D(filters, 3, activation="relu"),
        layers.MaxPool2D(),
        layers.Conv2D(filters, 3, activation="relu"),
        layers.Conv2D(filters, 3, activation="relu"),
        layers.MaxPool2D(),
        layers.Flatten(),
        layers.Dense(1, activation="sigmoid"),
    ])


def compile_tiny_vgg(tf: ModuleType, model: Any) -> Any:
    """Adam() + binary crossentropy, as in the course."""
    model.compile(optimizer=tf.keras.optimizers.Adam(), loss="binary_crossentropy")
    return model


def build_lstm(tf: ModuleType, seq_len: int = 15, vocab: int = 10000,
               embed: int = 128, units: int = 64) -> Any:
    """Embedding(10000,128)-LSTM(64)-Dense(1, sigmoid), the course's sentiment model."""
    return tf.keras.Sequential([
        tf.keras.Input((seq_len,), dtype="int32"),
        tf.keras.layers.Embedding(vocab, embed),
        tf.keras.layers.LSTM(units),
        tf.keras.layers.Dense(1, activation="sigmoid"),
    ])


def compile_lstm(tf: ModuleType, model: Any, lr: float = 0.001) -> Any:
    """Adam + binary crossentropy."""
    model.compile(optimizer=tf.keras.optimizers.Adam(lr), loss="binary_crossentropy")
    return model


# ---------------------------------------------------------------------------- training calls


def fit_epoch_fn(model: Any, x: np.ndarray, y: np.ndarray,
                 batch_size: int = 32) -> Callable[[], object]:
    """A zero-argument callable running one ``fit`` epoch the way the benchmarks time it."""
    def run() -> object:
        return model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    return run


def tape_epoch_fn(tf: ModuleType, model: Any, loss_fn: Any, optimizer: Any,
                  x: np.ndarray, y: np.ndarray,
                  batch_size: int = 32, traced: bool = False) -> Callable[[], object]:
    """One epoch of the hand-written loop: GradientTape + apply_gradients per batch, eager or
    (``traced``) with the step decorated by the framework's ``tf.function``.

    Batches are made tensors once, up front, so the loop times training and not slicing.
    """
    batches = [(tf.constant(x[i:i + batch_size]), tf.constant(y[i:i + batch_size]))
               for i in range(0, len(x), batch_size)]

    def step(xb: Any, yb: Any) -> Any:
        with tf.GradientTape() as tape:
            pred = model(xb, training=True)
            loss = loss_fn(yb, pred)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    if traced:
        step = tf.function(step)

    def run() -> object:
        loss = None
        for xb, yb in batches:
            loss = step(xb, yb)
        return loss
    return run
