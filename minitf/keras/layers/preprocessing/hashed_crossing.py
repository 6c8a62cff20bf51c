"""HashedCrossing (``keras.layers.HashedCrossing``): a feature cross, hashed into ``num_bins`` bins.

A cross of two (or more) categorical features is the feature "both values together": (city,
weekday) -> "paris x monday". A linear model cannot combine two one-hot features multiplicatively;
their cross, one-hot encoded, gives it a weight per combination. Hashing the combination keeps
the number of bins fixed however many combinations there are. Each row holds one value per input:

    h = key;  for each input value v:  h = FingerprintCat64(h, hash(v))
    bin = h % num_bins        (hash(v): the FarmHash fingerprint of a string, an integer as it is;
                              key: TF's 0xDECAFCAFFE)

as ``tf.sparse.cross_hashed`` computes it, bit for bit. ``output_mode="one_hot"`` encodes the bins.
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf._string_hashes import fingerprint64, fingerprint_cat64
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.preprocessing.category_encoding import CategoryEncode
from minitf.ops import shape_ops as S
from minitf.ops.op import Op
from minitf.tensor import convert_to_tensor

__all__ = ["HashedCrossing"]

CROSS_HASH_KEY = 0xDECAFCAFFE  # TF's default hash_key of SparseCrossHashed


def _feature_hash(value) -> int:
    return fingerprint64(value) if isinstance(value, bytes) else int(value) % 2**64


class CrossHashed(Op):
    """Rows of one value per input -> the bin of each row's cross (see the module docstring). No gradient."""

    def forward(*features, num_bins):
        columns = [B.to_numpy(f).reshape(-1).tolist() for f in features]
        modulus = num_bins if num_bins > 0 else 2**63 - 1
        out = np.empty(len(columns[0]), dtype=np.int64)
        for row, values in enumerate(zip(*columns)):
            h = CROSS_HASH_KEY
            for value in values:
                h = fingerprint_cat64(h, _feature_hash(value))
            out[row] = h % modulus
        return B.xp.asarray(out.reshape(features[0].shape))

    def shape(*shapes, num_bins):
        return shapes[0]


class HashedCrossing(Layer):
    def __init__(self, num_bins: int, output_mode: str = "int", sparse: bool = False, name=None, dtype=None,
                 **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype, autocast=False)  # inputs as they come (Keras: no input conversion)
        if output_mode not in ("int", "one_hot"):
            raise ValueError(f"Unknown value for `output_mode` argument of HashedCrossing. Allowed values are: "
                             f"('int', 'one_hot'). Received: output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("HashedCrossing: sparse=True is not implemented in minitf (tensors are dense)")
        self.num_bins, self.output_mode, self.sparse = num_bins, output_mode, sparse

    def _check_inputs(self, inputs) -> list:
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(f"`HashedCrossing` should be called on a list or tuple of inputs. Received: "
                             f"inputs={inputs}")
        if len(inputs) < 2:
            raise ValueError(f"`HashedCrossing` should be called on at least two inputs. Received: inputs={inputs}")
        inputs = [convert_to_tensor(x) for x in inputs]
        first = tuple(inputs[0].shape)
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError("All `HashedCrossing` inputs should have shape `()`, `(batch_size)` or `(batch_size, 1)`. "
                             f"Received shapes: {[tuple(x.shape) for x in inputs]}")
        if any(tuple(x.shape) != first for x in inputs[1:]):
            raise ValueError(f"All `HashedCrossing` inputs should have equal shape. Received shapes: "
                             f"{[tuple(x.shape) for x in inputs]}")
        if any(x._value.dtype.kind not in "iuO" for x in inputs):
            raise ValueError(f"All `HashedCrossing` inputs should have an integer or string dtype. Received dtypes: "
                             f"{[x.dtype.name for x in inputs]}")
        return inputs

    def call(self, inputs):
        inputs = self._check_inputs(inputs)
        bins = CrossHashed.apply(*inputs, num_bins=int(self.num_bins))
        if self.output_mode == "int":
            return S.cast(bins, self.dtype)
        if bins.ndim == 2:  # (batch, 1): one vector per row
            bins = S.squeeze(bins, axis=-1)
        return CategoryEncode.apply(bins, output_mode="one_hot", depth=self.num_bins, dtype=np.dtype(self.dtype),
                                    who="HashedCrossing")

    def compute_output_shape(self, input_shape):
        if len(input_shape) != 2 or not all(isinstance(s, tuple) for s in input_shape):
            raise ValueError(f"Expected as input a list/tuple of 2 tensors. Received input_shape={input_shape}")
        first = tuple(input_shape[0])
        if self.output_mode == "int":
            return first
        if first and first[-1] != 1:
            return first + (self.num_bins,)
        return first[:-1] + (self.num_bins,)

    def get_config(self) -> dict:
        return {"num_bins": self.num_bins, "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name,
                "dtype": self.dtype}
