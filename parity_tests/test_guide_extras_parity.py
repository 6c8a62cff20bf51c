"""tf.io.decode_raw and adjust_contrast's missing gradient under TF and minitf."""
from parity_tests.harness import frameworks


def outcome(fn):
    try:
        value = fn()
    except Exception as e:  # the class and the message (without TF's op decorations)
        return type(e).__name__, str(e).split("[Op:")[0].split("}}")[-1].strip()
    return value.dtype.name, value.numpy().tolist()


def cases(tf):
    image = tf.Variable([[[0.5, 0.0, 0.0], [0.1, 0.2, 0.3]]])
    delta = tf.Variable(0.1)
    with tf.GradientTape() as tape:
        new_image = tf.image.adjust_contrast(image, delta)
    return [outcome(lambda: tf.io.decode_raw(tf.constant("Duck"), tf.uint8)),
            outcome(lambda: tf.io.decode_raw(tf.constant(["abcd", "efgh"]), tf.int16)),
            outcome(lambda: tf.io.decode_raw(tf.constant([["abcd", "efgh"]]), tf.int16, little_endian=False)),
            outcome(lambda: tf.io.decode_raw(tf.constant(["ab", "efgh"]), tf.uint8, fixed_length=3)),
            outcome(lambda: tf.io.decode_raw(tf.constant(["abc", "efgh"]), tf.int16)),
            outcome(lambda: tf.io.decode_raw(tf.constant("abc"), tf.int16)),
            outcome(lambda: tf.io.decode_raw(tf.constant("abcdabcd"), tf.float32)),
            outcome(lambda: new_image), outcome(lambda: tape.gradient(new_image, [image, delta]))]


def test_decode_raw_and_adjust_contrast_gradient_like_tf():
    tf, mtf = frameworks()
    assert cases(tf) == cases(mtf)
