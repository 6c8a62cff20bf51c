"""Every differentiable op's gradient against central finite differences (float64).

The ops and their input strategies are the table in ``tests/op_specs.py`` (shared
with the TF parity tests): adding an op there adds it here. Each drawn input is
handed to the op as a non-contiguous view when the case says so (transposed,
strided or reversed), made by a recorded op so that gradcheck still sees through it.

The second half checks higher derivatives: nested tapes give d2/dx2 and d3/dx3
with known closed forms, a Hessian-vector product against an analytic Hessian,
and, for every op in the table, gradcheck of the *gradient function* itself
(which catches a backward pass that is wrong when differentiated again).
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minitf as mtf
from minitf.testing import gradcheck
from tests.op_specs import SPECS, Case, OpSpec, layout_base, layout_view


def _as_function(spec: OpSpec, case: Case):
    """(f, bases): f(*base tensors) runs the op on the drawn layouts; bases are what gradcheck perturbs."""
    bases = [layout_base(a, lay) for a, lay in zip(case.arrays, case.layouts)]

    def f(*tensors):
        views = [layout_view(mtf, t, lay) for t, lay in zip(tensors, case.layouts)]
        return spec.fn(mtf, *views, **case.params)

    return f, bases


def _gradient_function(f):
    """x -> d(sum(w * f(x)))/dx for every input, flattened and joined: itself differentiable."""
    def grad_f(*tensors):
        with mtf.GradientTape() as tape:
            tape.watch(list(tensors))
            y = f(*tensors)
            weights = mtf.constant(np.linspace(0.5, 1.5, int(np.prod(y.shape))).reshape(y.shape), dtype=y.dtype)
            target = mtf.reduce_sum(y * weights)
        grads = tape.gradient(target, list(tensors), unconnected_gradients="zero")
        return mtf.concat([mtf.reshape(g, [-1]) for g in grads], 0)

    return grad_f


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@given(data=st.data())
def test_gradient_matches_finite_differences(spec: OpSpec, data):
    """tape.gradient == central differences (float64: atol 1e-5, rtol 1e-4 unless the spec says)."""
    case = data.draw(spec.inputs, label="case")
    f, bases = _as_function(spec, case)
    gradcheck(f, bases, **spec.gradcheck)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@settings(max_examples=5)
@given(data=st.data())
def test_backward_pass_is_differentiable(spec: OpSpec, data):
    """gradcheck of x -> tape.gradient(f(x), x): the backward pass, differentiated again, is right."""
    if spec.first_order_only:
        pytest.skip(f"{spec.name}: {spec.first_order_only}")
    if "eps" in spec.gradcheck:
        pytest.skip(f"{spec.name}: its gradient is checked with a coarse step (float32 inside)")
    case = data.draw(spec.inputs, label="case")
    f, bases = _as_function(spec, case)
    gradcheck(_gradient_function(f), bases, atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@settings(max_examples=5)
@given(data=st.data())
def test_traced_op_gives_the_eager_bits(spec: OpSpec, data):
    """The traced column of the op table: the op and its gradient inside tf.function (traced, then
    replayed twice) give exactly the eager results, bit for bit."""
    case = data.draw(spec.inputs, label="case")
    f, bases = _as_function(spec, case)

    def value_and_gradient(*tensors):
        with mtf.GradientTape() as tape:
            tape.watch(list(tensors))
            y = f(*tensors)
            target = mtf.reduce_sum(y * mtf.constant(np.linspace(0.5, 1.5, int(np.prod(y.shape))).reshape(y.shape),
                                                      dtype=y.dtype))
        return y, tape.gradient(target, list(tensors), unconnected_gradients="zero")

    tensors = [mtf.constant(b) for b in bases]
    eager_y, eager_g = value_and_gradient(*tensors)
    traced = mtf.function(value_and_gradient)
    for _ in range(2):  # the first call traces (and replays), the second only replays
        y, g = traced(*tensors)
        np.testing.assert_array_equal(y.numpy(), eager_y.numpy(), err_msg=f"{spec.name}: traced forward")
        for k, (a, b) in enumerate(zip(g, eager_g)):
            np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=f"{spec.name}: traced gradient {k}")
    assert traced.experimental_get_tracing_count() == 1


# --- higher derivatives with closed forms ------------------------------------------------------
def _nth_derivative(f, x: np.ndarray, n: int) -> np.ndarray:
    """d^n f / dx^n elementwise, with n nested tapes (f elementwise, so summing is harmless)."""
    x = mtf.constant(x, dtype=mtf.float64)

    def derivative(fn, order):
        if order == 0:
            return fn(x)
        with mtf.GradientTape() as tape:
            tape.watch(x)
            y = derivative(fn, order - 1)
        return tape.gradient(y, x)

    return derivative(f, n).numpy()


X = np.linspace(-1.7, 1.9, 9)


def test_second_derivative_of_cube_is_6x():
    np.testing.assert_allclose(_nth_derivative(lambda x: x ** 3, X, 2), 6 * X, rtol=1e-12, atol=1e-12,
                               err_msg="d2/dx2 x^3 must be 6x")


def test_second_derivative_of_tanh():
    t = np.tanh(X)
    np.testing.assert_allclose(_nth_derivative(mtf.tanh, X, 2), -2 * t * (1 - t * t), rtol=1e-12, atol=1e-12,
                               err_msg="d2/dx2 tanh x must be -2 tanh x (1 - tanh^2 x)")


@pytest.mark.parametrize("fn, third", [
    (lambda x: x ** 4, lambda x: 24 * x),
    (mtf.sin, lambda x: -np.cos(x)),
    (mtf.exp, np.exp),
    (lambda x: mtf.math.sigmoid(x), lambda x: (lambda s: s * (1 - s) * (1 - 6 * s + 6 * s * s))(1 / (1 + np.exp(-x)))),
], ids=["x^4", "sin", "exp", "sigmoid"])
def test_third_derivative(fn, third):
    np.testing.assert_allclose(_nth_derivative(fn, X, 3), third(X), rtol=1e-10, atol=1e-10,
                               err_msg="third derivative with three nested tapes")


def test_fourth_derivative_of_x5_is_120x():
    np.testing.assert_allclose(_nth_derivative(lambda x: x ** 5, X, 4), 120 * X, rtol=1e-10, atol=1e-9)


def test_hessian_vector_product_of_a_cubic():
    """f(x) = 1/2 x^T A x + 1/6 sum(x^3):  H = (A + A^T)/2 + diag(x);  compare H v with a double tape."""
    rng = np.random.default_rng(0)
    A = rng.normal(size=(5, 5))
    x0, v0 = rng.normal(size=5), rng.normal(size=5)
    x = mtf.constant(x0)
    v = mtf.constant(v0)
    with mtf.GradientTape() as outer:
        outer.watch(x)
        with mtf.GradientTape() as inner:
            inner.watch(x)
            xc = mtf.reshape(x, [5, 1])
            f = 0.5 * mtf.reduce_sum(xc * mtf.matmul(mtf.constant(A), xc)) + mtf.reduce_sum(x ** 3) / 6
        g = inner.gradient(f, x)
        gv = mtf.reduce_sum(g * v)
    hvp = outer.gradient(gv, x).numpy()
    hessian = (A + A.T) / 2 + np.diag(x0)
    np.testing.assert_allclose(hvp, hessian @ v0, rtol=1e-12, atol=1e-12, err_msg="Hessian-vector product")


def test_hessian_vector_product_matches_finite_differences_of_the_gradient():
    """H v ~ (g(x + h v) - g(x - h v)) / 2h for a non-polynomial f (softmax crossentropy of a linear map)."""
    rng = np.random.default_rng(1)
    W = rng.normal(size=(4, 3))
    labels = np.eye(3)[[0, 2, 1, 1]]
    x0, v0 = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))

    def loss(x):
        return mtf.reduce_sum(mtf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=mtf.tanh(x) @ W))

    def grad(x_array):
        x = mtf.constant(x_array)
        with mtf.GradientTape() as tape:
            tape.watch(x)
            y = loss(x)
        return tape.gradient(y, x)

    x = mtf.constant(x0)
    with mtf.GradientTape() as outer:
        outer.watch(x)
        with mtf.GradientTape() as inner:
            inner.watch(x)
            y = loss(x)
        gv = mtf.reduce_sum(inner.gradient(y, x) * v0)
    hvp = outer.gradient(gv, x).numpy()
    h = 1e-5
    numeric = (grad(x0 + h * v0).numpy() - grad(x0 - h * v0).numpy()) / (2 * h)
    np.testing.assert_allclose(hvp, numeric, rtol=1e-6, atol=1e-8, err_msg="HVP vs finite differences of g")


def test_jacobian_of_gradient_is_the_hessian():
    """tape.jacobian of the gradient of sum(x_i^2 x_j) is the analytic Hessian."""
    x0 = np.array([0.3, -1.2, 2.0])
    x = mtf.constant(x0)
    with mtf.GradientTape() as outer:
        outer.watch(x)
        with mtf.GradientTape() as inner:
            inner.watch(x)
            y = mtf.reduce_sum(x * x) * mtf.reduce_sum(x)  # f = (sum x^2)(sum x)
        g = inner.gradient(y, x)
    hessian = outer.jacobian(g, x).numpy()
    s1, s2 = x0.sum(), (x0 * x0).sum()
    expected = 2 * s1 * np.eye(3) + 2 * x0[:, None] + 2 * x0[None, :]
    assert s2 > 0
    np.testing.assert_allclose(hessian, expected, rtol=1e-12, atol=1e-12, err_msg="jacobian(gradient) = Hessian")


@pytest.mark.parametrize("repeats", [1, 3, 40], ids=["distinct", "few repeats", "many repeats"])
def test_backend_scatter_add_adds_repeated_indices_like_add_at(repeats):
    # The embedding gradient's scatter-add (rounds of distinct indices, or np.add.at past
    # _MAX_SCATTER_ROUNDS) must give np.add.at's result bit for bit on NumPy. On CuPy it is
    # cupyx.scatter_add on device arrays, whose atomic adds may come in any order: close, not equal.
    from minitf import array_backend as B

    rng = np.random.default_rng(repeats)
    index = rng.integers(0, 50 if repeats > 1 else 10_000, size=200 * repeats // 2 + 1)
    values = rng.standard_normal((index.size, 7)).astype(np.float32)
    got, want = B.xp.zeros((10_000, 7), np.float32), np.zeros((10_000, 7), np.float32)
    B.scatter_add(got, B.xp.asarray(index), B.xp.asarray(values))
    np.add.at(want, index, values)
    if B.name == "numpy":
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(B.to_numpy(got), want, rtol=1e-5, atol=1e-5)
