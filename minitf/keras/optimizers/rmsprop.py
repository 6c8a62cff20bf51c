"""RMSprop (``tf.keras.optimizers.RMSprop``): divide the step by a running RMS of the gradient.

Keras 3's update_step, in its order (note epsilon sits *inside* the square root):

    v <- rho * v + (1 - rho) * g^2
    centered:  a <- rho * a + (1 - rho) * g;   denominator = v - a^2 + epsilon
    else:      denominator = v + epsilon
    increment = (lr * g) / sqrt(denominator)
    momentum > 0:  m <- momentum * m + increment;  w <- w - m
    else:          w <- w - increment

Defaults: lr 1e-3, rho 0.9, momentum 0, epsilon 1e-7, centered False.
"""
from __future__ import annotations

from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class RMSprop(Optimizer):
    """Root-mean-square propagation (Hinton's lecture 6e)."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, name=name, **kwargs)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, centered

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = self.add_optimizer_variables(var_list, "momentum") if self.momentum > 0 else []
        self._average_gradients = (self.add_optimizer_variables(var_list, "average_gradient")
                                   if self.centered else [])

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        index = self._get_variable_index(variable)
        velocity = self._velocities[index]
        velocity.assign(self.rho * velocity + (1 - self.rho) * E.square(gradient))
        if self.centered:
            average = self._average_gradients[index]
            average.assign(self.rho * average + (1 - self.rho) * gradient)
            denominator = velocity - E.square(average) + self.epsilon
        else:
            denominator = velocity + self.epsilon
        increment = (lr * gradient) / E.sqrt(denominator)
        if self.momentum > 0:
            momentum = self._momentums[index]
            momentum.assign(self.momentum * momentum + increment)
            variable.assign_sub(momentum)
        else:
            variable.assign_sub(increment)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon,
                       "centered": self.centered})
        return config
