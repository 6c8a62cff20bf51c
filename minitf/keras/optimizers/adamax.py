"""Adamax (``tf.keras.optimizers.Adamax``): Adam with the infinity norm in place of the squared mean.

With t = iterations + 1, in the variable's dtype and in Keras 3's order of operations:

    m <- m + (g - m) * (1 - beta_1)                     (running mean of g)
    u <- max(beta_2 * u, |g|)                           (a decaying running maximum of |g|)
    w <- w - (lr * m) / ((1 - beta_1^t) * (u + epsilon))

Defaults: lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7.
"""
from __future__ import annotations

from minitf._tf_compat import pow_rounded
from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Adamax(Optimizer):
    """Adam's variant on the infinity norm (Kingma & Ba, 2014, section 7)."""

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
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        beta_1_power = pow_rounded(self.beta_1, self._local_step(variable.dtype))
        index = self._get_variable_index(variable)
        m, u = self._m[index], self._u[index]
        m.assign_add((gradient - m) * (1 - self.beta_1))
        u.assign(E.maximum(self.beta_2 * u.value(), E.abs(gradient)))
        variable.assign_sub((lr * m) / ((1 - beta_1_power) * (u + self.epsilon)))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
