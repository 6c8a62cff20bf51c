"""tf.sequence_mask, tf.unique, tf.ensure_shape and tf.map_fn under TF and minitf: the same values,
dtypes and error classes, and map_fn's gradient (tests/test_functional_and_sequence_ops.py has the rest)."""
import numpy as np


def outcomes(tf) -> list:
    cases = [
        ("sequence_mask", lambda: tf.sequence_mask([1, 3, 2])),
        ("sequence_mask maxlen float32", lambda: tf.sequence_mask([[1, 3], [0, 2]], maxlen=4, dtype=tf.float32)),
        ("sequence_mask float lengths", lambda: tf.sequence_mask(np.array([1.5, 2.0], np.float32))),
        ("sequence_mask empty", lambda: tf.sequence_mask(np.zeros((0,), np.int32))),
        ("unique", lambda: tuple(tf.unique([3, 1, 3, 2, 1, 5]))),
        ("unique NaN and signed zeros", lambda: tuple(tf.unique(np.array([0.5, np.nan, 0.5, -0.0, 0.0], np.float32)))),
        ("unique int64 indices", lambda: tuple(tf.unique([2, 2], out_idx=tf.int64))),
        ("unique of a matrix", lambda: tuple(tf.unique([[1, 2]]))),
        ("ensure_shape", lambda: tf.ensure_shape(tf.ones((2, 3)), (None, 3))),
        ("ensure_shape mismatch", lambda: tf.ensure_shape(tf.ones((2, 3)), (2, 4))),
        ("ensure_shape rank", lambda: tf.ensure_shape(tf.ones((2, 3)), (2, 3, 1))),
        ("map_fn", lambda: tf.map_fn(lambda r: r * 2.0, tf.constant([[1.0, 2.0], [3.0, 4.0]]))),
        ("map_fn structure without signature", lambda: tf.map_fn(lambda p: p[0] + p[1], (tf.constant([1.0, 2.0]),
                                                                                         tf.constant([10.0, 20.0])))),
        ("map_fn structure with signature", lambda: tf.map_fn(lambda p: p[0] + p[1], (tf.constant([1.0, 2.0]),
                                                                                      tf.constant([10.0, 20.0])),
                                                              fn_output_signature=tf.float32)),
        ("map_fn to a tuple", lambda: tf.map_fn(lambda r: (r, r * 2), tf.constant([1.0, 2.0]),
                                                fn_output_signature=(tf.float32, tf.float32))),
        ("map_fn another dtype", lambda: tf.map_fn(lambda r: tf.reduce_sum(r) > 0, tf.constant([[1.0], [-1.0]]))),
        ("map_fn signature dtype", lambda: tf.map_fn(lambda r: tf.reduce_sum(r) > 0, tf.constant([[1.0], [-1.0]]),
                                                     fn_output_signature=tf.bool)),
        ("map_fn no slices", lambda: tf.map_fn(lambda r: r * 2.0, tf.zeros((0, 3)))),
        ("map_fn scalar", lambda: tf.map_fn(lambda r: r, tf.constant(1.0))),
    ]
    out = []
    for name, run in cases:
        try:
            value = run()
        except Exception as e:  # noqa: BLE001 (the class is the outcome compared)
            out.append((name, "error", [c.__name__ for c in type(e).__mro__ if c.__name__ in (
                "ValueError", "TypeError", "InvalidArgumentError")]))
            continue
        parts = value if isinstance(value, tuple) else (value,)
        out.append((name, [(np.asarray(p).dtype.name, np.asarray(p).shape, np.asarray(p).tolist()) for p in parts]))
    return out


def test_the_same_values_and_error_classes(tf, mtf):
    t, m = outcomes(tf), outcomes(mtf)
    for (name, *expected), (_, *actual) in zip(t, m, strict=True):
        if expected[0] == "error":  # minitf's error is of TF's class (it may also be a ValueError: minitf's are)
            assert actual[0] == "error" and set(expected[1]) <= set(actual[1]), f"{name}: TF {expected}, minitf {actual}"
        else:
            assert repr(actual) == repr(expected), f"{name}: TF {expected}, minitf {actual}"


def test_map_fn_gradient(tf, mtf):
    x0 = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, 0.5]], np.float32)
    grads = []
    for fw in (tf, mtf):
        x = fw.constant(x0)
        with fw.GradientTape() as tape:
            tape.watch(x)
            y = fw.reduce_sum(fw.map_fn(lambda r, fw=fw: r * r * fw.reduce_max(r), x))
        grads.append(tape.gradient(y, x).numpy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-6)
