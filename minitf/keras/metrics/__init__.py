"""Metrics (``tf.keras.metrics``): numbers that summarise how well a model does, batch after batch.

A Metric accumulates state over ``update_state(y_true, y_pred, sample_weight=None)`` calls and
reports ``result()``; see ``metric.py``. Values equal Keras's for the same sequence of updates.

Looking metrics up -- two functions:

``get(identifier, y_true_shape=None, y_pred_shape=None, loss=None)``
    Keras's ``keras.metrics.get``: a name ("mae", "AUC", "binary_accuracy"), a config dict, a class
    (instantiated), a Metric or a function (returned as is). "accuracy"/"acc" give the plain
    exact-match ``Accuracy`` -- unless shapes (or, failing those, a loss) are given, in which case
    they are resolved as ``resolve`` does.

``resolve(identifier, y_true_shape=None, y_pred_shape=None, loss=None) -> Metric``
    What ``model.compile(metrics=[...])`` uses (Keras's ``compile_utils.get_metric``): always a
    Metric instance, named after the identifier ("acc" stays "acc"; a function by its name; a
    Metric keeps its name), functions wrapped in ``MeanMetricWrapper``. "accuracy"/"acc" pick,
    from the shapes of y_true and y_pred (Keras 3's rule):
        y_pred's last dim is 1                                   -> BinaryAccuracy (y_pred > 0.5)
        y_true has lower rank than y_pred, or y_true's last dim
        is 1 while y_pred's is > 1                               -> SparseCategoricalAccuracy
        otherwise                                                -> CategoricalAccuracy
    Without shapes, ``loss`` decides (binary/sparse/categorical crossentropy, by name, function
    or class); with neither, a ValueError says what is missing.
"""
from __future__ import annotations

import inspect
from typing import Any

from minitf.keras import losses as _losses
# The loss functions are metrics too, under the same names and aliases (keras.metrics.mse is keras.losses.mse).
from minitf.keras.losses import (binary_focal_crossentropy, categorical_focal_crossentropy, categorical_hinge, hinge,
                                 squared_hinge)
from minitf.keras.losses import (KLD, MAE, MAPE, MSE, MSLE, binary_crossentropy, categorical_crossentropy, huber,
                                 kl_divergence, kld, kullback_leibler_divergence, log_cosh, logcosh, mae, mape,
                                 mean_absolute_error, mean_absolute_percentage_error, mean_squared_error,
                                 mean_squared_logarithmic_error, mse, msle, poisson, sparse_categorical_crossentropy)
from minitf.keras.metrics.accuracy_metrics import (Accuracy, BinaryAccuracy, CategoricalAccuracy,
                                                   SparseCategoricalAccuracy, SparseTopKCategoricalAccuracy,
                                                   TopKCategoricalAccuracy, accuracy, binary_accuracy,
                                                   categorical_accuracy, sparse_categorical_accuracy,
                                                   sparse_top_k_categorical_accuracy, top_k_categorical_accuracy)
from minitf.keras.metrics.confusion_metrics import (AUC, FalseNegatives, FalsePositives, Precision,
                                                    PrecisionAtRecall, Recall, RecallAtPrecision,
                                                    SensitivityAtSpecificity, SpecificityAtSensitivity,
                                                    TrueNegatives, TruePositives)
from minitf.keras.metrics.correlation_metrics import (ConcordanceCorrelation, PearsonCorrelation,
                                                      concordance_correlation, pearson_correlation)
from minitf.keras.metrics.f_score_metrics import F1Score, FBetaScore
from minitf.keras.metrics.hinge_metrics import CategoricalHinge, Hinge, SquaredHinge
from minitf.keras.metrics.iou_metrics import IoU, BinaryIoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from minitf.keras.metrics.metric import Metric
from minitf.keras.naming import to_snake_case
from minitf.keras.saving.serialization import (deserialize_loss_or_metric, get_keras_object,
                                              serialize_loss_or_metric)
from minitf.keras.metrics.probabilistic_metrics import (BinaryCrossentropy, CategoricalCrossentropy, KLDivergence,
                                                        Poisson, SparseCategoricalCrossentropy)
from minitf.keras.metrics.reduction_metrics import Mean, MeanMetricWrapper, Sum
from minitf.keras.metrics.regression_metrics import (CosineSimilarity, LogCoshError, MeanAbsoluteError,
                                                     MeanAbsolutePercentageError, MeanSquaredError,
                                                     MeanSquaredLogarithmicError, R2Score, RootMeanSquaredError)

ALL_OBJECTS = (
    Metric, Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score, AUC,
    FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives, KLDivergence, Poisson,
    BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy,
    CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy,
    F1Score, FBetaScore, Hinge, SquaredHinge, CategoricalHinge, PearsonCorrelation, ConcordanceCorrelation,
    SensitivityAtSpecificity, SpecificityAtSensitivity, PrecisionAtRecall, RecallAtPrecision, IoU, BinaryIoU,
    MeanIoU, OneHotIoU, OneHotMeanIoU,
)
ALL_OBJECTS_DICT: dict[str, Any] = {cls.__name__: cls for cls in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in ALL_OBJECTS})
ALL_OBJECTS_DICT.update({
    "bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError, "MSE": MeanSquaredError,
    "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
    "MAPE": MeanAbsolutePercentageError, "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError,
})
# The metric functions, by name (Keras resolves these through its own module namespace).
_FUNCTIONS = {fn.__name__: fn for fn in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, binary_crossentropy, categorical_crossentropy,
    sparse_categorical_crossentropy, kl_divergence, poisson, huber, log_cosh, binary_focal_crossentropy,
    categorical_focal_crossentropy, hinge, squared_hinge, categorical_hinge, pearson_correlation,
    concordance_correlation)}


def serialize(metric: Any) -> Any:
    """{"module", "class_name", "config", "registered_name"} for a Metric; a function by name."""
    return serialize_loss_or_metric(metric, Metric, "keras.metrics", _FUNCTIONS)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """The Metric (or metric function) that ``serialize`` described."""
    table = {**ALL_OBJECTS_DICT, **_FUNCTIONS, **(custom_objects or {})}
    return deserialize_loss_or_metric(config, "metric", table, ALL_OBJECTS_DICT,
                                      from_name=lambda obj: obj() if inspect.isclass(obj) else obj)


def _is_accuracy(identifier: Any) -> bool:
    return isinstance(identifier, str) and identifier.lower() in ("accuracy", "acc")


def _accuracy_for(name: str, y_true_shape, y_pred_shape, loss) -> Metric:
    if y_true_shape is not None and y_pred_shape is not None:
        is_binary, is_sparse = _losses.is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
    elif loss is not None:
        named = getattr(loss, "fn", loss)  # a LossFunctionWrapper: its function
        loss_name = loss if isinstance(loss, str) else getattr(named, "__name__", None) or type(named).__name__
        loss_name = to_snake_case(loss_name) if not isinstance(loss, str) or loss[:1].isupper() else loss
        is_binary = loss_name in ("binary_crossentropy", "bce")
        is_sparse = loss_name == "sparse_categorical_crossentropy"
    else:
        raise ValueError(f"metrics.resolve({name!r}): 'accuracy' needs y_true_shape and y_pred_shape (or the loss) "
                         f"to choose between binary, sparse categorical and categorical accuracy")
    if is_binary:
        return BinaryAccuracy(name=name)
    if is_sparse:
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def get(identifier: Any, y_true_shape=None, y_pred_shape=None, loss: Any = None) -> Any:
    """Keras's ``metrics.get`` (see the module doc); "accuracy" with shapes or a loss -> ``resolve``."""
    if identifier is None:
        return None
    if _is_accuracy(identifier) and (loss is not None or (y_true_shape is not None and y_pred_shape is not None)):
        return resolve(identifier, y_true_shape, y_pred_shape, loss)
    return get_keras_object(identifier, "metric", ALL_OBJECTS_DICT, deserialize)


def resolve(identifier: Any, y_true_shape=None, y_pred_shape=None, loss: Any = None) -> Metric:
    """The named Metric instance ``compile(metrics=[identifier])`` uses (see the module doc)."""
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    if _is_accuracy(identifier):
        metric = _accuracy_for(str(identifier), y_true_shape, y_pred_shape, loss)
    else:
        metric = get(identifier)
    if isinstance(identifier, str):
        name = identifier
    elif hasattr(metric, "name"):
        name = metric.name
    else:
        name = to_snake_case(getattr(metric, "__name__", type(metric).__name__))
    if not isinstance(metric, Metric):
        metric = MeanMetricWrapper(metric)
    metric.name = name
    return metric


__all__ = [
    "ALL_OBJECTS", "ALL_OBJECTS_DICT", "AUC", "Accuracy", "BinaryAccuracy", "BinaryCrossentropy",
    "CategoricalAccuracy", "CategoricalCrossentropy", "CosineSimilarity", "F1Score", "FBetaScore", "FalseNegatives",
    "FalsePositives", "KLD", "KLDivergence", "LogCoshError", "MAE", "MAPE", "MSE", "MSLE", "Mean",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanMetricWrapper", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "Metric", "Poisson", "Precision", "R2Score", "Recall", "RootMeanSquaredError",
    "SparseCategoricalAccuracy", "SparseCategoricalCrossentropy", "SparseTopKCategoricalAccuracy", "Sum",
    "TopKCategoricalAccuracy", "TrueNegatives", "TruePositives", "accuracy", "binary_accuracy",
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_accuracy", "categorical_crossentropy",
    "Hinge", "SquaredHinge", "CategoricalHinge", "PearsonCorrelation", "ConcordanceCorrelation", "hinge",
    "squared_hinge", "categorical_hinge", "pearson_correlation", "concordance_correlation",
    "categorical_focal_crossentropy", "deserialize", "get", "huber",
    "kl_divergence", "kld", "kullback_leibler_divergence", "log_cosh", "logcosh", "mae", "mape",
    "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error", "mean_squared_logarithmic_error",
    "mse", "msle", "poisson", "resolve", "serialize", "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy", "sparse_top_k_categorical_accuracy", "top_k_categorical_accuracy"
]
