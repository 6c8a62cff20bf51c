"""minitf: a small deep-learning engine with TensorFlow's API, written to be read.

``import minitf as tf`` and the TF code you know runs on NumPy (or CuPy), with
every gradient written out next to its op in ``minitf/ops/``.
"""
from minitf import backend as _backend  # noqa: F401 (selects the backend first)
from minitf import tensor as _tensor  # noqa: F401 (the core: Tensor, then the ops its operators call)
from minitf import config, dtypes, errors, linalg, math, nest, nn, random, testing
from minitf.autodiff import GradientTape
from minitf.dtypes import (DType, as_dtype, bool, double, float16, float32, float64, half, int8, int16,  # noqa: A004
                           int32, int64, string, uint8)
from minitf._context import executing_eagerly, init_scope
from minitf.function import TensorSpec, function
from minitf.module import Module, name_scope
from minitf.ops.control_flow import cond, while_loop
from minitf.ops.logging_ops import print_ as print  # noqa: A001 (TF's name)
from minitf.ops.creation import eye, fill, linspace, ones, ones_like, range, zeros, zeros_like  # noqa: A004
from minitf.ops.elementwise import (abs, add, add_n, clip_by_value, cos, divide, equal, exp, floor, greater,  # noqa: A004
                                    greater_equal, less, less_equal, log, logical_and, logical_not,
                                    logical_or, maximum, minimum, multiply, negative, not_equal, pow,
                                    realdiv, round, scalar_mul, sigmoid, sign, sin, sqrt, square, subtract,
                                    tanh, truediv, where)
from minitf.ops.linalg import einsum, matmul, norm, tensordot
from minitf.ops.reductions import (argmax, argmin, cumsum, reduce_all, reduce_any, reduce_logsumexp,
                                   reduce_max, reduce_mean, reduce_min, reduce_prod, reduce_std,
                                   reduce_sum, reduce_variance)
from minitf.ops.shape_ops import (argsort, boolean_mask, broadcast_to, cast, concat, expand_dims, gather,
                                  gather_nd, identity, one_hot, pad, rank, reshape, reverse, shape, size,
                                  sort, split, squeeze, stack, stop_gradient, tile, transpose, unstack)
from minitf.ops.shape_ops import top_k as _top_k  # noqa: F401 (tf.math.top_k / tf.nn.top_k)
from minitf.tensor import Tensor, TensorShape, Variable, constant, convert_to_tensor, is_tensor

newaxis = None
__version__ = "0.1.0"


def __getattr__(name: str):
    # Heavier namespaces load on first use, so `import minitf` stays fast.
    import importlib

    if name in ("keras", "data", "datasets", "viz", "metrics", "saved_model", "strings", "ragged"):
        return importlib.import_module(f"minitf.{name}")
    if name in ("RaggedTensor", "RaggedTensorSpec"):
        return getattr(importlib.import_module("minitf.ragged"), name)
    raise AttributeError(f"module 'minitf' has no attribute {name!r}")
