"""``tf.keras.applications.imagenet_utils``: the input preprocessing of the ImageNet models and the
helpers that work out their input shape and the padding of a strided convolution (as Keras 3.15).

``preprocess_input(x, mode=...)`` maps pixels in [0, 255] to what a model was trained on:

- ``"tf"``:    x / 127.5 - 1                        (pixels in [-1, 1]; MobileNetV2's mode)
- ``"torch"``: (x / 255 - mean) / std per channel   (mean (0.485, 0.456, 0.406), std (0.229, 0.224, 0.225))
- ``"caffe"``: RGB -> BGR, then x - mean per channel (mean (103.939, 116.779, 123.68) in BGR order)

``decode_predictions`` is not provided: it needs ImageNet's class index, which Keras downloads.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from minitf.keras import backend

_MODES = ("caffe", "tf", "torch")
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)
_CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe"):
    """Preprocess a batch of images (3D or 4D, values in [0, 255]) for an ImageNet model; see the module
    docstring for the three modes. A NumPy array is returned as a NumPy array (a float array is
    written over in place, as Keras does); anything else (a tensor, a KerasTensor) goes through ops."""
    if mode not in _MODES:
        raise ValueError(f"Expected mode to be one of `caffe`, `tf` or `torch`. Received: mode={mode}")
    if data_format is None:
        data_format = backend.image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError("Expected data_format to be one of `channels_first` or `channels_last`. "
                         f"Received: data_format={data_format}")
    if isinstance(x, np.ndarray):
        return _preprocess_numpy_input(x, data_format, mode)
    return _preprocess_tensor_input(x, data_format, mode)


def _channel_view(ndim: int, data_format: str) -> tuple:
    """The shape a per-channel constant of 3 values takes to broadcast against an image batch."""
    if data_format == "channels_first":
        return (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    return (1,) * (ndim - 1) + (3,)


def _preprocess_numpy_input(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    if not issubclass(x.dtype.type, np.floating):
        x = x.astype(backend.floatx(), copy=False)
    if mode == "tf":
        x /= 127.5  # in place, as Keras: the caller's float array is overwritten
        x -= 1.0
        return x
    channel_axis = (0 if x.ndim == 3 else 1) if data_format == "channels_first" else -1
    if mode == "torch":
        x /= 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        x = np.flip(x, axis=channel_axis)  # RGB -> BGR (a view, as Keras's x[..., ::-1])
        mean, std = _CAFFE_MEAN_BGR, None
    # Keras subtracts channel by channel, each mean a Python float rounded to x's dtype.
    for c in range(3):
        index = [slice(None)] * x.ndim
        index[channel_axis] = c
        x[tuple(index)] -= mean[c]
        if std is not None:
            x[tuple(index)] /= std[c]
    return x


def _preprocess_tensor_input(x: Any, data_format: str, mode: str):
    import minitf as tf
    ndim = len(x.shape)
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
        mean, std = _TORCH_MEAN, _TORCH_STD
    else:
        channel_axis = (0 if ndim == 3 else 1) if data_format == "channels_first" else -1
        x = tf.reverse(x, [channel_axis])  # RGB -> BGR
        mean, std = _CAFFE_MEAN_BGR, None
    # Keras adds -mean (a float64 array cast to x's dtype), then divides by std (likewise cast).
    x = x + tf.cast(tf.reshape(-np.array(mean), _channel_view(ndim, data_format)), x.dtype)
    if std is not None:
        x = x / tf.cast(tf.reshape(np.array(std), _channel_view(ndim, data_format)), x.dtype)
    return x


def obtain_input_shape(input_shape, default_size: int, min_size: int, data_format: str, require_flatten: bool,
                       weights=None) -> tuple:
    """The model's input shape (without the batch): ``input_shape`` checked (3 dimensions, at least
    ``min_size`` wide and high), or the default (``default_size`` square with 3 channels when the model
    ends in a classifier, ``(None, None, 3)`` otherwise), as Keras's ``obtain_input_shape``."""
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if data_format == "channels_first" else input_shape[-1]
        if channels not in {1, 3}:
            warnings.warn("This model usually expects 1 or 3 input channels. However, it was passed an "
                          f"input_shape with {channels} input channels.", stacklevel=3)
        default_shape = ((input_shape[0], default_size, default_size) if data_format == "channels_first"
                         else (default_size, default_size, input_shape[-1]))
    else:
        default_shape = (3, default_size, default_size) if data_format == "channels_first" else (
            default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError("When setting `include_top=True` and loading `imagenet` weights, `input_shape` should "
                             f"be {default_shape}.  Received: input_shape={input_shape}")
        return default_shape
    if input_shape:
        if len(input_shape) != 3:
            raise ValueError("`input_shape` must be a tuple of three integers.")
        channels, rows, cols = ((input_shape[0], input_shape[1], input_shape[2]) if data_format == "channels_first"
                                else (input_shape[2], input_shape[0], input_shape[1]))
        if channels != 3 and weights == "imagenet":
            raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
        if (rows is not None and rows < min_size) or (cols is not None and cols < min_size):
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if data_format == "channels_first" else (None, None, 3)
    if require_flatten and None in input_shape:
        raise ValueError("If `include_top` is True, you should specify a static `input_shape`. "
                         f"Received: input_shape={input_shape}")
    return input_shape


def correct_pad(inputs, kernel_size) -> tuple:
    """The ZeroPadding2D before a stride-2 "valid" convolution that reproduces TF's "same" padding's
    output size with the extra row/column on the top/left: ``((k//2 - a_h, k//2), (k//2 - a_w, k//2))``
    with ``a = 1`` for an even (or unknown) size and 0 for an odd one."""
    img_dim = 2 if backend.image_data_format() == "channels_first" else 1
    input_size = tuple(inputs.shape)[img_dim:img_dim + 2]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    adjust = (1, 1) if input_size[0] is None else (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights) -> None:
    """Pretrained weights go with a softmax (or no) classifier activation only."""
    if weights is None:
        return
    from minitf.keras import activations
    activation = activations.get(classifier_activation)
    if activation not in {activations.get("softmax"), activations.get(None)}:
        raise ValueError("Only `None` and `softmax` activations are allowed for the `classifier_activation` argument "
                         "when using pretrained weights, with `include_top=True`; Received: "
                         f"classifier_activation={activation}")


def decode_predictions(preds, top: int = 5):
    """Not provided: Keras downloads ImageNet's class index for it, and minitf downloads nothing."""
    raise NotImplementedError("decode_predictions: minitf downloads nothing, and the ImageNet class index this needs "
                              "is a download in Keras (imagenet_class_index.json)")


def get_source_inputs(tensor) -> list:
    """The Input tensors a KerasTensor is computed from (Keras's ``keras.utils.get_source_inputs``)."""
    history = getattr(tensor, "_keras_history", None)
    if history is None:
        return [tensor]
    node = history.operation._inbound_nodes[history.node_index]
    if node.is_input:
        return list(node.output_tensors)
    sources: list = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not s for s in sources):
                sources.append(source)
    return sources
