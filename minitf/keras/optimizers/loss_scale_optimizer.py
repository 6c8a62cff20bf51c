"""LossScaleOptimizer (``keras.mixed_precision.LossScaleOptimizer``): dynamic loss scaling, as Keras 3.

float16 gradients underflow to zero below ~6e-8. So the loss is multiplied by a large scale
``S`` before differentiating (``scale_loss``), which multiplies every gradient by ``S`` too, and
``apply`` divides them by ``S`` again before the wrapped optimizer uses them::

    finite = all gradients finite
    if finite:   inner.apply(g / S);  step_counter += 1
                 if step_counter reached dynamic_growth_steps:  S <- 2 S, step_counter <- 0
    else:        S <- S / 2, step_counter <- 0          (the step is skipped: no update at all)

(Keras's order: the growth test reads the counter before it is incremented, ``counter ==
growth_steps - 1``.) ``compile`` wraps the optimizer in one automatically when the model's dtype
policy is ``"mixed_float16"`` (``auto_scale_loss=True``), as Keras does.

State, in Keras's order: ``variables`` = [iterations, learning_rate, step_counter,
dynamic_scale] (this wrapper's own; the first two unused) + the inner optimizer's variables.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from minitf.keras.optimizers.optimizer import Optimizer
from minitf.ops import elementwise as E
from minitf.ops import reductions as R
from minitf.ops import shape_ops as S
from minitf.ops.control_flow import cond
from minitf.tensor import Variable, convert_to_tensor


class LossScaleOptimizer(Optimizer):
    """Wraps ``inner_optimizer``: scales the loss up, the gradients back down, skips non-finite steps."""

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0 ** 15, dynamic_growth_steps: int = 2000,
                 name: str | None = None, **kwargs):
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        defaults = {"weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                    "loss_scale_factor": None, "gradient_accumulation_steps": None}
        for arg, default in defaults.items():
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set `{arg}` on the "
                                 "`inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        from minitf.keras import optimizers
        inner_optimizer = optimizers.get(inner_optimizer)
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None

    def build(self, var_list: Sequence[Variable]) -> None:
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int64", name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=float(self.initial_scale), dtype="float32",
                                               name="dynamic_scale")
        self.inner_optimizer.build(var_list)
        super().build(var_list)

    @property
    def variables(self) -> list[Variable]:
        return list(self._variables) + self.inner_optimizer.variables

    def get_state(self) -> list[np.ndarray]:
        return [v.numpy() for v in self.variables]

    def set_state(self, arrays) -> None:
        arrays = list(arrays)
        own = len(self._variables)
        if len(arrays) != len(self.variables):
            raise ValueError(f"LossScaleOptimizer.set_state: the optimizer has {len(self.variables)} variables but "
                             f"{len(arrays)} arrays were given")
        for variable, array in zip(self._variables, arrays[:own]):
            variable.assign(np.asarray(array).astype(np.dtype(variable.dtype.name)))
        self.inner_optimizer.set_state(arrays[own:])

    def save_own_variables(self, store: dict) -> None:
        for i, variable in enumerate(self.variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store: dict) -> None:
        self.set_state([store[str(i)] for i in range(len(store))])

    # --- Keras's learning_rate and iterations are the inner optimizer's ------------------------------
    @property
    def learning_rate(self) -> Any:
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        if "inner_optimizer" not in self.__dict__:  # Optimizer.__init__ setting its own (unused) rate
            self._set_learning_rate(value, initial=True)
        else:
            self.inner_optimizer.learning_rate = value

    @property
    def iterations(self) -> Variable:
        return self.inner_optimizer.iterations

    # --- scaling -----------------------------------------------------------------------------------------
    def scale_loss(self, loss: Any) -> Any:
        """``loss * dynamic_scale`` (the initial scale before the first ``apply``)."""
        scale = self.dynamic_scale if self.built else self.initial_scale
        loss = convert_to_tensor(loss)
        return loss * S.cast(scale, loss.dtype)

    def check_finite(self, grads: Sequence[Any]):
        finite = [R.reduce_all(E.is_finite(convert_to_tensor(g))) for g in grads if g is not None]
        return R.reduce_all(S.stack(finite))

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None) -> None:
        grads = list(grads)
        if not self.built:
            if trainable_variables is None:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first.")
            self.build(list(trainable_variables))
        variables = list(trainable_variables) if trainable_variables is not None else self._trainable_variables
        cond(self.check_finite(grads), lambda: self._apply_finite(grads, variables), self._skip_step)

    def _apply_finite(self, grads: list, variables: list) -> None:
        scale = self.dynamic_scale.value()
        unscaled = [None if g is None else convert_to_tensor(g) / S.cast(scale, convert_to_tensor(g).dtype)
                    for g in grads]
        self.inner_optimizer.apply(unscaled, variables)
        grow = E.equal(self.step_counter.value(), np.int64(self.dynamic_growth_steps - 1))
        cond(grow, self._upscale, self._count_step)

    def _upscale(self) -> None:
        self.step_counter.assign(np.int64(0))
        self.dynamic_scale.assign(self.dynamic_scale.value() * np.float32(2.0))

    def _count_step(self) -> None:
        self.step_counter.assign_add(np.int64(1))

    def _skip_step(self) -> None:
        self.step_counter.assign(np.int64(0))
        self.dynamic_scale.assign(self.dynamic_scale.value() * np.float32(0.5))

    # --- config --------------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        from minitf.keras.saving.serialization import serialize_keras_object
        return {"name": self.name, "inner_optimizer": serialize_keras_object(self.inner_optimizer),
                "initial_scale": self.initial_scale, "dynamic_growth_steps": self.dynamic_growth_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "LossScaleOptimizer":
        from minitf.keras.saving.serialization import deserialize_keras_object
        config = dict(config)
        inner = deserialize_keras_object(config.pop("inner_optimizer"), custom_objects)
        return cls(inner, **config)
