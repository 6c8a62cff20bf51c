"""Checks of lesson 00's exercises (tensors). Expected values come from NumPy."""
import numpy as np

from lessons.exercises.checking import Failed, as_array, close, exercise, need


@exercise("2", "matmul of two [5, 300] tensors")
def matmul(answers):
    rng = np.random.default_rng(0)
    a, b = rng.uniform(size=(5, 300)).astype(np.float32), rng.uniform(size=(5, 300)).astype(np.float32)
    import minitf
    got = as_array(need(answers, "matmul_of")(minitf.constant(a), minitf.constant(b)), "matmul_of(a, b)")
    if got.shape == (300, 300):
        raise Failed("matmul_of(a, b) has shape (300, 300): you transposed the first matrix; the product "
                     "a^T b pairs columns. Transpose the second one to get (5, 5)")
    close("matmul_of(a, b)", got, a.astype(np.float64) @ b.T.astype(np.float64), rtol=1e-5, atol=1e-4)


@exercise("3", "minimum and maximum along each axis")
def min_max(answers):
    x = np.random.default_rng(1).uniform(size=(224, 224, 3)).astype(np.float32)
    import minitf
    pairs = need(answers, "min_max_along_axes")(minitf.constant(x))
    if len(pairs) != 3:
        raise Failed(f"min_max_along_axes should return 3 pairs (one per axis), got {len(pairs)}")
    for axis, pair in enumerate(pairs):
        low, high = pair
        close(f"minimum along axis {axis}", low, x.min(axis=axis), rtol=0, atol=0)
        close(f"maximum along axis {axis}", high, x.max(axis=axis), rtol=0, atol=0)


@exercise("4", "squeeze [1, 224, 224, 3] to [224, 224, 3]")
def squeeze(answers):
    x = np.random.default_rng(2).uniform(size=(1, 224, 224, 3)).astype(np.float32)
    import minitf
    close("squeeze_batch(x)", need(answers, "squeeze_batch")(minitf.constant(x)), x[0], rtol=0, atol=0)


@exercise("5", "one-hot encode the index of the largest value")
def one_hot(answers):
    import minitf
    for seed in range(3):
        values = np.random.default_rng(seed).permutation(10).astype(np.float32)
        expected = np.eye(10)[int(np.argmax(values))]
        got = as_array(need(answers, "one_hot_of_largest")(minitf.constant(values)), "one_hot_of_largest")
        if got.shape == ():
            raise Failed(f"one_hot_of_largest returned the single number {got}: that is the index; "
                         f"one-hot encode it with tf.one_hot(index, depth=10)")
        close(f"one_hot_of_largest({values.astype(int).tolist()})", got, expected, rtol=0, atol=0)
