"""Python builtins that mean something else on a tensor inside converted code (as in TF).

``range(n)`` with a tensor ``n`` is ``tf.range`` (so that ``for i in range(n)`` becomes a
``tf.while_loop``), ``len(t)`` the static size of the first dimension (or ``tf.shape(t)[0]``
when it is not known), ``int(t)``/``float(t)`` a cast to int32/float32, ``abs(t)`` ``tf.abs``.
On anything else they are the builtins.
"""
from __future__ import annotations

import builtins

from minitf.tensor import Tensor

_UNSPECIFIED = object()


def range_(start_or_stop, stop=_UNSPECIFIED, step=_UNSPECIFIED):
    if not any(isinstance(v, Tensor) for v in (start_or_stop, stop, step)):
        args = [v for v in (start_or_stop, stop, step) if v is not _UNSPECIFIED]
        return builtins.range(*args)
    from minitf.ops.creation import range as tf_range
    from minitf.ops.elementwise import maximum
    if step is not _UNSPECIFIED:
        return tf_range(start_or_stop, stop, step)
    if stop is not _UNSPECIFIED:  # an empty range where Python's would be empty (TF would refuse start > limit)
        return tf_range(start_or_stop, maximum(start_or_stop, stop))
    return tf_range(maximum(start_or_stop, 0))


def len_(s):
    if not isinstance(s, Tensor):
        return builtins.len(s)
    if s.ndim == 0:
        raise ValueError(f"len requires a non-scalar tensor, got one of shape {tuple(s.shape)}")
    if s.shape[0] is not None:
        return s.shape[0]
    from minitf.ops.shape_ops import shape
    return shape(s)[0]


def int_(x=0, base=_UNSPECIFIED):
    if isinstance(x, Tensor):
        if base not in (10, _UNSPECIFIED):
            raise NotImplementedError(f"base {base} not supported for int")
        from minitf.ops.shape_ops import cast
        return cast(x, "int32")
    return builtins.int(x) if base is _UNSPECIFIED else builtins.int(x, base)


def float_(x=0):
    if isinstance(x, Tensor):
        from minitf.ops.shape_ops import cast
        return cast(x, "float32")
    return builtins.float(x)


def abs_(x):
    if isinstance(x, Tensor):
        from minitf.ops.elementwise import abs as tf_abs
        return tf_abs(x)
    return builtins.abs(x)


OVERLOADS = {builtins.range: range_, builtins.len: len_, builtins.int: int_, builtins.float: float_,
             builtins.abs: abs_}
