"""Argument checks and shape arithmetic shared by the convolution and pooling layers.

Keras's rules, written once:

* ``kernel_size=3`` means (3, 3) for a 2-D layer: ``standardize_tuple``;
* ``padding`` is "valid" or "same" ("causal" for Conv1D), any case: ``standardize_padding``;
* output length along one spatial axis of size n, for a window of size k, stride s,
  dilation d (the dilated window spans (k - 1) * d + 1 cells)::

      valid:          floor((n - (k - 1) * d - 1) / s) + 1
      same, causal:   floor((n - 1) / s) + 1        ( = ceil(n / s) )

* a layer's input must have rank spatial + 2: ``check_rank`` says what it expected and what came.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_LAYOUTS = {
    ("channels_last", 1): "(batch, steps, channels)",
    ("channels_last", 2): "(batch, height, width, channels)",
    ("channels_first", 1): "(batch, channels, steps)",
    ("channels_first", 2): "(batch, channels, height, width)",
}


def standardize_tuple(value: Any, n: int, name: str, allow_zero: bool = False) -> tuple[int, ...]:
    """An int or an iterable of ``n`` ints as a tuple of ``n`` ints (Keras's argument rule)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        values = (int(value),) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}") \
                from None
        if len(values) != n or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                       for v in values):
            raise ValueError(f"The `{name}` argument must be a tuple of {n} integers. Received {name}={value!r}")
        values = tuple(int(v) for v in values)
    lowest = 0 if allow_zero else 1
    if any(v < lowest for v in values):
        raise ValueError(f"The `{name}` argument must be a tuple of {n} {'non-negative' if allow_zero else 'positive'} "
                         f"integers. Received {name}={value!r}, including values {'< 0' if allow_zero else '<= 0'}")
    return values


def standardize_padding(padding: Any, allow_causal: bool = False) -> str:
    """"valid" / "same" (and "causal" where allowed), lower-cased."""
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    mode = padding.lower() if isinstance(padding, str) else padding
    if mode not in allowed:
        raise ValueError(f"The `padding` argument must be a string, one of {allowed}. Received: padding={padding!r}")
    return mode


def standardize_data_format(data_format: Any) -> str:
    fmt = "channels_last" if data_format is None else str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError("The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
                         f"Received: data_format={data_format!r}")
    return fmt


def output_length(n: int | None, k: int, padding: str, stride: int, dilation: int = 1) -> int | None:
    """Output size along one axis (see the module docstring); None stays None."""
    if n is None:
        return None
    if padding == "valid":
        return (n - (k - 1) * dilation - 1) // stride + 1
    return (n - 1) // stride + 1


def check_rank(layer: Any, kind: str, shape: tuple, spatial: int, data_format: str) -> None:
    """Refuse an input whose rank is not spatial + 2, naming the layout expected."""
    if len(shape) != spatial + 2:
        layout = _LAYOUTS[(data_format, spatial)]
        hint = " A single example needs a batch axis first: x[None] or tf.expand_dims(x, 0)." \
            if len(shape) == spatial + 1 else ""
        raise ValueError(f"{kind} layer '{layer.name}' expects a {spatial + 2}-D input {layout}, but received "
                         f"an input of shape {tuple(shape)} (rank {len(shape)}).{hint}")


def check_window_fits(layer: Any, kind: str, shape: tuple, window: tuple, dilation: tuple, padding: str,
                      data_format: str, what: str = "kernel") -> None:
    """Under "valid" padding the (dilated) window must fit in the input, or the output is empty."""
    if padding != "valid":
        return  # "same" and "causal" pad the input to at least the window's span
    spatial = shape[1:-1] if data_format == "channels_last" else shape[2:]
    for axis, (n, k, d) in enumerate(zip(spatial, window, dilation)):
        span = (k - 1) * d + 1
        if n is not None and n < span:
            dilated = f" (with dilation {d} it spans {span} cells)" if d > 1 else ""
            raise ValueError(
                f"{kind} layer '{layer.name}': the {what} of size {tuple(window)}{dilated} is larger than the "
                f"input along spatial axis {axis}: the input has {n} cells (input shape {tuple(shape)}) and "
                f"padding='valid' adds none, so the output would be empty. Use padding='same', a smaller "
                f"{what}, or a larger input.")
