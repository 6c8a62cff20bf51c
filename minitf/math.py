"""``minitf.math``, as ``tf.math``: the elementwise and reduction ops under one roof."""
from minitf.nn.activations import log_softmax, softmax, softplus, softsign
from minitf.nn.crossentropy import l2_normalize
from minitf.ops.elementwise import (abs, add, add_n, ceil, cos, divide, equal, erf, exp, expm1, floor, floordiv,
                                    floormod, greater, greater_equal, is_finite, is_inf, is_nan, less,
                                    less_equal, log, log1p, logical_and, logical_not, logical_or,
                                    logical_xor, maximum, minimum, mod, multiply, negative, not_equal,
                                    pow, realdiv, reciprocal, round, rsqrt, scalar_mul, sigmoid, sign, sin, sqrt, square,
                                    squared_difference, subtract, tanh, truediv)
from minitf.ops.reductions import (argmax, argmin, count_nonzero, cumprod, cumsum, reduce_all,
                                   reduce_any, reduce_logsumexp, reduce_max, reduce_mean, reduce_min,
                                   reduce_prod, reduce_std, reduce_sum, reduce_variance)
from minitf.ops.shape_ops import top_k
from minitf.ops.linalg import norm as _norm  # noqa: F401

__all__ = [
    "abs", "add", "add_n", "argmax", "argmin", "ceil", "cos", "count_nonzero", "cumprod", "cumsum", "divide",
    "equal", "erf", "exp", "expm1", "floor", "floordiv", "floormod", "greater", "greater_equal", "is_finite",
    "is_inf", "is_nan", "l2_normalize", "less", "less_equal", "log", "log1p", "log_softmax", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "mod", "multiply", "negative", "not_equal",
    "pow", "realdiv", "reciprocal", "reduce_all", "reduce_any", "reduce_logsumexp", "reduce_max", "reduce_mean",
    "reduce_min", "reduce_prod", "reduce_std", "reduce_sum", "reduce_variance", "round", "rsqrt", "scalar_mul",
    "sigmoid", "sign", "sin", "softmax", "softplus", "softsign", "sqrt", "square", "squared_difference", "subtract",
    "tanh", "top_k", "truediv"
]
