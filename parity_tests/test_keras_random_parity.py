"""keras.random under Keras 3.15 and minitf: the same seeds give the same numbers (stateless draws from
TF's Philox streams), also from a SeedGenerator stepped inside a traced function, and the TF guide's
GAN, whose train_step draws its latent vectors with keras.random, trains to the same losses."""
import numpy as np
import pytest

from parity_tests.test_training_parity import compare_histories


def draws(tf) -> dict:
    keras = tf.keras
    gen = keras.random.SeedGenerator(42)
    out = {
        "normal": keras.random.normal((2, 3), seed=gen), "normal again": keras.random.normal((2, 3), seed=gen),
        "int seed": keras.random.normal((3,), seed=7), "int seed again": keras.random.normal((3,), seed=7),
        "large int seed": keras.random.uniform((3,), seed=2**32 + 5),
        "uniform": keras.random.uniform((4,), minval=-1, maxval=2, seed=gen),
        "randint": keras.random.randint((5,), 0, 10, seed=gen),
        "randint uint8": keras.random.randint((5,), 0, 10, dtype="uint8", seed=gen),
        "truncated": keras.random.truncated_normal((4,), mean=1.0, stddev=2.0, seed=gen),
        "dropout": keras.random.dropout(np.linspace(-2, 2, 8, dtype="float32"), 0.5, seed=gen),
        "dropout noise_shape": keras.random.dropout(np.ones((3, 4), "float32"), 0.25, noise_shape=(1, 4), seed=gen),
        "shuffle": keras.random.shuffle(np.arange(6), seed=gen),
        "state": gen.state,
    }
    keras.utils.set_random_seed(3)  # the global generator starts anew, from Python's random
    out["global"] = keras.random.normal((3,))
    out["global again"] = keras.random.normal((3,))
    traced_gen = keras.random.SeedGenerator(5)

    @tf.function
    def traced():
        return keras.random.uniform((2,), seed=traced_gen)

    for i in range(3):
        out[f"traced {i}"] = traced()
    return {k: np.asarray(v) for k, v in out.items()}


def test_the_same_seeds_give_kerass_numbers(tf, mtf):
    t, m = draws(tf), draws(mtf)
    assert list(m) == list(t)
    for key in t:
        assert m[key].dtype == t[key].dtype, key
        np.testing.assert_array_equal(m[key], t[key], err_msg=key)


def gan_history(tf, weights):
    """The guide's GAN ("Customizing what happens in fit()"), small: its train_step draws with
    keras.random and a SeedGenerator of the model's."""
    keras = tf.keras
    layers = keras.layers
    latent_dim = 4
    discriminator = keras.Sequential([keras.Input((8,)), layers.Dense(6), layers.LeakyReLU(negative_slope=0.2),
                                      layers.Dense(1)], name="discriminator")
    generator = keras.Sequential([keras.Input((latent_dim,)), layers.Dense(6), layers.LeakyReLU(negative_slope=0.2),
                                  layers.Dense(8, activation="sigmoid")], name="generator")

    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator, self.generator, self.latent_dim = discriminator, generator, latent_dim
            self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
            self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
            self.seed_generator = keras.random.SeedGenerator(1337)

        @property
        def metrics(self):
            return [self.d_loss_tracker, self.g_loss_tracker]

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

        def train_step(self, real_images):
            if isinstance(real_images, tuple):
                real_images = real_images[0]
            batch_size = tf.shape(real_images)[0]
            latent = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            combined = tf.concat([self.generator(latent), real_images], axis=0)
            labels = tf.concat([tf.ones((batch_size, 1)), tf.zeros((tf.shape(real_images)[0], 1))], axis=0)
            labels += 0.05 * keras.random.uniform(tf.shape(labels), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(combined))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            latent = keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)
            with tf.GradientTape() as tape:
                g_loss = self.loss_fn(tf.zeros((batch_size, 1)), self.discriminator(self.generator(latent)))
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            self.d_loss_tracker.update_state(d_loss)
            self.g_loss_tracker.update_state(g_loss)
            return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    if weights is not None:
        discriminator.set_weights(weights[0])
        generator.set_weights(weights[1])
    initial = discriminator.get_weights(), generator.get_weights()
    gan = GAN(discriminator, generator, latent_dim)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=0.003),
                g_optimizer=keras.optimizers.Adam(learning_rate=0.003),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    images = np.random.default_rng(0).random((48, 8)).astype("float32")
    history = gan.fit(tf.data.Dataset.from_tensor_slices(images).batch(16), epochs=4, verbose=0).history
    return history, initial


def test_the_guides_gan_trains_to_kerass_losses(tf, mtf, op_determinism):
    t_hist, initial = gan_history(tf, None)
    m_hist, _ = gan_history(mtf, initial)
    compare_histories("GAN with keras.random", t_hist, m_hist)
