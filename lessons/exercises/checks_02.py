"""Checks of lesson 02's exercises: the learner's scalar engine, wrapped in an op, judged by
gradcheck; the hand-derived Hessian against nested GradientTapes."""
import math

import numpy as np

from lessons.exercises.checking import Failed, check_gradient, close, exercise, gradient_op, need


def engine_op(answers, build, name):
    """An op whose forward and backward are the learner's engine: ``build(*values)`` makes the output
    Value from input Values; ``backward()`` gives the gradients."""
    Value = need(answers, "Value")

    def values(arrays):
        return [Value(float(a)) for a in arrays]

    def forward(*arrays):
        out = build(*values(arrays))
        if not isinstance(out, Value):
            raise Failed(f"{name} should return a Value, got {type(out).__name__}")
        return out.data

    def gradient(*arrays):
        inputs = values(arrays)
        build(*inputs).backward()
        return tuple(np.float64(v.grad) for v in inputs)

    return gradient_op(forward, gradient, name)


@exercise("1", "Value.relu, forward and backward")
def relu(answers):
    Value = need(answers, "Value")
    for x in (-2.0, 0.5, 3.0):
        got = Value(x).relu()
        close(f"Value({x}).relu().data", got.data, max(0.0, x), rtol=0, atol=0)
    op = engine_op(answers, lambda x, w, b: (x * w + b).relu(), "relu neuron (x*w + b).relu()")
    notes = [check_gradient(f"relu neuron at x = {x}, w = {w}, b = {b}", op.apply, [x, w, b], ["x", "w", "b"])
             for x, w, b in [(2.0, 0.7, -0.3), (1.5, -0.4, 0.2), (-1.0, -2.0, 0.5)]]  # active, dead, active
    return notes[0]


@exercise("2", "Value.log and binary crossentropy")
def log_and_bce(answers):
    Value = need(answers, "Value")
    close("Value(2.0).log().data", Value(2.0).log().data, math.log(2.0), rtol=1e-12, atol=0)
    op = engine_op(answers, lambda x: x.log(), "Value.log")
    check_gradient("Value.log", op.apply, [0.3], ["x"])
    bce = need(answers, "binary_crossentropy")
    for y in (0.0, 1.0, 0.25):
        p = 0.7
        expected = -y * math.log(p) - (1 - y) * math.log(1 - p)
        close(f"binary_crossentropy(Value({p}), {y}).data", bce(Value(p), y).data, expected, rtol=1e-12, atol=1e-12)
        op = engine_op(answers, lambda p_, y=y: bce(p_, y), f"binary_crossentropy(p, y={y})")
        note = check_gradient(f"binary_crossentropy(p, y={y})", op.apply, [p], ["p"])
    return note


@exercise("5", "the Hessian of x0^2 x1 + sin(x0 x1), by hand")
def hessian(answers):
    import minitf

    learner = need(answers, "hessian_by_hand")
    for point in [(1.0, 2.0), (-0.5, 1.5)]:
        x = minitf.constant(point, dtype="float64")
        with minitf.GradientTape() as outer:
            outer.watch(x)
            with minitf.GradientTape() as inner:
                inner.watch(x)
                h = x[0] ** 2 * x[1] + minitf.sin(x[0] * x[1])
            grad = inner.gradient(h, x)
        expected = outer.jacobian(grad, x).numpy()
        close(f"hessian_by_hand{point}", learner(*point), expected, rtol=1e-9, atol=1e-12)
    return "equal to the nested tapes' jacobian of the gradient"
