"""Losses (``tf.keras.losses``): how wrong the predictions are, as one number to minimise.

Two layers, exactly as in Keras 3 (``keras/src/losses/``):

* **functions** -- ``mean_squared_error(y_true, y_pred)`` ... -- return one loss **per sample**: the
  last axis is averaged (MSE, MAE, Huber, BCE) or summed (CCE) away, so ``y_pred`` of shape
  (N, d) gives a loss of shape (N,).
* **classes** -- ``MeanSquaredError()`` ... -- are callables ``loss(y_true, y_pred, sample_weight=None)``
  that call the function (``Loss.call``) and then *reduce* the per-sample values to a scalar:

      values = call(y_true, y_pred) * sample_weight        (sample_weight broadcast, see below)
      "sum_over_batch_size" (default), "mean":  sum(values) / values.size
      "sum":                                     sum(values)
      "mean_with_sample_weight":                 sum(values) / sum(sample_weight)
      "none" / None:                             values (no reduction)

  Note the default divides by the number of *elements*, not by the sum of the weights: a
  sample weight of 0 still counts in the denominator (Keras 3's ``reduce_values``).

Shapes. ``squeeze_or_expand_to_same_rank`` lines y_true and y_pred up first: y_true (N,) against
y_pred (N, 1) is *expanded* to (N, 1) -- never broadcast to an (N, N) matrix of every pair.
Shapes that still do not broadcast raise a ValueError naming the loss and both shapes.

Crossentropy numerics (``keras/src/backend/tensorflow/nn.py``), with eps = 1e-7 (``EPSILON``):

    BCE from probabilities p:  -[y log(clip(p, eps, 1-eps)) + (1-y) log(1 - clip(p, eps, 1-eps))]
    BCE from logits z:          max(z, 0) - z y + log(1 + e^-|z|)
    CCE from probabilities p:  -sum(y log(clip(p / sum(p), eps, 1-eps)))
    CCE from logits z:         -sum(y log softmax(z))
    SCCE:                       as CCE with y = one_hot(label); from probabilities via log(clip(p))

**The logits shortcut.** When ``y_pred`` came out of a sigmoid/softmax *activation* (Keras marks it
with ``y_pred._keras_logits``), Keras ignores ``from_logits`` and computes the crossentropy from
the pre-activation logits, unclipped: for label 0 and logit z = 22.5 (sigmoid output 1.0 in float32)
the loss is z = 22.5, where the clipped formula would give -log(1.19e-7) = 15.9. In minitf
``register_logits(output, logits)`` records it in the tensor's ``_keras_meta`` slot
(``minitf.keras.activations.sigmoid``/``softmax`` do this for every output they make), and
``logits_of(y_pred)`` reads it back (it also honours a ``_keras_logits`` attribute). Any op applied to the output afterwards (a reshape, a cast) makes a
new tensor without the mark, just as in Keras.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np

from minitf import dtypes
from minitf.keras.backend import get_keras_meta, set_keras_meta
from minitf.keras.naming import auto_name, to_snake_case
from minitf.keras.saving.serialization import (deserialize_loss_or_metric, get_keras_object,
                                              serialize_loss_or_metric)
from minitf.nn import crossentropy as CE
from minitf.nn.activations import softmax, softplus
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.creation import eye
from minitf.ops.linalg import matmul
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any

EPSILON = 1e-7  # keras.backend.epsilon()

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


# --- the logits mark (Keras's ``y_pred._keras_logits``) ----------------------------------------------
def register_logits(output: Tensor, logits: Tensor) -> Tensor:
    """Mark ``output`` (= sigmoid(logits) or softmax(logits)) so crossentropies use ``logits``.

    Returns ``output``, so an activation can end with ``return register_logits(y, x)``.
    """
    return set_keras_meta(output, "logits", logits)


def logits_of(y_pred: Any) -> Tensor | None:
    """The logits ``y_pred`` was computed from by a sigmoid/softmax activation, or None."""
    logits = getattr(y_pred, "_keras_logits", None)
    if logits is not None:
        return logits
    return get_keras_meta(y_pred, "logits")


# --- helpers --------------------------------------------------------------------------------------
def _float_tensor(x: TensorLike, dtype=None) -> Tensor:
    """``x`` as a floating tensor: of ``dtype`` if given, else its own float dtype (ints -> float32).

    A tensor that already has the dtype is returned as is (so its logits mark survives).
    """
    if not isinstance(x, Tensor):
        x = convert_to_tensor(x, dtype_hint=dtype)
    if x.dtype == dtypes.string:  # Keras: a loss or metric of numbers given strings is a ValueError
        raise ValueError(f"Invalid dtype: {x.dtype.name} (a loss computes on numbers: map the strings to numbers "
                         "first, e.g. with a StringLookup layer or tf.strings.to_number)")
    if dtype is None:
        return x if x._value.dtype.kind == "f" else S.cast(x, dtypes.float32)
    target = dtypes.as_dtype(dtype)._np
    return x if x._value.dtype == target else S.cast(x, target)  # (NumPy dtypes compare fast)


def squeeze_or_expand_to_same_rank(x1: Tensor, x2: Tensor, expand_rank_1: bool = True) -> tuple[Tensor, Tensor]:
    """Line up ranks that differ by one through a trailing size-1 axis (Keras's rule, verbatim).

    (N,) with (N, 1): the rank-1 one is expanded to (N, 1) (``expand_rank_1``), else the size-1
    axis is squeezed away. Anything else is returned unchanged.
    """
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = S.expand_dims(x2, -1)
        else:
            x1 = S.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = S.expand_dims(x1, -1)
        else:
            x2 = S.squeeze(x2, -1)
    return x1, x2


def _check_broadcastable(name: str, y_true: Tensor, y_pred: Tensor) -> None:
    try:
        np.broadcast_shapes(tuple(y_true.shape), tuple(y_pred.shape))
    except ValueError:
        raise ValueError(
            f"{name}: y_true of shape {tuple(y_true.shape)} and y_pred of shape {tuple(y_pred.shape)} "
            f"do not match (expected equal shapes, or shapes that broadcast, e.g. (N,) with (N, 1))"
        ) from None


def _prepare(name: str, y_true: TensorLike, y_pred: TensorLike) -> tuple[Tensor, Tensor]:
    """Both as tensors of y_pred's float dtype, ranks lined up, shapes checked."""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcastable(name, y_true, y_pred)
    return y_true, y_pred


def _check_same_shape(name: str, target: Tensor, output: Tensor) -> None:
    if target.ndim != output.ndim or tuple(target.shape) != tuple(output.shape):
        raise ValueError(
            f"{name}: y_true and y_pred must have the same shape; received y_true.shape="
            f"{tuple(target.shape)}, y_pred.shape={tuple(output.shape)}")


def _divide_no_nan(x: Tensor, y) -> Tensor:
    """x / y, and 0 where y == 0 (``tf.math.divide_no_nan``). ``y`` a tensor or a Python number."""
    if not isinstance(y, Tensor):
        if float(y) == 0.0:
            return x * 0.0
        return x / float(y)
    zero = E.equal(y, 0)
    return E.where(zero, 0, x / E.where(zero, 1, y))


def _num_elements(x: Tensor, dtype) -> Any:
    """How many elements ``x`` has: a Python number where its shape is known (always, eagerly), else
    an op of ``dtype`` (a trace with unknown sizes); a count, never a value read from the data."""
    n = x.shape.num_elements()
    return float(n) if n is not None else S.cast(S.size(x), dtype)


# --- reduction --------------------------------------------------------------------------------------
class Reduction:
    """``tf.keras.losses.Reduction`` (TF 2's names for the reductions; Keras 3 takes the strings)."""

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple:
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key) -> None:
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"Invalid value for argument `reduction`. Expected one of {set(REDUCTIONS)}. "
                         f"Received: reduction={reduction!r}")
    return reduction


def apply_mask(sample_weight: Tensor | None, mask: Tensor | None, dtype, reduction) -> Tensor | None:
    """Fold a boolean mask into the sample weights (masked entries weigh 0).

    Under "sum_over_batch_size"/"mean" the kept entries weigh total/valid, so that dividing by
    the element count gives the mean over the *valid* entries.
    """
    if mask is None:
        return sample_weight
    mask = convert_to_tensor(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        # Keras's arithmetic, in ``dtype``: weight = divide_no_nan(total, valid)
        total = _num_elements(mask, dtype)
        valid = R.reduce_sum(S.cast(mask, dtype))  # may be 0
        weight = _divide_no_nan(convert_to_tensor(total, dtype=dtype), valid)
        float_mask = E.where(S.cast(mask, "bool"), weight, 0)
    else:
        float_mask = S.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = _float_tensor(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_values(values: Tensor, sample_weight: Tensor | None = None,
                  reduction: str | None = "sum_over_batch_size") -> Tensor:
    """Sum the (already weighted) values, divided as ``reduction`` says (see the module doc)."""
    if reduction is None or reduction == "none" or tuple(values.shape) in ((), (0,)):
        return values
    loss = R.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = S.cast(R.reduce_sum(sample_weight), loss.dtype)
        else:
            divisor = _num_elements(values, loss.dtype)
        loss = _divide_no_nan(loss, divisor)
    return loss


def reduce_weighted_values(values: TensorLike, sample_weight: TensorLike = None, mask: TensorLike = None,
                           reduction: str | None = "sum_over_batch_size", dtype=None) -> Tensor:
    """``values * sample_weight`` (ranks lined up), then ``reduce_values`` (Keras 3, verbatim)."""
    reduction = standardize_reduction(reduction)
    values = _float_tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _float_tensor(sample_weight, values._value.dtype)
    sample_weight = apply_mask(sample_weight, mask, values._value.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        try:
            np.broadcast_shapes(tuple(values.shape), tuple(sample_weight.shape))
        except ValueError:
            raise ValueError(
                f"sample_weight of shape {tuple(sample_weight.shape)} does not match the per-sample losses "
                f"of shape {tuple(values.shape)} (expected one weight per sample, e.g. shape "
                f"{tuple(values.shape[:1])})") from None
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


# --- per-sample loss functions ------------------------------------------------------------------------
def mean_squared_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean((y_true - y_pred)^2, axis=-1).   Shape (N, d) -> (N,)."""
    y_true, y_pred = _prepare("mean_squared_error", y_true, y_pred)
    return R.reduce_mean(E.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(|y_true - y_pred|, axis=-1)."""
    y_true, y_pred = _prepare("mean_absolute_error", y_true, y_pred)
    return R.reduce_mean(E.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """100 * mean(|(y_true - y_pred) / max(|y_true|, eps)|, axis=-1)."""
    y_true, y_pred = _prepare("mean_absolute_percentage_error", y_true, y_pred)
    diff = E.abs((y_true - y_pred) / E.maximum(E.abs(y_true), EPSILON))
    return 100.0 * R.reduce_mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean((log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1))^2, axis=-1)."""
    y_true, y_pred = _prepare("mean_squared_logarithmic_error", y_true, y_pred)
    first_log = E.log(E.maximum(y_pred, EPSILON) + 1.0)
    second_log = E.log(E.maximum(y_true, EPSILON) + 1.0)
    return R.reduce_mean(E.square(first_log - second_log), axis=-1)


def huber(y_true: TensorLike, y_pred: TensorLike, delta: float = 1.0) -> Tensor:
    """mean over the last axis of 0.5 e^2 where |e| <= delta, else delta |e| - 0.5 delta^2 (e = y_pred - y_true)."""
    y_true, y_pred = _prepare("huber", y_true, y_pred)
    error = y_pred - y_true
    abs_error = E.abs(error)
    delta = float(delta)
    quadratic = 0.5 * E.square(error)
    linear = delta * abs_error - 0.5 * delta * delta
    return R.reduce_mean(E.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(log(cosh(y_pred - y_true)), axis=-1), as x + softplus(-2x) - log 2 (no overflow)."""
    y_true, y_pred = _prepare("log_cosh", y_true, y_pred)
    x = y_pred - y_true
    return R.reduce_mean(x + softplus(x * -2.0) - float(np.log(np.float32(2.0))), axis=-1)


def cosine_similarity(y_true: TensorLike, y_pred: TensorLike, axis: int = -1) -> Tensor:
    """-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis): -1 for parallel vectors."""
    y_true, y_pred = _prepare("cosine_similarity", y_true, y_pred)
    return -R.reduce_sum(_l2_normalize(y_true, axis) * _l2_normalize(y_pred, axis), axis=axis)


def _l2_normalize(x: Tensor, axis: int) -> Tensor:
    # Keras's ops.normalize: x * min(rsqrt(sum x^2), 1/eps)
    inv_norm = E.minimum(E.rsqrt(R.reduce_sum(E.square(x), axis=axis, keepdims=True)), 1.0 / EPSILON)
    return x * inv_norm


def _hinge_labels(y_true: Tensor) -> Tensor:
    """0/1 labels become -1/+1 (when every label is 0 or 1); other labels are used as they are."""
    is_binary = R.reduce_all(E.logical_or(E.equal(y_true, 0), E.equal(y_true, 1)))
    return E.where(is_binary, 2.0 * y_true - 1.0, y_true)


def hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(max(1 - y_true * y_pred, 0), axis=-1), labels in {-1, 1} (0/1 converted)."""
    y_pred = _float_tensor(y_pred)
    y_true = _hinge_labels(_float_tensor(y_true, y_pred._value.dtype))
    return R.reduce_mean(E.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(max(1 - y_true * y_pred, 0)^2, axis=-1)."""
    y_pred = _float_tensor(y_pred)
    y_true = _hinge_labels(_float_tensor(y_true, y_pred._value.dtype))
    return R.reduce_mean(E.square(E.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """max(max((1 - y) * p) - sum(y * p) + 1, 0) per sample."""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    pos = R.reduce_sum(y_true * y_pred, axis=-1)
    neg = R.reduce_max((1.0 - y_true) * y_pred, axis=-1)
    return E.maximum(neg - pos + 1.0, 0.0)


def kl_divergence(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """sum(y log(y / p), axis=-1), both clipped to [eps, 1]."""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    y_true = E.clip_by_value(y_true, EPSILON, 1.0)
    y_pred = E.clip_by_value(y_pred, EPSILON, 1.0)
    return R.reduce_sum(y_true * E.log(y_true / y_pred), axis=-1)


def poisson(y_true: TensorLike, y_pred: TensorLike) -> Tensor:
    """mean(p - y log(p + eps), axis=-1)."""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    return R.reduce_mean(y_pred - y_true * E.log(y_pred + EPSILON), axis=-1)


# --- crossentropy, elementwise (the backend functions) ------------------------------------------------
def _shortcut(output: Tensor, from_logits: bool, activation: str, fn_name: str) -> tuple[Tensor, bool]:
    """(logits, True) when ``output`` is marked as an activation's output; else as given."""
    logits = logits_of(output)
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(f'"`{fn_name}` received `from_logits=True`, but the `output` argument was produced by a '
                      f'{activation} activation and thus does not represent logits. Was this intended?',
                      stacklevel=3)
    return _float_tensor(logits, output._value.dtype), True


def binary_crossentropy_elementwise(target: Tensor, output: Tensor, from_logits: bool = False) -> Tensor:
    """BCE per element (no mean): the logit formula, or the clipped probability formula."""
    _check_same_shape("binary_crossentropy", target, output)
    output, from_logits = _shortcut(output, from_logits, "Sigmoid", "binary_crossentropy")
    if from_logits:
        return CE.sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = E.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    bce = target * E.log(output)
    bce = bce + (1.0 - target) * E.log(1.0 - output)
    return -bce


def categorical_crossentropy_elementwise(target: Tensor, output: Tensor, from_logits: bool = False,
                                         axis: int = -1) -> Tensor:
    """CCE summed over ``axis``: from logits, or from probabilities rescaled to sum 1 and clipped."""
    if target.ndim < 1:
        raise ValueError(f"categorical_crossentropy: y_true and y_pred must be at least rank 1; received "
                         f"y_true.shape={tuple(target.shape)}, y_pred.shape={tuple(output.shape)}")
    _check_same_shape("categorical_crossentropy", target, output)
    output, from_logits = _shortcut(output, from_logits, "Softmax", "categorical_crossentropy")
    if from_logits:
        return CE.softmax_cross_entropy_with_logits(labels=target, logits=output, axis=axis)
    output = output / R.reduce_sum(output, axis=axis, keepdims=True)
    output = E.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    return -R.reduce_sum(target * E.log(output), axis=axis)


def sparse_categorical_crossentropy_elementwise(target: Tensor, output: Tensor, from_logits: bool = False,
                                                axis: int = -1) -> Tensor:
    """-log p[label] for integer labels (float labels are truncated to int, as TF casts)."""
    if axis != -1 and axis != output.ndim - 1:
        raise ValueError(f"sparse_categorical_crossentropy: only axis=-1 is supported. Received: axis={axis}")
    output, from_logits = _shortcut(output, from_logits, "Softmax", "sparse_categorical_crossentropy")
    target = convert_to_tensor(target)
    target = S.cast(target, dtypes.int64)
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = S.squeeze(target, -1)
    if output.ndim < 1:
        raise ValueError(f"sparse_categorical_crossentropy: y_pred must be at least rank 1, "
                         f"received y_pred.shape={tuple(output.shape)}")
    if tuple(target.shape) != tuple(output.shape[:-1]):
        hint = ""
        if tuple(target.shape) == tuple(output.shape):
            hint = (" The labels have y_pred's shape, so they look one-hot encoded: "
                    "SparseCategoricalCrossentropy expects integer class indices; use "
                    "CategoricalCrossentropy for one-hot labels (or pass tf.argmax(y_true, axis=-1)).")
        raise ValueError(
            f"sparse_categorical_crossentropy: y_true must have y_pred's shape without its last axis; "
            f"received y_true.shape={tuple(target.shape)}, y_pred.shape={tuple(output.shape)} "
            f"(expected y_true.shape={tuple(output.shape[:-1])}).{hint}")
    if not from_logits:
        output = E.log(E.clip_by_value(output, EPSILON, 1.0 - EPSILON))
    return CE.sparse_softmax_cross_entropy_with_logits(labels=target, logits=output)


# --- crossentropy, per sample (the Keras loss functions) ------------------------------------------------
def binary_crossentropy(y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False,
                        label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """mean over ``axis`` of the elementwise BCE; labels smoothed to y (1 - ls) + 0.5 ls.

    y_true and y_pred must have the same shape here (the ``BinaryCrossentropy`` class lines up
    (N,) against (N, 1) first).
    """
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return R.reduce_mean(binary_crossentropy_elementwise(y_true, y_pred, from_logits), axis=axis)


def categorical_crossentropy(y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False,
                             label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """-sum(y log p) over ``axis``; labels smoothed to y (1 - ls) + ls / num_classes."""
    if isinstance(axis, bool):
        raise ValueError(f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}")
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider using "
                      "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        num_classes = float(y_true.shape[-1])
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / num_classes
    return categorical_crossentropy_elementwise(y_true, y_pred, from_logits, axis)


def binary_focal_crossentropy(y_true: TensorLike, y_pred: TensorLike, apply_class_balancing: bool = False,
                              alpha: float = 0.25, gamma: float = 2.0, from_logits: bool = False,
                              label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """BCE scaled down where the prediction is already right (Lin et al., 2017), the mean over ``axis`` of

        (1 - p_t)^gamma * BCE,   p_t = y p + (1 - y)(1 - p)       (times y alpha + (1 - y)(1 - alpha)
                                                                    with ``apply_class_balancing``)

    From logits, p = sigmoid(z) and the BCE is taken from z (Keras's sigmoid marks its output)."""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = register_logits(E.sigmoid(y_pred), y_pred)
    bce = binary_crossentropy_elementwise(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = E.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return R.reduce_mean(focal_bce, axis=axis)


def categorical_focal_crossentropy(y_true: TensorLike, y_pred: TensorLike, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1) -> Tensor:
    """CCE with each class's term scaled by alpha (1 - p)^gamma, summed over ``axis`` (p rescaled to sum 1
    and clipped to [eps, 1 - eps], as for ``categorical_crossentropy``)."""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn("In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
                      f"with num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider using "
                      "'binary_crossentropy' if you only have 2 classes.", SyntaxWarning, stacklevel=2)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + label_smoothing / float(y_true.shape[-1])
    if from_logits:
        y_pred = softmax(y_pred, axis=axis)
    output = y_pred / R.reduce_sum(y_pred, axis=axis, keepdims=True)
    output = E.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    cce = -y_true * E.log(output)
    weighting = E.pow(1.0 - output, gamma) * alpha
    return R.reduce_sum(weighting * cce, axis=axis)


def dice(y_true: TensorLike, y_pred: TensorLike, axis=None) -> Tensor:
    """1 - Dice coefficient, the overlap of two masks (segmentation), over ``axis`` (None: all):

        1 - 2 sum(y_true y_pred) / (sum(y_true) + sum(y_pred) + eps)"""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    intersection = R.reduce_sum(y_true * y_pred, axis=axis)
    return 1 - 2.0 * intersection / (R.reduce_sum(y_true, axis=axis) + R.reduce_sum(y_pred, axis=axis) + EPSILON)


def tversky(y_true: TensorLike, y_pred: TensorLike, alpha: float = 0.5, beta: float = 0.5, axis=None) -> Tensor:
    """1 - Tversky index, Dice with false positives weighted by alpha and false negatives by beta
    (alpha = beta = 0.5 is Dice), over ``axis`` (None: all):

        TP = sum(y_true y_pred), FP = sum(y_true (1 - y_pred)), FN = sum((1 - y_true) y_pred)
        1 - TP / (TP + alpha FP + beta FN + eps)          (Keras's names for FP and FN)"""
    y_pred = _float_tensor(y_pred)
    y_true = _float_tensor(y_true, y_pred._value.dtype)
    intersection = R.reduce_sum(y_true * y_pred, axis=axis)
    fp = R.reduce_sum((1 - y_pred) * y_true, axis=axis)
    fn = R.reduce_sum(y_pred * (1 - y_true), axis=axis)
    return 1 - intersection / (intersection + fp * alpha + fn * beta + EPSILON)


def _positive_negative_masks(query_labels: Tensor, key_labels: Tensor, remove_diagonal: bool = True):
    """(same label, other label) for every pair (i, j), without the pairs (i, i) among the positives."""
    query_labels = S.reshape(query_labels, [-1, 1]) if query_labels.ndim == 1 else query_labels
    key_labels = S.reshape(key_labels, [-1, 1]) if key_labels.ndim == 1 else key_labels
    positive = E.equal(query_labels, S.transpose(key_labels))
    negative = E.logical_not(positive)
    if remove_diagonal:
        positive = E.logical_and(positive, E.logical_not(S.cast(eye(positive.shape[0], positive.shape[1]), "bool")))
    return positive, negative


def circle(y_true: TensorLike, y_pred: TensorLike, ref_labels=None, ref_embeddings=None, remove_diagonal: bool = True,
           gamma: float = 80, margin: float = 0.4) -> Tensor:
    """Circle loss (Sun et al., 2020) of L2-normalized embeddings ``y_pred`` with integer labels: with
    d_ij = max(1 - <e_i, e_j>, 0) the cosine distance of each pair,

        positives (same label):  w = max(margin + d, 0),     s = -gamma w (margin - d)
        negatives (other label): w = max(1 + margin - d, 0), s =  gamma w (1 - margin - d)
        loss_i = softplus(logsumexp_j positives s + logsumexp_j negatives s)

    (the pairs against ``ref_embeddings``/``ref_labels`` when given, else within the batch)."""
    y_pred = _float_tensor(y_pred)
    y_true = S.cast(_float_tensor(y_true), "int32")
    ref_embeddings = y_pred if ref_embeddings is None else _float_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else S.cast(_float_tensor(ref_labels), "int32")
    distances = E.maximum(1 - matmul(y_pred, S.transpose(ref_embeddings)), 0.0)
    positive, negative = _positive_negative_masks(y_true, ref_labels, remove_diagonal)
    positive_weights = E.maximum((margin + distances) * S.cast(positive, distances.dtype), 0.0)
    negative_weights = E.maximum((1 + margin - distances) * S.cast(negative, distances.dtype), 0.0)
    positive_terms = -1 * gamma * positive_weights * (margin - distances)
    negative_terms = gamma * negative_weights * ((1 - margin) - distances)
    minus_inf = float("-inf")
    p_loss = R.reduce_logsumexp(E.where(positive, positive_terms, minus_inf), axis=1)
    n_loss = R.reduce_logsumexp(E.where(negative, negative_terms, minus_inf), axis=1)
    return softplus(p_loss + n_loss)


def categorical_generalized_cross_entropy(y_true: TensorLike, y_pred: TensorLike, q: float) -> Tensor:
    """Generalized cross entropy (Zhang and Sabuncu, 2018), robust to noisy integer labels: with p the
    probability of the true class, (1 - p^q) / q (q -> 0: cross entropy; q = 1: mean absolute error)."""
    y_pred = _float_tensor(y_pred)
    labels = S.cast(_float_tensor(y_true), "int64")
    p = R.reduce_sum(y_pred * S.cast(S.one_hot(labels, int(y_pred.shape[-1])), y_pred.dtype), axis=-1)
    return (1 - E.pow(p, q)) / q


def sparse_categorical_crossentropy(y_true: TensorLike, y_pred: TensorLike, from_logits: bool = False,
                                    ignore_class: int | None = None, axis: int = -1) -> Tensor:
    """-log p[y_true] per sample: y_true (N,) or (N, 1) integer labels, y_pred (N, C).

    ``ignore_class``: samples with that label get loss 0 (and are left out of the mean by
    the ``SparseCategoricalCrossentropy`` class).
    """
    y_pred = _float_tensor(y_pred)
    y_true = convert_to_tensor(y_true)
    if y_true.ndim == y_pred.ndim and y_true.ndim and y_true.shape[axis] == 1:
        y_true = S.squeeze(y_true, axis)
    valid = None
    if ignore_class is not None:
        valid = E.not_equal(y_true, ignore_class)
        y_true = E.where(valid, y_true, 0)
        y_pred = E.where(S.expand_dims(valid, axis), y_pred, 0.0)
    result = sparse_categorical_crossentropy_elementwise(y_true, y_pred, from_logits, axis)
    if valid is not None:
        result = E.where(S.reshape(valid, tuple(result.shape)), result, 0.0)
    return result


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh
bce = BCE = binary_crossentropy


# --- the Loss classes ----------------------------------------------------------------------------------
class Loss:
    """Base class: ``loss(y_true, y_pred, sample_weight=None)`` = reduce(call(y_true, y_pred) * weight).

    Subclasses implement ``call(y_true, y_pred)`` returning per-sample losses. Both inputs are
    first converted to ``dtype`` (float32 unless given), as Keras does.
    """

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype=None):
        self.name = name or auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtypes.as_dtype(dtype or "float32")

    @property
    def dtype(self) -> str:
        return self._dtype.name

    def __call__(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike = None) -> Tensor:
        y_pred = _float_tensor(y_pred, self._dtype)
        y_true = _float_tensor(y_true, self._dtype)
        losses = self.call(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=self._mask(y_true),
                                      reduction=self.reduction, dtype=self._dtype)

    def _mask(self, y_true: Tensor) -> Tensor | None:
        return None

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name} reduction={self.reduction}>"


class LossFunctionWrapper(Loss):
    """A Loss made of a per-sample function: ``call`` lines up the ranks, then calls ``fn``."""

    def __init__(self, fn: Callable, reduction: str | None = "sum_over_batch_size", name: str | None = None,
                 dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Tensor, y_pred: Tensor) -> Tensor:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict:
        config = super().get_config()
        config["fn"] = serialize(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}({getattr(self.fn, '__name__', self.fn)}, kwargs={self._fn_kwargs})>"


class _BuiltinLoss(LossFunctionWrapper):
    """A Keras built-in: its config is the Loss config plus its own arguments (``_config_keys``)."""

    _config_keys: tuple = ()

    def get_config(self) -> dict:
        config = Loss.get_config(self)
        config.update({k: getattr(self, k) for k in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config: dict) -> "Loss":
        return cls(**config)


class MeanSquaredError(_BuiltinLoss):
    """mean((y_true - y_pred)^2) -- the regression default."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(_BuiltinLoss):
    """mean(|y_true - y_pred|)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(_BuiltinLoss):
    """100 * mean(|(y_true - y_pred) / y_true|)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)


class MeanSquaredLogarithmicError(_BuiltinLoss):
    """mean((log(y_pred + 1) - log(y_true + 1))^2)."""

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)


class Huber(_BuiltinLoss):
    """Quadratic for |error| <= delta, linear beyond (less sensitive to outliers than MSE)."""

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)

    def get_config(self) -> dict:
        # Keras 3.15's config drops delta (a saved Huber(0.3) comes back as Huber(1.0)); minitf keeps it,
        # and Keras's from_config takes it, so minitf's files load right in Keras too.
        return {**super().get_config(), "delta": self._fn_kwargs["delta"]}


class LogCosh(_BuiltinLoss):
    """mean(log(cosh(y_pred - y_true)))."""

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class CosineSimilarity(_BuiltinLoss):
    """-cos(angle between y_true and y_pred) along ``axis``."""

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)

    def get_config(self) -> dict:
        # As Huber's delta: Keras 3.15's config drops axis; minitf keeps it (Keras's from_config takes it).
        return {**super().get_config(), "axis": self._fn_kwargs["axis"]}


class Hinge(_BuiltinLoss):
    """mean(max(1 - y_true * y_pred, 0)) with labels -1/+1 (0/1 converted)."""

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(_BuiltinLoss):
    """mean(max(1 - y_true * y_pred, 0)^2)."""

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(_BuiltinLoss):
    """max(max((1 - y) p) - sum(y p) + 1, 0)."""

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(_BuiltinLoss):
    """sum(y log(y / p))."""

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(_BuiltinLoss):
    """mean(p - y log p)."""

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class BinaryCrossentropy(_BuiltinLoss):
    """Crossentropy for 0/1 labels (one sigmoid output per label). See the module doc for the formulas."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy for one-hot (or probability) labels of shape (N, num_classes)."""

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryFocalCrossentropy(_BuiltinLoss):
    """Binary crossentropy that down-weights easy examples: ``binary_focal_crossentropy``."""

    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma


class CategoricalFocalCrossentropy(_BuiltinLoss):
    """Categorical crossentropy that down-weights easy examples: ``categorical_focal_crossentropy``."""

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(categorical_focal_crossentropy, name=name, reduction=reduction, dtype=dtype, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma


class Dice(_BuiltinLoss):
    """1 - Dice coefficient of masks: ``dice`` (over ``axis``, None: all of it)."""

    _config_keys = ("axis",)

    def __init__(self, reduction="sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(_BuiltinLoss):
    """1 - Tversky index of masks: ``tversky``."""

    _config_keys = ("alpha", "beta", "axis")

    def __init__(self, alpha=0.5, beta=0.5, reduction="sum_over_batch_size", name="tversky", axis=None, dtype=None):
        super().__init__(tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis


class Circle(_BuiltinLoss):
    """Circle loss of L2-normalized embeddings with integer labels: ``circle``. As in Keras, the
    samples whose loss is 0 (no positive or negative pair left) leave the mean."""

    _config_keys = ("gamma", "margin", "remove_diagonal")

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True, reduction="sum_over_batch_size", name="circle",
                 dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
        self.gamma, self.margin, self.remove_diagonal = gamma, margin, remove_diagonal

    def __call__(self, y_true: TensorLike, y_pred: TensorLike, sample_weight: TensorLike = None) -> Tensor:
        losses = self.call(_float_tensor(y_true, self._dtype), _float_tensor(y_pred, self._dtype))
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=losses > 0, reduction=self.reduction,
                                      dtype=self._dtype)


class CategoricalGeneralizedCrossEntropy(_BuiltinLoss):
    """Generalized cross entropy for integer labels: ``categorical_generalized_cross_entropy``."""

    _config_keys = ("q",)

    def __init__(self, q=0.5, reduction="sum_over_batch_size", name="categorical_generalized_cross_entropy",
                 dtype=None):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(categorical_generalized_cross_entropy, name=name, reduction=reduction, dtype=dtype, q=q)
        self.q = q


class SparseCategoricalCrossentropy(_BuiltinLoss):
    """Crossentropy for integer class labels, shape (N,) or (N, 1), against y_pred (N, num_classes)."""

    # axis too: Keras 3.15's config drops it (a saved axis=1 loss comes back as axis=-1); its from_config takes it.
    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis

    def _mask(self, y_true: Tensor) -> Tensor | None:
        # Keras attaches this mask to the per-sample losses: ignored samples leave the mean.
        if self.ignore_class is None:
            return None
        labels = y_true
        if labels.ndim and labels.shape[-1] == 1:
            labels = S.squeeze(labels, -1)
        return E.not_equal(labels, self.ignore_class)


# --- look-up and (de)serialization -------------------------------------------------------------------------
ALL_OBJECTS = (
    Loss, LossFunctionWrapper, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError, Huber, LogCosh, CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge,
    KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy,
    BinaryFocalCrossentropy, CategoricalFocalCrossentropy, binary_focal_crossentropy, categorical_focal_crossentropy,
    Dice, Tversky, Circle, CategoricalGeneralizedCrossEntropy, dice, tversky, circle,
    categorical_generalized_cross_entropy,
    mean_squared_error, mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error,
    huber, log_cosh, cosine_similarity, hinge, squared_hinge, categorical_hinge, kl_divergence, poisson,
    binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
)
ALL_OBJECTS_DICT: dict[str, Any] = {obj.__name__: obj for obj in ALL_OBJECTS}
ALL_OBJECTS_DICT.update({
    "bce": binary_crossentropy, "BCE": binary_crossentropy, "kld": kl_divergence, "KLD": kl_divergence,
    "mae": mean_absolute_error, "MAE": mean_absolute_error, "mse": mean_squared_error, "MSE": mean_squared_error,
    "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
    "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
})


def serialize(loss: Any) -> Any:
    """A JSON-able description, in Keras's format ({"module", "class_name", "config", ...})."""
    if loss is None:
        return None
    return serialize_loss_or_metric(loss, Loss, "keras.losses", ALL_OBJECTS_DICT)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """The loss (function or Loss instance) that ``serialize`` described."""
    return deserialize_loss_or_metric(config, "loss", {**ALL_OBJECTS_DICT, **(custom_objects or {})},
                                      ALL_OBJECTS_DICT)


def get(identifier: Any) -> Any:
    """A loss from a name ("mse", "binary_crossentropy", "BinaryCrossentropy"), class, instance,
    function or config dict. Names of functions give the function; class names an instance.
    """
    return get_keras_object(identifier, "loss", ALL_OBJECTS_DICT, deserialize)


def resolve(identifier: Any, y_true_shape=None, y_pred_shape=None) -> Loss | None:
    """The Loss object ``model.compile(loss=identifier)`` uses (Keras's ``compile_utils.get_loss``).

    "crossentropy"/"ce" pick binary, sparse or categorical crossentropy from the shapes (as
    ``metrics.resolve`` does for "accuracy"); a function is wrapped in ``LossFunctionWrapper``
    named after the identifier.
    """
    if identifier is None:
        return None
    if isinstance(identifier, str) and identifier.lower() in ("crossentropy", "ce"):
        if y_true_shape is None or y_pred_shape is None:
            raise ValueError(f"losses.resolve: {identifier!r} needs y_true_shape and y_pred_shape to choose "
                             f"between binary, sparse and categorical crossentropy")
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true_shape, y_pred_shape)
        obj = (binary_crossentropy if is_binary else
               sparse_categorical_crossentropy if is_sparse else categorical_crossentropy)
    else:
        obj = get(identifier)
    if not isinstance(obj, Loss):
        name = identifier if isinstance(identifier, str) else getattr(obj, "name", None) or \
            to_snake_case(getattr(obj, "__name__", type(obj).__name__))
        obj = LossFunctionWrapper(obj, name=name)
    return obj


def is_binary_or_sparse_categorical(y_true_shape, y_pred_shape) -> tuple[bool, bool]:
    """(y_pred has one output, labels are class indices) -- Keras's rule for "accuracy"/"crossentropy"."""
    y_true_shape, y_pred_shape = tuple(y_true_shape), tuple(y_pred_shape)
    t_rank, p_rank = len(y_true_shape), len(y_pred_shape)
    t_last = y_true_shape[-1] if t_rank else None
    p_last = y_pred_shape[-1] if p_rank else None
    is_binary = p_last == 1
    is_sparse = t_rank < p_rank or (t_last == 1 and p_last is not None and p_last > 1)
    return is_binary, is_sparse
