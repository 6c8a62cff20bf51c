"""Checks of lesson 07's exercises: softmax and the metrics from their formulas, the L2 penalty against
Keras's regularizer, dropout's scaling, and EarlyStopping's decision against the callback itself
(minitf's, which tests/ and parity_tests/ hold to Keras's)."""
import numpy as np

from lessons.exercises.checking import Failed, as_array, close, exercise, need


@exercise("4", "softmax, safe for large logits")
def softmax(answers):
    learner = need(answers, "softmax")
    z = np.random.default_rng(7).normal(size=(4, 5))
    e = np.exp(z)
    close("softmax(z)", learner(z.copy()), e / e.sum(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)
    big = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    got = as_array(learner(big.copy()), "softmax(large logits)")
    if not np.all(np.isfinite(got)):
        raise Failed("softmax([[1000, 1001, 1002], ...]) gives inf or nan: e^1000 overflows. Subtract each row's "
                     "largest logit first: the result is the same, and the largest exponent becomes e^0")
    shifted = np.exp(big - big.max(axis=1, keepdims=True))
    close("softmax(large logits)", got, shifted / shifted.sum(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)


@exercise("8", "precision, recall and F1 from the counts")
def metrics(answers):
    learner = need(answers, "precision_recall_f1")
    rng = np.random.default_rng(8)
    y_true, y_pred = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    for positive in (0, 2):
        tp = int(np.sum((y_pred == positive) & (y_true == positive)))
        fp = int(np.sum((y_pred == positive) & (y_true != positive)))
        fn = int(np.sum((y_pred != positive) & (y_true == positive)))
        result = learner(y_true.copy(), y_pred.copy(), positive)
        if len(result) != 3:
            raise Failed(f"precision_recall_f1 should return (precision, recall, f1), got {len(result)} values")
        counts = f" (class {positive}: TP {tp}, FP {fp}, FN {fn})"
        close("precision" + counts, result[0], tp / (tp + fp), rtol=1e-12, atol=0)
        close("recall" + counts, result[1], tp / (tp + fn), rtol=1e-12, atol=0)
        close("F1" + counts, result[2], 2 * tp / (2 * tp + fp + fn), rtol=1e-12, atol=0)


@exercise("9", "the L2 penalty")
def l2(answers):
    import minitf

    learner = need(answers, "l2_penalty")
    rng = np.random.default_rng(9)
    kernels = [rng.normal(size=(64, 16)).astype(np.float32), rng.normal(size=(16, 10)).astype(np.float32)]
    regularizer = minitf.keras.regularizers.L2(0.01)
    expected = sum(float(regularizer(minitf.constant(k)).numpy()) for k in kernels)
    close("l2_penalty(kernels, 0.01)", learner([k.copy() for k in kernels], 0.01), expected, rtol=1e-5, atol=0)
    return "equal to keras.regularizers.L2(0.01) summed over the kernels"


@exercise("10", "dropout in training, by hand")
def dropout(answers):
    learner = need(answers, "dropout_by_hand")
    rng = np.random.default_rng(10)
    x = rng.normal(size=(3, 6))
    keep = (rng.random((3, 6)) >= 0.4).astype(np.float64)
    got = as_array(learner(x.copy(), keep.copy(), 0.4), "dropout_by_hand(x, keep, 0.4)")
    if got.shape == x.shape and np.allclose(got, x * keep):
        raise Failed("dropout_by_hand only zeroes the dropped entries: Dropout also scales the kept ones by "
                     "1/(1 - rate), so that the layer's output has the same expected value in training as at inference")
    close("dropout_by_hand(x, keep, 0.4)", got, x * keep / 0.6, rtol=1e-12, atol=1e-12)


class _Model:  # what EarlyStopping needs of a model: weights to keep and a flag to stop
    stop_training = False

    def get_weights(self):
        return []

    def set_weights(self, weights):
        pass


def _keras_decision(val_losses, patience):
    import minitf

    callback = minitf.keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    model = _Model()
    callback.set_model(model)
    callback.on_train_begin()
    epochs_run = len(val_losses)
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, {"val_loss": float(loss)})
        if model.stop_training:
            epochs_run = epoch + 1
            break
    callback.on_train_end()
    return epochs_run, callback.best_epoch + 1


@exercise("11", "when EarlyStopping stops, and which epoch it restores")
def early_stopping(answers):
    learner = need(answers, "early_stopping_epochs")
    cases = {
        "falls, then rises": [2.0, 1.5, 1.2, 1.1, 1.15, 1.2, 1.3, 1.25, 1.4, 1.5],
        "a late new best": [1.0, 1.1, 1.2, 0.9, 1.0, 1.1, 1.2, 1.3, 1.4],
        "keeps falling": [1.0, 0.9, 0.8, 0.7, 0.6],
        "a tie is no improvement": [1.0, 0.8, 0.8, 0.8, 0.8, 0.9],
    }
    for name, losses in cases.items():
        expected = _keras_decision(losses, patience=3)
        got = learner(list(losses), 3)
        if tuple(int(v) for v in got) != expected:
            raise Failed(f"{name}: for validation losses {losses} with patience 3, EarlyStopping runs "
                         f"{expected[0]} epochs and restores epoch {expected[1]} (counted from 1); you said "
                         f"{tuple(got)}")
    return f"the same decisions as keras.callbacks.EarlyStopping in {len(cases)} cases"
