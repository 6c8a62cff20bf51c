"""tf.debugging under TF and minitf: what passes and the class of what fails, eagerly and inside a
traced function (where the check runs on every call)."""
import numpy as np
import pytest

CASES = [
    ("assert_equal holds", lambda tf: tf.debugging.assert_equal([1, 2], [1, 2])),
    ("assert_equal fails", lambda tf: tf.debugging.assert_equal([1, 2], [1, 3], message="hello")),
    ("assert_equal broadcast", lambda tf: tf.debugging.assert_equal([[1, 1]], 1)),
    ("assert_equal shapes", lambda tf: tf.debugging.assert_equal([1, 2], [1, 2, 3])),
    ("assert_none_equal", lambda tf: tf.debugging.assert_none_equal([1, 2], [2, 2])),
    ("assert_less holds", lambda tf: tf.debugging.assert_less([1, 2], [2, 3])),
    ("assert_less fails", lambda tf: tf.debugging.assert_less([1, 3], [2, 3])),
    ("assert_less_equal", lambda tf: tf.debugging.assert_less_equal([1.0, 3.0], [2.0, 3.0])),
    ("assert_greater fails", lambda tf: tf.debugging.assert_greater([1.0], [1.0])),
    ("assert_greater_equal", lambda tf: tf.debugging.assert_greater_equal([1.0], [1.0])),
    ("assert_positive fails", lambda tf: tf.debugging.assert_positive([1, -1])),
    ("assert_non_negative", lambda tf: tf.debugging.assert_non_negative([0.0, 2.0])),
    ("assert_negative fails", lambda tf: tf.debugging.assert_negative([0.0])),
    ("assert_non_positive", lambda tf: tf.debugging.assert_non_positive([-1, 0])),
    ("assert_near holds", lambda tf: tf.debugging.assert_near([1.0], [1.0 + 1e-7])),
    ("assert_near fails", lambda tf: tf.debugging.assert_near([1.0], [1.001])),
    ("assert_near rtol", lambda tf: tf.debugging.assert_near([1.0], [1.001], rtol=1e-2)),
    ("assert_rank holds", lambda tf: tf.debugging.assert_rank([[1, 2]], 2)),
    ("assert_rank fails", lambda tf: tf.debugging.assert_rank([1, 2], 2)),
    ("assert_type fails", lambda tf: tf.debugging.assert_type(tf.constant(1.0), tf.int32)),
    ("check_numerics holds", lambda tf: tf.debugging.check_numerics(tf.constant([1.0, 2.0]), "fine")),
    ("check_numerics NaN", lambda tf: tf.debugging.check_numerics(tf.constant([1.0, np.nan]), "bad")),
    ("check_numerics Inf", lambda tf: tf.debugging.check_numerics(tf.constant([np.inf]), "bad")),
    ("assert_all_finite", lambda tf: tf.debugging.assert_all_finite(tf.constant([np.inf]), "bad")),
]


def outcome(run):
    try:
        value = run()
    except Exception as e:  # noqa: BLE001 (its class is the outcome)
        return "error", {c.__name__ for c in type(e).__mro__} & {"ValueError", "TypeError", "InvalidArgumentError"}
    return "value", None if value is None else np.asarray(value).tolist()


@pytest.mark.parametrize("name,case", CASES, ids=[c[0] for c in CASES])
def test_eager_outcomes(tf, mtf, name, case):
    expected, actual = outcome(lambda: case(tf)), outcome(lambda: case(mtf))
    assert actual[0] == expected[0], f"{name}: TF {expected}, minitf {actual}"
    if expected[0] == "error":
        assert expected[1] <= actual[1], f"{name}: TF raises {expected[1]}, minitf {actual[1]}"
    else:
        assert actual == expected


def test_traced_checks_run_on_every_call(tf, mtf):
    results = []
    for fw in (tf, mtf):
        @fw.function
        def checked(x, fw=fw):
            fw.debugging.assert_positive(x)
            return fw.debugging.check_numerics(x * 2.0, "doubled")

        results.append([outcome(lambda v=v: checked(fw.constant(v))) for v in ([1.0], [2.0], [-1.0], [np.inf])])
    (t, m) = results
    assert [o[0] for o in m] == [o[0] for o in t] == ["value", "value", "error", "error"]
    assert all(a[1] == b[1] or b[1] <= a[1] for a, b in zip(m, t))
