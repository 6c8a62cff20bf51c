"""``tf.map_fn``, ``tf.scan``, ``tf.foldl`` and ``tf.foldr``: a function applied to each slice of a
tensor (or of several, in a structure) along axis 0.

* map_fn: ``fn(x[i])`` for each i, the results stacked back;
* scan: ``a = fn(a, x[i])`` from an initial ``a``, every ``a`` stacked (a running sum, an RNN's states);
* foldl / foldr: the same accumulation, front to back or back to front, keeping the last ``a`` only.

Each is a Python loop over the slices, eagerly and while tracing (the number of slices is known from
the trace's signature), so the gradient flows through each call, each slice and the final stack
as through any other ops.
"""
from __future__ import annotations

from typing import Any, Callable

from minitf import nest
from minitf.errors import InvalidArgumentError
from minitf.ops.creation import zeros
from minitf.ops.shape_ops import stack
from minitf.tensor import convert_to_tensor


def map_fn(fn: Callable, elems: Any, dtype=None, parallel_iterations=None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: str | None = None,
           fn_output_signature=None) -> Any:
    """``[fn(elems[i]) for i in range(n)]`` stacked along a new axis 0; ``elems`` may be a structure
    of tensors (each slice of every one given to ``fn`` in that structure). ``fn_output_signature``
    (or ``dtype``, its old name) says what ``fn`` returns when that differs from ``elems``: it is
    needed only when there are no slices (n = 0) and ``fn`` cannot be called."""
    if not nest.flatten(elems):
        raise ValueError("elems must be a Tensor or (possibly nested) sequence of Tensors. Got []")
    flat, n = _slices(elems)
    results = [fn(nest.pack_sequence_as(elems, [t[i] for t in flat])) for i in range(n)]
    if not results:  # nothing to call fn on: the signature (or elems itself) says what comes back
        signature = fn_output_signature if fn_output_signature is not None else dtype
        if signature is None:  # TF's empty TensorArray stacks to shape (0,): the slices' shape is unknown
            return nest.pack_sequence_as(elems, [zeros((0,), t.dtype) for t in flat])
        specs = nest.flatten(signature)
        return nest.pack_sequence_as(signature, [
            zeros((0,) + tuple(getattr(s, "shape", ()) or ()), getattr(s, "dtype", s)) for s in specs])
    signature = fn_output_signature if fn_output_signature is not None else dtype
    if signature is None:  # as TF: fn must return what elems is, in structure and dtype
        _check_like_elems(elems, flat, results[0])
    return _stacked(results)


def _check_like_elems(elems, flat: list, result) -> None:
    """Without an output signature, TF's map_fn writes fn's results into arrays made for ``elems``."""
    if nest.is_nested(elems) != nest.is_nested(result) or len(nest.flatten(result)) != len(flat):
        raise ValueError("The two structures don't have the same nested structure: map_fn's elems is "
                         f"{type(elems).__name__} of {len(flat)} tensor(s), fn returned {type(result).__name__} of "
                         f"{len(nest.flatten(result))}. Pass fn_output_signature to say what fn returns.")
    for t, r in zip(flat, nest.flatten(result)):
        r_dtype = convert_to_tensor(r).dtype
        if r_dtype != t.dtype:
            raise InvalidArgumentError(f"map_fn: TensorArray dtype is {t.dtype.name} but Op is trying to write dtype "
                                       f"{r_dtype.name} (fn returns {r_dtype.name} for elems of {t.dtype.name}: pass "
                                       "fn_output_signature)", "TensorListSetItem")


def _slices(elems) -> tuple[list, int]:
    flat = [convert_to_tensor(e) for e in nest.flatten(elems)]
    if not flat or any(t.ndim == 0 for t in flat):
        raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = flat[0].shape[0]
    if any(t.shape[0] != n for t in flat):
        raise ValueError(f"elems: all tensors need the same size along axis 0, got {[t.shape[0] for t in flat]}")
    return flat, n


def _stacked(results: list):
    """The results of the calls (each a tensor or a structure of them) stacked along a new axis 0."""
    columns = zip(*[[convert_to_tensor(v) for v in nest.flatten(r)] for r in results])
    return nest.pack_sequence_as(results[0], [stack(list(column)) for column in columns])


def _accumulate(fn: Callable, elems, initializer, reverse: bool) -> tuple[list, Any]:
    """The accumulators after each slice (in the order the slices were taken) and the last one."""
    flat, n = _slices(elems)
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
    item = lambda i: nest.pack_sequence_as(elems, [t[i] for t in flat])  # noqa: E731
    if initializer is None:
        if not order:
            raise ValueError("elems must not be empty when no initializer is given")
        acc, order = item(order[0]), order[1:]
        states = [acc]
    else:
        acc, states = initializer, []
    for i in order:
        acc = fn(acc, item(i))
        states.append(acc)
    return states, acc


def scan(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
         infer_shape=True, reverse: bool = False, name=None):
    """``a_i = fn(a_{i-1}, x_i)`` for each slice x_i, every a_i stacked along axis 0 (with no
    initializer, a_0 is x_0 itself). ``reverse=True`` runs from the last slice, results in place."""
    states, _ = _accumulate(fn, elems, initializer, reverse)
    return _stacked(states[::-1] if reverse else states)


def foldl(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """``fn(...fn(fn(a, x_0), x_1)..., x_{n-1})``: the slices folded front to back."""
    return _accumulate(fn, elems, initializer, reverse=False)[1]


def foldr(fn: Callable, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False,
          name=None):
    """The slices folded back to front: ``fn(...fn(a, x_{n-1})..., x_0)``."""
    return _accumulate(fn, elems, initializer, reverse=True)[1]


__all__ = ["map_fn", "scan", "foldl", "foldr"]
