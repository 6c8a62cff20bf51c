"""Activation functions (``tf.keras.activations``): the nonlinearity a layer applies to its output.

Each is a function of a tensor, built from ``minitf.nn`` ops (whose gradients sit beside them),
so any of them can be differentiated. ``get("relu")`` turns a name into the function; a layer
stores ``activations.get(activation)`` and serializes it back with ``serialize``.

``sigmoid`` and ``softmax`` mark their output with the logits they came from
(``minitf.keras.losses.register_logits``), as Keras does with ``output._keras_logits``: a
crossentropy loss then computes from the logits, unclipped (see ``minitf/keras/losses.py``).
"""
from __future__ import annotations

from typing import Any, Callable

from minitf import nn
from minitf._tf_compat import keras_sparsemax_tau
from minitf.keras.losses import register_logits
from minitf.keras.saving.serialization import get_keras_object
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.creation import range as range_, zeros_like
from minitf.tensor import Tensor, convert_to_tensor

TensorLike = Any


def linear(x: TensorLike) -> TensorLike:
    """The identity: f(x) = x (what ``activation=None`` means)."""
    return x


def relu(x: TensorLike, negative_slope: float = 0.0, max_value: float | None = None,
         threshold: float = 0.0) -> Tensor:
    """max(x, 0), generalised as in Keras:

        f(x) = max_value                          for x >= max_value
             = x                                  for threshold < x < max_value
             = negative_slope * (x - threshold)   otherwise
    """
    x = E.float_operand("relu", x)
    if negative_slope != 0.0:
        if max_value is None and threshold == 0:
            return nn.leaky_relu(x, alpha=negative_slope)
        negative_part = nn.relu(-x + threshold) if threshold != 0 else nn.relu(-x)
    clip_max = max_value is not None
    if threshold != 0:
        y = E.where(x > threshold, x, 0.0)
    elif max_value == 6:
        y = nn.relu6(x)
        clip_max = False
    else:
        y = nn.relu(x)
    if clip_max:
        y = E.clip_by_value(y, 0.0, float(max_value))
    if negative_slope != 0.0:
        y = y - negative_slope * negative_part
    return y


def leaky_relu(x: TensorLike, negative_slope: float = 0.2) -> Tensor:
    """x if x > 0 else negative_slope * x."""
    return nn.leaky_relu(x, alpha=negative_slope)


def relu6(x: TensorLike) -> Tensor:
    """min(max(x, 0), 6)."""
    return nn.relu6(x)


def sigmoid(x: TensorLike) -> Tensor:
    """1 / (1 + e^-x), in (0, 1); the output remembers x as its logits."""
    x = E.float_operand("sigmoid", x)
    return register_logits(E.sigmoid(x), x)


def softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """e^x / sum(e^x) along ``axis``; the output remembers x as its logits."""
    x = E.float_operand("softmax", x)
    if axis is None:  # Keras: over every element
        y = S.reshape(nn.softmax(S.reshape(x, (-1,))), tuple(x.shape))
    else:
        y = nn.softmax(x, axis=axis)
    return register_logits(y, x)


def log_softmax(x: TensorLike, axis: int = -1) -> Tensor:
    """x - logsumexp(x) along ``axis``."""
    return nn.log_softmax(x, axis=axis)


def tanh(x: TensorLike) -> Tensor:
    """(e^x - e^-x) / (e^x + e^-x), in (-1, 1)."""
    return E.tanh(x)


def elu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """x if x > 0 else alpha (e^x - 1)."""
    x = E.float_operand("elu", x)
    y = nn.elu(x)
    return y if alpha == 1 else E.where(x > 0, y, alpha * y)


def selu(x: TensorLike) -> Tensor:
    """scale * elu(x, alpha), scale = 1.0507..., alpha = 1.6733... (self-normalising)."""
    return nn.selu(x)


def gelu(x: TensorLike, approximate: bool = False) -> Tensor:
    """x * Phi(x), Phi the standard normal CDF (or its tanh approximation)."""
    return nn.gelu(x, approximate=approximate)


def softplus(x: TensorLike) -> Tensor:
    """log(1 + e^x)."""
    return nn.softplus(x)


def softsign(x: TensorLike) -> Tensor:
    """x / (1 + |x|)."""
    return nn.softsign(x)


def silu(x: TensorLike) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return nn.silu(x)


swish = silu


def hard_sigmoid(x: TensorLike) -> Tensor:
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, linear between (Keras 3's definition)."""
    x = E.float_operand("hard_sigmoid", x)
    return nn.relu6(x + 3.0) / 6.0


def hard_silu(x: TensorLike) -> Tensor:
    """x * hard_sigmoid(x)."""
    x = E.float_operand("hard_silu", x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


def exponential(x: TensorLike) -> Tensor:
    """e^x."""
    return E.exp(x)


def mish(x: TensorLike) -> Tensor:
    """x * tanh(softplus(x))."""
    x = E.float_operand("mish", x)
    return x * E.tanh(nn.softplus(x))


def log_sigmoid(x: TensorLike) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x)."""
    x = E.float_operand("log_sigmoid", x)
    return -nn.softplus(-x)


def celu(x: TensorLike, alpha: float = 1.0) -> Tensor:
    """max(x, 0) + min(alpha (e^(x/alpha) - 1), 0)."""
    x = E.float_operand("celu", x)
    return nn.relu(x) + E.minimum(alpha * E.expm1(x / alpha), 0.0)


def hard_tanh(x: TensorLike) -> Tensor:
    """tanh's piecewise-linear stand-in: x clipped to [-1, 1]."""
    return E.clip_by_value(E.float_operand("hard_tanh", x), -1.0, 1.0)


def hard_shrink(x: TensorLike, threshold: float = 0.5) -> Tensor:
    """x where |x| > threshold, else 0."""
    x = E.float_operand("hard_shrink", x)
    return E.where(E.abs(x) > threshold, x, zeros_like(x))


def soft_shrink(x: TensorLike, threshold: float = 0.5) -> Tensor:
    """x moved toward 0 by ``threshold``, and 0 within it: x - t (x > t), x + t (x < -t), else 0."""
    x = E.float_operand("soft_shrink", x)
    return E.where(x > threshold, x - threshold, E.where(x < -threshold, x + threshold, zeros_like(x)))


def tanh_shrink(x: TensorLike) -> Tensor:
    """x - tanh(x)."""
    x = E.float_operand("tanh_shrink", x)
    return x - E.tanh(x)


def threshold(x: TensorLike, threshold: float, default_value: float) -> Tensor:  # noqa: F811 (Keras's argument)
    """x where x > threshold, else ``default_value``."""
    x = E.float_operand("threshold", x)
    return E.where(x > threshold, x, default_value)


def squareplus(x: TensorLike, b: float = 4) -> Tensor:
    """(x + sqrt(x^2 + b)) / 2: a smooth ReLU made of a square root."""
    x = E.float_operand("squareplus", x)
    return (x + E.sqrt(E.square(x) + convert_to_tensor(b, dtype=x.dtype))) / 2


def sparse_plus(x: TensorLike) -> Tensor:
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x from 1 on: a softplus with a compact curve."""
    x = E.float_operand("sparse_plus", x)
    return E.where(x <= -1, zeros_like(x), E.where(x < 1, (1 / 4) * E.pow(x + 1, 2), x))


def sparse_sigmoid(x: TensorLike) -> Tensor:
    """0 for x <= -1, (x + 1) / 2 between, 1 from 1 on."""
    x = E.float_operand("sparse_sigmoid", x)
    return E.where(x <= -1, convert_to_tensor(0.0, dtype=x.dtype),
                   E.where(x >= 1, convert_to_tensor(1.0, dtype=x.dtype), 0.5 * (x + 1)))


def glu(x: TensorLike, axis: int = -1) -> Tensor:
    """The gated linear unit: x split in halves a, b along ``axis``, a * sigmoid(b)."""
    x = E.float_operand("glu", x)
    if x.shape[axis] % 2:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={tuple(x.shape)} with axis={axis}")
    first, second = S.split(x, 2, axis=axis)
    return first * E.sigmoid(second)


def sparsemax(x: TensorLike, axis: int = -1) -> Tensor:
    """max(x - tau, 0), with tau from the sorted values (Martins & Astudillo, 2016): small entries become
    exactly 0. tau is Keras 3.15's, which differs from the paper's (``_tf_compat.keras_sparsemax_tau``)."""
    logits = E.float_operand("sparsemax", x)
    ordered = S.sort(logits, direction="DESCENDING", axis=axis)
    running = R.cumsum(ordered, axis=axis)
    shape = [1] * logits.ndim
    shape[axis] = -1
    rank = S.reshape(S.cast(range_(1, logits.shape[axis] + 1), logits.dtype), shape)
    support = ordered - (running - 1) / rank > 0
    return E.maximum(logits - keras_sparsemax_tau(running, support, axis), 0.0)


# --- look-up and (de)serialization --------------------------------------------------------------
ALL_OBJECTS = (linear, relu, leaky_relu, relu6, sigmoid, softmax, log_softmax, tanh, elu, selu, gelu,
               softplus, softsign, silu, hard_sigmoid, hard_silu, exponential, mish, log_sigmoid, celu, hard_tanh,
               hard_shrink, soft_shrink, tanh_shrink, threshold, squareplus, sparse_plus, sparse_sigmoid, glu,
               sparsemax)
ALL_OBJECTS_DICT: dict[str, Callable] = {fn.__name__: fn for fn in ALL_OBJECTS}
ALL_OBJECTS_DICT["swish"] = silu
ALL_OBJECTS_DICT["hard_swish"] = hard_silu


def get(identifier: Any) -> Callable:
    """The activation function for a name ("relu"), a config, or a callable; None means ``linear``."""
    if identifier is None:
        return linear
    return get_keras_object(identifier, "activation function", ALL_OBJECTS_DICT, deserialize,
                            instantiate_classes=False)


def serialize(activation: Callable) -> Any:
    """A built-in activation serializes to its name ("relu"), as in Keras; another function to a
    {"class_name": "function", "config": name} dict (loading it then needs ``custom_objects``)."""
    name = getattr(activation, "__name__", None)
    if name in ALL_OBJECTS_DICT and ALL_OBJECTS_DICT[name] is activation:
        return name
    if hasattr(activation, "get_config"):  # an activation object (e.g. a layer used as one)
        return {"module": type(activation).__module__, "class_name": type(activation).__name__,
                "config": activation.get_config(), "registered_name": None}
    if callable(activation) and name is not None:
        # A custom function: described by name (as Keras does); loading it needs custom_objects.
        return {"module": getattr(activation, "__module__", None), "class_name": "function", "config": name,
                "registered_name": "function"}
    raise ValueError(f"activations.serialize: cannot serialize {activation!r}")


def deserialize(config: Any, custom_objects: dict | None = None) -> Callable:
    """The function a name or a {"class_name": "function", "config": name} dict describes."""
    from minitf.keras.saving import object_registration
    # as Keras: custom_objects, then the custom_object_scope()s and registered objects, then the built-ins
    table = {**ALL_OBJECTS_DICT, **object_registration._GLOBAL_CUSTOM_OBJECTS,
             **{k: v for scope in object_registration._SCOPES for k, v in scope.items()}, **(custom_objects or {})}
    if isinstance(config, dict):
        if config.get("class_name") == "function":
            config = config.get("config")
        elif config.get("class_name") in table:
            obj = table[config["class_name"]]
            inner = config.get("config", {})
            return obj.from_config(inner) if hasattr(obj, "from_config") else obj
        else:
            raise ValueError(f"Unknown activation: {config!r}")
    if isinstance(config, str) and config in table:
        return table[config]
    raise ValueError(f"Unknown activation function: {config!r}. Known names: {sorted(ALL_OBJECTS_DICT)}")


__all__ = ["linear", "relu", "leaky_relu", "relu6", "sigmoid", "softmax", "log_softmax", "tanh", "elu", "selu", "gelu",
           "softplus", "softsign", "silu", "hard_sigmoid", "hard_silu", "exponential", "mish", "log_sigmoid", "celu",
           "swish", "hard_swish", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "threshold", "squareplus",
           "sparse_plus", "sparse_sigmoid", "glu", "sparsemax", "get", "serialize", "deserialize"]
