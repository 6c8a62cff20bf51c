"""F-beta and F1 scores (``tf.keras.metrics.FBetaScore`` / ``F1Score``), per class or averaged.

Predictions are binarised first: with ``threshold`` None, the largest entry of each row is 1
(an argmax, ties all 1), else y_pred > threshold. Per class, with weighted counts over all batches
and eps = 1e-7 (Keras's):

    precision = TP / (TP + FP + eps);   recall = TP / (TP + FN + eps)
    F_beta = (1 + beta^2) * precision * recall / (beta^2 * precision + recall + eps)

``average``: None (one score per class), "micro" (counts pooled over classes first), "macro"
(unweighted mean over classes), "weighted" (mean weighted by each class's true count).
Inputs are 2-D: (batch, classes), labels one-hot (or multi-hot).
"""
from __future__ import annotations

from typing import Any

from minitf.keras.metrics.metric import Metric, as_tensor
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor

EPSILON = 1e-7


class FBetaScore(Metric):
    """F-beta score: recall weighted beta times as much as precision."""

    def __init__(self, average=None, beta=1.0, threshold=None, name="fbeta_score", dtype=None):
        super().__init__(name=name, dtype=dtype)
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(f"Invalid `average` argument value. Expected one of: {{None, 'micro', 'macro', "
                             f"'weighted'}}. Received: average={average!r}")
        if not isinstance(beta, float):
            raise ValueError(f"Invalid `beta` argument value. It should be a Python float. Received: beta={beta!r} "
                             f"of type '{type(beta)}'")
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(f"Invalid `threshold` argument value. It should be a Python float. Received: "
                                 f"threshold={threshold!r} of type '{type(threshold)}'")
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(f"Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                                 f"Received: threshold={threshold}")
        self.average, self.beta, self.threshold = average, beta, threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape, y_pred_shape) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(f"FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input "
                             f"shapes: y_pred.shape={tuple(y_pred_shape)} and y_true.shape={tuple(y_true_shape)}.")
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true = as_tensor(y_true, self.dtype)
        y_pred = as_tensor(y_pred, self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            top = R.reduce_max(y_pred, axis=-1, keepdims=True)
            y_pred = E.logical_and(y_pred >= top, E.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = S.cast(y_pred, self.dtype)
        w = None if sample_weight is None else S.expand_dims(as_tensor(sample_weight, self.dtype), 1)

        def weighted_sum(values):
            if w is not None:
                values = values * w
            return R.reduce_sum(values, axis=self.axis)

        self.true_positives.assign_add(weighted_sum(y_pred * y_true))
        self.false_positives.assign_add(weighted_sum(y_pred * (1.0 - y_true)))
        self.false_negatives.assign_add(weighted_sum((1.0 - y_pred) * y_true))
        self.intermediate_weights.assign_add(weighted_sum(y_true))

    def result(self) -> Tensor:
        eps = EPSILON
        tp = self.true_positives.value()
        precision = tp / (tp + self.false_positives.value() + eps)
        recall = tp / (tp + self.false_negatives.value() + eps)
        beta2 = self.beta ** 2
        f_score = precision * recall / (beta2 * precision + recall + eps) * (1.0 + S.cast(beta2, self.dtype))
        if self.average == "weighted":
            weights = self.intermediate_weights.value()
            f_score = R.reduce_sum(f_score * (weights / (R.reduce_sum(weights) + eps)))
        elif self.average is not None:
            f_score = R.reduce_mean(f_score)
        return f_score

    def get_config(self) -> dict:
        return {**super().get_config(), "average": self.average, "beta": self.beta, "threshold": self.threshold}


class F1Score(FBetaScore):
    """The harmonic mean of precision and recall (F-beta with beta = 1)."""

    def __init__(self, average=None, threshold=None, name="f1_score", dtype=None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["beta"]
        return config
