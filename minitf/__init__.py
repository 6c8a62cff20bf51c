"""minitf: a small deep-learning engine with TensorFlow's API, written to be read.

``import minitf as tf`` and the TF code you know runs on NumPy (or CuPy), with
every gradient written out next to its op in ``minitf/ops/``.
"""
from minitf import array_backend as _backend  # noqa: F401 (selects the backend first)
from minitf import tensor as _tensor  # noqa: F401 (the core: Tensor, then the ops its operators call)
from minitf import parallel as _parallel
from minitf import config, dtypes, errors, linalg, math, nest, nn, random, testing, types
from minitf.autodiff import GradientTape
from minitf.device import device
from minitf.ops.custom_gradient import UnconnectedGradients, custom_gradient
from minitf.ops.py_function import numpy_function, py_function
from minitf.ops.clip_ops import clip_by_global_norm, clip_by_norm
from minitf.dtypes import (DType, as_dtype, bool, double, float16, float32, float64, half, int8, int16,  # noqa: A004
                           int32, int64, string, uint8)
from minitf._context import executing_eagerly, init_scope
from minitf.function import TensorSpec, function
from minitf.module import Module, name_scope
from minitf.ops.control_flow import cond, control_dependencies, group, no_op, while_loop
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
from minitf.ops.functional_ops import foldl, foldr, map_fn, scan
from minitf.ops.trigonometry import acos, acosh, asin, asinh, atan, atan2, atanh, cosh, sinh, tan
from minitf.ops.counting import histogram_fixed_width, unique_with_counts
from minitf.ops.index_ops import dynamic_partition, dynamic_stitch, reverse_sequence, unravel_index
from minitf.ops.elementwise import truncatediv, truncatemod
from minitf.ops.shape_ops import get_static_value, shape_n
from minitf.dtypes import saturate_cast
from minitf.ops.string_ops import fingerprint
from minitf.ops.shape_ops import (argsort, boolean_mask, broadcast_to, cast, concat, ensure_shape, expand_dims,
                                  gather, gather_nd, identity, meshgrid, one_hot, pad, rank, repeat, reshape, reverse,
                                  roll, searchsorted, sequence_mask, shape, size, sort, split, squeeze, stack,
                                  stop_gradient, tile, transpose, unique, unstack)
from minitf.ops.scatter_ops import (scatter_nd, slice, strided_slice, tensor_scatter_nd_add,  # noqa: A004
                                    tensor_scatter_nd_max, tensor_scatter_nd_min, tensor_scatter_nd_sub,
                                    tensor_scatter_nd_update)
from minitf.ops.shape_ops import top_k as _top_k  # noqa: F401 (tf.math.top_k / tf.nn.top_k)
from minitf.tensor import Tensor, TensorShape, Variable, constant, convert_to_tensor, is_tensor
from minitf.tensor_array import TensorArray

_parallel.shorten_blas_spin()  # OpenBLAS's idle threads: a short wait (see its docstring)
newaxis = None
__version__ = "0.1.0"


def random_normal_initializer(mean=0.0, stddev=1.0, seed=None):
    """``tf.random_normal_initializer``: an initializer drawing N(mean, stddev) (TF's default stddev 1)."""
    from minitf.keras.initializers import RandomNormal
    return RandomNormal(mean=mean, stddev=stddev, seed=seed)


def random_uniform_initializer(minval=-0.05, maxval=0.05, seed=None):
    from minitf.keras.initializers import RandomUniform
    return RandomUniform(minval=minval, maxval=maxval, seed=seed)


def zeros_initializer():
    from minitf.keras.initializers import Zeros
    return Zeros()


def ones_initializer():
    from minitf.keras.initializers import Ones
    return Ones()


class version:  # noqa: N801 (TF's namespace: tf.version.VERSION)
    """minitf's version, under TF's names (``tf.version.VERSION``)."""

    VERSION = __version__
    GIT_VERSION = "minitf-" + __version__
    COMPILER_VERSION = "python"


def __getattr__(name: str):
    # Heavier namespaces load on first use, so `import minitf` stays fast.
    import importlib

    if name in ("keras", "data", "datasets", "viz", "saved_model", "distribute", "train", "classification_report",
                "sparse", "ragged", "summary", "profiler", "strings", "autograph", "image", "io", "debugging"):
        return importlib.import_module(f"minitf.{name}")
    if name == "SparseTensor":
        return importlib.import_module("minitf.sparse").SparseTensor
    if name in ("RaggedTensor", "RaggedTensorSpec"):
        return getattr(importlib.import_module("minitf.ragged"), name)
    if name in ("metrics", "losses", "optimizers", "initializers"):  # TF 2: tf.metrics is tf.keras.metrics, ...
        return importlib.import_module(f"minitf.keras.{name}")
    raise AttributeError(f"module 'minitf' has no attribute {name!r}")
