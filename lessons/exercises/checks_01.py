"""Checks of lesson 01's exercises: hand-derived derivatives judged by gradcheck (central
differences in float64), and the order of a finite difference measured on sin at x = 1."""
import numpy as np

from lessons.exercises.checking import Failed, as_array, check_gradient, exercise, gradient_op, need

CELSIUS = np.array([-40.0, -10.0, 0.0, 8.0, 15.0, 22.0, 38.0])
FAHRENHEIT = np.array([-40.0, 14.0, 32.0, 46.0, 59.0, 72.0, 100.0])


@exercise("3", "the gradient of the mean absolute error")
def mae(answers):
    learner = need(answers, "mae_gradient")

    def loss(w, b):
        return np.mean(np.abs(w * CELSIUS + b - FAHRENHEIT))

    def gradient(w, b):
        dw, db = learner(float(w), float(b), CELSIUS.copy(), FAHRENHEIT.copy())
        return np.asarray(dw, dtype=np.float64), np.asarray(db, dtype=np.float64)

    op = gradient_op(loss, gradient, "mae_gradient")
    notes = []
    # points where no residual is within 1e-3 of 0: |r| has no derivative at its kink
    for w, b in [(0.5, 3.0), (1.9, 30.3), (2.5, -7.1), (1.8, 32.4)]:
        notes.append(check_gradient(f"mae_gradient at w = {w}, b = {b}", op.apply, [w, b], ["w", "b"]))
    return notes[-1]


@exercise("4", "the fourth-order central difference")
def fourth_order(answers):
    learner = need(answers, "fourth_order_difference")
    hs = np.array([0.4, 0.2, 0.1, 0.05])
    errors = np.array([abs(float(as_array(learner(np.sin, 1.0, h), "fourth_order_difference(np.sin, 1.0, h)"))
                           - np.cos(1.0)) for h in hs])
    if not np.all(np.isfinite(errors)):
        raise Failed(f"fourth_order_difference(np.sin, 1.0, h) is not finite for h in {hs.tolist()}")
    slope = float(np.polyfit(np.log(hs), np.log(np.maximum(errors, 1e-300)), 1)[0])
    if not 3.6 <= slope <= 4.4:
        raise Failed(f"for sin at x = 1 the error should fall as h^4 (slope 4 on a log-log plot); yours falls with "
                     f"slope {slope:.2f} (errors {', '.join(f'{e:.2e}' for e in errors)} for h = {hs.tolist()}): "
                     f"check the coefficients -1, 8, -8, 1 and the 12h")
    return f"error slope {slope:.2f} (theory 4)"


@exercise("5", "d/dx tanh(3x^2 - 1) by the chain rule")
def tanh_chain(answers):
    learner = need(answers, "tanh_chain_derivative")
    op = gradient_op(lambda x: np.tanh(3 * x ** 2 - 1), lambda x: learner(x.copy()), "tanh_chain_derivative")
    return check_gradient("tanh_chain_derivative", op.apply, [np.linspace(-1.5, 1.3, 8)], ["x"])
