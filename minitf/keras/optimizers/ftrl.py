"""FTRL-proximal (``tf.keras.optimizers.Ftrl``): "follow the regularized leader", the optimizer of
large sparse linear models (click-through prediction; McMahan et al., 2013).

Per weight, an accumulator n of squared gradients and a "linear" term z; with p = -learning_rate_power
(1/2 by default: n^p is then sqrt(n)), l2' = l2 + beta / (2 lr), and g' = g + 2 l2_shrinkage w,
in Keras 3's order:

    z <- z + g' - (n_new^p - n^p) / lr * w,      n_new = n + g^2
    w <- (clip(z, -l1, l1) - z) / (n_new^p / lr + 2 l2')       (0 wherever |z| <= l1: sparsity)
    n <- n_new

The powers are rounded once from float64 (``pow_rounded``): correctly rounded, the same bits on
every CPU. TF's vectorized float32 pow (Eigen's, under Keras's ``ops.power``) rounds about a quarter
of its results an ulp away, so minitf's weights are Keras's to an ulp per step, not to the bit.
"""
from __future__ import annotations

from minitf._tf_compat import pow_rounded
from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Variable


class Ftrl(Optimizer):
    """Follow-the-regularized-leader with L1 and L2 regularization built into the update."""

    def __init__(self, learning_rate=0.001, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0,
                 l2_shrinkage_regularization_strength=0.0, beta=0.0, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate=learning_rate, name=name, weight_decay=weight_decay, clipnorm=clipnorm,
                         clipvalue=clipvalue, global_clipnorm=global_clipnorm, use_ema=use_ema,
                         ema_momentum=ema_momentum, ema_overwrite_frequency=ema_overwrite_frequency,
                         loss_scale_factor=loss_scale_factor,
                         gradient_accumulation_steps=gradient_accumulation_steps, **kwargs)
        for value, what in ((initial_accumulator_value, "initial_accumulator_value"),
                            (l1_regularization_strength, "l1_regularization_strength"),
                            (l2_regularization_strength, "l2_regularization_strength"),
                            (l2_shrinkage_regularization_strength, "l2_shrinkage_regularization_strength")):
            if value < 0.0:
                raise ValueError(f"`{what}` needs to be positive or zero. Received: {what}={value}.")
        if learning_rate_power > 0.0:
            raise ValueError(f"`learning_rate_power` needs to be negative or zero. Received: "
                             f"learning_rate_power={learning_rate_power}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"], initializer=[float(self.initial_accumulator_value), "zeros"])

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        lr = S.cast(learning_rate, variable.dtype)
        index = self._get_variable_index(variable)
        accum, linear = self._accumulators[index], self._linears[index]
        power = -self.learning_rate_power
        l2 = self.l2_regularization_strength + self.beta / (2.0 * lr)
        shrunk_gradient = gradient + 2 * self.l2_shrinkage_regularization_strength * variable
        new_accum = accum + gradient * gradient
        new_accum_power = pow_rounded(new_accum, power)
        linear.assign_add(shrunk_gradient - (new_accum_power - pow_rounded(accum.value(), power)) / lr * variable)
        quadratic = new_accum_power / lr + 2 * l2
        l1 = self.l1_regularization_strength
        variable.assign((E.clip_by_value(linear.value(), -l1, l1) - linear) / quadratic)
        accum.assign(new_accum)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"learning_rate_power": self.learning_rate_power,
                       "initial_accumulator_value": self.initial_accumulator_value,
                       "l1_regularization_strength": self.l1_regularization_strength,
                       "l2_regularization_strength": self.l2_regularization_strength,
                       "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                       "beta": self.beta})
        return config
