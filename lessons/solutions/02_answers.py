"""Lesson 02: worked solutions of the checked exercises (python -m lessons check 02 --solutions).

The engine of the lesson with relu and log added. The checks wrap your engine in an op and compare its gradients with finite differences
(minitf.testing.gradcheck), and your Hessian with nested GradientTapes.
"""
import math


class Value:
    """A scalar that records how it was computed, for reverse-mode differentiation."""

    def __init__(self, data, _prev=(), _op="", label=""):
        self.data, self.grad = float(data), 0.0
        self._prev, self._op, self.label = _prev, _op, label
        self._backward = lambda: None

    def __add__(self, other):                    # d(x+y)/dx = 1, d(x+y)/dy = 1
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):                    # d(xy)/dx = y, d(xy)/dy = x
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, k):                        # d(x^k)/dx = k x^(k-1), k a constant
        out = Value(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad
        out._backward = _backward
        return out

    def exp(self):                               # d(e^x)/dx = e^x
        out = Value(math.exp(self.data), (self,), "exp")

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def tanh(self):                              # d(tanh x)/dx = 1 - tanh^2 x
        out = Value(math.tanh(self.data), (self,), "tanh")

        def _backward():
            self.grad += (1 - out.data ** 2) * out.grad
        out._backward = _backward
        return out

    def relu(self):
        """Exercise 1: max(0, x), with its backward pass (the derivative is 1 for x > 0, else 0)."""
        out = Value(max(0.0, self.data), (self,), "relu")

        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def log(self):
        """Exercise 2: the natural logarithm, with its backward pass (d log x / dx = 1 / x)."""
        out = Value(math.log(self.data), (self,), "log")

        def _backward():
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def __neg__(self): return self * -1
    def __sub__(self, other): return self + (-(other if isinstance(other, Value) else Value(other)))
    def __truediv__(self, other): return self * (other if isinstance(other, Value) else Value(other)) ** -1
    def __radd__(self, other): return self + other
    def __rmul__(self, other): return self * other
    def __rsub__(self, other): return Value(other) - self
    def __rtruediv__(self, other): return Value(other) * self ** -1

    def backward(self):
        order, seen = [], set()

        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                order.append(v)
        visit(self)
        for v in order:
            v.grad = 0.0
        self.grad = 1.0
        for v in reversed(order):
            v._backward()


def binary_crossentropy(p, y):
    """Exercise 2: -y log p - (1 - y) log(1 - p) for a Value p (a probability) and a number y,
    written with the engine's operations (and your `log`)."""
    return -y * p.log() - (1 - y) * (1 - p).log()


def hessian_by_hand(x0, x1):
    """Exercise 5: the 2x2 matrix of second derivatives of h(x) = x0^2 x1 + sin(x0 x1) at (x0, x1),
    as a nested list [[d2h/dx0dx0, d2h/dx0dx1], [d2h/dx1dx0, d2h/dx1dx1]], derived by hand.

    dh/dx0 = 2 x0 x1 + x1 cos(x0 x1),  dh/dx1 = x0^2 + x0 cos(x0 x1); differentiate each again.
    The mixed derivatives agree (Schwarz): the Hessian is symmetric."""
    s, c = math.sin(x0 * x1), math.cos(x0 * x1)
    mixed = 2 * x0 + c - x0 * x1 * s
    return [[2 * x1 - x1 * x1 * s, mixed], [mixed, -x0 * x0 * s]]
