"""Intersection-over-union metrics (segmentation, detection): IoU, BinaryIoU, MeanIoU, OneHotIoU,
OneHotMeanIoU.

All keep one running confusion matrix C (C[i, j]: weighted count of class i predicted as j).
For class c, with TP = C[c, c] and its row and column sums:

    IoU_c = TP / (row_c + col_c - TP) = TP / (TP + FP + FN)

and the result is the mean of IoU_c over the target classes that occur (a class with
row_c + col_c = 0 is left out of the mean). As in Keras, the matrix is int64 unless ``dtype``
says otherwise, so float sample weights are truncated (Keras warns, and so does minitf); labels
or predictions outside [0, num_classes), and ``ignore_class``, count with weight 0.
"""
from __future__ import annotations

import warnings
from typing import Any

from minitf.keras.metrics.metric import Metric, as_tensor
from minitf.ops import elementwise as E
from minitf.ops.creation import ones_like
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.diagonals import diag_part
from minitf.ops.scatter_ops import ScatterNd
from minitf.tensor import Tensor

EPSILON = 1e-7  # Keras's backend.epsilon()


class _IoUBase(Metric):
    """The running confusion matrix, from sparse labels (or one-hot rows, argmax-ed along ``axis``)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(name=name, dtype=dtype or "int64")
        self.num_classes, self.ignore_class, self.axis = num_classes, ignore_class, axis
        self.sparse_y_true, self.sparse_y_pred = sparse_y_true, sparse_y_pred
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), name="total_confusion_matrix")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        y_true, y_pred = as_tensor(y_true), as_tensor(y_pred)
        if not self.sparse_y_true:
            y_true = R.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = R.argmax(y_pred, axis=self.axis)
        y_true = S.reshape(as_tensor(y_true, self.dtype), [-1])
        y_pred = S.reshape(as_tensor(y_pred, self.dtype), [-1])
        if sample_weight is None:
            sample_weight = 1
        elif "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
            warnings.warn("You are passing weight as `float`, but dtype is `int`. This may result in an incorrect "
                          "weight due to type casting Consider using integer weights.", stacklevel=2)
        weight = S.reshape(as_tensor(sample_weight, self.dtype), [-1]) * ones_like(y_true)  # broadcast to y_true
        # Only labels and predictions in [0, num_classes), and not ignore_class, count.
        kept = E.logical_and(E.logical_and(y_true >= 0, y_true < self.num_classes),
                             E.logical_and(y_pred >= 0, y_pred < self.num_classes))
        if self.ignore_class is not None:
            kept = E.logical_and(kept, E.not_equal(y_true, as_tensor(self.ignore_class, self.dtype)))
        zero = as_tensor(0, self.dtype)
        cells = S.cast(S.stack([E.where(kept, y_true, zero), E.where(kept, y_pred, zero)], axis=1), "int64")
        counts = ScatterNd.apply(cells, E.where(kept, weight, zero), shape=(self.num_classes, self.num_classes))
        self.total_cm.assign(self.total_cm + counts)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes, "ignore_class": self.ignore_class,
                "sparse_y_true": self.sparse_y_true, "sparse_y_pred": self.sparse_y_pred, "axis": self.axis}


class IoU(_IoUBase):
    """The mean IoU over ``target_class_ids`` (a single id: that class's IoU)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)

    def result(self) -> Tensor:
        cm = self.total_cm.value()
        true_positives = S.cast(diag_part(cm), self.dtype)
        denominator = S.cast(R.reduce_sum(cm, axis=0), self.dtype) + S.cast(R.reduce_sum(cm, axis=1), self.dtype) \
            - true_positives
        targets = as_tensor(self.target_class_ids, "int32")
        true_positives = S.cast(S.gather(true_positives, targets), "float32")
        denominator = S.cast(S.gather(denominator, targets), "float32")
        valid = denominator > 1e-9  # a class absent from labels and predictions is left out
        iou = E.where(valid, true_positives / (denominator + EPSILON), 0.0)
        return R.reduce_sum(iou, axis=self.axis) / (R.reduce_sum(S.cast(valid, "float32")) + EPSILON)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_class_ids": self.target_class_ids}


class BinaryIoU(IoU):
    """IoU of a binary task: a prediction counts as class 1 when it is >= ``threshold``."""

    def __init__(self, target_class_ids=(0, 1), threshold=0.5, name=None, dtype=None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        predicted_one = as_tensor(y_pred, "float32") >= self.threshold
        super().update_state(as_tensor(y_true, self.dtype), S.cast(predicted_one, self.dtype), sample_weight)

    def get_config(self) -> dict:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name,
                "dtype": self.dtype}


class MeanIoU(IoU):
    """The mean IoU over all ``num_classes`` classes."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_true=True,
                 sparse_y_pred=True, axis=-1):
        super().__init__(num_classes, list(range(num_classes)), name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=sparse_y_true, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["target_class_ids"]
        return config


class OneHotIoU(IoU):
    """IoU with one-hot labels (and, unless ``sparse_y_pred``, scores per class as predictions)."""

    def __init__(self, num_classes, target_class_ids, name=None, dtype=None, ignore_class=None, sparse_y_pred=False,
                 axis=-1):
        super().__init__(num_classes, target_class_ids, name=name, dtype=dtype, ignore_class=ignore_class,
                         sparse_y_true=False, sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config


class OneHotMeanIoU(MeanIoU):
    """MeanIoU with one-hot labels (and, unless ``sparse_y_pred``, scores per class as predictions)."""

    def __init__(self, num_classes, name=None, dtype=None, ignore_class=None, sparse_y_pred=False, axis=-1):
        super().__init__(num_classes, name=name, dtype=dtype, ignore_class=ignore_class, sparse_y_true=False,
                         sparse_y_pred=sparse_y_pred, axis=axis)

    def get_config(self) -> dict:
        config = super().get_config()
        del config["sparse_y_true"]
        return config
