"""minitf/parallel.py: a kernel's blocks on several threads give the bits of one thread."""
from __future__ import annotations

import threading
from unittest import mock

import numpy as np
import pytest

import minitf as tf
from minitf import array_backend as B
from minitf import parallel
from minitf.nn import conv as conv_module
from minitf.nn.conv import Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput, window_geometry


@pytest.fixture
def restore_threads():
    before = parallel.threads_setting()
    yield
    parallel.set_threads(before)


@pytest.mark.parametrize("strides, padding, channels", [(1, "SAME", (16, 4)), (1, "VALID", (5, 7)), (2, "SAME", (3, 6))])
def test_conv_kernels_give_the_same_bits_on_any_number_of_threads(strides, padding, channels, restore_threads):
    """Forward (both kernels: (16, 4) takes the shifted products), input and filter gradients, with
    small blocks (dozens of them) on 1, 2 and 3 threads."""
    c, f = channels
    rng = np.random.default_rng(0)
    x = B.xp.asarray(rng.standard_normal((6, 17, 19, c), dtype=np.float32))
    w = B.xp.asarray(rng.standard_normal((3, 3, c, f), dtype=np.float32))
    geom = window_geometry("Conv2D", (17, 19), (3, 3), (strides, strides), (1, 1), padding)
    dy = B.xp.asarray(rng.standard_normal((6, *geom.out_hw, f), dtype=np.float32))
    results = {}
    with mock.patch.object(conv_module, "BLOCK_BYTES", 2048), mock.patch.object(conv_module, "GPU_BLOCK_BYTES", 2048), \
            mock.patch.object(parallel, "PARALLEL_MIN_BYTES", 0):  # these small arrays on threads too
        for n in (1, 2, 3):
            tf.config.threading.set_intra_op_parallelism_threads(n)
            results[n] = [B.to_numpy(a).tobytes() for a in (
                Conv2D.forward(x, w, geom), Conv2DBackpropInput.forward(dy, w, geom),
                Conv2DBackpropFilter.forward(x, dy, geom))]
    assert results[1] == results[2] == results[3]


def test_sum_blocks_adds_in_a_fixed_order_whatever_the_threads(restore_threads):
    """Terms whose float32 sum depends on the order: the result is the same on 1 to 4 threads, and is
    the sum of runs of consecutive blocks, each run left to right, the runs' sums left to right."""
    terms = [np.float32(v) for v in (1e8, 1.0, -1e8, 3.0, 1e-3, 7.0, -2.5, 1e7, 0.25, -1e7)] * 5
    expected = np.zeros(1, np.float32)
    size = -(-len(terms) // parallel.GROUPS)
    for start in range(0, len(terms), size):
        run = np.float32(terms[start])
        for t in terms[start + 1:start + size]:
            run = np.float32(run + t)
        expected += run
    got = {}
    for n in (1, 2, 3, 4):
        parallel.set_threads(n)
        got[n] = parallel.sum_blocks(lambda i: np.array([terms[i]], np.float32), range(len(terms)),
                                     np.zeros(1, np.float32), work_bytes=parallel.PARALLEL_MIN_BYTES).tobytes()
    assert len(set(got.values())) == 1
    assert got[1] == expected.tobytes()


def test_map_blocks_keeps_the_order_runs_on_threads_and_raises_a_blocks_error(restore_threads):
    parallel.set_threads(3)
    big = parallel.PARALLEL_MIN_BYTES
    names = parallel.map_blocks(lambda i: (i, threading.current_thread().name), range(10), big)
    assert [i for i, _ in names] == list(range(10))
    if B.xp is np:
        assert any(name.startswith("minitf-kernel") for _, name in names)

    def block(i):
        if i == 7:
            raise ValueError("block 7")
        return i

    with pytest.raises(ValueError, match="block 7"):
        parallel.map_blocks(block, range(10), big)


def test_little_work_runs_in_the_calling_thread(restore_threads):
    parallel.set_threads(3)
    names = parallel.map_blocks(lambda i: threading.current_thread().name, range(6), parallel.PARALLEL_MIN_BYTES - 1)
    assert set(names) == {threading.current_thread().name}


def test_threading_config_as_tf(restore_threads):
    tf.config.threading.set_intra_op_parallelism_threads(1)
    assert tf.config.threading.get_intra_op_parallelism_threads() == 1
    assert parallel.threads() == 1
    tf.config.threading.set_intra_op_parallelism_threads(0)  # one per core
    assert parallel.threads() == parallel.usable_cores()
    with pytest.raises(ValueError, match="intra-op threads must be 0"):
        tf.config.threading.set_intra_op_parallelism_threads(-1)
    tf.config.threading.set_inter_op_parallelism_threads(2)
    assert tf.config.threading.get_inter_op_parallelism_threads() == 2
    tf.config.threading.set_inter_op_parallelism_threads(0)


_BLAS_TIMEOUT_PROBE = """
import os, sys
import numpy as np
rng = np.random.default_rng(0)
a = rng.standard_normal((512, 512), dtype=np.float32)
before = (a @ a).tobytes()  # OpenBLAS's threads have run (and spin) before minitf is imported
import minitf
from threadpoolctl import ThreadpoolController
timeouts = [lib.dynlib.openblas_thread_timeout() for lib in ThreadpoolController().lib_controllers
            if lib.internal_api == "openblas" and hasattr(lib.dynlib, "openblas_thread_timeout")]
after = (a @ a).tobytes()  # its threads started again
print(timeouts, os.environ.get("OPENBLAS_THREAD_TIMEOUT"), before == after)
"""


def _probe_blas_timeout(env_value):
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_THREAD_TIMEOUT", "GOTO_THREAD_TIMEOUT")}
    if env_value is not None:
        env["OPENBLAS_THREAD_TIMEOUT"] = env_value
    out = subprocess.run([sys.executable, "-c", _BLAS_TIMEOUT_PROBE], env=env, capture_output=True, text=True,
                         check=True).stdout.split("\n")[-2]
    timeouts, variable, same = out.rsplit(" ", 2)
    return eval(timeouts), variable, same == "True"  # noqa: S307 (our own probe's printed list)


def _numpy_blas_has_a_thread_timeout() -> bool:
    controller = parallel._blas_controller()
    return bool(controller) and any(
        lib.internal_api == "openblas" and getattr(lib, "threading_layer", None) == "pthreads"
        and hasattr(lib.dynlib, "openblas_thread_timeout") for lib in controller.lib_controllers)


_NOT_OPENBLAS_THREADS = "NumPy's BLAS here is not OpenBLAS on its own (pthreads) threads"


@pytest.mark.skipif(not _numpy_blas_has_a_thread_timeout(), reason=_NOT_OPENBLAS_THREADS)
def test_importing_minitf_shortens_openblas_idle_spin_and_products_still_work():
    """After import, OpenBLAS's idle threads wait 2**BLAS_SPIN_EXPONENT cycles (read back from OpenBLAS
    itself), its threads start again for the next product, and that product has the same bits."""
    timeouts, variable, same = _probe_blas_timeout(None)
    assert timeouts and set(timeouts) == {parallel.BLAS_SPIN_EXPONENT}
    assert variable == str(parallel.BLAS_SPIN_EXPONENT) and same


@pytest.mark.skipif(not _numpy_blas_has_a_thread_timeout(), reason=_NOT_OPENBLAS_THREADS)
def test_a_thread_timeout_the_user_set_is_left_as_it_is():
    timeouts, variable, same = _probe_blas_timeout("25")
    assert set(timeouts) == {25} and variable == "25" and same
