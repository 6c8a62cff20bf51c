"""tf.random's seeding rules, same code under both frameworks. The numbers differ by design
(minitf draws with NumPy's PCG64, TF with Philox), so what must match is which draws repeat."""
import numpy as np


def _equalities(tf):
    """Which of a sequence of seeded draws equal each other, as a tuple of booleans."""
    draw = lambda seed=None: tf.random.uniform([4], seed=seed).numpy()  # noqa: E731
    tf.random.set_seed(5)
    g1, g2, a1, a2, b1 = draw(), draw(), draw(1), draw(1), draw(2)
    tf.random.set_seed(5)
    r_g1, r_g2, r_a1, r_a2 = draw(), draw(), draw(1), draw(1)
    tf.random.set_seed(6)
    other = draw(1)
    gen1, gen2 = tf.random.Generator.from_seed(3), tf.random.Generator.from_seed(3)
    same = np.array_equal
    return (same(g1, g2), same(a1, a2), same(a1, b1), same(g1, r_g1), same(g2, r_g2),
            same(a1, r_a1), same(a2, r_a2), same(a1, other),
            same(gen1.normal([3]).numpy(), gen2.normal([3]).numpy()))


def test_seeded_draws_repeat_exactly_when_tf_s_repeat(tf, mtf):
    assert _equalities(mtf) == _equalities(tf)
