"""Discretization (``keras.layers.Discretization``): numbers -> the index of their bin.

With sorted ``bin_boundaries`` b_0 < b_1 < ... < b_{n-1}, a value x goes to bin

    i = number of boundaries <= x      (0 .. n: bins (-inf, b_0), [b_0, b_1), ..., [b_{n-1}, inf))

TF's ``Bucketize``, with the boundaries rounded to float32 as TF holds them. ``output_mode``
"one_hot", "multi_hot" or "count" encode the bins as ``CategoryEncoding`` does (n + 1 of them).

``adapt`` learns ``num_bins`` boundaries at the data's quantiles, with Keras's approximate
algorithm (so that a stream of batches needs little memory): each batch is sorted and *summarized*
by about 1/epsilon evenly spaced values, each weighted by how many values it stands for; the
summaries are merged (sorted by value) and *compressed* back to 1/epsilon points by interpolating
the cumulative weights; the boundaries are the summary compressed to ``num_bins`` points, last
one dropped. Same steps, same float32 roundings as Keras, so the same boundaries.
"""
from __future__ import annotations

import numpy as np

from minitf import array_backend as B
from minitf.keras.layers.layer import Layer
from minitf.keras.layers.preprocessing.category_encoding import CategoryEncode
from minitf.ops.op import Op
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["Discretization"]


class Bucketize(Op):
    """TF's ``Bucketize``: for each value, how many of the (float32, sorted) boundaries are <= it; int32."""

    def forward(x, boundaries):
        edges = np.asarray(boundaries, dtype=np.float32)
        values = B.to_numpy(x)
        if values.dtype.kind in "iu" or values.dtype == np.float32:  # compared in float, as C++ does
            values = values.astype(np.float32)
        else:
            edges = edges.astype(values.dtype)
        return B.xp.asarray(np.searchsorted(edges, values, side="right").astype(np.int32))

    def shape(x_shape, boundaries):
        return x_shape


# --- Keras's quantile summaries: a 2 x k array, row 0 values, row 1 their weights --------------------
def summarize(values: np.ndarray, epsilon: float) -> np.ndarray:
    """About 1/epsilon evenly spaced values of the sorted batch, each weighted by the values it stands for."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(values.size / (1.0 / epsilon), 1)
    kept = values[int(step - 1)::int(step)]
    return np.stack([kept, np.ones_like(kept) * step])


def compress_summary(summary: np.ndarray, epsilon: float) -> np.ndarray:
    """About 1/epsilon points at evenly spaced cumulative weights, by linear interpolation."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cumulative = summary[1].cumsum()
    fractions = cumulative / cumulative[-1]
    points = np.interp(percents, fractions, summary[0])
    cumulative = np.interp(percents, fractions, cumulative)
    weights = cumulative - np.concatenate((np.array([0]), cumulative[:-1]))
    return np.stack((points, weights)).astype("float32")


def merge_summaries(first: np.ndarray, second: np.ndarray, epsilon: float) -> np.ndarray:
    merged = np.concatenate((first, second), axis=1)
    return compress_summary(np.take(merged, np.argsort(merged[0]), axis=1), epsilon)


class Discretization(Layer):
    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False, dtype=None,
                 name=None):
        super().__init__(name=name, dtype=dtype, autocast=False)
        if sparse and output_mode == "int":
            raise ValueError("`sparse=True` may only be used if `output_mode` is `'one_hot'`, `'multi_hot'`, or "
                             f"`'count'`. Received: sparse={sparse} and output_mode={output_mode}")
        if sparse:
            raise NotImplementedError("Discretization: sparse=True is not implemented in minitf (tensors are dense)")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            raise ValueError(f"Unknown value for `output_mode` argument of Discretization. Allowed values are: "
                             f"{modes}. Received: output_mode={output_mode}")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Both `num_bins` and `bin_boundaries` should not be set. Received: `num_bins={num_bins}` "
                             f"and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries, self.num_bins, self.epsilon = bin_boundaries, num_bins, epsilon
        self.output_mode, self.sparse = output_mode, sparse
        self.summary = None if self.bin_boundaries else np.array([[], []], dtype="float32")

    # ---- learning the boundaries ----
    def adapt(self, data, steps=None) -> None:
        """Boundaries at the quantiles of ``data``: an array or tensor (one batch), a Dataset or any
        other iterable (its elements are the batches), as Keras reads it."""
        if self.num_bins is None:
            raise ValueError("Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`, "
                             "use `num_bins` instead.")
        self.reset_state()
        if isinstance(data, (np.ndarray, Tensor)) or not hasattr(data, "__iter__"):
            self.update_state(data)
        else:
            for i, batch in enumerate(data):
                if steps is not None and i >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data) -> None:
        values = np.array(data.numpy() if isinstance(data, Tensor) else data).astype("float32")
        self.summary = merge_summaries(summarize(values, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self) -> None:
        if self.num_bins is not None:
            self.bin_boundaries = compress_summary(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()

    def reset_state(self) -> None:
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    # ---- use ----
    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError("You need to either pass the `bin_boundaries` argument at construction time or call "
                             "`adapt(dataset)` before you can start using the `Discretization` layer.")
        x = inputs if isinstance(inputs, Tensor) else convert_to_tensor(np.asarray(inputs, dtype="float32"))
        if x._value.dtype.kind == "f" and x._value.dtype != np.float32:
            x = S.cast(x, "float32")  # Keras's input dtype is floatx
        bins = Bucketize.apply(x, boundaries=tuple(float(b) for b in self.bin_boundaries))
        if self.output_mode == "int":
            return bins
        return CategoryEncode.apply(bins, output_mode=self.output_mode, depth=len(self.bin_boundaries) + 1,
                                    dtype=np.dtype(self.compute_dtype), who="Discretization")

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return input_shape
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        if input_shape and len(input_shape) >= 2:
            return (input_shape[0],) + tuple(input_shape[2:]) + (depth,)
        return (depth,)

    def get_config(self) -> dict:
        return {"bin_boundaries": self.bin_boundaries, "num_bins": self.num_bins, "epsilon": self.epsilon,
                "output_mode": self.output_mode, "sparse": self.sparse, "name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        """Keras's rule: an adapted layer's config holds both; the boundaries are then set after."""
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            config = dict(config)
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
