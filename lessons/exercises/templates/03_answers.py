"""Lesson 03 (backprop through layers): your answers to the checked exercises.

Fill in each function and the op (delete the `raise NotImplementedError` lines), then run
    python -m lessons check 03
The checks compare your gradients with finite differences (minitf.testing.gradcheck).
"""
import numpy as np

from minitf.ops.op import Op


def two_layer_relu_backward(x, y, w1, b1, w2, b2):
    """Exercise 2: section 6's network with relu in place of tanh,
        H = relu(x W1 + b1),  Z = H W2 + b2,  L = mean over rows of softmax crossentropy(Z, y)
    (y one-hot). Return [dW1, db1, dW2, db2] as NumPy arrays, written out by hand."""
    raise NotImplementedError  # TODO


def sigmoid_bce_gradient(z, y):
    """Exercise 3: dL/dz of L = -y log(sigmoid(z)) - (1 - y) log(1 - sigmoid(z)), elementwise,
    for NumPy arrays z (logits) and y (labels in [0, 1])."""
    raise NotImplementedError  # TODO


class Softplus(Op):
    """Exercise 7: softplus(x) = log(1 + e^x), as an op: `forward` on NumPy arrays,
    `backward(ctx, dy)` in minitf ops (ctx.inputs[0] is x, ctx.output is softplus(x))."""

    def forward(x):
        raise NotImplementedError  # TODO

    def backward(ctx, dy):
        raise NotImplementedError  # TODO
