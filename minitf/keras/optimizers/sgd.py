"""SGD (``tf.keras.optimizers.SGD``): step against the gradient, optionally with momentum.

With g the gradient, lr the learning rate and mu the momentum (Keras 3's update_step):

    plain (mu = 0):   w <- w - g * lr
    momentum:         m <- m * mu - g * lr;   w <- w + m
    nesterov:         m <- m * mu - g * lr;   w <- w + (m * mu - g * lr)     (with the new m)
"""
from __future__ import annotations

import numpy as np

from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class SGD(Optimizer):
    """Gradient descent with optional (Nesterov) momentum. ``momentum`` must be a float in [0, 1]."""

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        # As Keras: an int (even 0) is refused, so SGD(momentum=0) raises.
        if not isinstance(momentum, (float, np.floating)) or momentum < 0 or momentum > 1:
            raise ValueError(f"`momentum` must be a float between [0, 1]. Received: momentum={momentum!r} "
                             f"({type(momentum).__name__})")
        self.momentum = momentum
        self.nesterov = nesterov

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self.momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum != 0 else []

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        if self.momentum == 0:
            variable.assign_sub(gradient * lr)
            return
        m = self.momentums[self._get_variable_index(variable)]
        m.assign(m * self.momentum - gradient * lr)
        if self.nesterov:
            variable.assign_add(m * self.momentum - gradient * lr)
        else:
            variable.assign_add(m)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
