"""Lesson 07: worked solutions of the checked exercises (python -m lessons check 07 --solutions)."""
import numpy as np


def softmax(z):
    """Subtracting each row's maximum changes nothing (it cancels between the numerator and the
    sum) and keeps e^z from overflowing: the largest exponent is then e^0 = 1."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def precision_recall_f1(y_true, y_pred, positive=1):
    tp = np.sum((y_pred == positive) & (y_true == positive))
    fp = np.sum((y_pred == positive) & (y_true != positive))
    fn = np.sum((y_pred != positive) & (y_true == positive))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return precision, recall, f1


def l2_penalty(kernels, factor):
    return factor * sum(np.sum(np.square(k)) for k in kernels)


def dropout_by_hand(x, keep, rate):
    """The kept entries are scaled by 1/(1 - rate), so that the expected sum does not change."""
    return x * keep / (1 - rate)


def early_stopping_epochs(val_losses, patience):
    """Keras's rule: after each epoch `wait` grows by 1 and restarts at 0 on an improvement; training
    stops when wait reaches patience (never after the first epoch)."""
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        wait += 1
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        if wait >= patience and epoch > 0:
            return epoch + 1, best_epoch + 1
    return len(val_losses), best_epoch + 1
