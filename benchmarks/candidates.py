"""Turning a model + a framework into a timed :class:`~benchmarks.measure.Candidate`.

Set-up (import, build, compile) happens inside :func:`~benchmarks.context.prepare`, so
a framework that lacks a layer becomes a "skipped" cell instead of an exception.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any, Callable

import numpy as np

from . import models
from .context import prepare
from .frameworks import Framework
from .measure import Candidate, Unavailable

Builder = Callable[[ModuleType], Any]
Compiler = Callable[[ModuleType, Any], Any]


def fit_candidate(name: str, framework: Framework, build: Builder, compile_: Compiler,
                  x: np.ndarray, y: np.ndarray, batch_size: int = 32,
                  sync: Callable[[], object] | None = None) -> Candidate | Unavailable:
    """``model.fit`` for one epoch over (x, y), timed per training step.

    Built and compiled once here; the warm-up fits of the measurement loop then pay
    for graph tracing (Keras) and first-call costs before any timed block.
    """
    def factory() -> Candidate:
        fw = framework.require()
        model = compile_(fw, build(fw))
        return Candidate(name, models.fit_epoch_fn(model, x, y, batch_size),
                         work=models.steps_per_epoch(len(x), batch_size), sync=sync)
    return prepare(name, factory)


def tape_candidate(name: str, framework: Framework, build: Builder,
                   loss: Callable[[ModuleType], Any], lr: float,
                   x: np.ndarray, y: np.ndarray, batch_size: int = 32,
                   sync: Callable[[], object] | None = None, traced: bool = False) -> Candidate | Unavailable:
    """The ``GradientTape`` + ``apply_gradients`` loop (eager, or its step in ``tf.function``), timed per step."""
    def factory() -> Candidate:
        fw = framework.require()
        model = build(fw)
        optimizer = fw.keras.optimizers.Adam(lr)
        fn = models.tape_epoch_fn(fw, model, loss(fw), optimizer, x, y, batch_size, traced=traced)
        return Candidate(name, fn, work=models.steps_per_epoch(len(x), batch_size), sync=sync)
    return prepare(name, factory)


def numpy_candidate(name: str, make_model: Callable[[], Any], x: Any, y: Any,
                    batch_size: int = 32,
                    sync: Callable[[], object] | None = None) -> Candidate | Unavailable:
    """A hand-written model's ``fit_epoch``, timed per training step."""
    def factory() -> Candidate:
        model = make_model()
        return Candidate(name, lambda: model.fit_epoch(x, y, batch_size),
                         work=models.steps_per_epoch(len(x), batch_size), sync=sync)
    return prepare(name, factory)
