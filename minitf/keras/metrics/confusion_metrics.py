"""Metrics from confusion counts: TruePositives ..., Precision, Recall, AUC.

A prediction is positive at threshold t when y_pred > t (strictly); a label is positive when
nonzero. With weighted counts accumulated over all batches:

    precision = TP / (TP + FP)        recall = TP / (TP + FN)        (0 when the denominator is 0)

``top_k`` keeps only each row's k largest predictions (the rest count as negative); ``class_id``
scores one column of a multi-class output.

AUC (area under the ROC or PR curve) counts TP/FP/TN/FN at ``num_thresholds`` (200) evenly spaced
thresholds, -eps, 1/(T-1), ..., 1+eps, then sums the curve between neighbouring thresholds:
    ROC:  x = FP / (FP + TN), y = recall;  PR: x = recall, y = precision
    "interpolation" (default): trapezoids (ROC), or for PR the Davis & Goadrich interpolation
    "minoring" / "majoring": the lower / upper Riemann sum.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras.metrics import metrics_utils as U
from minitf.keras.metrics.metric import Metric, as_tensor
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor

EPSILON = 1e-7


class _ConfusionMatrixConditionCount(Metric):
    """One confusion count (per threshold)."""

    _condition = ""

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = U.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._evenly = U.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        U.update_confusion_matrix_variables(
            {self._condition: self.accumulator}, y_true, y_pred, self.thresholds,
            thresholds_distributed_evenly=self._evenly, sample_weight=sample_weight)

    def result(self) -> Tensor:
        value = self.accumulator.value()
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """Weighted count of positive labels predicted positive."""

    _condition = U.TRUE_POSITIVES


class FalsePositives(_ConfusionMatrixConditionCount):
    """Weighted count of negative labels predicted positive."""

    _condition = U.FALSE_POSITIVES


class TrueNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of negative labels predicted negative."""

    _condition = U.TRUE_NEGATIVES


class FalseNegatives(_ConfusionMatrixConditionCount):
    """Weighted count of positive labels predicted negative."""

    _condition = U.FALSE_NEGATIVES


class _PrecisionRecall(Metric):
    _second = ""  # FP for precision, FN for recall
    _second_name = ""

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        default = 0.5 if top_k is None else U.NEG_INF
        self.thresholds = U.parse_init_thresholds(thresholds, default_threshold=default)
        self._evenly = U.is_evenly_distributed_thresholds(self.thresholds)
        self.true_positives = self.add_variable(shape=(len(self.thresholds),), name="true_positives")
        setattr(self, self._second_name,
                self.add_variable(shape=(len(self.thresholds),), name=self._second_name))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        U.update_confusion_matrix_variables(
            {U.TRUE_POSITIVES: self.true_positives, self._second: getattr(self, self._second_name)},
            y_true, y_pred, self.thresholds, top_k=self.top_k, class_id=self.class_id,
            sample_weight=sample_weight, thresholds_distributed_evenly=self._evenly)

    def result(self) -> Tensor:
        tp = self.true_positives.value()
        value = U.divide_no_nan(tp, tp + getattr(self, self._second_name).value())
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """TP / (TP + FP): of the predicted positives, the fraction that are positive."""

    _second, _second_name = U.FALSE_POSITIVES, "false_positives"


class Recall(_PrecisionRecall):
    """TP / (TP + FN): of the actual positives, the fraction predicted positive."""

    _second, _second_name = U.FALSE_NEGATIVES, "false_negatives"


class AUC(Metric):
    """Area under the ROC (default) or PR curve, from counts at ``num_thresholds`` thresholds."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        curves = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
        if str(curve).lower() not in curves:
            raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')
        methods = ("interpolation", "majoring", "minoring")
        if str(summation_method).lower() not in methods:
            raise ValueError(f'Invalid AUC summation method value: "{summation_method}". Expected values are '
                             f'["interpolation", "majoring", "minoring"]')
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._evenly = U.is_evenly_distributed_thresholds(np.array([0.0] + thresholds + [1.0]))
        else:
            if num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. "
                                 f"Received: num_thresholds={num_thresholds}")
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + list(thresholds) + [1.0 + EPSILON])
        self.curve = curves[str(curve).lower()]
        self.summation_method = str(summation_method).lower()
        super().__init__(name=name, dtype=dtype)
        self.multi_label, self.num_labels = multi_label, num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=self._np_dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list:
        return list(self._thresholds)

    def _build(self, shape) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                                 f"Full shape received for `y_pred`: {shape}")
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self.true_positives = self.add_variable(shape=variable_shape, name="true_positives")
        self.false_positives = self.add_variable(shape=variable_shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=variable_shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=variable_shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_pred = as_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:  # the sigmoid in float64, rounded once
            y64 = S.cast(y_pred, "float64")
            y_pred = S.cast(1.0 / (1.0 + E.exp(-y64)), y_pred.dtype)
        U.update_confusion_matrix_variables(
            {U.TRUE_POSITIVES: self.true_positives, U.TRUE_NEGATIVES: self.true_negatives,
             U.FALSE_POSITIVES: self.false_positives, U.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, self._thresholds, thresholds_distributed_evenly=self._evenly,
            sample_weight=sample_weight, multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights)

    def _by_label(self, terms: Tensor) -> Tensor:
        if not self.multi_label:
            return R.reduce_sum(terms)
        by_label = R.reduce_sum(terms, axis=0)
        if self.label_weights is None:
            return R.reduce_mean(by_label)
        weights = as_tensor(self.label_weights)
        return U.divide_no_nan(R.reduce_sum(by_label * weights), R.reduce_sum(weights))

    def interpolate_pr_auc(self) -> Tensor:
        """Davis & Goadrich (2006): precision interpolated between thresholds as TP varies linearly."""
        tp, fp, fn = self.true_positives.value(), self.false_positives.value(), self.false_negatives.value()
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        prec_slope = U.divide_no_nan(dtp, E.maximum(dp, 0.0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = E.where(E.logical_and(p[:-1] > 0, p[1:] > 0),
                               U.divide_no_nan(p[:-1], E.maximum(p[1:], 0.0)), 1.0)
        log_ratio = E.log(safe_p_ratio)
        increment = U.divide_no_nan(prec_slope * (dtp + intercept * log_ratio), E.maximum(tp[1:] + fn[1:], 0.0))
        return self._by_label(increment)

    def result(self) -> Tensor:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return S.cast(self.interpolate_pr_auc(), self.dtype)
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        recall = U.divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = U.divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, U.divide_no_nan(tp, tp + fp)
        else:  # PRGAIN
            scaling = U.divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * U.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * U.divide_no_nan(fp, tp)
            recall_gain = E.maximum(E.where(E.equal(tp, 0), 0.0, recall_gain), 0.0)
            precision_gain = E.where(E.equal(tp, 0), 1.0, precision_gain)
            x, y = recall_gain, precision_gain
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = E.minimum(y[:-1], y[1:])
        else:
            heights = E.maximum(y[:-1], y[1:])
        return S.cast(self._by_label((x[:-1] - x[1:]) * heights), self.dtype)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict:
        config = {**super().get_config(), "num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config


class SensitivitySpecificityBase(Metric):
    """Confusion counts at ``num_thresholds`` evenly spaced thresholds 0, 1/(T-1), ..., 1, from which
    a subclass reads the best value of one rate among the thresholds where another reaches ``value``:

        sensitivity = recall = TP / (TP + FN)     specificity = TN / (TN + FP)
        precision = TP / (TP + FP)

    (0 when no threshold reaches it)."""

    def __init__(self, value, num_thresholds=200, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={num_thresholds}")
        self.value, self.class_id = value, class_id
        if num_thresholds == 1:
            self.thresholds, self._evenly = [0.5], False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds, self._evenly = [0.0] + inner + [1.0], True
        for count in ("true_positives", "false_positives", "true_negatives", "false_negatives"):
            setattr(self, count, self.add_variable(shape=(len(self.thresholds),), name=count))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        U.update_confusion_matrix_variables(
            {U.TRUE_POSITIVES: self.true_positives, U.TRUE_NEGATIVES: self.true_negatives,
             U.FALSE_POSITIVES: self.false_positives, U.FALSE_NEGATIVES: self.false_negatives},
            y_true, y_pred, self.thresholds, thresholds_distributed_evenly=self._evenly, class_id=self.class_id,
            sample_weight=sample_weight)

    def _rates(self) -> dict:
        tp, fp = self.true_positives.value(), self.false_positives.value()
        tn, fn = self.true_negatives.value(), self.false_negatives.value()
        return {"sensitivity": U.divide_no_nan(tp, tp + fn), "specificity": U.divide_no_nan(tn, tn + fp),
                "precision": U.divide_no_nan(tp, tp + fp)}

    def _best_where(self, constrained: Tensor, dependent: Tensor) -> Tensor:
        """The largest ``dependent`` among the thresholds where ``constrained >= value`` (else 0)."""
        feasible = constrained >= as_tensor(self.value, constrained.dtype)
        return R.reduce_max(S.concat([E.where(feasible, dependent, 0.0), E.zeros_like_scalar(dependent)[None]], 0))

    def get_config(self) -> dict:
        return {**super().get_config(), "class_id": self.class_id, "num_thresholds": len(self.thresholds)}


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) at a specificity >= ``specificity``."""

    def __init__(self, specificity, num_thresholds=200, class_id=None, name=None, dtype=None):
        if specificity < 0 or specificity > 1:
            raise ValueError(f"Argument `specificity` must be in the range [0, 1]. Received: specificity={specificity}")
        super().__init__(specificity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.specificity = specificity

    def result(self) -> Tensor:
        rates = self._rates()
        return self._best_where(rates["specificity"], rates["sensitivity"])

    def get_config(self) -> dict:
        return {**super().get_config(), "specificity": self.specificity}


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity at a sensitivity (recall) >= ``sensitivity``."""

    def __init__(self, sensitivity, num_thresholds=200, class_id=None, name=None, dtype=None):
        if sensitivity < 0 or sensitivity > 1:
            raise ValueError(f"Argument `sensitivity` must be in the range [0, 1]. Received: sensitivity={sensitivity}")
        super().__init__(sensitivity, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.sensitivity = sensitivity

    def result(self) -> Tensor:
        rates = self._rates()
        return self._best_where(rates["sensitivity"], rates["specificity"])

    def get_config(self) -> dict:
        return {**super().get_config(), "sensitivity": self.sensitivity}


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision at a recall >= ``recall``."""

    def __init__(self, recall, num_thresholds=200, class_id=None, name=None, dtype=None):
        if recall < 0 or recall > 1:
            raise ValueError(f"Argument `recall` must be in the range [0, 1]. Received: recall={recall}")
        super().__init__(recall, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.recall = recall

    def result(self) -> Tensor:
        rates = self._rates()
        return self._best_where(rates["sensitivity"], rates["precision"])

    def get_config(self) -> dict:
        return {**super().get_config(), "recall": self.recall}


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall at a precision >= ``precision``."""

    def __init__(self, precision, num_thresholds=200, class_id=None, name=None, dtype=None):
        if precision < 0 or precision > 1:
            raise ValueError(f"Argument `precision` must be in the range [0, 1]. Received: precision={precision}")
        super().__init__(precision, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)
        self.precision = precision

    def result(self) -> Tensor:
        rates = self._rates()
        return self._best_where(rates["precision"], rates["sensitivity"])

    def get_config(self) -> dict:
        return {**super().get_config(), "precision": self.precision}
