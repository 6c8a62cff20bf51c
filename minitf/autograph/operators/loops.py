"""``ag__.while_stmt`` and ``ag__.for_stmt``: a converted loop decides, when it runs, what it is.

    ag__.while_stmt(loop_test, loop_body, get_state, set_state, ('i', 's'), opts)
    ag__.for_stmt(iterated, extra_test, loop_body, get_state, set_state, ('s',), opts)

``while``: the test is evaluated once, in a scratch graph (so that its ops land nowhere). A tensor
makes the loop a ``tf.while_loop`` whose loop variables are the state (``i``, ``s``): the body is
traced once, on symbolic values. Anything else is Python's ``while`` (that first test counts as
the first iteration's).

``for``, by what it iterates over, while a function is traced:
- a tensor made by ``tf.range``: a ``tf.while_loop`` over the counter (the range is never built);
- any other tensor: a ``tf.while_loop`` over its rows (``tf.gather(t, i)``);
- a ``tf.data.Dataset``: one ``DatasetFor`` op that runs the traced body once per element;
- anything else (lists, Python ranges, ...): Python's ``for``, which unrolls into the graph.
``break``/``return`` inside a ``for`` arrive as ``extra_test``, checked before every iteration.

The checks, the placeholder values for loop variables defined only inside the loop, and the
error messages are TF's (``tensorflow/python/autograph/operators/control_flow.py``).
"""
from __future__ import annotations

import contextlib

import numpy as np

from minitf import nest
from minitf._context import state
from minitf.autograph.operators import checks
from minitf.autograph.operators.variables import Undefined, UndefinedReturnValue, is_undefined
from minitf.errors import OperatorNotAllowedInGraphError
from minitf.tensor import Tensor, TensorShape, convert_to_tensor

_LIMITATIONS = ("https://github.com/tensorflow/tensorflow/blob/master/tensorflow/python/autograph/g3doc/reference/"
                "limitations.md#consistency-of-control-flow-types")


@contextlib.contextmanager
def scratch_graph():
    """Trace into a throwaway graph for a moment: to look at what code gives, without keeping its ops."""
    from minitf.graph import FuncGraph
    saved = state.graph, state.tapes
    state.graph = FuncGraph("tmp", outer=saved[0])
    state.tapes = []
    try:
        yield state.graph
    finally:
        state.graph, state.tapes = saved


def _tracing() -> bool:
    return state.graph is not None


# --- while ------------------------------------------------------------------------------------
def while_stmt(test, body, get_state, set_state, symbol_names: tuple, opts: dict) -> None:
    """A converted ``while``: ``tf.while_loop`` when its test is a tensor, Python's ``while`` otherwise."""
    with scratch_graph():
        first_test = test()
    if isinstance(first_test, Tensor):
        _tf_while_stmt(test, body, get_state, set_state, symbol_names, opts)
        return
    if not first_test:
        return
    body()
    _py_while_stmt(test, body)


def _python_bool(condition, message: str) -> bool:
    """A Python loop's condition as a bool; a tensor there (the loop began as a Python loop) is
    TF's NotImplementedError with ``message``."""
    try:
        return bool(condition)
    except OperatorNotAllowedInGraphError as e:
        raise NotImplementedError(message) from e


def _py_while_stmt(test, body) -> None:
    def guarded_test():
        return _python_bool(test(), (
            "The condition of while loop started as non-Tensor, then changed to Tensor. This may happen either "
            "because variables changed type, or when a break or return statement inside the loop depends on a "
            "Tensor condition. In both cases, changing to a TF loop should remove the error.\nSee "
            f"{_LIMITATIONS} for more info."))

    while guarded_test():
        body()


def _tf_while_stmt(test, body, get_state, set_state, symbol_names: tuple, opts: dict) -> None:
    """Stage the loop as ``tf.while_loop`` whose loop variables are the state."""
    from minitf.ops.control_flow import assert_that, while_loop
    init_vars = tuple(get_state())
    original_init_vars = init_vars
    opts = dict(opts)
    invariants_by_value = {id(v): s for v, s in opts.pop("shape_invariants", ())}
    shape_invariants = [invariants_by_value.get(id(v)) for v in init_vars]
    nulls = tuple(v is None or is_undefined(v) for v in init_vars)
    require_one_iteration = False
    if any(nulls):
        # A variable the loop defines: learn its type by staging one iteration, start it at zeros,
        # and check (when the loop runs) that the loop ran at least once.
        require_one_iteration, init_vars, extra_invariants = _try_handling_undefineds(
            body, get_state, set_state, init_vars, nulls, shape_invariants, symbol_names)
        shape_invariants = [s if s is not None else e for s, e in zip(shape_invariants, extra_invariants)]

    def aug_test(*loop_vars):
        if require_one_iteration:
            loop_vars = loop_vars[1:]
        set_state(loop_vars)
        return checks.verify_condition(test(), "while loop")

    def aug_body(*loop_vars):
        if require_one_iteration:
            loop_vars = loop_vars[1:]
        set_state(loop_vars)
        body()
        new_loop_vars = tuple(get_state())
        checks.verify_loop_vars(init_vars, loop_vars, new_loop_vars, symbol_names, shape_invariants)
        return ((True,) if require_one_iteration else ()) + new_loop_vars

    loop_vars = ((False,) if require_one_iteration else ()) + init_vars
    invariants = ([None] if require_one_iteration else []) + [
        s if s is None else TensorShape(s) for s in shape_invariants]
    final = while_loop(aug_test, aug_body, loop_vars,
                       shape_invariants=invariants if any(s is not None for s in invariants) else None,
                       maximum_iterations=opts.get("maximum_iterations"))
    final = tuple(final) if isinstance(final, (list, tuple)) else (final,)
    if require_one_iteration:
        assert_that(final[0], _zero_iterations_message(symbol_names, nulls, original_init_vars))
        final = final[1:]
    set_state(final)


def _zero_iterations_message(symbol_names, nulls, init_vars) -> str:
    names = ["the function return value" if isinstance(v, UndefinedReturnValue) else name
             for name, null, v in zip(symbol_names, nulls, init_vars) if null]
    return f"loop must iterate at least once to initialize {', '.join(names)}"


def _try_handling_undefineds(body, get_state, set_state, init_vars, nulls, shape_invariants, symbol_names):
    """Stage one iteration in a scratch graph to learn the dtype and shape of the variables the loop
    defines; start them at zeros of that kind. Returns (success, new init_vars, their invariants)."""
    first_iter_vars, failure_message, state_modified = None, None, False
    extra_invariants = (None,) * len(init_vars)
    success = False
    try:
        with scratch_graph() as graph:
            def symbolic(v):  # a Python number would keep its value: give the staged body a placeholder
                if isinstance(v, (bool, int, float, np.ndarray, np.generic)):
                    t = convert_to_tensor(v)
                    return graph.placeholder(t.shape, t._value.dtype, t._value, name="init")
                return v
            set_state(tuple(nest.map_structure(symbolic, v) for v in init_vars))
            state_modified = True
            body()
            first_iter_vars = tuple(get_state())
        pairs = [_placeholder_value(first, invariant, v) if null else (v, None)
                 for v, null, first, invariant in zip(init_vars, nulls, first_iter_vars, shape_invariants)]
        init_vars = tuple(p[0] for p in pairs)
        extra_invariants = tuple(p[1] for p in pairs)
        success = True
    except (UnboundLocalError, TypeError, ValueError, KeyError) as e:
        failure_message = f"Note: AutoGraph tried to define it automatically, but ran into a {type(e).__name__}: {e}"
    finally:
        if state_modified:
            set_state(init_vars)
    checks.verify_loop_init_vars(init_vars, symbol_names, first_iter_vars, extra_message=failure_message)
    return success, init_vars, extra_invariants


def _placeholder_value(like, shape_invariant, original=None):
    """A zero value of ``like``'s kind (dtype, and shape with unknown sizes as 0), and the shape
    invariant it needs (when sizes are unknown), for a loop variable that has no value yet."""
    from minitf.ops.creation import zeros
    if like is None or is_undefined(like):
        return original, None
    if isinstance(like, (bool, int, float)):
        return type(like)(0), None
    if isinstance(like, Tensor):
        like_shape = tuple(shape_invariant) if shape_invariant is not None else tuple(like.shape)
        shape = [0 if s is None else s for s in like_shape]
        dynamic = any(s is None for s in like.shape) or any(s is None for s in like_shape)
        return zeros(shape, like.dtype), (like_shape if dynamic else None)
    if isinstance(like, (list, tuple, dict)):
        pairs = [_placeholder_value(v, None) for v in nest.flatten(like)]
        return (nest.pack_sequence_as(like, [p[0] for p in pairs]),
                nest.pack_sequence_as(like, [p[1] for p in pairs]))
    raise TypeError(f"Found an unsupported type '{type(like).__name__}' while creating placeholder for {like}. "
                    "Supported types include Tensor, int, float, bool, list, tuple or dict.")


# --- for --------------------------------------------------------------------------------------
def for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names: tuple, opts: dict) -> None:
    """A converted ``for``: a TF loop over a tensor or dataset while tracing, Python's ``for`` otherwise."""
    from minitf.data.dataset import Dataset
    if _tracing() and isinstance(iter_, Dataset):
        _tf_dataset_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
    elif _tracing() and isinstance(iter_, Tensor):
        if _is_range(iter_):
            _tf_range_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
        else:
            _known_len_tf_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts)
    else:
        _py_for_stmt(iter_, extra_test, body)


def _py_for_stmt(iter_, extra_test, body) -> None:
    if extra_test is None:
        for target in iter_:
            body(target)
        return

    def guarded_extra_test():
        return _python_bool(extra_test(), (
            "break and return statements which depend on a TF condition are not supported in Python for loops. "
            f"Did you intend to make it a TF loop?\nSee {_LIMITATIONS} for more info."))

    if guarded_extra_test():
        for target in iter_:
            body(target)
            if not guarded_extra_test():
                break


def _is_range(t: Tensor) -> bool:
    op = getattr(t, "_op", None)
    return op is not None and op.type == "Range"


def _const_value(t: Tensor):
    op = getattr(t, "_op", None)
    if op is None:
        return t._value
    return op.value if op.type == "Const" else None


def _with_iterate(get_state, set_state, symbol_names, iterate_box: list, opts: dict, default_iterate: bool):
    """State functions with the loop's counter in front: ``(iterate, *state)``."""
    iterate_names = opts.get("iterate_names")

    def aug_get_state():
        values = tuple(get_state())
        if default_iterate:  # `for i in tf.range(n)` with i read after the loop: i starts as the range's start
            values = tuple(iterate_box[0] if name == iterate_names and isinstance(v, Undefined) else v
                           for name, v in zip(symbol_names, values))
        return (iterate_box[0],) + values

    def aug_set_state(values):
        iterate_box[0] = values[0]
        set_state(tuple(values[1:]))

    return aug_get_state, aug_set_state


def _with_extra_test(main_test, extra_test):
    if extra_test is None:
        return main_test
    from minitf.ops.control_flow import cond
    return cond(main_test, extra_test, lambda: False)


def _tf_range_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts) -> None:
    """``for i in tf.range(start, limit, delta)``: a while loop over the counter itself."""
    from minitf.ops.elementwise import greater, less, logical_and, logical_or
    from minitf.ops.shape_ops import cast
    start, limit, delta = iter_.op.inputs
    dtype = iter_.dtype
    if start.dtype != dtype:  # tf.range(n, dtype=...) counts in its own dtype
        start, limit, delta = (cast(t, dtype) for t in (start, limit, delta))
    box = [start]
    aug_get_state, aug_set_state = _with_iterate(get_state, set_state, symbol_names, box, opts, True)

    def aug_body():
        body(box[0])
        box[0] = box[0] + delta

    def aug_test():
        iterate = box[0]
        step = _const_value(delta)
        if step is not None:
            main_test = less(iterate, limit) if step >= 0 else greater(iterate, limit)
        else:
            main_test = logical_or(logical_and(delta >= 0, iterate < limit), logical_and(delta < 0, iterate > limit))
        return _with_extra_test(main_test, extra_test)

    _tf_while_stmt(aug_test, aug_body, aug_get_state, aug_set_state, ("<internal iterate>",) + tuple(symbol_names),
                   opts)


def _known_len_tf_for_stmt(iter_, extra_test, body, get_state, set_state, symbol_names, opts) -> None:
    """``for row in t``: a while loop over an index, reading row i with ``tf.gather``."""
    from minitf.autograph.operators.py_builtins import len_
    from minitf.ops.shape_ops import gather
    if isinstance(iter_, Tensor) and iter_.ndim == 0:
        raise TypeError("Cannot iterate over a scalar tensor.")
    n = len_(iter_)
    box = [0]
    aug_get_state, aug_set_state = _with_iterate(get_state, set_state, symbol_names, box, opts, False)

    def aug_body():
        body(gather(iter_, box[0]))
        box[0] = box[0] + 1

    def aug_test():
        return _with_extra_test(convert_to_tensor(box[0]) < n, extra_test)

    _tf_while_stmt(aug_test, aug_body, aug_get_state, aug_set_state, ("<internal iterate>",) + tuple(symbol_names),
                   opts)


def _tf_dataset_for_stmt(ds, extra_test, body, get_state, set_state, symbol_names, opts) -> None:
    """``for x in dataset`` in a traced function: the body is traced once, and one op runs it per element."""
    from minitf.ops.control_flow import dataset_for
    init_vars = tuple(get_state())
    checks.verify_loop_init_vars(init_vars, symbol_names)

    def loop_body(loop_vars, element):
        set_state(loop_vars)
        body(element)
        new_loop_vars = tuple(get_state())
        checks.verify_loop_vars(init_vars, loop_vars, new_loop_vars, symbol_names, check_shapes=False)
        return new_loop_vars

    def loop_test(loop_vars):
        set_state(loop_vars)
        return extra_test()

    final = dataset_for(ds, init_vars, loop_body, loop_test if extra_test is not None else None)
    set_state(tuple(final))
