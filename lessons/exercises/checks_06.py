"""Checks of lesson 06's exercises: one SGD step against Keras's (minitf's SGD), and min-max scaling
from the formula."""
import numpy as np

from lessons.exercises.checking import Failed, as_array, close, exercise, need


@exercise("5", "model_1's first SGD step on the MAE, by hand")
def first_step(answers):
    import minitf

    learner = need(answers, "first_sgd_step")
    x = np.arange(-100, 60, 4, dtype=np.float32)  # the 40 training points of section 1
    y = x + 10
    for w0, b0 in [(0.37, 0.0), (-0.8, 0.0), (1.3, 0.0)]:
        model = minitf.keras.Sequential([minitf.keras.Input((1,)), minitf.keras.layers.Dense(1)])
        model.compile(loss=minitf.keras.losses.mae, optimizer=minitf.keras.optimizers.SGD(0.01))
        model.set_weights([np.array([[w0]], np.float32), np.array([b0], np.float32)])
        model.fit(x[:, None], y, epochs=1, batch_size=40, shuffle=False, verbose=0)
        w1, b1 = (float(v.ravel()[0]) for v in model.get_weights())
        result = learner(np.float64(w0), np.float64(b0), x.astype(np.float64), y.astype(np.float64), 0.01)
        if len(result) != 2:
            raise Failed(f"first_sgd_step should return (w, b), got {len(result)} values")
        close(f"w after one step from w = {w0}, b = {b0}", result[0], w1, rtol=1e-5, atol=1e-6)
        close(f"b after one step from w = {w0}, b = {b0}", result[1], b1, rtol=1e-5, atol=1e-6)
    return "equal to fit(..., epochs=1, batch_size=40) from three starting points"


@exercise("7", "min-max scaling with the training rows' min and max")
def min_max(answers):
    learner = need(answers, "min_max_scale")
    rng = np.random.default_rng(6)
    train = rng.uniform([18, 15, 0], [64, 53, 5], size=(20, 3))
    test = rng.uniform([10, 10, 0], [70, 60, 6], size=(6, 3))  # beyond the training range on purpose
    result = learner(train.copy(), test.copy())
    if len(result) != 2:
        raise Failed(f"min_max_scale should return (train_scaled, test_scaled), got {len(result)} values")
    low, high = train.min(axis=0), train.max(axis=0)
    close("train_scaled", result[0], (train - low) / (high - low), rtol=1e-9, atol=1e-12)
    got_test = as_array(result[1], "test_scaled")
    own = (test - test.min(axis=0)) / (test.max(axis=0) - test.min(axis=0))
    if got_test.shape == own.shape and np.allclose(got_test, own):
        raise Failed("test_scaled was scaled with the test rows' own min and max: use the training rows' "
                     "(the test rows must stay unseen, even by the preprocessing); test values may then "
                     "fall outside [0, 1], and that is right")
    close("test_scaled", got_test, (test - low) / (high - low), rtol=1e-9, atol=1e-12)
