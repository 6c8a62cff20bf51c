"""The Optimizer base class (``tf.keras.optimizers.Optimizer``): turn gradients into weight updates.

``optimizer.apply_gradients(zip(grads, variables))`` (or ``optimizer.apply(grads, variables)``)
runs, in Keras 3's order (``keras/src/optimizers/base_optimizer.py``):

    1. skip variables whose gradient is None (with a warning, as Keras)
    2. clip:          clipnorm (each gradient to norm <= c), or global_clipnorm (all of them
                      together to global norm <= c), or clipvalue (each element into [-c, c])
    3. weight decay:  w <- w - w * weight_decay * lr           (if weight_decay is set)
    4. update_step:   the optimizer's own rule, once per variable (SGD, Adam, ...)
    5. iterations += 1

The learning rate is a float32 Variable (``optimizer.learning_rate``, settable), or a
``LearningRateSchedule`` evaluated at ``iterations`` (the number of updates done so far).

Every step of the update is an op (assignments included), so a traced training step
(``fit``, or a ``tf.function`` around ``apply_gradients``) replays it without Python. The
arithmetic is done in the variable's dtype, in Keras's order of operations, so float32 results
match TF's (Adam bit for bit; see parity_tests/test_optimizers_parity.py). A variable gets a
*new* array at each update (assign never writes into an array), so tensors read from it earlier
keep their values.

State, for saving: ``variables`` lists every optimizer Variable in a stable order, as Keras's:
``[iterations, learning_rate (if not a schedule), then the slots in creation order]`` -- for
Adam: m_0, v_0, m_1, v_1, ... one pair per trainable variable in the order ``build`` saw them.
``get_state()`` returns them as NumPy arrays and ``set_state(arrays)`` puts them back (build
the optimizer on the same variables first: ``optimizer.build(model.trainable_variables)``).
"""
from __future__ import annotations

import re
import warnings
from typing import Any, Iterable, Sequence

import numpy as np

from minitf import array_backend as B
from minitf._tf_compat import eigen_sum
from minitf.errors import UnimplementedError
from minitf.keras.naming import auto_name
from minitf.keras.optimizers import schedules as schedules_module
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.tensor import Tensor, Variable, convert_to_tensor

class Optimizer:
    """Base class. Subclasses define ``build`` (create slots) and ``update_step`` (the rule)."""

    def __init__(self, learning_rate: Any, weight_decay: float | None = None, clipnorm: float | None = None,
                 clipvalue: float | None = None, global_clipnorm: float | None = None, use_ema: bool = False,
                 ema_momentum: float = 0.99, ema_overwrite_frequency: int | None = None,
                 loss_scale_factor: float | None = None, gradient_accumulation_steps: int | None = None,
                 name: str | None = None, **kwargs):
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=2)
        if kwargs:
            raise ValueError(f"{type(self).__name__}: argument(s) not recognized: {kwargs}")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(f"Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        if use_ema:
            raise UnimplementedError(f"{type(self).__name__}: use_ema=True is not implemented in minitf")
        if gradient_accumulation_steps:
            raise UnimplementedError(f"{type(self).__name__}: gradient_accumulation_steps is not implemented in minitf")
        self.name = name or auto_name(type(self).__name__)
        self.weight_decay = weight_decay
        self.clipnorm, self.clipvalue, self.global_clipnorm = clipnorm, clipvalue, global_clipnorm
        self.use_ema, self.ema_momentum, self.ema_overwrite_frequency = use_ema, ema_momentum, ema_overwrite_frequency
        self.loss_scale_factor = loss_scale_factor
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.built = False
        self._variables: list[Variable] = []
        self._trainable_variables: list[Variable] = []
        self._index: dict[int, int] = {}  # id(variable) -> its position in build()'s list
        self._iterations = self._track(Variable(np.int64(0), trainable=False, name=f"{self.name}/iteration"))
        self._learning_rate: Any = None
        self._set_learning_rate(learning_rate, initial=True)

    # --- learning rate and step counter ------------------------------------------------------------------
    @property
    def iterations(self) -> Variable:
        """How many updates have been applied (an int64 Variable)."""
        return self._iterations

    @property
    def learning_rate(self) -> Any:
        """The learning rate now: its Variable (float32), or the schedule's value at ``iterations``."""
        lr = self._learning_rate
        if isinstance(lr, schedules_module.LearningRateSchedule):
            return lr(self._iterations)
        if isinstance(lr, Variable):
            return lr
        return lr()  # a callable of no arguments

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        self._set_learning_rate(value, initial=False)

    def _set_learning_rate(self, value: Any, initial: bool) -> None:
        if isinstance(value, schedules_module.LearningRateSchedule) or (
                callable(value) and not isinstance(value, Tensor)):
            if isinstance(self._learning_rate, Variable):
                self._variables.remove(self._learning_rate)
            self._learning_rate = value
            return
        if isinstance(value, Tensor):
            value = float(value.numpy())
        if initial:
            if not isinstance(value, (float, np.floating)) or isinstance(value, bool):
                raise ValueError(
                    "Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or a "
                    "callable (that takes in the current iteration value and returns the corresponding "
                    f"learning rate value). Received instead: learning_rate={value!r}")
            self._learning_rate = self._track(Variable(np.float32(value), trainable=False,
                                                       name=f"{self.name}/learning_rate"))
            return
        if isinstance(self._learning_rate, schedules_module.LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable. If "
                            "you need the learning rate to be settable, you should instantiate the optimizer "
                            "with a float `learning_rate` argument.")
        if not isinstance(self._learning_rate, Variable):  # was a callable: make it a Variable again
            self._learning_rate = Variable(np.float32(value), trainable=False, name=f"{self.name}/learning_rate")
            self._variables.insert(1, self._learning_rate)
            return
        self._learning_rate.assign(np.float32(value))

    def _current_learning_rate(self) -> Tensor:
        """The learning rate for this step, a float32 scalar tensor: the Variable's value, or the schedule
        (or callable) evaluated now, at ``iterations``."""
        lr = self._learning_rate
        if isinstance(lr, schedules_module.LearningRateSchedule):
            value = lr(self._iterations)
        elif isinstance(lr, Variable):
            value = lr.value()
        else:
            value = lr()
        return S.cast(convert_to_tensor(value, dtype_hint="float32"), "float32")

    # --- variables -----------------------------------------------------------------------------------------
    def _track(self, variable: Variable) -> Variable:
        self._variables.append(variable)
        return variable

    @property
    def variables(self) -> list[Variable]:
        """All optimizer Variables: iterations, learning_rate, then the slots (see the module doc)."""
        return list(self._variables)

    def build(self, var_list: Sequence[Variable]) -> None:
        """Remember the variables' order; subclasses then create their slots with ``add_variable_from_reference``."""
        var_list = list(var_list)
        for i, variable in enumerate(var_list):
            if not isinstance(variable, Variable):
                raise ValueError(f"{type(self).__name__}.build: expected Variables, got {type(variable).__name__} "
                                 f"at position {i}")
            self._index[id(variable)] = i
        self._trainable_variables = var_list
        self.built = True

    def add_variable(self, shape, initializer: Any = "zeros", dtype=None, name: str | None = None) -> Variable:
        """A new non-trainable optimizer Variable (tracked in ``variables``)."""
        dtype = np.dtype(np.float32) if dtype is None else np.dtype(getattr(dtype, "_np", dtype))
        if initializer == "zeros":
            value = B.xp.zeros(tuple(shape), dtype=dtype)
        elif isinstance(initializer, (int, float)):
            value = B.xp.full(tuple(shape), initializer, dtype=dtype)
        else:
            value = convert_to_tensor(initializer(tuple(shape), dtype=dtype.name))._value
        return self._track(Variable(value, trainable=False, name=f"{self.name}/{name or 'var'}"))

    def add_variable_from_reference(self, reference_variable: Variable, name: str | None = None,
                                    initializer: Any = "zeros") -> Variable:
        """A slot shaped like ``reference_variable`` (e.g. Adam's momentum for one weight)."""
        ref = str(reference_variable.name).split(":")[0].replace("/", "_")
        return self.add_variable(reference_variable.shape, initializer, reference_variable._value.dtype,
                                 name=f"{ref}_{name or 'var'}")

    def add_optimizer_variables(self, var_list: Sequence[Variable], names: str | Sequence[str],
                                initializer: Any = "zeros") -> Any:
        """Slots for every variable: for each variable in order, one per name (Keras's creation order);
        ``initializer`` one for all, or a list with one per name."""
        single = isinstance(names, str)
        names = [names] if single else list(names)
        initializers = list(initializer) if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        slots: tuple[list, ...] = tuple([] for _ in names)
        for variable in var_list:
            for i, slot_name in enumerate(names):
                slots[i].append(self.add_variable_from_reference(variable, slot_name, initializers[i]))
        return slots[0] if single else slots

    def _get_variable_index(self, variable: Variable) -> int:
        return self._index[id(variable)]

    # --- state for saving ----------------------------------------------------------------------------------
    def get_state(self) -> list[np.ndarray]:
        """Every optimizer variable's value, as NumPy arrays, in ``variables`` order."""
        return [v.numpy() for v in self._variables]

    def set_state(self, arrays: Sequence[Any]) -> None:
        """Restore ``get_state()``'s arrays (the optimizer must be built on the same variables)."""
        arrays = list(arrays)
        if len(arrays) != len(self._variables):
            hint = "" if self.built else " (build it first: optimizer.build(model.trainable_variables))"
            raise ValueError(f"{type(self).__name__}.set_state: the optimizer has {len(self._variables)} "
                             f"variables but {len(arrays)} arrays were given{hint}")
        for variable, array in zip(self._variables, arrays):
            array = np.asarray(array)
            if tuple(array.shape) != tuple(variable.shape):
                raise ValueError(f"{type(self).__name__}.set_state: variable {variable.name} has shape "
                                 f"{tuple(variable.shape)}, the array given has shape {array.shape}")
            variable.assign(array.astype(np.dtype(variable.dtype.name), copy=True))

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Keras's name for ``set_state`` (the optimizer must be built)."""
        if not self.built:
            raise ValueError("You are calling `set_weights()` on an optimizer that has not yet been built. Please "
                             "call `optimizer.build(trainable_variables)` to create the optimizer weights before "
                             "calling `set_weights()`.")
        self.set_state(weights)

    def get_weights(self) -> list[np.ndarray]:
        return self.get_state()

    def save_own_variables(self, store: dict) -> None:
        for i, variable in enumerate(self._variables):
            store[str(i)] = variable.numpy()

    def load_own_variables(self, store: dict) -> None:
        if len(store) != len(self._variables):
            warnings.warn(f"Skipping variable loading for optimizer '{self.name}', because it has "
                          f"{len(self._variables)} variables whereas the saved optimizer has {len(store)} "
                          f"variables.", stacklevel=2)
            return
        self.set_state([store[str(i)] for i in range(len(self._variables))])

    # --- applying gradients ------------------------------------------------------------------------------
    def scale_loss(self, loss: Any) -> Any:
        """``loss * loss_scale_factor`` if one is set (``apply`` divides the gradients by it), else ``loss``."""
        if self.loss_scale_factor is not None:
            return loss * self.loss_scale_factor
        return loss

    def apply_gradients(self, grads_and_vars: Iterable) -> Variable:
        """Apply ``[(gradient, variable), ...]``; returns ``iterations``."""
        pairs = list(grads_and_vars)
        if not pairs:
            return self._iterations
        grads, variables = zip(*pairs)
        self.apply(grads, variables)
        return self._iterations

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None) -> None:
        """One update of every variable from its gradient (see the module doc for the order)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first.")
            if len(grads) != len(self._trainable_variables):
                raise ValueError(f"When passing `grads` as a list of gradient tensors, the gradients must match "
                                 f"the optimizer's variables one-to-one. Received a list of {len(grads)} "
                                 f"gradients, but the optimizer is tracking {len(self._trainable_variables)} "
                                 f"trainable variables.")
            variables = self._trainable_variables
        else:
            variables = list(trainable_variables)
            if len(variables) != len(grads):
                raise ValueError(f"{type(self).__name__}.apply: {len(grads)} gradients for {len(variables)} variables")
            if not self.built:
                self.build(variables)
            for v in variables:
                if id(v) not in self._index:
                    raise ValueError(f"Unknown variable: {v!r}. This optimizer can only be called for the "
                                     f"variables it was originally built with. When working with a new set of "
                                     f"variables, you should recreate a new optimizer instance.")
        grads, kept = self._gradients_to_apply(grads, variables)
        if self.loss_scale_factor is not None:
            grads = [g / self.loss_scale_factor for g in grads]
        grads = self._clip_gradients(grads)
        learning_rate = self._current_learning_rate()
        self._apply_weight_decay(kept, learning_rate)
        self._update_steps(grads, kept, learning_rate)
        for variable in kept:
            constraint = getattr(variable, "constraint", None)
            if constraint is not None:
                variable.assign(constraint(variable))
        self._iterations.assign_add(np.int64(1))

    def _gradients_to_apply(self, grads: list, variables: list) -> tuple[list, list[Variable]]:
        """The non-None gradients as tensors of their variable's dtype, and those variables."""
        kept_grads, kept, missing = [], [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(v.name)
                continue
            g = convert_to_tensor(g)
            if tuple(g.shape) != tuple(v.shape):
                raise ValueError(f"{type(self).__name__}: the gradient for variable '{v.name}' has shape "
                                 f"{tuple(g.shape)}, but the variable has shape {tuple(v.shape)}")
            kept_grads.append(S.cast(g, v.dtype))
            kept.append(v)
        if not kept_grads:
            raise ValueError(f"No gradients provided for any variable: {[v.name for v in variables]}.")
        if missing:
            warnings.warn(f"Gradients do not exist for variables {missing} when minimizing the loss. If using "
                          f"`model.compile()`, did you forget to provide a `loss` argument?", stacklevel=3)
        return kept_grads, kept

    def _clip_gradients(self, grads: list) -> list:
        """clipnorm (each gradient to norm <= c), global_clipnorm (all together), or clipvalue (each element)."""
        if self.clipnorm and self.clipnorm > 0:
            return [_clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm and self.global_clipnorm > 0:
            use_norm = E.sqrt(eigen_sum(S.stack([eigen_sum(E.square(g)) for g in grads])))
            # Keras: clip_norm * min(1 / norm, 1 / clip_norm), plus (norm - norm) to pass on a NaN or inf
            scale = self.global_clipnorm * E.minimum(1.0 / use_norm, 1.0 / self.global_clipnorm)
            scale = scale + (use_norm - use_norm)
            return [g * S.cast(scale, g.dtype) for g in grads]
        if self.clipvalue and self.clipvalue > 0:
            return [E.clip_by_value(g, -self.clipvalue, self.clipvalue) for g in grads]
        return grads

    def exclude_from_weight_decay(self, var_list: Sequence[Variable] | None = None,
                                  var_names: Sequence[str] | None = None) -> None:
        """Leave these variables (or those whose name contains one of ``var_names``) out of weight decay."""
        if self.built:
            raise ValueError("`exclude_from_weight_decay()` can only be configured before the optimizer is built.")
        self._exclude_ids = {id(v) for v in (var_list or [])}
        self._exclude_pattern = re.compile("|".join(set(var_names))) if var_names else None

    def _use_weight_decay(self, variable: Variable) -> bool:
        if id(variable) in getattr(self, "_exclude_ids", ()):
            return False
        pattern = getattr(self, "_exclude_pattern", None)
        return not (pattern is not None and pattern.search(variable.name) is not None)

    def _apply_weight_decay(self, variables: list[Variable], learning_rate: Tensor) -> None:
        """w <- w - w * wd * lr (Keras's order of operations)."""
        if self.weight_decay is None:
            return
        for v in variables:
            if self._use_weight_decay(v):
                w = v.value()
                v.assign(w - w * self.weight_decay * S.cast(learning_rate, v.dtype))

    def _update_steps(self, grads: list, variables: list[Variable], learning_rate: Tensor) -> None:
        """``update_step`` for each variable in turn (Keras's _backend_update_step: Nadam first updates
        a value all the variables share)."""
        for g, variable in zip(grads, variables):
            self.update_step(g, variable, learning_rate)

    def update_step(self, gradient: Tensor, variable: Variable, learning_rate: Tensor) -> None:
        """Update one variable. ``gradient``: a tensor of the variable's dtype (clipped); ``learning_rate``:
        a float32 scalar tensor. Subclasses implement the rule, with ops (assign, assign_add ...)."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_step(gradient, variable, learning_rate)")

    def _local_step(self, dtype) -> Tensor:
        """iterations + 1, the t of the bias corrections, in ``dtype``."""
        return S.cast(self._iterations.value() + np.int64(1), dtype)

    # --- config ----------------------------------------------------------------------------------------------
    def get_config(self) -> dict:
        lr = self._learning_rate
        if isinstance(lr, schedules_module.LearningRateSchedule):
            learning_rate: Any = schedules_module.serialize(lr)
        elif isinstance(lr, Variable):
            learning_rate = float(lr.numpy())
        else:
            learning_rate = 0.5  # a callable cannot be serialized (Keras writes the same placeholder)
        return {"name": self.name, "learning_rate": learning_rate, "weight_decay": self.weight_decay,
                "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                "use_ema": self.use_ema, "ema_momentum": self.ema_momentum,
                "ema_overwrite_frequency": self.ema_overwrite_frequency,
                "loss_scale_factor": self.loss_scale_factor,
                "gradient_accumulation_steps": self.gradient_accumulation_steps}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> "Optimizer":
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules_module.deserialize(config["learning_rate"], custom_objects)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name} iterations={int(self._iterations.numpy())}>"


def _clip_by_norm(g: Tensor, clipnorm: float) -> Tensor:
    """g * c / max(||g||, c)  (``tf.clip_by_norm``, its order of operations and its summation order)."""
    l2sum = eigen_sum(g * g)
    positive = l2sum > 0
    l2norm = E.where(positive, E.sqrt(E.where(positive, l2sum, 1.0)), l2sum)
    return (g * clipnorm) / E.maximum(l2norm, clipnorm)
