"""Lion (``tf.keras.optimizers.Lion``): the sign of an interpolated momentum, found by program search.

In the variable's dtype (the betas too) and in Keras 3's order of operations:

    w <- w - lr * sign(m * beta_1 + g * (1 - beta_1))     (every weight moves by exactly lr, or stays)
    m <- m * beta_2 + g * (1 - beta_2)

Defaults: lr 1e-3, beta_1 0.9, beta_2 0.99 (Chen et al., 2023: a smaller lr than Adam's suits it).
"""
from __future__ import annotations

from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Lion(Optimizer):
    """EvoLved Sign Momentum."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(f"Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to "
                             f"SignSGD. Received: beta_1={beta_1}.")
        self.beta_1, self.beta_2 = beta_1, beta_2

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        beta_1, beta_2 = S.cast(self.beta_1, variable.dtype), S.cast(self.beta_2, variable.dtype)
        m = self._momentums[self._get_variable_index(variable)]
        variable.assign_sub(lr * E.sign(m * beta_1 + gradient * (1.0 - beta_1)))
        m.assign(m * beta_2 + gradient * (1.0 - beta_2))

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
