"""tf.scan, tf.foldl, tf.foldr, tf.searchsorted and tf.control_dependencies/group/no_op under TF and
minitf: the same values and dtypes (eagerly, traced, and scan's gradient), and the same error classes."""
import numpy as np


def outcomes(tf) -> list:
    x = tf.constant([1.0, 2.0, 3.0, 4.0])

    @tf.function
    def traced(v):
        return tf.scan(lambda a, e: a + e, v), tf.foldl(lambda a, e: a * e, v)

    y = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(y)
        z = tf.reduce_sum(tf.scan(lambda a, v: a * v, y))
    with tf.control_dependencies([x]):
        after = x + 1
    cases = [
        lambda: tf.scan(lambda a, v: a + v, x),
        lambda: tf.scan(lambda a, v: a * v, x, initializer=tf.constant(2.0)),
        lambda: tf.scan(lambda a, v: a + v, x, reverse=True),
        lambda: tf.scan(lambda a, v: (a[0] + v, a[1] * v), x, initializer=(tf.constant(0.0), tf.constant(1.0))),
        lambda: tf.foldl(lambda a, v: a - v, x),
        lambda: tf.foldr(lambda a, v: a - v, x),
        lambda: tf.foldl(lambda a, v: a + v, x, initializer=tf.constant(10.0)),
        lambda: tf.searchsorted([[1, 3, 5, 7], [2, 4, 6, 8]], [[4, 7], [0, 9]]),
        lambda: tf.searchsorted([1.0, 3.0, 3.0, 5.0], [3.0, 6.0], side="right"),
        lambda: tf.searchsorted([1, 3], [2], out_type=tf.int64),
        lambda: tf.searchsorted([[1, 3]], [[2], [3]]),
        lambda: tf.no_op(),
        lambda: tf.group(x),
        lambda: after,
        lambda: traced(x),
        lambda: tape.gradient(z, y),
    ]
    out = []
    for run in cases:
        try:
            value = run()
        except Exception as e:  # noqa: BLE001 (the class is the outcome)
            out.append(("error", "InvalidArgumentError" in {c.__name__ for c in type(e).__mro__}))
            continue
        out.append([(np.asarray(v).dtype.name, np.asarray(v).tolist()) for v in tf.nest.flatten(value)]
                   if value is not None else None)
    return out


def test_the_same_outcomes(tf, mtf):
    for i, (t, m) in enumerate(zip(outcomes(tf), outcomes(mtf), strict=True)):
        assert m == t, f"case {i}: TF {t}, minitf {m}"
