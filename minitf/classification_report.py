"""``minitf.classification_report``: evaluate a classifier's predictions -- confusion matrix and report.

(``tf.metrics`` is TF 2's Keras metrics module, ``minitf.keras.metrics``; TF's own
``tf.math.confusion_matrix`` is in ``minitf/math.py``.)

These are whole-dataset summaries computed with NumPy (not running Keras metrics; see
``minitf.keras.metrics`` for those). Values equal scikit-learn's ``confusion_matrix``,
``precision_recall_fscore_support`` and ``classification_report``, so a lesson can show either.

For each class c, counting over all samples:

    TP = #(true c, predicted c)   FP = #(true not c, predicted c)   FN = #(true c, predicted not c)
    precision = TP / (TP + FP)    recall = TP / (TP + FN)    F1 = 2 TP / (2 TP + FP + FN)
    support   = #(true c)

(a 0/0 gives ``zero_division``, 0 by default). Averages: "macro" = the plain mean over classes,
"weighted" = the mean weighted by support, "micro" = the counts pooled over classes first (for
single-label problems micro precision = micro recall = accuracy).

Inputs: label arrays (ints or strings; Tensors are fine). For convenience a model's raw output
is accepted too: a 2-D array with several columns (one-hot labels, or class probabilities) is
reduced by argmax over the last axis, and an (N, 1) column of non-integer scores (a sigmoid
output) is thresholded at 0.5 (p > 0.5 is class 1).
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from minitf import array_backend as B
from minitf.tensor import Tensor


def _labels_array(y: Any, what: str) -> np.ndarray:
    """A 1-D NumPy array of labels from labels, one-hot rows, probabilities or a sigmoid column."""
    a = B.to_numpy(y._value) if isinstance(y, Tensor) else np.asarray(y)
    if a.ndim == 2 and a.shape[1] > 1:
        return np.argmax(a, axis=1)
    if a.ndim == 2 and a.shape[1] == 1:
        a = a[:, 0]
        if a.dtype.kind == "f" and np.any(a != np.round(a)):
            return (a > 0.5).astype(np.int64)
    if a.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D array of labels (or an (N, C) array of one-hot rows or "
                         f"probabilities), got shape {a.shape}")
    if a.dtype.kind == "f" and a.size and np.any(a != np.round(a)):
        raise ValueError(f"{what}: got non-integer values {a[a != np.round(a)][:3]} ... in a 1-D array; class "
                         f"labels must be integers or strings (threshold probabilities first, e.g. p > 0.5)")
    if a.dtype.kind == "f":
        a = a.astype(np.int64)
    return a


def _pair(y_true: Any, y_pred: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    t, p = _labels_array(y_true, f"{what}: y_true"), _labels_array(y_pred, f"{what}: y_pred")
    if t.shape[0] != p.shape[0]:
        raise ValueError(f"{what}: y_true has {t.shape[0]} samples but y_pred has {p.shape[0]}")
    return t, p


def _resolve_labels(t: np.ndarray, p: np.ndarray, labels: Any, num_classes: int | None) -> np.ndarray:
    if num_classes is not None:
        return np.arange(int(num_classes))
    if labels is not None:
        return np.asarray(labels)
    return np.unique(np.concatenate([t, p]))


def _class_index(values: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Position of each value in ``classes`` (-1 where absent), without a Python loop over values."""
    if len(classes) == 0:
        return np.full(values.shape, -1, dtype=np.int64)
    order = np.argsort(classes, kind="stable")
    ordered = classes[order]
    pos = np.clip(np.searchsorted(ordered, values), 0, len(classes) - 1)
    return np.where(ordered[pos] == values, order[pos], -1).astype(np.int64)


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None, labels: Sequence | None = None,
                     sample_weight: Any = None) -> np.ndarray:
    """C[i, j] = number of samples of true class labels[i] predicted as labels[j].

    Classes are 0 .. num_classes-1 if ``num_classes`` is given (as ``tf.math.confusion_matrix``),
    else ``labels``, else the sorted labels present in either array (as scikit-learn). Rows are
    true classes, columns predictions; the diagonal holds the correct predictions.
    """
    t, p = _pair(y_true, y_pred, "confusion_matrix")
    classes = _resolve_labels(t, p, labels, num_classes)
    n = len(classes)
    ti, pi = _class_index(t, classes), _class_index(p, classes)
    if num_classes is not None and (np.any(ti < 0) or np.any(pi < 0)):
        bad = np.concatenate([t[ti < 0], p[pi < 0]])[0]
        raise ValueError(f"confusion_matrix: label {bad} is outside [0, {num_classes}) (num_classes={num_classes})")
    keep = (ti >= 0) & (pi >= 0)
    if sample_weight is None:
        weights, dtype = np.ones(t.shape[0], dtype=np.int64), np.int64
    else:
        weights = np.asarray(B.to_numpy(sample_weight._value) if isinstance(sample_weight, Tensor) else sample_weight)
        dtype = np.int64 if weights.dtype.kind in "iub" else np.float64
    matrix = np.zeros((n, n), dtype=dtype)
    np.add.at(matrix, (ti[keep], pi[keep]), weights[keep].astype(dtype))
    return matrix


def _divide(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        result = numerator / denominator
    return np.where(denominator == 0, zero_division, result)


def _zero_division_value(zero_division: Any) -> float:
    if zero_division == "warn":
        return 0.0
    if isinstance(zero_division, str) or not (np.isnan(zero_division) or zero_division in (0, 1)):
        raise ValueError(f"zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}")
    return float(zero_division)


def precision_recall_fscore_support(y_true: Any, y_pred: Any, labels: Sequence | None = None,
                                    average: str | None = None, beta: float = 1.0, pos_label: Any = 1,
                                    zero_division: Any = 0.0):
    """(precision, recall, F-beta, support) per class (``average=None``) or averaged.

    ``average``: None, "binary" (the scores of ``pos_label`` only), "micro", "macro", "weighted".
    Per-class results are arrays in ``labels`` order; averaged ones floats, with support None.
    """
    if average not in (None, "binary", "micro", "macro", "weighted"):
        raise ValueError(f"average has to be one of (None, 'binary', 'micro', 'macro', 'weighted'), "
                         f"got {average!r}")
    zd = _zero_division_value(zero_division)
    t, p = _pair(y_true, y_pred, "precision_recall_fscore_support")
    if average == "binary":
        present = np.unique(np.concatenate([t, p]))
        if len(present) > 2:
            raise ValueError(f"Target is multiclass but average='binary'. Please choose another average setting, "
                             f"one of [None, 'micro', 'macro', 'weighted'] (labels seen: {present.tolist()})")
        if pos_label not in present.tolist() and len(present) == 2:
            raise ValueError(f"pos_label={pos_label!r} is not a valid label. It should be one of {present.tolist()}")
        labels = [pos_label]
    classes = np.asarray(labels) if labels is not None else np.unique(np.concatenate([t, p]))
    matrix = confusion_matrix(t, p, labels=np.unique(np.concatenate([t, p, classes])))
    all_classes = np.unique(np.concatenate([t, p, classes]))
    where = [int(np.flatnonzero(all_classes == c)[0]) for c in classes]
    tp = np.diag(matrix)[where].astype(np.float64)
    pred_sum = matrix.sum(axis=0)[where].astype(np.float64)
    true_sum = matrix.sum(axis=1)[where].astype(np.float64)
    if average == "micro":
        tp, pred_sum, true_sum = np.array([tp.sum()]), np.array([pred_sum.sum()]), np.array([true_sum.sum()])
    beta2 = beta * beta
    precision = _divide(tp, pred_sum, zd)
    recall = _divide(tp, true_sum, zd)
    f_score = _divide((1 + beta2) * tp, beta2 * true_sum + pred_sum, zd)
    if average is None:
        return precision, recall, f_score, true_sum.astype(np.int64)
    if average == "weighted":
        weights = true_sum
        if weights.sum() == 0:
            return zd, zd, zd, None
    else:
        weights = None
    mean = (lambda v: float(np.average(v, weights=weights))) if not np.isnan(zd) else \
        (lambda v: float(np.nanmean(v)) if weights is None else float(np.average(v, weights=weights)))
    return mean(precision), mean(recall), mean(f_score), None


def precision_score(y_true: Any, y_pred: Any, labels=None, average: str | None = "binary", pos_label: Any = 1,
                    zero_division: Any = 0.0):
    """TP / (TP + FP) (see ``precision_recall_fscore_support``)."""
    return precision_recall_fscore_support(y_true, y_pred, labels, average, 1.0, pos_label, zero_division)[0]


def recall_score(y_true: Any, y_pred: Any, labels=None, average: str | None = "binary", pos_label: Any = 1,
                 zero_division: Any = 0.0):
    """TP / (TP + FN) (see ``precision_recall_fscore_support``)."""
    return precision_recall_fscore_support(y_true, y_pred, labels, average, 1.0, pos_label, zero_division)[1]


def f1_score(y_true: Any, y_pred: Any, labels=None, average: str | None = "binary", pos_label: Any = 1,
             zero_division: Any = 0.0):
    """2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall."""
    return precision_recall_fscore_support(y_true, y_pred, labels, average, 1.0, pos_label, zero_division)[2]


def accuracy_score(y_true: Any, y_pred: Any) -> float:
    """The fraction of samples predicted right."""
    t, p = _pair(y_true, y_pred, "accuracy_score")
    return float(np.mean(t == p)) if t.size else 0.0


class ClassificationReport(str):
    """The report's text (print it), with the same numbers as a dict in ``.dict``."""

    dict: dict

    def __new__(cls, text: str, data: dict) -> "ClassificationReport":
        report = super().__new__(cls, text)
        report.dict = data
        return report

    def as_dict(self) -> dict:
        return self.dict


def classification_report(y_true: Any, y_pred: Any, target_names: Sequence[str] | None = None,
                          labels: Sequence | None = None, digits: int = 2, output_dict: bool = False,
                          zero_division: Any = 0.0):
    """Per-class precision, recall, F1 and support, then accuracy and the macro/weighted averages.

    Returns a ``ClassificationReport``: a string laid out exactly as scikit-learn's (print it),
    whose ``.dict`` holds the numbers (scikit-learn's ``output_dict`` layout:
    ``{name: {"precision", "recall", "f1-score", "support"}, "accuracy": float, "macro avg": {...},
    "weighted avg": {...}}``). With ``output_dict=True`` the dict itself is returned.
    """
    t, p = _pair(y_true, y_pred, "classification_report")
    present = np.unique(np.concatenate([t, p]))
    labels_given = labels is not None
    classes = np.asarray(labels) if labels_given else present
    micro_is_accuracy = not labels_given or set(classes.tolist()) >= set(present.tolist())
    if target_names is not None and len(classes) != len(target_names):
        if labels_given:
            warnings.warn(f"labels size, {len(classes)}, does not match size of target_names, {len(target_names)}",
                          stacklevel=2)
        else:
            raise ValueError(f"Number of classes, {len(classes)}, does not match size of target_names, "
                             f"{len(target_names)}. Try specifying the labels parameter")
    names = [str(n) for n in target_names] if target_names is not None else [f"{c}" for c in classes.tolist()]
    headers = ["precision", "recall", "f1-score", "support"]
    precision, recall, f1, support = precision_recall_fscore_support(t, p, classes, None,
                                                                     zero_division=zero_division)
    rows = list(zip(names, precision, recall, f1, support))
    data: dict = {row[0]: dict(zip(headers, [float(v) for v in row[1:]])) for row in rows}

    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    head_fmt = "{:>{width}s} " + " {:>9}" * len(headers)
    text = head_fmt.format("", *headers, width=width) + "\n\n"
    row_fmt = "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}\n"
    for row in rows:
        text += row_fmt.format(*row, width=width, digits=digits)
    text += "\n"
    total = int(np.sum(support))
    for average in ("micro", "macro", "weighted"):
        heading = "accuracy" if average == "micro" and micro_is_accuracy else f"{average} avg"
        avg_p, avg_r, avg_f1, _ = precision_recall_fscore_support(t, p, classes, average,
                                                                  zero_division=zero_division)
        if heading == "accuracy":
            data["accuracy"] = float(avg_p)
            fmt = "{:>{width}s} " + " {:>9.{digits}}" * 2 + " {:>9.{digits}f}" + " {:>9}\n"
            text += fmt.format(heading, "", "", avg_f1, total, width=width, digits=digits)
        else:
            data[heading] = dict(zip(headers, [float(avg_p), float(avg_r), float(avg_f1), float(total)]))
            text += row_fmt.format(heading, avg_p, avg_r, avg_f1, total, width=width, digits=digits)
    if output_dict:
        return data
    return ClassificationReport(text, data)


__all__ = ["confusion_matrix", "classification_report", "ClassificationReport", "precision_recall_fscore_support",
           "precision_score", "recall_score", "f1_score", "accuracy_score"]
