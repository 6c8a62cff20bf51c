"""Adam (``tf.keras.optimizers.Adam``): momentum plus a per-weight step size from the gradient's scale.

With t = iterations + 1 and everything in the variable's dtype (Keras 3's update_step, in its
order of operations -- this is what makes float32 results equal TF's bit for bit):

    alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)        (the bias corrections, folded into alpha)
    m <- m + (g - m) * (1 - beta_1)                         (running mean of g)
    v <- v + (g*g - v) * (1 - beta_2)                       (running mean of g^2)
    v_hat <- max(v_hat, v); use v_hat for v                 (amsgrad only)
    w <- w - (m * alpha) / (sqrt(v) + epsilon)

Defaults: lr 1e-3, beta_1 0.9, beta_2 0.999, epsilon 1e-7 (TF's, not the paper's 1e-8).
"""
from __future__ import annotations

from minitf._tf_compat import pow_rounded
from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Adam(Optimizer):
    """Adaptive moment estimation (Kingma & Ba, 2014)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, amsgrad

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        t = self._local_step(variable.dtype)
        beta_1_power = pow_rounded(self.beta_1, t)  # TF's correctly rounded power (see _tf_compat)
        beta_2_power = pow_rounded(self.beta_2, t)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        alpha = lr * E.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.assign_add((gradient - m) * (1 - self.beta_1))
        v.assign_add((E.square(gradient) - v) * (1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            v_hat.assign(E.maximum(v_hat, v))
            v = v_hat
        variable.assign_sub((m * alpha) / (E.sqrt(v) + self.epsilon))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config
