"""Checks of lesson 05's exercises: the deeper model's line from NumPy products of its weights, and
a hand-written training loop against `fit` from the same weights."""
import numpy as np

from lessons.exercises.checking import Failed, as_array, close, exercise, need

CELSIUS = np.array([-40, -10, 0, 8, 15, 22, 38], dtype=np.float32)
FAHRENHEIT = np.array([-40, 14, 32, 46, 59, 72, 100], dtype=np.float32)


@exercise("4", "the deeper model's slope and intercept")
def deeper_line(answers):
    learner = need(answers, "deeper_line")
    rng = np.random.default_rng(5)
    shapes = [(1, 4), (4,), (4, 4), (4,), (4, 1), (1,)]
    weights = [rng.normal(size=s).astype(np.float32) for s in shapes]
    w1, b1, w2, b2, w3, b3 = (w.astype(np.float64) for w in weights)
    predict = lambda c: ((c * w1 + b1) @ w2 + b2) @ w3 + b3  # noqa: E731 (the model, layer by layer)
    expected_intercept = float(predict(0.0)[0, 0])
    expected_slope = float(predict(1.0)[0, 0]) - expected_intercept
    result = learner([w.copy() for w in weights])
    if len(result) != 2:
        raise Failed(f"deeper_line should return (slope, intercept), got {len(result)} values")
    close("the slope", result[0], expected_slope, rtol=1e-5, atol=1e-6)
    close("the intercept", result[1], expected_intercept, rtol=1e-5, atol=1e-6)


@exercise("5", "the training loop by hand, against fit")
def training_loop(answers):
    import minitf

    learner = need(answers, "train_by_hand")
    w0, b0, epochs = 0.5, 1.0, 10
    model = minitf.keras.Sequential([minitf.keras.Input((1,)), minitf.keras.layers.Dense(1)])
    model.compile(loss="mean_squared_error", optimizer=minitf.keras.optimizers.Adam(0.1))
    model.set_weights([np.array([[w0]], np.float32), np.array([b0], np.float32)])
    expected = model.fit(CELSIUS, FAHRENHEIT, epochs=epochs, batch_size=7, shuffle=False, verbose=0).history["loss"]
    got = as_array(learner(w0, b0, CELSIUS.copy(), FAHRENHEIT.copy(), epochs), "train_by_hand(...)")
    if got.shape != (epochs,):
        raise Failed(f"train_by_hand(..., epochs={epochs}) should return {epochs} losses, got shape {got.shape}")
    if abs(got[0] - expected[0]) > 1e-3 * expected[0]:
        raise Failed(f"the first loss is {got[0]:.6g}, fit's is {expected[0]:.6g}: compute the loss before the "
                     f"step, as the mean of the squared errors over the seven examples")
    close("the losses, epoch by epoch", got, expected, rtol=1e-5, atol=1e-4)
    return f"the same {epochs} losses as fit"
