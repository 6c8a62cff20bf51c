"""Checks of lesson 03's exercises: hand-written backward passes judged by gradcheck."""
import numpy as np

from lessons.exercises.checking import Failed, as_array, check_gradient, close, exercise, gradient_op, need

rng = np.random.default_rng(30)
X = rng.normal(size=(6, 3))
Y = np.eye(4)[rng.integers(0, 4, size=6)]


def two_layer_relu_loss(w1, b1, w2, b2):
    H = np.maximum(X @ w1 + b1, 0)
    Z = H @ w2 + b2
    Z = Z - Z.max(axis=1, keepdims=True)
    log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_p, axis=1))


@exercise("2", "the two-layer relu network's backward pass, by hand")
def two_layer(answers):
    learner = need(answers, "two_layer_relu_backward")

    def gradient(w1, b1, w2, b2):
        grads = learner(X.copy(), Y.copy(), w1, b1, w2, b2)
        if len(grads) != 4:
            raise Failed(f"two_layer_relu_backward should return [dW1, db1, dW2, db2], got {len(grads)} arrays")
        return tuple(as_array(g, name) for g, name in zip(grads, ["dW1", "db1", "dW2", "db2"]))

    draw = np.random.default_rng(31)
    params = [draw.normal(size=(3, 5)), draw.normal(scale=0.5, size=5), draw.normal(size=(5, 4)), draw.normal(size=4)]
    op = gradient_op(two_layer_relu_loss, gradient, "two_layer_relu_backward")
    return check_gradient("two_layer_relu_backward", op.apply, params, ["W1", "b1", "W2", "b2"])


@exercise("3", "binary crossentropy through a sigmoid: dL/dz")
def sigmoid_bce(answers):
    learner = need(answers, "sigmoid_bce_gradient")
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3, 1.0, 0.0])

    def loss(z):
        p = 1 / (1 + np.exp(-z))
        return -y * np.log(p) - (1 - y) * np.log(1 - p)

    op = gradient_op(loss, lambda z: learner(z.copy(), y.copy()), "sigmoid_bce_gradient")
    return check_gradient("sigmoid_bce_gradient", op.apply, [np.linspace(-3, 2.5, 7)], ["z"])


@exercise("7", "softplus as an op")
def softplus(answers):
    import minitf

    Softplus = need(answers, "Softplus")
    x = np.linspace(-4, 4, 9)
    close("Softplus.apply(x)", Softplus.apply(minitf.constant(x)), np.log1p(np.exp(x)), rtol=1e-12, atol=1e-12)
    close("Softplus.apply(1000.0) (no overflow)", Softplus.apply(minitf.constant(np.array([1000.0]))), [1000.0],
          rtol=1e-12, atol=0)
    return check_gradient("Softplus", Softplus.apply, [x], ["x"])
