"""BatchNormalization and LayerNormalization.

Both compute, for a mean m and a (biased) variance v taken over some axes,

    y = gamma * (x - m) / sqrt(v + epsilon) + beta

written as TensorFlow writes it (``tf.nn.batch_normalization`` and Keras's layer norm), so
that float32 results match to the last bits:

    inv = rsqrt(v + epsilon) * gamma;     y = x * inv + (beta - m * inv)

The moments are ``tf.nn.moments``: m = mean(x), v = mean((x - stop_gradient(m))^2). (Stopping
the gradient through m inside v changes nothing mathematically: d v / d m = -2 mean(x - m) = 0.)

BatchNormalization (axis = the feature axis, -1 by default) takes m and v over every *other*
axis (the batch, and height/width for images): one (m, v) per feature.

* training (``fit``, or ``layer(x, training=True)``) uses the batch's m and v, and updates the
  non-trainable moving statistics:   moving = moving * momentum + batch_stat * (1 - momentum);
* inference (``predict``, ``evaluate``, ``training=False`` or no flag) uses the moving ones;
* ``layer.trainable = False`` freezes the layer *and* runs it in inference mode even when
  training=True (Keras 3's rule, for fine-tuning).

Weights (``get_weights()`` order): ``[gamma, beta, moving_mean, moving_variance]`` (gamma and
beta only if ``scale`` / ``center``). Defaults: momentum 0.99, epsilon 1e-3.

LayerNormalization takes m and v over the feature axis (or axes) of each example separately:
no batch statistics, no moving state, the same in training and inference. Weights
``[gamma, beta]`` of the normalized axes' shape; epsilon 1e-3.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from minitf.keras import constraints, initializers, regularizers
from minitf.keras.layers.input_spec import InputSpec
from minitf.keras.layers.layer import Layer
from minitf.keras.saving.serialization import serialize_keras_object
from minitf.nn import normalization as nn_normalization
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S


__all__ = ["BatchNormalization", "LayerNormalization"]


def moments(x, axes: tuple) -> tuple:
    """Mean and biased variance over ``axes``, kept as size-1 axes (``tf.nn.moments`` keepdims=True)."""
    return nn_normalization.moments(x, axes, keepdims=True)


def _normalize(x, mean, variance, gamma, beta, epsilon: float):
    """x * inv + (beta - mean * inv), inv = rsqrt(variance + epsilon) * gamma (``tf.nn.batch_normalization``)."""
    return nn_normalization.batch_normalization(x, mean, variance, beta, gamma, epsilon)


def _axis_in_range(layer: Layer, axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise ValueError(f"{type(layer).__name__} layer '{layer.name}': axis {axis} is out of bounds for an input "
                         f"of rank {rank}; expected an axis in [{-rank}, {rank}).")
    return axis % rank


def _add_gamma_and_beta(layer: Layer, shape: tuple) -> None:
    """The learned scale ``gamma`` (if ``layer.scale``) and offset ``beta`` (if ``layer.center``), kept in
    the variable dtype under mixed precision (autocast=False, as Keras)."""
    if layer.scale:
        layer.gamma = layer.add_weight(name="gamma", shape=shape, initializer=layer.gamma_initializer,
                                       regularizer=layer.gamma_regularizer, constraint=layer.gamma_constraint,
                                       autocast=False)
    if layer.center:
        layer.beta = layer.add_weight(name="beta", shape=shape, initializer=layer.beta_initializer,
                                      regularizer=layer.beta_regularizer, constraint=layer.beta_constraint,
                                      autocast=False)


def _upcast(inputs):
    """Inputs in at least float32 (Keras: result_type(x, float32)): in float16 the statistics overflow, so
    under mixed precision normalization computes in float32 with its float32 weights (autocast=False)."""
    if inputs._value.dtype.kind != "f" or inputs._value.dtype.itemsize < 4:
        return S.cast(inputs, "float32")
    return inputs


def _to_compute_dtype(layer, out):
    """The output in the layer's compute dtype (float16 under mixed_float16), as Keras casts it."""
    return out if out._value.dtype == layer._np_dtype or layer._np_dtype.kind != "f" else S.cast(out, layer._np_dtype)


class BatchNormalization(Layer):
    """Normalize each feature with the batch's statistics (training) or moving ones (inference)."""

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, beta_constraint: Any = None,
                 gamma_constraint: Any = None, synchronized: bool = False, **kwargs):
        for unsupported in ("renorm", "renorm_clipping", "renorm_momentum"):
            value = kwargs.pop(unsupported, None)
            if value not in (None, False, 0.99):
                raise NotImplementedError(f"BatchNormalization: minitf does not implement {unsupported}={value!r}")
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"BatchNormalization: `axis` must be an int, got axis={axis!r}")
        if not 0.0 <= float(momentum) <= 1.0:
            raise ValueError(f"BatchNormalization: `momentum` must be in [0, 1], got momentum={momentum!r}")
        if not float(epsilon) > 0:
            raise ValueError(f"BatchNormalization: `epsilon` must be positive, got epsilon={epsilon!r}")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)  # one device: nothing to synchronize
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None
        self._reduction_axes: tuple = ()
        self._broadcast_shape: tuple | None = None

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        axis = _axis_in_range(self, self.axis, len(input_shape))
        features = input_shape[axis]
        if features is None:
            raise ValueError(f"BatchNormalization layer '{self.name}': axis {self.axis} of the input must have a "
                             f"known size; received input_shape={input_shape}")
        shape = (features,)
        _add_gamma_and_beta(self, shape)
        self.moving_mean = self.add_weight(name="moving_mean", shape=shape, initializer=self.moving_mean_initializer,
                                           trainable=False, autocast=False)
        self.moving_variance = self.add_weight(name="moving_variance", shape=shape,
                                               initializer=self.moving_variance_initializer, trainable=False,
                                               autocast=False)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: features})
        self._reduction_axes = tuple(i for i in range(len(input_shape)) if i != axis)
        # Per-feature vectors broadcast against x as-is when the axis is the last one; else reshape.
        self._broadcast_shape = None if axis == len(input_shape) - 1 else \
            tuple(features if i == axis else 1 for i in range(len(input_shape)))

    def _shaped(self, v):
        return v if v is None or self._broadcast_shape is None else S.reshape(v, self._broadcast_shape)

    def call(self, inputs, training=None, mask=None):
        x = _upcast(inputs)
        if training and self.trainable:
            if mask is not None:
                mean, variance = self._masked_moments(x, mask)
            else:
                mean, variance = moments(x, self._reduction_axes)
            self._update_moving_statistics(mean, variance)
        else:
            mean = self._shaped(self.moving_mean.value())
            variance = self._shaped(self.moving_variance.value())
        out = _normalize(x, mean, variance, self._shaped(self.gamma), self._shaped(self.beta), self.epsilon)
        return _to_compute_dtype(self, out)

    def _masked_moments(self, x, mask):
        """Moments over the unmasked positions only (mask: the input's shape without the feature axis)."""
        if mask.ndim != x.ndim - 1:
            raise ValueError(f"BatchNormalization layer '{self.name}': the mask should have one dimension less than "
                             f"the inputs. Received: mask.shape={tuple(mask.shape)}, inputs.shape={tuple(x.shape)}")
        from minitf.keras import backend
        weight = S.broadcast_to(S.expand_dims(S.cast(mask, x.dtype), -1), tuple(x.shape))
        eps = np.asarray(backend.epsilon(), dtype=x._value.dtype)
        count = R.reduce_sum(weight, axis=self._reduction_axes, keepdims=True) + eps
        mean = R.reduce_sum(x * weight, axis=self._reduction_axes, keepdims=True) / count
        variance = R.reduce_sum(E.square((x - mean) * weight), axis=self._reduction_axes, keepdims=True) / count
        return mean, variance

    def _update_moving_statistics(self, mean, variance) -> None:
        """moving = moving * momentum + batch * (1 - momentum) (no tape records it)."""
        momentum, rest = self.momentum, 1.0 - self.momentum  # as float32 scalars, as TF
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, variance)):
            batch = S.reshape(S.stop_gradient(batch), tuple(moving.shape))
            moving.assign(moving * momentum + batch * rest)

    def compute_output_shape(self, input_shape) -> tuple:
        _axis_in_range(self, self.axis, len(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": False, "renorm_clipping": None, "renorm_momentum": 0.99,  # Keras's keys (not implemented)
        })
        return config


class LayerNormalization(Layer):
    """Normalize each example over its feature axis (or axes); no batch statistics."""

    def __init__(self, axis: Any = -1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer: Any = "zeros", gamma_initializer: Any = "ones", beta_regularizer: Any = None,
                 gamma_regularizer: Any = None, beta_constraint: Any = None, gamma_constraint: Any = None, **kwargs):
        if kwargs.pop("rms_scaling", False):
            raise NotImplementedError("LayerNormalization: rms_scaling=True (deprecated in Keras) is not "
                                      "implemented in minitf")
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            if not axis or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axis):
                raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: "
                                f"{axis!r}")
            self.axis = [int(a) for a in axis]
        elif isinstance(axis, (int, np.integer)) and not isinstance(axis, bool):
            self.axis = int(axis)
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")
        if not float(epsilon) > 0:
            raise ValueError(f"LayerNormalization: `epsilon` must be positive, got epsilon={epsilon!r}")
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None
        self._axes: tuple = ()
        self._broadcast_shape: tuple | None = None

    def build(self, input_shape) -> None:
        input_shape = tuple(input_shape)
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        self._axes = tuple(sorted(_axis_in_range(self, a, rank) for a in axes))
        shape = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in shape):
            raise ValueError(f"LayerNormalization layer '{self.name}': the normalized axes {self.axis} must have "
                             f"known sizes; received input_shape={input_shape}")
        _add_gamma_and_beta(self, shape)
        self._broadcast_shape = None if self._axes == (rank - 1,) else \
            tuple(input_shape[i] if i in self._axes else 1 for i in range(rank))

    def _shaped(self, v):
        return v if v is None or self._broadcast_shape is None else S.reshape(v, self._broadcast_shape)

    def call(self, inputs):
        x = _upcast(inputs)
        mean, variance = moments(x, self._axes)
        out = _normalize(x, mean, variance, self._shaped(self.gamma), self._shaped(self.beta), self.epsilon)
        return _to_compute_dtype(self, out)

    def compute_output_shape(self, input_shape) -> tuple:
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        for a in axes:
            _axis_in_range(self, a, len(input_shape))
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "axis": [self.axis] if isinstance(self.axis, int) else list(self.axis),  # a list, as Keras writes it
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": serialize_keras_object(self.beta_regularizer),
            "gamma_regularizer": serialize_keras_object(self.gamma_regularizer),
            "beta_constraint": serialize_keras_object(self.beta_constraint),
            "gamma_constraint": serialize_keras_object(self.gamma_constraint),
            "rms_scaling": False,
        })
        return config
