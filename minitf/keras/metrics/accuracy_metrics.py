"""Accuracy metrics: the fraction of predictions that hit the label.

    binary_accuracy:                 y_true == (y_pred > threshold)        (strictly greater; 0.5)
    categorical_accuracy:            argmax(y_true) == argmax(y_pred)      (one-hot labels)
    sparse_categorical_accuracy:     y_true == argmax(y_pred)              (integer labels)
    top_k_categorical_accuracy:      argmax(y_true) among the k largest y_pred   (k = 5)
    sparse_top_k_categorical_accuracy: y_true among the k largest y_pred
    accuracy:                        y_true == y_pred exactly

Each function returns one 0/1 value per sample (a float32 Tensor); the classes average them
with ``MeanMetricWrapper``. Ties in argmax go to the first index, as in TF. In top-k, classes
tied with the k-th value all count as in the top k (``tf.math.in_top_k``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras.metrics.metric import as_tensor
from minitf.keras.metrics.metrics_utils import in_top_k, squeeze_or_expand
from minitf.keras.metrics.reduction_metrics import FixedFunctionMean, MeanMetricWrapper
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor


def _float_tensor(x: Any) -> Tensor:
    t = as_tensor(x)
    return t if t.dtype.is_floating else S.cast(t, "float32")


def accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1 where y_true == y_pred exactly."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand(y_true, y_pred)
    return S.cast(E.equal(y_true, y_pred), "float32")


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Tensor:
    """1 where y_true == (y_pred > threshold)."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true)
    y_true, y_pred = squeeze_or_expand(y_true, y_pred)
    predicted = S.cast(E.greater(y_pred, np.float32(threshold)), y_true.dtype)
    return S.cast(E.equal(y_true, predicted), "float32")


def categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1 where argmax(y_true) == argmax(y_pred) (last axis)."""
    y_pred = _float_tensor(y_pred)
    y_true = S.cast(R.argmax(as_tensor(y_true), axis=-1), y_pred.dtype)
    original_shape = tuple(y_true.shape)
    reshape_matches = y_true.ndim == y_pred.ndim
    if reshape_matches:
        y_true = y_true[..., 0] if y_true.shape[-1] == 1 else y_true
    predicted = S.cast(R.argmax(y_pred, axis=-1), y_true.dtype)
    matches = S.cast(E.equal(y_true, predicted), "float32")
    return S.reshape(matches, original_shape) if reshape_matches else matches


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Tensor:
    """1 where y_true == argmax(y_pred); y_true of shape (N,) or (N, 1)."""
    y_pred = _float_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype)
    original_shape = tuple(y_true.shape)
    reshape_matches = y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1
    if reshape_matches:
        y_true = y_true[..., 0]
    predicted = S.cast(R.argmax(y_pred, axis=-1), y_true.dtype)
    if tuple(predicted.shape) != tuple(y_true.shape) and predicted.shape.num_elements() != y_true.shape.num_elements():
        raise ValueError(f"sparse_categorical_accuracy: y_true of shape {original_shape} does not match "
                         f"y_pred of shape {tuple(y_pred.shape)} (expected y_true of shape "
                         f"{tuple(y_pred.shape[:-1])} holding class indices)")
    matches = S.cast(E.equal(y_true, predicted), "float32")
    if reshape_matches:
        matches = S.reshape(matches, original_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches[..., 0]
    return matches


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Tensor:
    """1 where the true class (argmax of one-hot y_true) is among the k largest y_pred."""
    y_pred = _float_tensor(y_pred)
    y_true = R.argmax(as_tensor(y_true), axis=-1)
    original_shape = tuple(y_true.shape)
    if y_pred.ndim > 2:
        y_pred = S.reshape(y_pred, (-1, y_pred.shape[-1]))
    matches = S.cast(in_top_k(S.reshape(y_true, (-1,)), y_pred, k), "float32")
    return S.reshape(matches, original_shape) if y_true.ndim > 1 else matches


def sparse_top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False) -> Tensor:
    """1 where the integer label y_true is among the k largest y_pred (or, with ``from_sorted_ids``,
    among the first k ids of y_pred)."""
    y_pred = as_tensor(y_pred)
    y_true = as_tensor(y_true, y_pred.dtype if from_sorted_ids else "int32")
    original_shape = tuple(y_true.shape)
    if y_pred.ndim > 2:
        y_pred = S.reshape(y_pred, (-1, y_pred.shape[-1]))
    flat = S.reshape(y_true, (-1,))
    if from_sorted_ids:
        matches = R.reduce_any(E.equal(S.expand_dims(flat, 1), y_pred[:, :k]), axis=1)
    else:
        matches = in_top_k(flat, y_pred, k)
    matches = S.cast(matches, "float32")
    return S.reshape(matches, original_shape) if y_true.ndim > 1 else matches


class Accuracy(FixedFunctionMean):
    """How often y_pred equals y_true exactly."""

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often (y_pred > threshold) equals the 0/1 label."""

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(FixedFunctionMean):
    """How often argmax(y_pred) equals argmax of the one-hot label."""

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(FixedFunctionMean):
    """How often argmax(y_pred) equals the integer label."""

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the k highest predictions."""

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the k highest predictions."""

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self) -> dict:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
