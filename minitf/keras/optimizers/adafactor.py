"""Adafactor (``tf.keras.optimizers.Adafactor``): Adam's second moment, factored for matrices so that
a weight of shape (..., rows, cols) keeps rows + cols numbers instead of rows * cols (Shazeer &
Stern, 2018), and a step measured relative to the weights' own scale.

With t = iterations + 1, rms(x) = sqrt(mean(x^2)), in the variable's dtype and Keras 3's order:

    lr <- min(lr, 1/sqrt(t))  (relative_step, a constant learning rate only)
    rho = min(lr, 1/sqrt(t)),   alpha = max(epsilon_2, rms(w)) * rho
    G = g^2 + epsilon_1,        beta = 1 - t^beta_2_decay
    matrices: r <- beta r + (1 - beta) mean(G, rows' axis -1)     c <- beta c + (1 - beta) mean(G, axis -2)
              v = (r / mean(r)) outer c                            (the factored estimate of E[g^2])
    vectors:  v <- beta v + (1 - beta) G
    u = g / sqrt(v),   w <- w - alpha * u / max(1, rms(u) / clip_threshold)

The rms sums run in TF's order (``_tf_compat.eigen_sum``). The means along one axis are NumPy's
sums: TF's for rows of fewer than 8 numbers and up to 16 rows (the parity suite's shapes); wider
matrices may differ from Keras's in the last bit.
"""
from __future__ import annotations

import math

import numpy as np

from minitf._tf_compat import eigen_sum, pow_rounded
from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Adafactor(Optimizer):
    """Adam with a factored second moment and a relative step size."""

    def __init__(self, learning_rate=0.001, beta_2_decay=-0.8, epsilon_1=1e-30, epsilon_2=1e-3, clip_threshold=1.0,
                 relative_step=True, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        self.beta_2_decay, self.epsilon_1, self.epsilon_2 = beta_2_decay, epsilon_1, epsilon_2
        self.clip_threshold, self.relative_step = clip_threshold, relative_step

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        # Keras's creation order: per variable, r and c (matrices only), then v.
        self._r, self._c, self._v = [], [], []
        for variable in var_list:
            name = str(variable.name).split(":")[0].replace("/", "_")
            if len(variable.shape) >= 2:
                shape = tuple(variable.shape)
                self._r.append(self.add_variable(shape[:-1], dtype=variable._value.dtype, name=name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=variable._value.dtype, name=name))
            else:  # Keras keeps two unused int32 scalars here (saved with the optimizer's state)
                self._r.append(self.add_variable((), dtype=np.int32, name=name))
                self._c.append(self.add_variable((), dtype=np.int32, name=name))
            self._v.append(self.add_variable_from_reference(variable, "velocity"))

    def _rms(self, x):
        return E.sqrt(eigen_sum(x * x) / float(math.prod(x.shape)))

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        dtype = variable.dtype
        lr = S.cast(learning_rate, dtype)
        step = self._local_step(dtype)
        inverse_sqrt_step = 1 / E.sqrt(step)
        if not callable(self._learning_rate) and self.relative_step:
            lr = E.minimum(lr, inverse_sqrt_step)
        index = self._get_variable_index(variable)
        r, c, v = self._r[index], self._c[index], self._v[index]
        rho = E.minimum(lr, inverse_sqrt_step)
        alpha = E.maximum(S.cast(self.epsilon_2, dtype), self._rms(variable.value())) * rho
        regulated_square = gradient * gradient + self.epsilon_1
        beta = 1 - pow_rounded(step, S.cast(self.beta_2_decay, dtype))
        if len(variable.shape) >= 2:
            r.assign(beta * r + (1 - beta) * R.reduce_mean(regulated_square, axis=-1))
            c.assign(beta * c + (1 - beta) * R.reduce_mean(regulated_square, axis=-2))
            v.assign(S.expand_dims(r / R.reduce_mean(r.value(), axis=-1, keepdims=True), -1) * S.expand_dims(c, -2))
        else:
            v.assign(beta * v + (1 - beta) * regulated_square)
        u = gradient / E.sqrt(v.value())
        u_hat = u / E.maximum(S.cast(1.0, dtype), self._rms(u) / self.clip_threshold)
        variable.assign_sub(alpha * u_hat)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                       "clip_threshold": self.clip_threshold, "relative_step": self.relative_step})
        return config

