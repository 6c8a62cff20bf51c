"""``tf.keras.preprocessing.sequence``: ``pad_sequences``, Keras's, line for line.

    pad_sequences([[1, 2, 3], [4]], maxlen=2)                    -> [[2, 3], [0, 4]]
    pad_sequences([[1, 2, 3], [4]], maxlen=2, padding="post",
                  truncating="post")                              -> [[1, 2], [4, 0]]

``padding`` says where the ``value`` cells go ("pre": before the sequence, the default), and
``truncating`` which end of a sequence longer than ``maxlen`` is cut ("pre": the start, keeping
the last ``maxlen`` items). Without ``maxlen`` every sequence is padded to the longest one.
Items may be arrays of one shape (then the result has that shape per step).
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pad_sequences"]


def pad_sequences(sequences: Any, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """A NumPy array (len(sequences), maxlen, ...) of the sequences padded and cut (see the module docstring)."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    num_samples = len(sequences)
    lengths = []
    sample_shape = ()
    flag = True
    # The shape of one step, from the first non-empty sequence (each one is checked against it below).
    for x in sequences:
        try:
            lengths.append(len(x))
            if flag and len(x):
                sample_shape = np.asarray(x).shape[1:]
                flag = False
        except TypeError as e:
            raise ValueError(f"`sequences` must be a list of iterables. Found non-iterable: {x}") from e
    if maxlen is None:
        maxlen = np.max(lengths)
    is_dtype_str = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_dtype_str:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\nYou should set "
                         "`dtype=object` for variable length strings.")
    x = np.full((num_samples, maxlen) + sample_shape, value, dtype=dtype)
    for idx, s in enumerate(sequences):
        if not len(s):
            continue  # an empty sequence: all padding
        if truncating == "pre":
            trunc = s[-maxlen:]  # (Keras's: with maxlen=0 this is the whole sequence)
        elif truncating == "post":
            trunc = s[:maxlen]
        else:
            raise ValueError(f'Truncating type "{truncating}" not understood')
        trunc = np.asarray(trunc, dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {trunc.shape[1:]} of sequence at position {idx} is different from "
                             f"expected shape {sample_shape}")
        if padding == "post":
            x[idx, :len(trunc)] = trunc
        elif padding == "pre":
            x[idx, -len(trunc):] = trunc
        else:
            raise ValueError(f'Padding type "{padding}" not understood')
    return x
