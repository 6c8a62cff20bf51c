"""Hashing (``keras.layers.Hashing``): strings or integers -> one of ``num_bins`` bins, by a hash.

A way to turn a categorical feature with a huge or unknown vocabulary into integers without a
vocabulary: each value's bin is its stable hash modulo the number of bins. Different values may
share a bin (a collision); with more bins, fewer do.

    bin(v) = Fingerprint64(str(v)) % num_bins                 (FarmHash, no salt)
           = SipHash24(salt, str(v)) % num_bins               (with ``salt``: bins an outsider
                                                               cannot predict)

Integers are hashed as their decimal strings (``tf.strings.as_string``), floats after a cast to
int64, as in Keras. With ``mask_value``, bin 0 is kept for it and the others hash into bins
1..num_bins-1. ``output_mode`` "one_hot", "multi_hot" or "count" encode the bins as
``CategoryEncoding`` does. The hashes are TF's bit for bit (``minitf/_string_hashes.py``).
"""
from __future__ import annotations

import numpy as np

from minitf.keras.backend import floatx
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.preprocessing.category_encoding import CategoryEncode
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops import string_ops
from minitf.ops.creation import zeros_like
from minitf.tensor import convert_to_tensor

__all__ = ["Hashing"]

_MODES = ("int", "one_hot", "multi_hot", "count")


class Hashing(Layer):
    def __init__(self, num_bins: int, mask_value=None, salt=None, output_mode: str = "int", sparse: bool = False,
                 **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else floatx()
        super().__init__(**kwargs)
        if num_bins is None or num_bins <= 0:
            raise ValueError("The `num_bins` for `Hashing` cannot be `None` or non-positive values. "
                             f"Received: num_bins={num_bins}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            raise ValueError("When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                             f"Received: dtype={kwargs['dtype']}")
        if output_mode not in _MODES:
            raise ValueError(f"Invalid value for argument `output_mode`. Expected one of {_MODES}. "
                             f"Received: output_mode={output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
                             f"`\"count\"`. Received: sparse={sparse} and output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("Hashing: sparse=True is not implemented in minitf (tensors are dense)")
        self.num_bins, self.mask_value, self.output_mode, self.sparse = num_bins, mask_value, output_mode, sparse
        self.strong_hash = salt is not None
        self.salt = None
        if salt is not None:
            if isinstance(salt, (tuple, list)) and len(salt) == 2:
                self.salt = list(salt)
            elif isinstance(salt, int):
                self.salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")

    def _bins(self, values):
        """The bin of each value (see the module docstring)."""
        bins = self.num_bins
        mask = None
        if self.mask_value is not None and bins > 1:  # bin 0 is the mask's
            bins -= 1
            mask = E.equal(values, self.mask_value)
        if values._value.dtype.kind == "f":
            values = S.cast(values, "int64")
        if values._value.dtype.kind != "O":
            values = string_ops.as_string(values)
        if self.strong_hash:
            hashed = string_ops.to_hash_bucket_strong(values, bins, key=self.salt)
        else:
            hashed = string_ops.to_hash_bucket_fast(values, bins)
        if mask is not None:
            hashed = E.where(mask, zeros_like(hashed), hashed + 1)
        return hashed

    def call(self, inputs):
        values = convert_to_tensor(inputs)
        if self.output_mode == "one_hot" and values.ndim and values.shape[-1] == 1:
            values = S.squeeze(values, axis=-1)
        bins = self._bins(values)
        if self.output_mode == "int":
            return S.cast(bins, self.dtype)
        return CategoryEncode.apply(bins, output_mode=self.output_mode, depth=self.num_bins,
                                    dtype=np.dtype(self.dtype), who="Hashing")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        if len(input_shape) == 0:
            return (self.num_bins,)
        return tuple(input_shape[:-1]) + (self.num_bins,)

    def get_config(self) -> dict:
        return {**super().get_config(), "num_bins": self.num_bins, "salt": self.salt, "mask_value": self.mask_value,
                "output_mode": self.output_mode, "sparse": self.sparse}
