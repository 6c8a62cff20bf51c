"""Hand-written NumPy versions of the benchmark models: the speed floor for minitf.

Forward, backward and Adam written out by hand, vectorised, no autodiff and no
framework: what a careful person would write for this one model. minitf pays for its
generality (tape, Tensor wrappers, layers); these say how much.

Adam follows Keras's formula exactly (PARITY_NOTES): with t = iterations + 1,
``alpha = lr*sqrt(1-b2^t)/(1-b1^t); m += (g-m)*(1-b1); v += (g*g-v)*(1-b2);
w -= m*alpha/(sqrt(v)+eps)``, eps = 1e-7.

``xp`` may be numpy or cupy (same code on the GPU).
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any, Sequence

import numpy as np

Array = Any  # numpy or cupy ndarray


def glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int,
                   shape: tuple[int, ...]) -> np.ndarray:
    """Keras's default kernel initialiser: U(-limit, limit), limit = sqrt(6/(fan_in+fan_out))."""
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(np.float32)


class Adam:
    """Keras 3 Adam, in Keras's operation order, updating arrays in place."""

    def __init__(self, params: Sequence[Array], xp: ModuleType, lr: float = 0.001,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7) -> None:
        self.params = list(params)
        self.lr, self.beta_1, self.beta_2, self.epsilon = lr, beta_1, beta_2, epsilon
        self.m = [xp.zeros_like(p) for p in self.params]
        self.v = [xp.zeros_like(p) for p in self.params]
        self.iterations = 0
        self.xp = xp

    def apply(self, grads: Sequence[Array]) -> None:
        """One update of every parameter with its gradient."""
        xp = self.xp
        t = self.iterations + 1
        alpha = self.lr * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        for w, g, m, v in zip(self.params, grads, self.m, self.v):
            m += (g - m) * (1.0 - self.beta_1)
            v += (g * g - v) * (1.0 - self.beta_2)
            w -= m * np.float32(alpha) / (xp.sqrt(v) + np.float32(self.epsilon))
        self.iterations += 1


class NumpyMLP:
    """Dense stack with relu hidden layers and a sigmoid output, trained with BCE + Adam.

    ``sizes`` = (2, 100, 10, 1) is the circles model. The loss is computed from the
    logits, as Keras does when the output layer is a sigmoid (PARITY_NOTES), so the
    output gradient is simply (sigmoid(z) - y) / batch.
    """

    def __init__(self, sizes: Sequence[int] = (2, 100, 10, 1), lr: float = 0.01,
                 seed: int = 0, xp: ModuleType = np) -> None:
        rng = np.random.default_rng(seed)
        self.xp = xp
        self.weights: list[Array] = []
        self.biases: list[Array] = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            self.weights.append(xp.asarray(glorot_uniform(rng, fan_in, fan_out, (fan_in, fan_out))))
            self.biases.append(xp.zeros(fan_out, dtype=xp.float32))
        self.optimizer = Adam(self.weights + self.biases, xp, lr=lr)

    def train_step(self, x: Array, y: Array) -> float:
        """Forward, backward and one Adam update on a batch; returns the batch loss (lazy on GPU)."""
        xp = self.xp
        activations = [x]
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            z = h @ w + b
            h = z if i == last else xp.maximum(z, 0)
            activations.append(h)
        logits = activations[-1]
        # BCE from logits: max(z,0) - z*y + log1p(exp(-|z|)), mean over the batch.
        loss = xp.mean(xp.maximum(logits, 0) - logits * y + xp.log1p(xp.exp(-xp.abs(logits))))
        grad = (1.0 / (1.0 + xp.exp(-logits)) - y) / np.float32(x.shape[0])
        grads_w: list[Array] = [None] * len(self.weights)
        grads_b: list[Array] = [None] * len(self.weights)
        for i in range(last, -1, -1):
            grads_w[i] = activations[i].T @ grad
            grads_b[i] = grad.sum(axis=0)
            if i > 0:
                grad = (grad @ self.weights[i].T) * (activations[i] > 0)
        self.optimizer.apply(grads_w + grads_b)
        return loss

    def fit_epoch(self, x: Array, y: Array, batch_size: int = 32) -> Any:
        """One epoch in order (shuffle=False), the last partial batch kept."""
        loss = None
        for i in range(0, x.shape[0], batch_size):
            loss = self.train_step(x[i:i + batch_size], y[i:i + batch_size])
        return loss


# ---------------------------------------------------------------------------- CNN pieces


def im2col_3x3_same(x: Array, xp: ModuleType) -> Array:
    """Patches of a 3x3 'same' convolution: (N,H,W,C) -> (N,H,W,9*C), order (kh, kw, C).

    Nine shifted slices of the padded input, one per kernel tap: the loop runs over
    kernel offsets (9), never over pixels. The (kh, kw, C) order matches a Keras kernel
    (kh, kw, in, out) reshaped to (9*in, out).
    """
    n, h, w, c = x.shape
    padded = xp.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    return xp.concatenate([padded[:, i:i + h, j:j + w, :] for i in range(3) for j in range(3)],
                          axis=3)


def col2im_3x3_same(dcols: Array, shape: tuple[int, int, int, int], xp: ModuleType) -> Array:
    """Adjoint of :func:`im2col_3x3_same`: scatter-add patch gradients back to (N,H,W,C)."""
    n, h, w, c = shape
    dpad = xp.zeros((n, h + 2, w + 2, c), dtype=dcols.dtype)
    dcols = dcols.reshape(n, h, w, 3, 3, c)
    for i in range(3):
        for j in range(3):
            dpad[:, i:i + h, j:j + w, :] += dcols[:, :, :, i, j, :]
    return dpad[:, 1:h + 1, 1:w + 1, :]


def maxpool2x2(x: Array, xp: ModuleType) -> tuple[Array, Array]:
    """2x2/2 max pooling on even H, W; returns (output, mask of the winning cells)."""
    n, h, w, c = x.shape
    windows = x.reshape(n, h // 2, 2, w // 2, 2, c)
    out = windows.max(axis=(2, 4))
    mask = windows == out[:, :, None, :, None, :]
    return out, mask


def maxpool2x2_backward(dout: Array, mask: Array) -> Array:
    """Route each window's gradient to its maximum (ties share it; after relu they are zeros)."""
    n, h2, _, w2, _, c = mask.shape
    return (mask * dout[:, :, None, :, None, :]).reshape(n, h2 * 2, w2 * 2, c)


class NumpyCNN:
    """The Udacity CNN by hand: im2col convolutions, reshape max-pooling, SCCE from logits, Adam."""

    def __init__(self, lr: float = 0.001, seed: int = 0, xp: ModuleType = np) -> None:
        rng = np.random.default_rng(seed)
        self.xp = xp
        self.k1 = xp.asarray(glorot_uniform(rng, 9 * 1, 9 * 32, (9 * 1, 32)))
        self.b1 = xp.zeros(32, dtype=xp.float32)
        self.k2 = xp.asarray(glorot_uniform(rng, 9 * 32, 9 * 64, (9 * 32, 64)))
        self.b2 = xp.zeros(64, dtype=xp.float32)
        self.w3 = xp.asarray(glorot_uniform(rng, 7 * 7 * 64, 128, (7 * 7 * 64, 128)))
        self.b3 = xp.zeros(128, dtype=xp.float32)
        self.w4 = xp.asarray(glorot_uniform(rng, 128, 10, (128, 10)))
        self.b4 = xp.zeros(10, dtype=xp.float32)
        self.params = [self.k1, self.b1, self.k2, self.b2, self.w3, self.b3, self.w4, self.b4]
        self.optimizer = Adam(self.params, xp, lr=lr)

    def train_step(self, x: Array, y: Array) -> Any:
        """Forward, backward and one Adam step on a batch (x (N,28,28,1), y int (N,))."""
        xp = self.xp
        n = x.shape[0]
        # forward
        # Convolutions as one 2-D matrix product over all pixels of the batch.
        c1 = im2col_3x3_same(x, xp).reshape(-1, 9)                    # (n*28*28, 9)
        a1 = xp.maximum(c1 @ self.k1 + self.b1, 0).reshape(n, 28, 28, 32)
        p1, m1 = maxpool2x2(a1, xp)                                   # (n,14,14,32)
        c2 = im2col_3x3_same(p1, xp).reshape(-1, 9 * 32)              # (n*14*14, 288)
        a2 = xp.maximum(c2 @ self.k2 + self.b2, 0).reshape(n, 14, 14, 64)
        p2, m2 = maxpool2x2(a2, xp)                                   # (n,7,7,64)
        f = p2.reshape(n, -1)                                         # (n,3136)
        a3 = xp.maximum(f @ self.w3 + self.b3, 0)                     # (n,128)
        logits = a3 @ self.w4 + self.b4                               # (n,10)
        # sparse categorical crossentropy from logits, mean over the batch
        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = xp.exp(shifted)
        sum_exp = exp.sum(axis=1, keepdims=True)
        rows = xp.arange(n)
        loss = xp.mean(xp.log(sum_exp[:, 0]) - shifted[rows, y])
        # backward
        d = exp / sum_exp
        d[rows, y] -= 1.0
        d /= np.float32(n)
        g_w4, g_b4 = a3.T @ d, d.sum(axis=0)
        d = (d @ self.w4.T) * (a3 > 0)
        g_w3, g_b3 = f.T @ d, d.sum(axis=0)
        d = (d @ self.w3.T).reshape(p2.shape)
        d = maxpool2x2_backward(d, m2) * (a2 > 0)                     # (n,14,14,64)
        d2 = d.reshape(-1, 64)
        g_k2 = c2.T @ d2
        g_b2 = d2.sum(axis=0)
        d = col2im_3x3_same((d2 @ self.k2.T).reshape(n, 14, 14, 9 * 32), p1.shape, xp)
        d = maxpool2x2_backward(d, m1) * (a1 > 0)                     # (n,28,28,32)
        d1 = d.reshape(-1, 32)
        g_k1 = c1.T @ d1  # the input needs no gradient
        g_b1 = d1.sum(axis=0)
        self.optimizer.apply([g_k1, g_b1, g_k2, g_b2, g_w3, g_b3, g_w4, g_b4])
        return loss

    def fit_epoch(self, x: Array, y: Array, batch_size: int = 32) -> Any:
        """One epoch in order (shuffle=False), the last partial batch kept."""
        loss = None
        for i in range(0, x.shape[0], batch_size):
            loss = self.train_step(x[i:i + batch_size], y[i:i + batch_size])
        return loss

    def keras_weights(self) -> list[np.ndarray]:
        """Weights in Keras ``get_weights()`` layout (kernels (3,3,in,out)), for checking."""
        xp = self.xp
        to_np = (lambda a: a.get()) if xp.__name__.startswith("cupy") else np.asarray
        return [to_np(self.k1).reshape(3, 3, 1, 32), to_np(self.b1),
                to_np(self.k2).reshape(3, 3, 32, 64), to_np(self.b2),
                to_np(self.w3), to_np(self.b3), to_np(self.w4), to_np(self.b4)]

    def set_keras_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Load Keras ``get_weights()`` arrays (in place, so Adam keeps its references)."""
        for mine, theirs in zip(self.params, weights):
            mine[...] = self.xp.asarray(np.asarray(theirs).reshape(mine.shape))


# ---------------------------------------------------------------------------- TinyVGG


def im2col_3x3_valid(x: Array, xp: ModuleType) -> Array:
    """Patches of a 3x3 'valid' convolution: (N,H,W,C) -> (N,H-2,W-2,9*C), order (kh, kw, C)
    (the whole batch at once: 9x the input, as a first NumPy version would do it)."""
    n, h, w, c = x.shape
    return xp.concatenate([x[:, i:i + h - 2, j:j + w - 2, :] for i in range(3) for j in range(3)], axis=3)


def col2im_3x3_valid(dcols: Array, shape: tuple[int, int, int, int], xp: ModuleType) -> Array:
    """Adjoint of :func:`im2col_3x3_valid`: scatter-add patch gradients back to (N,H,W,C)."""
    n, h, w, c = shape
    dx = xp.zeros(shape, dtype=dcols.dtype)
    dcols = dcols.reshape(n, h - 2, w - 2, 3, 3, c)
    for i in range(3):
        for j in range(3):
            dx[:, i:i + h - 2, j:j + w - 2, :] += dcols[:, :, :, i, j, :]
    return dx


class NumpyTinyVGG:
    """The course's TinyVGG by hand (``models.build_tiny_vgg``): two blocks of two 3x3 'valid'
    im2col convolutions with relu and a 2x2 max pool, a sigmoid output, BCE, Adam."""

    def __init__(self, size: int = 224, channels: int = 3, filters: int = 10, lr: float = 0.001,
                 seed: int = 0, xp: ModuleType = np) -> None:
        rng = np.random.default_rng(seed)
        self.xp = xp
        self.kernels, self.biases = [], []
        for c_in in (channels, filters, filters, filters):
            self.kernels.append(xp.asarray(glorot_uniform(rng, 9 * c_in, 9 * filters, (9 * c_in, filters))))
            self.biases.append(xp.zeros(filters, dtype=xp.float32))
        side = ((size - 4) // 2 - 4) // 2
        self.w = xp.asarray(glorot_uniform(rng, side * side * filters, 1, (side * side * filters, 1)))
        self.b = xp.zeros(1, dtype=xp.float32)
        self.params = [p for pair in zip(self.kernels, self.biases) for p in pair] + [self.w, self.b]
        self.optimizer = Adam(self.params, xp, lr=lr)

    def train_step(self, x: Array, y: Array) -> Any:
        """Forward, backward and one Adam step on a batch (x (N,S,S,C), y float (N,1))."""
        xp = self.xp
        n = x.shape[0]
        a, saved = x, []
        for layer, (k, b) in enumerate(zip(self.kernels, self.biases)):
            cols = im2col_3x3_valid(a, xp)
            out = xp.maximum(cols.reshape(-1, cols.shape[-1]) @ k + b, 0).reshape(*cols.shape[:3], -1)
            saved.append((cols, out, a.shape))
            a, mask = maxpool2x2(out, xp) if layer in (1, 3) else (out, None)
            saved[-1] += (mask,)
        flat = a.reshape(n, -1)
        z = flat @ self.w + self.b
        p = 1.0 / (1.0 + xp.exp(-z))
        eps = np.float32(1e-7)
        loss = -xp.mean(y * xp.log(p + eps) + (1 - y) * xp.log(1 - p + eps))
        dz = (p - y) / np.float32(n)  # BCE through the sigmoid
        grads = [flat.T @ dz, dz.sum(axis=0)]
        d = (dz @ self.w.T).reshape(a.shape)
        for layer in (3, 2, 1, 0):
            cols, out, in_shape, mask = saved[layer]
            if mask is not None:
                d = maxpool2x2_backward(d, mask)
            d = (d * (out > 0)).reshape(-1, out.shape[-1])
            grads[:0] = [cols.reshape(-1, cols.shape[-1]).T @ d, d.sum(axis=0)]
            if layer:  # the images need no gradient
                d = col2im_3x3_valid((d @ self.kernels[layer].T), in_shape, xp)
        self.optimizer.apply(grads)
        return loss

    def fit_epoch(self, x: Array, y: Array, batch_size: int = 32) -> Any:
        """One epoch in order (shuffle=False), the last partial batch kept."""
        loss = None
        for i in range(0, x.shape[0], batch_size):
            loss = self.train_step(x[i:i + batch_size], y[i:i + batch_size])
        return loss
