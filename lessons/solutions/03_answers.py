"""Lesson 03: worked solutions of the checked exercises (python -m lessons check 03 --solutions)."""
import numpy as np

import minitf
from minitf.ops.op import Op


def two_layer_relu_backward(x, y, w1, b1, w2, b2):
    """Section 6's table with relu: only dA changes, dA = dH * [A > 0]."""
    A = x @ w1 + b1
    H = np.maximum(A, 0)
    Z = H @ w2 + b2
    E = np.exp(Z - Z.max(axis=1, keepdims=True))
    P = E / E.sum(axis=1, keepdims=True)
    dZ = (P - y) / len(x)
    dW2, db2, dH = H.T @ dZ, dZ.sum(axis=0), dZ @ w2.T
    dA = dH * (A > 0)
    return [x.T @ dA, dA.sum(axis=0), dW2, db2]


def sigmoid_bce_gradient(z, y):
    """As softmax-crossentropy, the log's 1/p cancels the sigmoid's p(1 - p): sigmoid(z) - y."""
    return 1 / (1 + np.exp(-z)) - y


class Softplus(Op):
    """log(1 + e^x); its derivative is e^x / (1 + e^x) = sigmoid(x)."""

    def forward(x):
        return np.logaddexp(0, x)  # log(e^0 + e^x), without overflow for large x

    def backward(ctx, dy):
        return dy * minitf.sigmoid(ctx.inputs[0])
