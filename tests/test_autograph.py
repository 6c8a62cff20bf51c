"""AutoGraph (minitf/autograph): Python control flow on traced tensors becomes tf.cond / tf.while_loop.

Semantics (values, what runs while tracing, trace counts), the graphs it builds (the same ops as
hand-written tf.cond / tf.while_loop), TF's errors for variables that differ between branches or
iterations, gradients through converted if/while/for, calls into user functions and methods,
loops over datasets, and the public API (to_code, to_graph, do_not_convert, autograph=False,
set_verbosity). Parity with TF's own AutoGraph: parity_tests/test_autograph_parity.py.
"""
from __future__ import annotations

import io
import logging
import traceback

import numpy as np
import pytest

import minitf as tf
from minitf.errors import InvalidArgumentError, OperatorNotAllowedInGraphError, UnimplementedError


def op_types(function, *args) -> list[str]:
    """The op types of a trace, without placeholders and constants."""
    graph = function.get_concrete_function(*args).graph
    return [op.type for op in graph.get_operations() if op.type not in ("Placeholder", "Const")]


# --- if ---------------------------------------------------------------------------------------------
def test_if_on_a_tensor_becomes_a_cond_that_picks_the_branch_when_it_runs():
    @tf.function
    def f(x):
        if x > 0:
            y = x * 2
        else:
            y = -x
        return y

    assert int(f(tf.constant(3))) == 6 and int(f(tf.constant(-4))) == 4
    assert f.experimental_get_tracing_count() == 1
    assert op_types(f, tf.constant(1)).count("If") == 1


def test_a_converted_if_traces_the_same_ops_as_a_hand_written_cond():
    @tf.function
    def converted(x):
        if x > 0:
            y = x * 2.0
        else:
            y = x - 1.0
        return y

    @tf.function
    def by_hand(x):
        return tf.cond(x > 0, lambda: x * 2.0, lambda: x - 1.0)

    x = tf.constant(1.5)
    assert op_types(converted, x) == op_types(by_hand, x)
    ours, theirs = (f.get_concrete_function(x).graph for f in (converted, by_hand))
    (if_ours,) = [op for op in ours.get_operations() if op.type == "If"]
    (if_theirs,) = [op for op in theirs.get_operations() if op.type == "If"]
    for a, b in zip(if_ours.attrs["graphs"], if_theirs.attrs["graphs"]):
        assert [op.type for op in a.get_operations()] == [op.type for op in b.get_operations()]
    for value in (2.5, -3.0):
        assert converted(tf.constant(value)).numpy() == by_hand(tf.constant(value)).numpy()


def test_if_without_else_keeps_the_value_from_before():
    @tf.function
    def f(x):
        y = x
        if x > 0:
            y = y * 10.0
        return y

    assert float(f(tf.constant(3.0))) == 30.0 and float(f(tf.constant(-4.0))) == -4.0


def test_elif_chains_nest_conds():
    @tf.function
    def f(x):
        if x < 0:
            r = -1
        elif x == 0:
            r = 0
        elif x < 10:
            r = 1
        else:
            r = 2
        return r

    assert [int(f(tf.constant(v))) for v in (-5, 0, 5, 50)] == [-1, 0, 1, 2]
    assert f.experimental_get_tracing_count() == 1


def test_a_python_condition_stays_python_and_only_its_branch_is_traced(capsys):
    @tf.function
    def f(x, training):
        if training:
            print("training branch")
            x = x * 2
        return x

    assert int(f(tf.constant(1), True)) == 2 and int(f(tf.constant(1), False)) == 1
    assert capsys.readouterr().out.count("training branch") == 1
    assert "If" not in op_types(f, tf.constant(1), True)


def test_both_branches_of_a_tensor_if_are_traced_once_and_prints_stay_python(capsys):
    ran = io.StringIO()

    @tf.function
    def f(x):
        if x > 0:
            print("then traced")
            tf.print("then ran", output_stream=ran)
        else:
            print("else traced")
            tf.print("else ran", output_stream=ran)
        return x

    f(tf.constant(1))
    f(tf.constant(-1))
    f(tf.constant(2))
    traced = capsys.readouterr().out
    assert traced.count("then traced") == 1 and traced.count("else traced") == 1
    assert ran.getvalue().splitlines() == ["then ran", "else ran", "then ran"]


def test_return_in_both_branches_and_the_rest_of_the_function_as_the_else():
    @tf.function
    def f(x):
        if x > 0:
            return x
        return -x

    assert int(f(tf.constant(1))) == 1 and int(f(tf.constant(-5))) == 5


def test_a_function_returning_none_on_one_path_of_a_python_if():
    @tf.function
    def f(x, flag):
        if flag:
            return x + 1

    assert f(tf.constant(1), False) is None
    assert int(f(tf.constant(1), True)) == 2


def test_variable_assignments_in_branches_run_only_for_the_branch_taken():
    v = tf.Variable(0)

    @tf.function
    def f(x):
        if x > 0:
            v.assign_add(x)
        else:
            v.assign_sub(1)
        return v.read_value()

    assert [int(f(tf.constant(a))) for a in (5, -1, 2)] == [5, 4, 6]


def test_an_attribute_set_in_a_tensor_branch_is_carried_through_the_cond():
    class Counter:
        total = None

    counter = Counter()

    @tf.function
    def f(x):
        counter.total = tf.constant(0)
        if x > 0:
            counter.total = counter.total + x
        return counter.total

    assert int(f(tf.constant(4))) == 4 and int(f(tf.constant(-4))) == 0


def test_a_global_assigned_in_a_tensor_branch():
    global _assigned_global
    _assigned_global = None

    @tf.function
    def f(x):
        global _assigned_global
        if x > 0:
            _assigned_global = x + 1
        else:
            _assigned_global = x - 1
        return _assigned_global

    assert int(f(tf.constant(1))) == 2 and int(f(tf.constant(-1))) == -2


# --- if: TF's errors ------------------------------------------------------------------------------------
def test_a_variable_defined_in_one_branch_only_is_named_in_the_error():
    @tf.function
    def f(x):
        if x > 0:
            y = 1
        return y

    with pytest.raises(ValueError, match="'y' must also be initialized in the else branch"):
        f(tf.constant(1))


def test_a_variable_used_only_inside_its_branch_needs_no_else():
    @tf.function
    def f(x):
        out = x
        if x > 0:
            temporary = x * 3
            out = temporary + 1
        return out

    assert int(f(tf.constant(2))) == 7 and int(f(tf.constant(-2))) == -2


def test_branches_that_disagree_on_dtype_or_structure_are_refused_by_name():
    @tf.function
    def dtype(x):
        if x > 0:
            y = tf.constant(1)
        else:
            y = tf.constant(1.0)
        return y

    @tf.function
    def structure(x):
        if x > 0:
            y = (x, x)
        else:
            y = x
        return y

    @tf.function
    def python_numbers(x):
        if x > 0:
            y = 1
        else:
            y = 1.0
        return y

    with pytest.raises(TypeError, match="'y' has dtype int32 in the main branch, but dtype float32 in the else branch"):
        dtype(tf.constant(1))
    with pytest.raises(TypeError, match="'y' must have the same nested structure in the main and else branches"):
        structure(tf.constant(1))
    with pytest.raises(TypeError, match="'y' has dtype int32 in the main branch"):
        python_numbers(tf.constant(1))


def test_a_return_in_one_branch_of_a_tensor_if_is_refused():
    @tf.function
    def f(x):
        if x > 0:
            return x

    with pytest.raises(ValueError, match="the else branch must also have a return statement"):
        f(tf.constant(1))


def test_none_in_a_branch_and_a_non_bool_condition_are_refused():
    @tf.function
    def none_in_branch(x):
        y = x
        if x > 0:
            y = None
        return y

    @tf.function
    def float_condition(x):
        if x:
            x = x + 1
        return x

    with pytest.raises(ValueError, match="'y' is None at the end of the main branch"):
        none_in_branch(tf.constant(1))
    with pytest.raises(ValueError, match="condition of if statement expected to be `tf.bool` scalar"):
        float_condition(tf.constant(1.0))


def test_a_python_if_that_leaves_a_variable_undefined_fails_as_python_would():
    @tf.function
    def f(x, flag):
        if flag:
            y = x
        return y

    with pytest.raises(UnboundLocalError, match="'y' is used before assignment"):
        f(tf.constant(1), False)


def test_an_error_in_a_branch_points_at_the_users_line():
    @tf.function
    def f(x):
        if x > 0:
            y = 1
        return y

    with pytest.raises(ValueError) as info:
        f(tf.constant(1))
    frames = [fr for fr in traceback.extract_tb(info.value.__traceback__) if fr.filename == __file__]
    assert frames[-1].line.strip() == "if x > 0:"


# --- logical operators and expressions ---------------------------------------------------------------------
def test_and_or_not_on_tensors():
    @tf.function
    def f(x, y):
        if x > 0 and y > 0:
            r = 1
        elif x > 0 or not y > 0:
            r = 2
        else:
            r = 3
        return r

    cases = [((1, 1), 1), ((1, -1), 2), ((-1, 1), 3), ((-1, -1), 2)]
    assert [int(f(tf.constant(a), tf.constant(b))) for (a, b), _ in cases] == [r for _, r in cases]
    assert f.experimental_get_tracing_count() == 1


def test_and_stays_lazy_on_tensors():
    ran = io.StringIO()

    @tf.function
    def f(x):
        def right():
            tf.print("right side ran", output_stream=ran)
            return x < 10
        return x > 0 and right()

    assert bool(f(tf.constant(5))) is True
    assert bool(f(tf.constant(-5))) is False
    assert ran.getvalue().count("right side ran") == 1


def test_chained_comparisons_and_conditional_expressions():
    @tf.function
    def inside(x):
        return 0 < x < 10

    @tf.function
    def absolute(x):
        return x if x > 0 else -x

    assert [bool(inside(tf.constant(v))) for v in (-1, 5, 11)] == [False, True, False]
    assert [float(absolute(tf.constant(v))) for v in (2.0, -3.0)] == [2.0, 3.0]


def test_builtins_with_a_tensor_meaning():
    @tf.function
    def f(x, n):
        total = 0
        for i in range(n):
            total += i
        return total, len(x), float(n), int(tf.constant(2.7)), abs(-x)

    total, length, as_float, as_int, absolute = f(tf.constant([1, -2, 3]), tf.constant(5))
    assert int(total) == 10 and length == 3
    assert as_float.dtype == tf.float32 and float(as_float) == 5.0
    assert as_int.dtype == tf.int32 and int(as_int) == 2
    np.testing.assert_array_equal(absolute.numpy(), [1, 2, 3])


# --- while -------------------------------------------------------------------------------------------------
def test_while_on_a_tensor_becomes_one_while_loop():
    @tf.function
    def f(n):
        i = 0
        s = 0
        while i < n:
            s += i
            i += 1
        return s, i

    for n in (0, 5, 9):
        s, i = f(tf.constant(n))
        assert (int(s), int(i)) == (n * (n - 1) // 2, n)
    assert f.experimental_get_tracing_count() == 1
    assert op_types(f, tf.constant(3)).count("While") == 1


def test_the_collatz_style_loop_of_tfs_guide():
    @tf.function
    def f(x):
        while tf.reduce_sum(x) > 1:
            x = tf.tanh(x)
        return x

    expected = np.array([0.5, 0.9, 0.3], np.float32)
    while expected.sum(dtype=np.float32) > 1:
        expected = np.tanh(expected)
    np.testing.assert_allclose(f(tf.constant([0.5, 0.9, 0.3])).numpy(), expected, rtol=1e-6)


def test_a_python_while_unrolls_while_tracing(capsys):
    @tf.function
    def f(x):
        i = 0
        while i < 3:
            print("iteration traced")
            x = x + i
            i += 1
        return x

    assert int(f(tf.constant(10))) == 13
    assert capsys.readouterr().out.count("iteration traced") == 3
    assert "While" not in op_types(f, tf.constant(1))


def test_break_and_continue_in_a_tensor_while():
    @tf.function
    def f(x):
        s = tf.constant(0)
        i = 0
        while i < x:
            i += 1
            if i % 3 == 0:
                continue
            if i > 7:
                break
            s += i
        return s

    def python(x):
        s, i = 0, 0
        while i < x:
            i += 1
            if i % 3 == 0:
                continue
            if i > 7:
                break
            s += i
        return s

    assert [int(f(tf.constant(x))) for x in (0, 5, 10)] == [python(x) for x in (0, 5, 10)]
    assert f.experimental_get_tracing_count() == 1


def test_loops_with_an_else_clause_are_not_converted_as_in_tf(caplog):
    @tf.function
    def while_else(n):
        i = 0
        while i < n:
            i += 1
        else:
            i = i * 10
        return i

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def for_else(xs):
        s = 0.0
        for x in xs:
            s += x
        else:
            s = -s
        return s

    # TF's AutoGraph refuses for/else and while/else, warns, and runs the function unconverted,
    # where a Python loop on a traced tensor fails (minitf's unconverted trace unrolls a loop over
    # a tensor of known length, hence the unknown length here).
    with caplog.at_level(logging.WARNING), pytest.raises(OperatorNotAllowedInGraphError):
        while_else(tf.constant(3))
    assert "while/else statement not yet supported" in caplog.text
    with caplog.at_level(logging.WARNING), pytest.raises(OperatorNotAllowedInGraphError):
        for_else(tf.constant([1.0, 2.0]))
    assert "for/else statement not yet supported" in caplog.text
    # On Python values they run as Python does.
    assert int(while_else(3)) == 30


def test_loop_variables_that_change_dtype_or_shape_are_refused_by_name():
    @tf.function
    def dtype(n):
        s = 0
        i = 0
        while i < n:
            s = tf.cast(s, tf.float32)
            i += 1
        return s

    @tf.function
    def shape(n):
        s = tf.constant([1.0])
        while tf.reduce_sum(s) < n:
            s = tf.concat([s, s], 0)
        return s

    with pytest.raises(TypeError, match="'s' has dtype int32 before the loop, but dtype float32 after one iteration"):
        dtype(tf.constant(3))
    with pytest.raises(ValueError, match=r"'s' has shape \(1,\) before the loop, but shape \(2,\) after one "
                                         r"iteration. Use tf.autograph.experimental.set_loop_options"):
        shape(tf.constant(5.0))


def test_set_loop_options_shape_invariants_let_a_loop_variable_grow():
    @tf.function
    def f(n):
        acc = tf.constant([0])
        for i in tf.range(n):
            tf.autograph.experimental.set_loop_options(shape_invariants=[(acc, tf.TensorShape([None]))])
            acc = tf.concat([acc, [i]], 0)
        return acc

    np.testing.assert_array_equal(f(tf.constant(4)).numpy(), [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(f(tf.constant(1)).numpy(), [0, 0])


def test_a_variable_first_defined_in_a_tensor_loop_needs_one_iteration():
    @tf.function
    def f(n):
        i = 0
        while i < n:
            y = i * 2
            i += 1
        return y

    assert int(f(tf.constant(3))) == 4
    with pytest.raises(InvalidArgumentError, match=r"loop must iterate at least once to initialize y"):
        f(tf.constant(0))


def test_a_python_loop_condition_that_turns_into_a_tensor_is_refused():
    @tf.function
    def f(x):
        i = 0
        while i < 3:
            i = i + x
        return i

    with pytest.raises(NotImplementedError, match="started as non-Tensor, then changed to Tensor"):
        f(tf.constant(1))


# --- for -----------------------------------------------------------------------------------------------------
def test_for_over_tf_range_is_a_while_loop_over_the_counter(capsys):
    @tf.function
    def f(n):
        s = tf.constant(0)
        for i in tf.range(1, n + 1):
            print("body traced")
            s += i * i
        return s

    assert [int(f(tf.constant(n))) for n in (0, 3, 10)] == [0, 14, 385]
    assert capsys.readouterr().out.count("body traced") == 1
    graph = f.get_concrete_function(tf.constant(3)).graph
    (loop,) = [op for op in graph.get_operations() if op.type == "While"]
    # As in TF, the loop counts from the range's start by its step: the Range op built by the
    # user's tf.range call feeds nothing (the replay compiler drops it as dead code).
    assert all(t.op.type != "Range" for t in loop.inputs)


def test_for_over_a_float_range_and_a_negative_step():
    @tf.function
    def f(n):
        out = tf.constant(0.0)
        for x in tf.range(0.0, n, 0.5):
            out += x
        down = tf.constant(0)
        for i in tf.range(n_int(n), 0, -2):
            down += i
        return out, down

    def n_int(n):
        return tf.cast(n, tf.int32)

    out, down = f(tf.constant(3.0))
    assert float(out) == 0.0 + 0.5 + 1.0 + 1.5 + 2.0 + 2.5 and int(down) == 3 + 1


def test_break_continue_and_return_in_a_range_loop():
    @tf.function
    def breaks(n):
        s = tf.constant(0)
        for i in tf.range(n):
            if i > 5:
                break
            s += i
        return s

    @tf.function
    def continues(n):
        s = tf.constant(0)
        for i in tf.range(n):
            if i % 2 == 0:
                continue
            s += i
        return s

    assert [int(breaks(tf.constant(n))) for n in (3, 10)] == [0 + 1 + 2, 0 + 1 + 2 + 3 + 4 + 5]
    assert [int(continues(tf.constant(n))) for n in (3, 10)] == [1, 1 + 3 + 5 + 7 + 9]


def test_a_return_inside_a_tensor_loop_is_refused_as_in_tf():
    @tf.function
    def f(n):
        for i in tf.range(n):
            if i > 3:
                return i
        return -1

    with pytest.raises(NotImplementedError, match="a return statement cannot be placed inside this TensorFlow loop"):
        f(tf.constant(10))


def test_for_over_a_tensor_iterates_its_rows():
    @tf.function
    def f(x):
        s = tf.zeros([2])
        for row in x:
            s += row
        return s

    x = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    np.testing.assert_array_equal(f(tf.constant(x)).numpy(), x.sum(axis=0))
    assert "While" in op_types(f, tf.constant(x))


def test_for_over_a_tensor_of_unknown_length():
    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def f(x):
        s = 0
        for v in x:
            s += v
        return s

    assert int(f(tf.constant([1, 2, 3]))) == 6 and int(f(tf.constant([5] * 7))) == 35
    assert f.experimental_get_tracing_count() == 1


def test_for_over_a_python_list_unrolls_and_a_tensor_break_there_is_refused(capsys):
    @tf.function
    def unrolled(x):
        for k in [1, 2, 3]:
            print("unrolled", k)
            x = x + k
        return x

    @tf.function
    def tensor_break(x):
        s = x
        for k in [1, 2, 3]:
            if s > 2:
                break
            s = s + k
        return s

    assert int(unrolled(tf.constant(1))) == 7
    assert capsys.readouterr().out.count("unrolled") == 3
    with pytest.raises(NotImplementedError, match="break and return statements which depend on a TF condition"):
        tensor_break(tf.constant(1))


def test_nested_tensor_loops():
    @tf.function
    def f(n):
        s = 0
        for i in tf.range(n):
            j = 0
            while j < i:
                s += j
                j += 1
        return s

    assert int(f(tf.constant(5))) == sum(j for i in range(5) for j in range(i))


def test_a_tensor_array_free_rnn_loop_over_time_steps():
    @tf.function
    def f(inputs, state):
        for step in tf.range(tf.shape(inputs)[0]):
            state = tf.tanh(inputs[step] + state)
        return state

    x = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
    expected = np.zeros(3, np.float32)
    for row in x:
        expected = np.tanh(row + expected)
    np.testing.assert_allclose(f(tf.constant(x), tf.zeros([3])).numpy(), expected, rtol=1e-6)


@pytest.mark.host_range_checks
def test_a_traced_integer_index_gathers_and_counts_from_the_end_when_negative():
    @tf.function
    def f(m, i, j):
        return m[i, 1:], m[:, j], m[i, j]

    m = np.arange(12, dtype=np.float32).reshape(4, 3)
    for i, j in ((2, -1), (-4, 0)):
        rows, column, item = f(tf.constant(m), tf.constant(i), tf.constant(j))
        np.testing.assert_array_equal(rows.numpy(), m[i, 1:])
        np.testing.assert_array_equal(column.numpy(), m[:, j])
        assert float(item) == m[i, j]
    with pytest.raises(InvalidArgumentError):
        f(tf.constant(m), tf.constant(4), tf.constant(0))


# --- datasets ----------------------------------------------------------------------------------------------
def test_for_over_a_dataset_is_one_op_that_iterates_it_on_every_call():
    @tf.function
    def total(ds):
        s = tf.constant(0)
        for x in ds:
            s += x
        return s

    ds = tf.data.Dataset.from_tensor_slices([1, 2, 3, 4])
    assert int(total(ds)) == 10 and int(total(ds)) == 10
    assert int(total(ds.map(lambda v: v * 2))) == 20
    big = tf.data.Dataset.from_tensor_slices(tf.range(100))
    small = tf.data.Dataset.from_tensor_slices(tf.range(3))
    assert op_types(total, big) == op_types(total, small) == ["DatasetFor"]


def test_a_shuffled_dataset_is_reshuffled_on_every_call_of_the_traced_function():
    @tf.function
    def order(ds):
        seen = tf.constant(0, tf.int64)
        for x in ds:
            seen = seen * 10 + x
        return seen

    ds = tf.data.Dataset.range(1, 8).shuffle(7, seed=3)
    values = [int(order(ds)) for _ in range(6)]
    assert all(sorted(str(v)) == list("1234567") for v in values)
    assert len(set(values)) > 1


def test_for_over_a_dataset_of_pairs_with_break():
    @tf.function
    def f(ds):
        loss = tf.constant(0)
        for x, y in ds:
            if x > 3:
                break
            loss += tf.abs(y - x)
        return loss

    ds = tf.data.Dataset.from_tensor_slices(([1, 2, 3, 4, 5], [2, 0, 3, 9, 9]))
    assert int(f(ds)) == 1 + 2 + 0


def test_for_over_a_batched_dataset_whose_last_batch_is_smaller():
    @tf.function
    def f(ds):
        s = tf.constant(0.0)
        count = 0
        for batch in ds:
            s += tf.reduce_sum(batch)
            count += 1
        return s, count

    ds = tf.data.Dataset.from_tensor_slices(np.arange(10, dtype=np.float32)).batch(4)
    s, count = f(ds)
    assert float(s) == 45.0 and int(count) == 3


# --- gradients ---------------------------------------------------------------------------------------------
def test_gradients_flow_through_a_converted_if():
    v = tf.Variable(3.0)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            if x > 0:
                y = v * v * x
            else:
                y = v * x
        return tape.gradient(y, v)

    assert float(f(tf.constant(2.0))) == 2 * 3.0 * 2.0 and float(f(tf.constant(-2.0))) == -2.0


def test_gradients_flow_through_a_tensor_while_loop_with_a_trip_count_known_when_it_runs():
    @tf.function
    def f(x, n):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.constant(1.0)
            i = 0
            while i < n:
                y = y * x + 1.0
                i += 1
        return y, tape.gradient(y, x)

    for x, n in ((2.0, 3), (0.5, 5), (1.5, 0)):
        y, g = f(tf.constant(x), tf.constant(n))
        # y_n = x^n + x^(n-1) + ... + 1, so dy/dx = sum k x^(k-1)
        assert float(y) == pytest.approx(sum(x ** k for k in range(n + 1)))
        assert float(g) == pytest.approx(sum(k * x ** (k - 1) for k in range(1, n + 1)))
    assert f.experimental_get_tracing_count() == 1


def test_gradients_of_a_range_loop_reach_variables_and_captured_tensors():
    w = tf.Variable(0.5)

    @tf.function
    def f(x, scale):
        with tf.GradientTape() as tape:
            tape.watch(scale)
            h = x
            for _ in tf.range(3):
                h = tf.tanh(w * h) * scale
            loss = tf.reduce_sum(h)
        return tape.gradient(loss, [w, scale])

    x = np.array([0.3, -1.2], np.float32)

    def loss(w_value, scale_value):
        h = x.astype(np.float64)
        for _ in range(3):
            h = np.tanh(w_value * h) * scale_value
        return h.sum()

    gw, gs = f(tf.constant(x), tf.constant(1.1))
    eps = 1e-6
    assert float(gw) == pytest.approx((loss(0.5 + eps, 1.1) - loss(0.5 - eps, 1.1)) / (2 * eps), rel=1e-4)
    assert float(gs) == pytest.approx((loss(0.5, 1.1 + eps) - loss(0.5, 1.1 - eps)) / (2 * eps), rel=1e-4)


def test_a_tape_outside_a_traced_loop_differentiates_it():
    @tf.function
    def power(x, n):
        y = tf.ones_like(x)
        for _ in tf.range(n):
            y = y * x
        return y

    x = tf.constant([1.5, -2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = power(x, tf.constant(4))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), 4 * x.numpy() ** 3, rtol=1e-6)


def test_gradients_through_nested_loops_and_a_cond_in_a_loop():
    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for i in tf.range(3):
                if i % 2 == 0:
                    y = y * x
                else:
                    y = y + x
                j = 0
                while j < 2:
                    y = y * 1.5
                    j += 1
        return tape.gradient(y, x)

    def y_of(x):
        y = x
        for i in range(3):
            y = y * x if i % 2 == 0 else y + x
            y = y * 1.5 * 1.5
        return y

    eps = 1e-5
    assert float(f(tf.constant(0.7))) == pytest.approx((y_of(0.7 + eps) - y_of(0.7 - eps)) / (2 * eps), rel=1e-4)


def test_gradients_of_loops_over_a_tensors_rows_and_over_a_counter_that_indexes_it():
    @tf.function
    def grads(inputs):
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(inputs)
            by_rows = tf.zeros([3], tf.float64)
            for row in inputs:
                by_rows = tf.tanh(row + 0.5 * by_rows)
            by_index = tf.zeros([3], tf.float64)
            for step in tf.range(tf.shape(inputs)[0]):
                by_index = tf.tanh(inputs[step] + 0.5 * by_index)
            loss_rows, loss_index = tf.reduce_sum(by_rows ** 2), tf.reduce_sum(by_index ** 2)
        return tape.gradient(loss_rows, inputs), tape.gradient(loss_index, inputs)

    def loss(x):
        state = np.zeros(3)
        for row in x:
            state = np.tanh(row + 0.5 * state)
        return (state ** 2).sum()

    x = np.random.default_rng(1).normal(size=(4, 3))
    numeric = np.zeros_like(x)
    eps = 1e-6
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        numeric[index] = (loss(x + step) - loss(x - step)) / (2 * eps)
    by_rows, by_index = grads(tf.constant(x))
    np.testing.assert_allclose(by_rows.numpy(), numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(by_index.numpy(), numeric, rtol=1e-6, atol=1e-9)


def test_the_gradient_of_a_loop_with_side_effects_is_refused_with_the_reason():
    v = tf.Variable(0.0)

    @tf.function
    def f(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in tf.range(2):
                v.assign_add(1.0)
                y = y * x
        return tape.gradient(y, x)

    with pytest.raises(UnimplementedError, match="would repeat its side effects"):
        f(tf.constant(2.0))


# --- calls: what gets converted ---------------------------------------------------------------------------
def _helper_with_if(x):
    if x > 0:
        return x * 100
    return x


class _Stepper:
    def __init__(self, factor):
        self.factor = factor

    def step(self, x):
        if x > 0:
            return x * self.factor
        return x - 1

    def __call__(self, x):
        while x * x < 10000:
            x = x * self.factor
        return x


class _Base:
    def scale(self, x):
        return x * 2


class _Child(_Base):
    def scale(self, x):
        if x > 0:
            return super().scale(x) + 1
        return x


def test_functions_methods_and_callable_objects_called_from_a_converted_function_are_converted():
    stepper = _Stepper(3)

    @tf.function
    def f(x):
        return _helper_with_if(x) + stepper.step(x) + stepper(x) + _Child().scale(x)

    for x in (2, -3):
        expected = (x * 100 if x > 0 else x) + (x * 3 if x > 0 else x - 1)
        y = x
        while y * y < 10000:
            y *= 3
        expected += y + (x * 2 + 1 if x > 0 else x)
        assert int(f(tf.constant(x))) == expected


def test_a_tf_function_method_is_converted_per_instance():
    class Model(tf.Module):
        def __init__(self):
            super().__init__()
            self.threshold = tf.Variable(1.0)

        @tf.function
        def __call__(self, x):
            if tf.reduce_mean(x) > self.threshold:
                x = x - self.threshold
            return x

    model = Model()
    np.testing.assert_array_equal(model(tf.constant([2.0, 4.0])).numpy(), [1.0, 3.0])
    np.testing.assert_array_equal(model(tf.constant([0.0, 1.0])).numpy(), [0.0, 1.0])


def test_nested_functions_and_lambdas_are_converted():
    @tf.function
    def f(x):
        def inner(y):
            if y > 0:
                return y
            return -y
        pick = lambda y: y * 2 if y > 5 else y  # noqa: E731
        return pick(inner(x))

    assert [int(f(tf.constant(v))) for v in (3, -7)] == [3, 14]


def test_a_recursive_tf_function_on_python_values_retraces():
    @tf.function
    def countdown(n):
        if n > 0:
            return countdown(n - 1)
        return 1

    assert int(countdown(3)) == 1


def test_minitf_code_is_not_converted_and_do_not_convert_keeps_the_refusal():
    @tf.autograph.experimental.do_not_convert
    def helper(x):
        if x > 0:
            x = x * 2
        return x

    @tf.function
    def f(x):
        return helper(x)

    with pytest.raises(OperatorNotAllowedInGraphError):
        f(tf.constant(3))
    layer = tf.keras.layers.Dense(2)

    @tf.function
    def g(x):
        return layer(x)

    assert g(tf.ones([1, 3])).shape == (1, 2)


def test_autograph_false_keeps_todays_refusal():
    @tf.function(autograph=False)
    def f(x):
        if x > 0:
            x = x * 2
        return x

    with pytest.raises(OperatorNotAllowedInGraphError, match="tf.cond"):
        f(tf.constant(3))


def test_a_function_without_source_runs_as_is_with_tfs_warning(caplog):
    namespace = {"tf": tf}
    exec(compile("def no_source(x):\n    return x + 1\n", "<no file>", "exec"), namespace)  # noqa: S102
    with caplog.at_level(logging.WARNING, logger="minitf"):
        result = tf.function(namespace["no_source"])(tf.constant(1))
    assert int(result) == 2
    assert "AutoGraph could not transform" in caplog.text and "will run it as-is" in caplog.text
    assert "@tf.autograph.experimental.do_not_convert" in caplog.text


# --- the API ----------------------------------------------------------------------------------------------------
def test_to_code_shows_the_rewritten_function():
    def f(x):
        while x > 0:
            x = x - 1
        if x > 0:
            y = 1
        else:
            y = 2
        return y

    code = tf.autograph.to_code(f)
    assert "ag__.while_stmt(" in code and "ag__.if_stmt(" in code and "def if_body():" in code
    assert "nonlocal y" in code
    assert tf.autograph.to_code(tf.function(f)) == code  # a tf.function shows its python_function's


def test_to_graph_gives_a_function_that_works_eagerly_and_traced():
    def f(x):
        if x > 0:
            x = x * 2
        return x

    converted = tf.autograph.to_graph(f)
    assert int(converted(tf.constant(3))) == 6
    assert int(tf.function(converted)(tf.constant(-3))) == -3
    with pytest.raises(tf.autograph.ConversionError):
        tf.autograph.to_graph(len)


def test_set_verbosity_logs_each_conversion(caplog):
    def to_convert(x):
        return x + 1

    tf.autograph.set_verbosity(1)
    try:
        with caplog.at_level(logging.INFO, logger="minitf"):
            tf.function(to_convert)(tf.constant(1))
    finally:
        tf.autograph.set_verbosity(0)
    assert "Converted" in caplog.text and "to_convert" in caplog.text


def test_replay_gives_the_eager_bits():
    @tf.function
    def f(x):
        y = tf.zeros_like(x)
        for i in tf.range(4):
            if tf.reduce_sum(y) < 3.0:
                y = y + tf.sin(x) * tf.cast(i, tf.float32)
            else:
                y = y * 0.5
        return y

    x = np.random.default_rng(1).normal(size=(5,)).astype(np.float32)
    eager = np.zeros_like(x)
    for i in range(4):
        if eager.sum(dtype=np.float32) < 3.0:
            eager = eager + np.sin(x) * np.float32(i)
        else:
            eager = eager * np.float32(0.5)
    tf.config.run_functions_eagerly(True)
    try:
        eager_minitf = f(tf.constant(x)).numpy()
    finally:
        tf.config.run_functions_eagerly(False)
    traced = f(tf.constant(x)).numpy()
    np.testing.assert_array_equal(traced, eager_minitf)
    np.testing.assert_allclose(traced, eager, rtol=1e-6)
