"""Nadam (``tf.keras.optimizers.Nadam``): Adam with Nesterov momentum, and a momentum schedule.

With t = iterations + 1, mu_t = beta_1 * (1 - 0.5 * 0.96^t) (the momentum schedule), and
P_t = mu_1 * ... * mu_t kept in a variable (updated once per step, before the variables), in the
variable's dtype (the betas too: 1 - beta_1 is rounded from float32's 0.9, unlike Adam's) and in
Keras 3's order of operations:

    m <- m + (g - m) * (1 - beta_1)
    v <- v + (g*g - v) * (1 - beta_2)
    m_hat = mu_{t+1} * m / (1 - P_t * mu_{t+1}) + (1 - mu_t) * g / (1 - P_t)   (Nesterov: a step ahead)
    v_hat = v / (1 - beta_2^t)
    w <- w - (m_hat * lr) / (sqrt(v_hat) + epsilon)

Defaults: lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7 (Dozat, 2016).
"""
from __future__ import annotations

import numpy as np

from minitf._tf_compat import pow_rounded
from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Nadam(Optimizer):
    """Nesterov-accelerated adaptive moment estimation."""

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
        var_list = list(var_list)
        dtype = var_list[0]._value.dtype if var_list else np.dtype(np.float32)
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        self._u_product = self._track(Variable(np.ones((), dtype), trainable=False, name="variable"))

    def _momentum_schedule(self, step, dtype):
        """mu_step = beta_1 * (1 - 0.5 * 0.96^step)."""
        return S.cast(self.beta_1, dtype) * (1.0 - 0.5 * pow_rounded(0.96, step))

    def _update_steps(self, grads, variables, learning_rate) -> None:
        dtype = self._u_product.dtype
        step = self._local_step(dtype)
        self._u_product.assign(self._u_product.value() * self.beta_1 * (1.0 - 0.5 * pow_rounded(0.96, step)))
        super()._update_steps(grads, variables, learning_rate)

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = S.cast(learning_rate, dtype)
        t = self._local_step(dtype)
        u_t = self._momentum_schedule(t, dtype)
        u_t_1 = self._momentum_schedule(t + 1, dtype)
        u_product_t = S.cast(self._u_product.value(), dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = pow_rounded(self.beta_2, t)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        beta_1, beta_2 = S.cast(self.beta_1, dtype), S.cast(self.beta_2, dtype)  # (1 - beta: in the dtype, as Keras)
        m.assign_add((gradient - m) * (1 - beta_1))
        v.assign_add((E.square(gradient) - v) * (1 - beta_2))
        m_hat = (u_t_1 * m) / (1 - u_product_t_1) + ((1 - u_t) * gradient) / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        variable.assign_sub((m_hat * lr) / (E.sqrt(v_hat) + self.epsilon))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
