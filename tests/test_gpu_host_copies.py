"""A training step of each benchmark model keeps its data on the GPU (MINITF_BACKEND=cupy-standin).

On a GPU every device-to-host copy (``.get()``, ``asnumpy``, and the implicit ones: ``int(x)``,
``bool(x)``, ``x.item()``) waits for the device, and a CUDA graph cannot hold one. The CuPy
stand-in counts them, and where each came from. ``fit`` needs one per logged value per epoch
(Keras pulls its logs to the host once an epoch without callbacks asking for more); a step
needs none. Uploads (host to device) per step are counted too: a step needs none of those either,
the data is uploaded once per ``fit`` call.

The counts per step are the difference between a fit of 4 steps and a fit of 1 step of the same
compiled model, so that what a fit call does once (upload x and y, pull the logs) drops out.
"""
import functools

import pytest

import minitf as tf
from benchmarks import models as M
from minitf import array_backend as B

pytestmark = pytest.mark.skipif(B.name != "cupy-standin", reason=(
    "counts host copies with the CuPy stand-in: run with MINITF_BACKEND=cupy-standin"))

MODELS = {
    "mlp": (lambda: M.compile_circles_mlp(tf, M.build_circles_mlp(tf)), lambda n: M.circles_data(n)),
    "cnn": (lambda: M.compile_cnn(tf, M.build_cnn(tf)), lambda n: M.image_data(n)),
    "lstm": (lambda: M.compile_lstm(tf, M.build_lstm(tf, seq_len=15)), lambda n: M.token_data(n, 15)),
}
BATCH = 16


@functools.lru_cache(maxsize=None)
def _fit_counts(name: str):
    """(copies of a 1-step fit, of a 4-step fit, their Counts, logged values per epoch)."""
    from minitf._cupy_standin import counting

    build, data = MODELS[name]
    tf.random.set_seed(0)
    model = build()
    x, y = data(4 * BATCH)
    model.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, shuffle=False)  # trace the step first
    runs = []
    for steps in (1, 4):
        with counting() as seen:
            history = model.fit(x[:steps * BATCH], y[:steps * BATCH], batch_size=BATCH, epochs=1,
                                verbose=0, shuffle=False)
        runs.append(seen)
    return runs[0], runs[1], len(history.history)


def _where(seen, per_step_of: list) -> str:
    return "; ".join(f"{kind} at {site}" for kind, site in sorted(set(per_step_of)))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_fit_step_copies_nothing_to_the_host(name):
    one, four, logged = _fit_counts(name)
    per_step = (four.host_copies - one.host_copies) / 3
    assert per_step == 0, (f"{name}: {per_step:g} device-to-host copies per training step: "
                           f"{_where(four, four.copy_sites)}")
    assert one.host_copies == four.host_copies == logged, (
        f"{name}: a fit call copied {four.host_copies} values to the host for {logged} logged values: "
        f"{_where(four, four.copy_sites)}")


@pytest.mark.parametrize("name", sorted(MODELS))
def test_a_fit_step_uploads_nothing(name):
    one, four, _ = _fit_counts(name)
    per_step = (four.host_to_device - one.host_to_device) / 3
    extra = [site for site in four.upload_sites if four.upload_sites.count(site) > one.upload_sites.count(site)]
    assert per_step == 0, f"{name}: {per_step:g} host-to-device copies per training step, from {sorted(set(extra))}"
