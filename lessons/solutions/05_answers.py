"""Lesson 05: worked solutions of the checked exercises (python -m lessons check 05 --solutions)."""
import numpy as np

import minitf


def deeper_line(weights):
    """((C W1 + b1) W2 + b2) W3 + b3 = C (W1 W2 W3) + ((b1 W2 + b2) W3 + b3)."""
    w1, b1, w2, b2, w3, b3 = (np.asarray(w, dtype=np.float64) for w in weights)
    return float((w1 @ w2 @ w3)[0, 0]), float(((b1 @ w2 + b2) @ w3 + b3)[0])


def train_by_hand(w0, b0, celsius, fahrenheit, epochs):
    w = minitf.Variable(np.float32(w0))
    b = minitf.Variable(np.float32(b0))
    c, f = minitf.constant(celsius, dtype=minitf.float32), minitf.constant(fahrenheit, dtype=minitf.float32)
    optimizer = minitf.keras.optimizers.Adam(0.1)
    losses = []
    for _ in range(epochs):
        with minitf.GradientTape() as tape:
            loss = minitf.reduce_mean(minitf.square(w * c + b - f))
        optimizer.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b]))
        losses.append(float(loss.numpy()))
    return losses
