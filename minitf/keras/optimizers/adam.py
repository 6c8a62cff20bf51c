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

import sys

from minitf import backend as B
from minitf.keras.optimizers.optimizer import Optimizer
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

    # Elements per block in update_step: a block of each array (256 KiB of float32) stays in cache (measured best).
    _BLOCK = 65536

    def update_step(self, gradient, variable: Variable, learning_rate) -> None:
        xp = B.xp
        dtype = variable._value.dtype.type
        alpha = self._alpha(dtype, learning_rate)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index]._value, self._velocities[index]._value
        if (self.amsgrad or variable._value.size <= self._BLOCK
                or not all(a.flags.c_contiguous for a in (gradient, m, v, variable._value))):
            self._update_whole(gradient, variable, index, m, v, alpha, dtype)  # small: fewer Python steps
            return
        # The rule is ~12 elementwise passes. On big variables (a 10000x128 embedding) each pass
        # over main memory is what costs, so the rule runs block by block: all its passes on one
        # block while it sits in cache, into two small reused scratch arrays (no temporaries).
        # Elementwise, so results are the same bits as whole-array passes, in Keras's order.
        # Tensors read from the variable earlier must keep their values, so the new weights go
        # into a new array -- unless nothing but the variable refers to the old one (no tensor,
        # view or .numpy() result holds it: CPython's reference count says so). Then it is
        # overwritten in place, which spares a fresh 5 MB allocation per step for an embedding.
        new_value = variable._value if _only_the_variable_holds(variable) else xp.empty_like(variable._value)
        flat = [a.reshape(-1) for a in (gradient, m, v, variable._value, new_value)]
        s1, s2 = self._scratch(min(self._BLOCK, flat[0].size), variable._value.dtype)
        for start in range(0, flat[0].size, self._BLOCK):
            g, m_, v_, w, w_new = (a[start:start + self._BLOCK] for a in flat)
            t1, t2 = s1[:g.size], s2[:g.size]
            xp.subtract(g, m_, out=t1)                    # m += (g - m) * (1 - beta_1)
            t1 *= dtype(1 - self.beta_1)
            m_ += t1
            xp.multiply(g, g, out=t1)                     # v += (g*g - v) * (1 - beta_2)
            t1 -= v_
            t1 *= dtype(1 - self.beta_2)
            v_ += t1
            xp.sqrt(v_, out=t1)                           # w -= (m * alpha) / (sqrt(v) + epsilon)
            t1 += dtype(self.epsilon)
            xp.multiply(m_, alpha, out=t2)
            t2 /= t1
            xp.subtract(w, t2, out=w_new)
        variable._value = new_value

    def _update_whole(self, gradient, variable: Variable, index: int, m, v, alpha, dtype) -> None:
        """The same rule on whole arrays (small variables, amsgrad, or arrays that are not contiguous)."""
        xp = B.xp
        delta = gradient - m
        delta *= dtype(1 - self.beta_1)
        m += delta
        delta = gradient * gradient
        delta -= v
        delta *= dtype(1 - self.beta_2)
        v += delta
        v_used = v
        if self.amsgrad:
            v_hat = self._velocity_hats[index]
            v_hat._value = xp.maximum(v_hat._value, v)
            v_used = v_hat._value
        denominator = xp.sqrt(v_used)
        denominator += dtype(self.epsilon)
        step = m * alpha
        step /= denominator
        if _only_the_variable_holds(variable):  # see update_step
            variable._value -= step
        else:
            variable._value = variable._value - step

    def _scratch(self, size: int, dtype):
        """Two reusable 1-D scratch arrays of ``size`` elements of ``dtype`` (grown as needed)."""
        cache = self.__dict__.setdefault("_scratch_arrays", {})
        pair = cache.get(dtype)
        if pair is not None and pair[0].size >= size:
            return pair
        cache[dtype] = (B.xp.empty(size, dtype=dtype), B.xp.empty(size, dtype=dtype))
        return cache[dtype]

    def _alpha(self, dtype, learning_rate):
        """lr * sqrt(1 - beta_2^t) / (1 - beta_1^t), computed once per step (and dtype)."""
        key = (self._step, dtype, learning_rate)
        if getattr(self, "_alpha_key", None) != key:
            xp = B.xp
            local_step = dtype(self._step + 1)
            beta_1_power = xp.power(dtype(self.beta_1), local_step)
            beta_2_power = xp.power(dtype(self.beta_2), local_step)
            self._alpha_value = dtype(learning_rate) * xp.sqrt(dtype(1) - beta_2_power) / (dtype(1) - beta_1_power)
            self._alpha_key = key
        return self._alpha_value

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "amsgrad": self.amsgrad})
        return config


def _only_the_variable_holds(variable: Variable) -> bool:
    """True when the variable's array owns its memory and no other object refers to it
    (views refer to their owner, so they count too). getrefcount sees the attribute and its own
    argument: 2."""
    return variable._value.base is None and sys.getrefcount(variable._value) <= 2
