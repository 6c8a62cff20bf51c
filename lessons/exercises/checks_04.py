"""Checks of lesson 04's exercises: the hand-written Adagrad step by step against
minitf.keras.optimizers.Adagrad (which tests/ and parity_tests/ hold to TF's), and a hand-derived
gradient judged by gradcheck."""
import numpy as np

from lessons.exercises.checking import Failed, as_array, check_gradient, exercise, gradient_op, need

f32 = np.float32


def quadratic_grad(w):
    return w * f32([1, 100])


@exercise("3", "Adagrad by hand, step by step against Keras's")
def adagrad(answers):
    import minitf

    Adagrad = need(answers, "Adagrad")
    lr, steps = 0.5, 60
    mine, w_mine = Adagrad(lr), np.array([-4.5, 1.0], f32)
    keras, w_keras = minitf.keras.optimizers.Adagrad(lr), minitf.Variable(np.array([-4.5, 1.0], f32))
    for step in range(1, steps + 1):
        w_mine = as_array(mine.step(w_mine, quadratic_grad(w_mine)), "Adagrad.step(w, g)").astype(f32)
        keras.apply_gradients([(minitf.constant(quadratic_grad(w_keras.numpy())), w_keras)])
        expected = w_keras.numpy()
        if w_mine.shape != expected.shape:
            raise Failed(f"Adagrad.step returned shape {w_mine.shape}, the weights have shape {expected.shape}")
        diff = float(np.max(np.abs(w_mine.astype(np.float64) - expected)))
        if diff > 1e-6:
            raise Failed(f"after step {step} on the lesson's quadratic (lr {lr}) your weights are {w_mine.tolist()}, "
                         f"Keras's {expected.tolist()} (|diff| {diff:.3g}). Does the accumulator start at 0.1? "
                         f"Is epsilon inside the square root?")
    return f"equal to minitf.keras.optimizers.Adagrad for {steps} steps (largest |diff| {diff:.2g})"


@exercise("7", "the gradient of Himmelblau's function, by hand")
def himmelblau(answers):
    learner = need(answers, "himmelblau_gradient")

    def f(w):
        x, y = w
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    op = gradient_op(f, lambda w: learner(w.copy()), "himmelblau_gradient")
    notes = [check_gradient(f"himmelblau_gradient at {point}", op.apply, [np.array(point)], ["w"])
             for point in [(0.5, -1.2), (3.2, 1.9), (-2.7, 3.1)]]
    return notes[0]
