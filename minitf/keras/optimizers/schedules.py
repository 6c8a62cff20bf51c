"""Learning-rate schedules (``tf.keras.optimizers.schedules``): the learning rate as a function of the step.

An optimizer given a schedule evaluates it at its ``iterations`` counter -- the number of
updates applied so far -- before each update: step 0 uses ``schedule(0)``. Each schedule
computes with ops (so a traced training step evaluates it on every call) in float32 (the dtype
of ``initial_learning_rate`` as TF converts a Python float), in the same order of operations as
Keras, so the values match TF's:

    ExponentialDecay:        lr0 * rate^(step / decay_steps)          (floor the exponent if staircase)
    InverseTimeDecay:        lr0 / (1 + rate * step / decay_steps)    (floor step / decay_steps if staircase)
    PiecewiseConstantDecay:  values[i] for boundaries[i-1] < step <= boundaries[i]
    PolynomialDecay:         (lr0 - end) * (1 - min(step, decay_steps) / decay_steps)^power + end
    CosineDecay:             lr0 * ((1 - alpha) * 0.5 (1 + cos(pi min(step, decay_steps) / decay_steps)) + alpha)
                             (after an optional linear warmup from lr0 to warmup_target)
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from minitf._tf_compat import pow_rounded
from minitf.ops import elementwise as E
from minitf.ops import shape_ops as S
from minitf.ops.control_flow import cond
from minitf.tensor import Tensor, convert_to_tensor


def _step(step: Any) -> Tensor:
    """The step as a float32 tensor (from an int64 Variable, a tensor, a number or an array of steps)."""
    return S.cast(convert_to_tensor(step), "float32")


def _f32(value) -> Tensor:
    return convert_to_tensor(value, dtype="float32")


class LearningRateSchedule:
    """Base class: ``schedule(step)`` -> the learning rate (a float32 tensor; an array of steps gives
    an array of rates)."""

    def __call__(self, step: Any) -> Tensor:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override __call__(step).")

    def value_at(self, step: Any) -> np.floating:
        """The learning rate at ``step`` as a NumPy scalar (eager convenience)."""
        return np.asarray(self(step).numpy())[()]

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override get_config().")

    @classmethod
    def from_config(cls, config: dict) -> "LearningRateSchedule":
        return cls(**config)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


def _check_decay_steps(decay_steps, what: str = "decay_steps") -> None:
    if decay_steps <= 0:
        raise ValueError(f"Argument `{what}` must be > 0. Received: {what}={decay_steps}")


class _RateDecay(LearningRateSchedule):
    """What ExponentialDecay and InverseTimeDecay share: their arguments, their config, and the
    progress ``step / decay_steps`` (floored with ``staircase``) that their formulas decay by."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, decay_rate: float, staircase: bool = False,
                 name: str | None = None):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.decay_rate, self.staircase = decay_rate, staircase
        self.name = type(self).__name__ if name is None else name  # Keras's default: the class's name

    def _progress(self, step: Any) -> Tensor:
        p = _step(step) / _f32(self.decay_steps)
        return E.floor(p) if self.staircase else p

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    """lr0 * decay_rate ^ (step / decay_steps); with ``staircase`` the exponent is floored."""

    def __call__(self, step: Any) -> Tensor:
        return _f32(self.initial_learning_rate) * pow_rounded(_f32(self.decay_rate), self._progress(step))


class InverseTimeDecay(_RateDecay):
    """lr0 / (1 + decay_rate * step / decay_steps); with ``staircase`` the ratio is floored."""

    def __call__(self, step: Any) -> Tensor:
        return _f32(self.initial_learning_rate) / (_f32(1.0) + _f32(self.decay_rate) * self._progress(step))


class PiecewiseConstantDecay(LearningRateSchedule):
    """values[0] while step <= boundaries[0], values[i] while boundaries[i-1] < step <= boundaries[i], ..."""

    def __init__(self, boundaries: list, values: list, name: str = "PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of values. Received: "
                             f"boundaries={boundaries} of length {len(boundaries)}, and values={values} of "
                             f"length {len(values)}.")
        self.boundaries, self.values, self.name = list(boundaries), list(values), name

    def __call__(self, step: Any) -> Tensor:
        step = convert_to_tensor(step)
        # TF casts the boundaries to the step's dtype (an integer step truncates float boundaries).
        bounds = [convert_to_tensor(int(b) if step.dtype.is_integer else b, dtype=step.dtype) for b in self.boundaries]
        values = [convert_to_tensor(v) for v in self.values]
        result = values[-1]
        for bound, value in zip(reversed(bounds), reversed(values[:-1])):
            result = E.where(step <= bound, value, result)  # the first boundary the step does not pass
        return result

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """(lr0 - end) * (1 - step / decay_steps)^power + end, held at ``end`` after decay_steps (or cycled)."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, end_learning_rate: float = 0.0001,
                 power: float = 1.0, cycle: bool = False, name: str = "PolynomialDecay"):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate, self.decay_steps = initial_learning_rate, decay_steps
        self.end_learning_rate, self.power, self.cycle, self.name = end_learning_rate, power, cycle, name

    def __call__(self, step: Any) -> Tensor:
        lr0, end, power = _f32(self.initial_learning_rate), _f32(self.end_learning_rate), _f32(self.power)
        step = _step(step)
        decay_steps = _f32(self.decay_steps)
        if self.cycle:
            multiplier = E.where(E.equal(step, 0.0), 1.0, E.ceil(step / decay_steps))
            decay_steps = decay_steps * multiplier
        else:
            step = E.minimum(step, decay_steps)
        p = step / decay_steps
        return (lr0 - end) * pow_rounded(1 - p, power) + end

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Half a cosine from lr0 down to alpha * lr0 over ``decay_steps``, after an optional linear warmup."""

    def __init__(self, initial_learning_rate: float, decay_steps: int, alpha: float = 0.0,
                 name: str = "CosineDecay", warmup_target: float | None = None, warmup_steps: int = 0):
        _check_decay_steps(decay_steps)
        self.initial_learning_rate, self.decay_steps, self.alpha, self.name = (
            initial_learning_rate, decay_steps, alpha, name)
        self.warmup_target, self.warmup_steps = warmup_target, warmup_steps

    def _decay(self, step, decay_steps, decay_from_lr) -> Tensor:
        completed_fraction = step / decay_steps
        cosine_decayed = 0.5 * (1.0 + E.cos(math.pi * completed_fraction))
        decayed = (1 - self.alpha) * cosine_decayed + self.alpha
        return decay_from_lr * decayed

    def __call__(self, step: Any) -> Tensor:
        lr0 = _f32(self.initial_learning_rate)
        decay_steps = _f32(self.decay_steps)
        step = _step(step)
        if self.warmup_target is None:
            return self._decay(E.minimum(step, decay_steps), decay_steps, lr0)
        target, warmup_steps = _f32(self.warmup_target), _f32(self.warmup_steps)
        step = E.minimum(step, decay_steps + warmup_steps)
        return cond(step < warmup_steps, lambda: (target - lr0) * (step / warmup_steps) + lr0,
                    lambda: self._decay(step - warmup_steps, decay_steps, target))

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


ALL_OBJECTS_DICT = {cls.__name__: cls for cls in (LearningRateSchedule, ExponentialDecay, InverseTimeDecay,
                                                  PiecewiseConstantDecay, PolynomialDecay, CosineDecay)}


def serialize(schedule: LearningRateSchedule) -> dict:
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None) -> LearningRateSchedule:
    table = {**ALL_OBJECTS_DICT, **(custom_objects or {})}
    if not isinstance(config, dict) or config.get("class_name") not in table:
        raise ValueError(f"Unknown learning rate schedule: {config!r}. Known: {sorted(ALL_OBJECTS_DICT)}")
    return table[config["class_name"]].from_config(dict(config.get("config") or {}))
