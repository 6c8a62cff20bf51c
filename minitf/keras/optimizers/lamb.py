"""LAMB (``tf.keras.optimizers.Lamb``): Adam's step, rescaled per weight tensor by a trust ratio so
that large-batch training keeps each layer's relative step in check (You et al., 2019).

With t = iterations + 1, in the variable's dtype and in Keras 3's order of operations:

    m <- m + (g - m)(1 - beta_1),     v <- v + (g^2 - v)(1 - beta_2)
    u = (m / (1 - beta_1^t)) / (sqrt(v / (1 - beta_2^t)) + epsilon)       (Adam's step)
    ratio = |w| / |u|   (1 where either norm is 0)
    w <- w - ratio * lr * u

The norms sum in TF's order (``_tf_compat.eigen_sum``) over w * w, the exact square. Keras squares
with ``ops.power(w, 2)``, and TF's vectorized float32 pow (Eigen's) rounds about a quarter of its
results an ulp away from the exact square, so a norm, and then a step, can differ from Keras's in
its last bit (about one step in ten): minitf's values are Keras's to an ulp per step.
"""
from __future__ import annotations

from minitf._tf_compat import eigen_sum, pow_rounded
from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Lamb(Optimizer):
    """Layer-wise adaptive large-batch optimization: Adam with a per-tensor trust ratio."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        step = self._local_step(variable.dtype)
        beta_1_power = pow_rounded(S.cast(self.beta_1, variable.dtype), step)
        beta_2_power = pow_rounded(S.cast(self.beta_2, variable.dtype), step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((gradient * gradient - v) * (1 - self.beta_2))
        update = (m / (1.0 - beta_1_power)) / (E.sqrt(v / (1.0 - beta_2_power)) + self.epsilon)
        w_norm = E.sqrt(eigen_sum(variable * variable))
        u_norm = E.sqrt(eigen_sum(update * update))
        ratio = E.where(w_norm > 0, E.where(u_norm > 0, w_norm / u_norm, 1.0), 1.0)
        variable.assign_sub(ratio * lr * update)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
