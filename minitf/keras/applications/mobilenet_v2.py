"""``tf.keras.applications.MobileNetV2``: the architecture of Sandler et al. 2018 ("MobileNetV2: Inverted
Residuals and Linear Bottlenecks"), layer for layer as Keras 3.15 builds it, so that
``model.set_weights(keras_model.get_weights())`` gives the same model.

The network is a 3x3 stride-2 convolution (32*alpha filters), 17 inverted residual blocks, a 1x1
convolution to 1280 channels (more when alpha > 1) and, with ``include_top``, global average pooling
and a Dense classifier. An inverted residual block (table 2 of the paper) is

    x -> 1x1 conv to expansion*c_in channels -> BN -> ReLU6     (left out in block 0, where expansion = 1)
      -> 3x3 depthwise conv, stride s          -> BN -> ReLU6
      -> 1x1 conv to c_out channels            -> BN            (linear: no activation, the "bottleneck")
      (+ x when s == 1 and c_in == c_out)

with c_out = _make_divisible(filters * alpha, 8). Every BatchNormalization has epsilon 1e-3 and
momentum 0.999; every convolution is without bias.

Nothing downloads at run time: ``weights="imagenet"`` (Keras fetches them from storage.googleapis.com)
raises; pass ``weights=None`` for fresh weights, or the path of a weights file Keras saved
(``keras_model.save_weights("mobilenet_v2.weights.h5")``, or Keras's own ``.h5`` file fetched by hand).
"""
from __future__ import annotations

import os

from minitf.keras import backend
from minitf.keras.engine.keras_tensor import is_keras_tensor
from minitf.keras.applications import imagenet_utils

# (filters, stride, expansion) of blocks 0..16: the paper's table 2, one row per block.
BLOCKS = ((16, 1, 1),
          (24, 2, 6), (24, 1, 6),
          (32, 2, 6), (32, 1, 6), (32, 1, 6),
          (64, 2, 6), (64, 1, 6), (64, 1, 6), (64, 1, 6),
          (96, 1, 6), (96, 1, 6), (96, 1, 6),
          (160, 2, 6), (160, 1, 6), (160, 1, 6),
          (320, 1, 6))
_PRETRAINED_SIZES = (96, 128, 160, 192, 224)  # the input sizes Keras has ImageNet weights for


def _no_download_error() -> ValueError:
    return ValueError("MobileNetV2: weights='imagenet' cannot be used: minitf downloads nothing at run time (Keras "
                      "fetches these weights from storage.googleapis.com). Pass weights=None for freshly initialized "
                      "weights, or weights='<path>' to a weights file saved by Keras (e.g. "
                      "keras_model.save_weights('mobilenet_v2.weights.h5'), or Keras's "
                      "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_*.h5 downloaded by hand)")


def _default_size(input_shape, input_tensor) -> int:
    """The square size the model is named after: the input's when it is square and one of Keras's
    pretrained sizes, else 224."""
    if input_shape is None and input_tensor is None:
        return 224
    if input_shape is None:
        if not is_keras_tensor(input_tensor):
            return 224
        rows, cols = tuple(input_tensor.shape)[1:3]
    else:
        rows, cols = tuple(input_shape)[0:2]
    return rows if rows == cols and rows in _PRETRAINED_SIZES else 224


def MobileNetV2(input_shape=None, alpha: float = 1.0, include_top: bool = True, weights="imagenet",  # noqa: N802
                input_tensor=None, pooling=None, classes: int = 1000, classifier_activation="softmax", name=None):
    """The MobileNetV2 model (a Functional model), as ``keras.applications.MobileNetV2``.

    alpha: width multiplier (channels of every block scaled by it). include_top: end in global average
    pooling and a Dense(classes, classifier_activation) named "predictions". pooling ("avg", "max" or
    None): the pooling after the last block when include_top is False. input_shape: (rows, cols, 3),
    at least 32x32; default (224, 224, 3) with include_top, (None, None, 3) without.
    input_tensor: a KerasTensor to build the model on (its source Inputs become the model's inputs).
    weights: None (fresh weights) or the path of a weights file; "imagenet" raises (nothing downloads).
    """
    if weights == "imagenet":
        raise _no_download_error()
    if not (weights is None or os.path.exists(weights)):
        raise ValueError("The `weights` argument should be either `None` (random initialization), `imagenet` "
                         "(pre-training on ImageNet), or the path to the weights file to be loaded.  "
                         f"Received `weights={weights}`")
    if input_shape is not None and input_tensor is not None:
        if not is_keras_tensor(input_tensor):
            raise ValueError(f"input_tensor is not a Keras tensor; Received `input_tensor={input_tensor}`")
        if tuple(input_tensor.shape)[2] != tuple(input_shape)[1]:
            raise ValueError("input_tensor.shape[2] must equal input_shape[1]; Received "
                             f"`input_tensor.shape={input_tensor.shape}`, `input_shape={input_shape}`")
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape, default_size=_default_size(input_shape, input_tensor), min_size=32,
        data_format=backend.image_data_format(), require_flatten=include_top, weights=weights)
    rows = input_shape[0]

    from minitf.keras import layers
    from minitf.keras.engine.functional import Functional
    if input_tensor is None:
        img_input = layers.Input(shape=input_shape)
    elif not is_keras_tensor(input_tensor):
        img_input = layers.Input(tensor=input_tensor, shape=input_shape)  # raises, as in Keras
    else:
        img_input = input_tensor

    x = layers.Conv2D(_make_divisible(32 * alpha, 8), kernel_size=3, strides=(2, 2), padding="same",
                      use_bias=False, name="Conv1")(img_input)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (filters, stride, expansion) in enumerate(BLOCKS):
        x = _inverted_res_block(x, filters=filters, alpha=alpha, stride=stride, expansion=expansion,
                                block_id=block_id)
    # No alpha below 1 on the last convolution (the paper): a wider network gets more channels.
    last_block_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_block_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    inputs = imagenet_utils.get_source_inputs(input_tensor) if input_tensor is not None else img_input
    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = Functional(inputs, x, name=name)
    if weights is not None:
        model.load_weights(weights)
    return model


def _inverted_res_block(inputs, expansion: int, stride: int, alpha: float, filters: int, block_id: int):
    """One inverted residual block (see the module docstring); layers named ``block_<id>_*``, or
    ``expanded_conv_*`` for block 0, as in Keras."""
    from minitf.keras import layers
    in_channels = inputs.shape[-1]
    pointwise_filters = _make_divisible(int(filters * alpha), 8)
    x = inputs
    prefix = f"block_{block_id}_"
    if block_id:
        x = layers.Conv2D(expansion * in_channels, kernel_size=1, padding="same", use_bias=False, activation=None,
                          name=f"{prefix}expand")(x)
        x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"
    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(kernel_size=3, strides=stride, activation=None, use_bias=False,
                               padding="same" if stride == 1 else "valid", name=f"{prefix}depthwise")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(pointwise_filters, kernel_size=1, padding="same", use_bias=False, activation=None,
                      name=f"{prefix}project")(x)
    x = layers.BatchNormalization(axis=-1, epsilon=1e-3, momentum=0.999, name=f"{prefix}project_BN")(x)
    if in_channels == pointwise_filters and stride == 1:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """``v`` rounded to the nearest multiple of ``divisor`` (at least ``min_value``), one more multiple when
    rounding would lose more than 10% (the TF-Slim rule the paper's models use)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def preprocess_input(x, data_format=None):
    """Pixels in [0, 255] to [-1, 1]: ``x / 127.5 - 1`` (imagenet_utils's "tf" mode)."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top: int = 5):
    """Not provided: it needs ImageNet's class index, a download in Keras."""
    return imagenet_utils.decode_predictions(preds, top=top)
