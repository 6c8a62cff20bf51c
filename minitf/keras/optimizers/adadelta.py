"""Adadelta (``tf.keras.optimizers.Adadelta``): step sizes from the ratio of two running RMS values.

In the variable's dtype and in Keras 3's order of operations, with rms(a) = sqrt(a + epsilon):

    E[g^2]  <- rho * E[g^2] + (1 - rho) * g^2
    delta   <- -(rms(E[dw^2]) * g) / rms(E[g^2])         (the previous steps' scale over the gradients')
    E[dw^2] <- rho * E[dw^2] + (1 - rho) * delta^2
    w       <- w + lr * delta

Defaults: lr 1e-3, rho 0.95, epsilon 1e-7 (Zeiler's paper has lr 1: Keras scales the step).
"""
from __future__ import annotations

from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Adadelta(Optimizer):
    """An adaptive learning rate method (Zeiler, 2012)."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.rho, self.epsilon = rho, epsilon

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"])

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        index = self._get_variable_index(variable)
        grad_squares, delta_squares = self._accumulated_grads[index], self._accumulated_delta_vars[index]

        def rms(x):
            return E.sqrt(x + self.epsilon)

        grad_squares.assign(self.rho * grad_squares.value() + (1 - self.rho) * E.square(gradient))
        delta = -((rms(delta_squares.value()) * gradient) / rms(grad_squares.value()))
        delta_squares.assign(self.rho * delta_squares.value() + (1 - self.rho) * E.square(delta))
        variable.assign_add(lr * delta)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
