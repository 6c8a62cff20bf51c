"""Lesson 01 (derivatives and gradient descent): your answers to the checked exercises.

Fill in each function (delete the `raise NotImplementedError` line), then run
    python -m lessons check 01
The checks turn your derivatives into the backward pass of an op and compare them with finite
differences (minitf.testing.gradcheck), so use NumPy here: arrays in, arrays (or floats) out.
"""
import numpy as np


def mae_gradient(w, b, celsius, fahrenheit):
    """Exercise 3: the gradient of the mean absolute error L(w, b) = mean(|w C_i + b - F_i|),
    returned as the pair (dL/dw, dL/db). `celsius` and `fahrenheit` are NumPy arrays."""
    raise NotImplementedError  # TODO


def fourth_order_difference(f, x, h):
    """Exercise 4: the fourth-order central difference of f at x with step h,
    (-f(x + 2h) + 8 f(x + h) - 8 f(x - h) + f(x - 2h)) / (12 h)."""
    raise NotImplementedError  # TODO


def tanh_chain_derivative(x):
    """Exercise 5: d/dx tanh(3 x^2 - 1), by the chain rule, for a NumPy array x (elementwise)."""
    raise NotImplementedError  # TODO
