"""Lesson 05 (the first neuron): your answers to the checked exercises.

Fill in each function (delete the `raise NotImplementedError` line), then run
    python -m lessons check 05
"""
import numpy as np

import minitf


def deeper_line(weights):
    """Exercise 4: the deeper model Dense(4) - Dense(4) - Dense(1) has no activations, so it is one
    straight line F = slope * C + intercept. `weights` is its `get_weights()`:
    [W1 (1, 4), b1 (4,), W2 (4, 4), b2 (4,), W3 (4, 1), b3 (1,)]. Return (slope, intercept)."""
    raise NotImplementedError  # TODO


def train_by_hand(w0, b0, celsius, fahrenheit, epochs):
    """Exercise 5: the first neuron's training loop, written out: minitf Variables w and b (float32,
    starting at w0 and b0), and for each epoch one step on all seven examples: the mean squared error
    under a minitf.GradientTape, its gradients, and minitf.keras.optimizers.Adam(0.1).apply_gradients.
    Return the list of the `epochs` losses, each computed before its step (as `fit` reports them)."""
    raise NotImplementedError  # TODO
