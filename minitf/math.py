"""``minitf.math``, as ``tf.math``: the elementwise and reduction ops under one roof."""
from minitf.nn.activations import log_sigmoid, log_softmax, softmax, softplus, softsign
from minitf.nn.crossentropy import l2_normalize
from minitf.ops.elementwise import (abs, add, add_n, ceil, cos, divide, equal, erf, erfc, exp, expm1, floor,
                                    floordiv, floormod, greater, greater_equal, is_finite, is_inf, is_nan, less,
                                    less_equal, log, log1p, logical_and, logical_not, logical_or,
                                    logical_xor, maximum, minimum, mod, multiply, negative, not_equal,
                                    pow, realdiv, reciprocal, rint, round, rsqrt, scalar_mul, sigmoid, sign, sin,
                                    sqrt, square, squared_difference, subtract, tanh, truediv)
from minitf.ops.reductions import (cumulative_logsumexp, is_non_decreasing, is_strictly_increasing,
                                   reduce_euclidean_norm)
from minitf.ops.reductions import (argmax, argmin, count_nonzero, cumprod, cumsum, reduce_all,
                                   reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
                                   reduce_prod, reduce_std, reduce_sum, reduce_variance)
from minitf.ops.nan_safe import divide_no_nan, multiply_no_nan, reciprocal_no_nan, xdivy, xlog1py, xlogy
from minitf.ops.segment_ops import (segment_max, segment_mean, segment_min, segment_prod, segment_sum,
                                    unsorted_segment_max, unsorted_segment_mean, unsorted_segment_min,
                                    unsorted_segment_prod, unsorted_segment_sqrt_n, unsorted_segment_sum)
from minitf.ops.shape_ops import top_k
from minitf.ops.counting import bincount, in_top_k
from minitf.ops.elementwise import polyval
from minitf.ops.index_ops import invert_permutation
from minitf.nn.normalization import zero_fraction
from minitf.ops.trigonometry import acos, acosh, asin, asinh, atan, atan2, atanh, cosh, sinh, tan
from minitf.ops.special_functions import digamma, erfinv, lbeta, lgamma, ndtri, polygamma, zeta
from minitf.ops.linalg import norm as _norm  # noqa: F401

__all__ = [
    "acos", "acosh", "asin", "asinh", "atan", "atan2", "atanh", "cosh", "divide_no_nan", "erfc", "log_sigmoid",
    "multiply_no_nan", "reciprocal_no_nan", "rint", "sinh", "tan", "xdivy", "xlog1py", "xlogy",
    "segment_max", "segment_mean", "segment_min", "segment_prod", "segment_sum", "unsorted_segment_max",
    "unsorted_segment_mean", "unsorted_segment_min", "unsorted_segment_prod", "unsorted_segment_sqrt_n",
    "unsorted_segment_sum", "zero_fraction", "cumulative_logsumexp", "is_non_decreasing", "is_strictly_increasing",
    "reduce_euclidean_norm", "bincount", "in_top_k", "invert_permutation", "polyval",
    "digamma", "erfinv", "lbeta", "lgamma", "ndtri", "polygamma", "zeta",
    "abs", "add", "add_n", "argmax", "argmin", "ceil", "cos", "count_nonzero", "cumprod", "cumsum", "divide",
    "equal", "erf", "exp", "expm1", "floor", "floordiv", "floormod", "greater", "greater_equal", "is_finite",
    "is_inf", "is_nan", "l2_normalize", "less", "less_equal", "log", "log1p", "log_softmax", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply", "negative", "not_equal",
    "pow", "realdiv", "reciprocal", "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max", "reduce_mean",
    "reduce_min", "reduce_prod", "reduce_std", "reduce_sum", "reduce_variance", "round", "rsqrt", "scalar_mul",
    "sigmoid", "sign", "sin", "softmax", "softplus", "softsign", "sqrt", "square", "squared_difference", "subtract",
    "tanh", "top_k", "truediv", "confusion_matrix"
]


def confusion_matrix(labels, predictions, num_classes=None, weights=None, dtype="int32", name=None):
    """``[num_classes, num_classes]`` counts: entry (i, j) is how many samples of class i were predicted
    j (summing ``weights`` instead of ones when given). Without ``num_classes``: 1 + the largest label
    or prediction."""
    from minitf import dtypes
    from minitf.errors import InvalidArgumentError
    from minitf.ops import shape_ops as S
    from minitf.ops.scatter_ops import ScatterNd
    from minitf.tensor import convert_to_tensor
    y = S.cast(S.reshape(convert_to_tensor(labels), [-1]), "int64")
    p = S.cast(S.reshape(convert_to_tensor(predictions), [-1]), "int64")
    if y.shape[0] != p.shape[0]:
        raise InvalidArgumentError(f"confusion_matrix: labels ({y.shape[0]}) and predictions ({p.shape[0]}) must "
                                   "have the same number of values")
    if num_classes is None:
        num_classes = int(max(y.numpy().max(initial=-1), p.numpy().max(initial=-1))) + 1
    dt = dtypes.as_dtype(dtype)
    values = S.cast(S.reshape(convert_to_tensor(weights), [-1]), dt) if weights is not None else \
        S.cast(convert_to_tensor([1] * int(y.shape[0])), dt)
    if y.numpy().size and (min(y.numpy().min(), p.numpy().min()) < 0
                           or max(y.numpy().max(), p.numpy().max()) >= num_classes):
        raise InvalidArgumentError(f"confusion_matrix: labels and predictions must be in [0, {num_classes})")
    return ScatterNd.apply(S.stack([y, p], axis=1), values, shape=(int(num_classes), int(num_classes)))
