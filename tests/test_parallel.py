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
    """Forward (both kernels: (16, 4) takes the shifted products), input and filter gradients (on
    NumPy, row taps for stride 1: both of (5, 7)'s, (16, 4)'s filter gradient), with small blocks (dozens of
    them) on 1, 2 and 3 threads."""
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


# --- OpenBLAS's small-matrix kernels: products in pieces of rows --------------------------------------
@pytest.fixture
def forced_pieces():
    """Pieces as on an AVX-512 OpenBLAS, whatever this machine's BLAS, small enough for small arrays
    (a 3x3 kernel of 4 channels and 7 filters: 36 * 7 = 252 multiply-adds a row, 8 rows a piece)."""
    with mock.patch.object(parallel, "_small_kernels", [True]), \
            mock.patch.object(parallel, "SMALL_PRODUCT", 2016), mock.patch.object(parallel, "MIN_PIECE_ROWS", 2), \
            mock.patch.object(parallel, "MIN_SUMMED_PIECE_ROWS", 2):
        yield


@pytest.mark.skipif(B.xp is not np, reason="the pieces are for NumPy's BLAS (a GPU backend runs one product)")
def test_a_product_runs_in_pieces_only_inside_the_pool(forced_pieces):
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((50, 36), dtype=np.float32), rng.standard_normal((36, 7), dtype=np.float32)
    assert parallel.piece_rows(36, 7) == 8
    calls = []
    real_matmul = np.matmul

    def counting_matmul(x, y, **kwargs):
        calls.append(x.shape[0])
        return real_matmul(x, y, **kwargs)

    with mock.patch.object(np, "matmul", counting_matmul):
        outside = parallel.matmul_in_pieces(a, b, np.empty((50, 7), np.float32))
        with parallel.one_blas_thread:  # held by another caller: not this thread's blocks
            held_elsewhere = parallel.matmul_in_pieces(a, b, np.empty((50, 7), np.float32))
        inside, = parallel.map_blocks(lambda _: parallel.matmul_in_pieces(a, b, np.empty((50, 7), np.float32)),
                                      [0], parallel.PARALLEL_MIN_BYTES)
    assert calls == [50, 50] + [7] * 6 + [8]  # even pieces: no last piece of a row or two (see matmul_in_pieces)
    assert held_elsewhere.tobytes() == outside.tobytes()
    np.testing.assert_allclose(inside, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(outside, a.astype(np.float64) @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(B.xp is not np, reason="the pieces are for NumPy's BLAS (a GPU backend runs one product)")
def test_a_transposed_product_in_pieces_adds_them_in_order(forced_pieces):
    """a.T @ b over 50 rows, 8 at a time: the pieces' products added left to right."""
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((50, 36), dtype=np.float32), rng.standard_normal((50, 7), dtype=np.float32)
    got, = parallel.map_blocks(lambda _: parallel.transposed_matmul_in_pieces(a, b), [0], parallel.PARALLEL_MIN_BYTES)
    expected = np.dot(a[:8].T, b[:8])
    for start in range(8, 50, 8):
        expected = expected + np.dot(a[start:start + 8].T, b[start:start + 8])
    assert got.tobytes() == expected.tobytes()
    np.testing.assert_allclose(got, a.astype(np.float64).T @ b, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(B.xp is not np, reason="the pieces are for NumPy's BLAS (a GPU backend runs one product)")
def test_transposed_products_of_overlapping_slices_in_pieces_are_each_ones_sum(forced_pieces):
    """[a.T @ b for b in bs], the pieces taken for all b's at once: each the same bits as its own
    sum in pieces (the row taps of a filter gradient: the b's overlapping slices of one array)."""
    rng = np.random.default_rng(4)
    a, rows = rng.standard_normal((50, 7), dtype=np.float32), rng.standard_normal((60, 12), dtype=np.float32)
    bs = [rows[shift:shift + 50] for shift in (0, 5, 10)]
    together = parallel.map_blocks(lambda _: parallel.transposed_matmuls_in_pieces(a, bs), [0],
                                   parallel.PARALLEL_MIN_BYTES)[0]
    alone = parallel.map_blocks(lambda _: [parallel.transposed_matmul_in_pieces(a, b) for b in bs], [0],
                                parallel.PARALLEL_MIN_BYTES)[0]
    assert parallel.piece_rows(7, 12, parallel.MIN_SUMMED_PIECE_ROWS) == 24  # 2016 // 84: three pieces of 50 rows
    assert [t.tobytes() for t in together] == [t.tobytes() for t in alone]
    for total, b in zip(together, bs):
        np.testing.assert_allclose(total, a.astype(np.float64).T @ b, rtol=1e-5, atol=1e-5)


def test_pieces_only_where_openblas_has_small_kernels():
    def controller(architecture, api="openblas"):
        library = mock.Mock(internal_api=api, architecture=architecture)
        return mock.Mock(lib_controllers=[library])

    for architecture, api, expected in (("SkylakeX", "openblas", True), ("SapphireRapids", "openblas", True),
                                        ("Haswell", "openblas", False), ("Zen", "openblas", False),
                                        ("SkylakeX", "mkl", False)):
        with mock.patch.object(parallel, "_small_kernels", []), \
                mock.patch.object(parallel, "_blas_controller", lambda: controller(architecture, api)):
            assert parallel.small_kernel_pieces() is (expected and B.xp is np), (architecture, api)
            assert (parallel.piece_rows(90, 10) > 0) is (expected and B.xp is np)
    with mock.patch.object(parallel, "_small_kernels", [True]):
        assert parallel.piece_rows(90, 10) == 1111 or B.xp is not np  # 100**3 // 900
        assert parallel.piece_rows(1152, 256) == 0  # 3 rows a piece: one product instead


@pytest.mark.parametrize("strides, padding, channels",
                         [(1, "SAME", (4, 7)), (1, "VALID", (48, 7)), (2, "SAME", (3, 7))])
def test_conv_kernels_in_pieces_are_right_and_give_the_same_bits_on_any_number_of_threads(
        strides, padding, channels, forced_pieces, restore_threads):
    """The three conv kernels with their products in pieces (im2col, shifted products for 48 -> 7
    channels, on NumPy row taps for both gradients of 4 -> 7, an image's 3 channels built transposed):
    float64's values, and one set of bits on 1, 2 and 3 threads."""
    c, f = channels
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 13, 11, c), dtype=np.float32)
    w = rng.standard_normal((3, 3, c, f), dtype=np.float32)
    geom = window_geometry("Conv2D", (13, 11), (3, 3), (strides, strides), (1, 1), padding)
    dy = rng.standard_normal((5, *geom.out_hw, f), dtype=np.float32)
    expected = _conv_reference(x, w, dy, geom)
    results = {}
    with mock.patch.object(conv_module, "BLOCK_BYTES", 8192), mock.patch.object(conv_module, "GPU_BLOCK_BYTES", 8192), \
            mock.patch.object(parallel, "PARALLEL_MIN_BYTES", 0):
        for n in (1, 2, 3):
            tf.config.threading.set_intra_op_parallelism_threads(n)
            got = [B.to_numpy(a) for a in (
                Conv2D.forward(B.xp.asarray(x), B.xp.asarray(w), geom),
                Conv2DBackpropInput.forward(B.xp.asarray(dy), B.xp.asarray(w), geom),
                Conv2DBackpropFilter.forward(B.xp.asarray(x), B.xp.asarray(dy), geom))]
            results[n] = [a.tobytes() for a in got]
            for value, reference in zip(got, expected):
                np.testing.assert_allclose(value, reference, rtol=1e-4, atol=1e-4)
    assert results[1] == results[2] == results[3]


def _conv_reference(x, w, dy, geom):
    """y, dx, dw in float64 from the definition: every window's dot product with the kernel."""
    x64, w64, dy64 = (a.astype(np.float64) for a in (x, w, dy))
    (pt, pb), (pl, pr) = geom.pads
    padded = np.pad(x64, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    (oh, ow), (sh, sw), (kh, kw) = geom.out_hw, geom.strides, geom.kernel
    y = np.zeros((x.shape[0], oh, ow, w.shape[-1]))
    dx_padded = np.zeros_like(padded)
    dw = np.zeros_like(w64)
    for i in range(oh):
        for j in range(ow):
            window = padded[:, i * sh:i * sh + kh, j * sw:j * sw + kw]
            y[:, i, j] = np.einsum("nabc,abcf->nf", window, w64)
            dx_padded[:, i * sh:i * sh + kh, j * sw:j * sw + kw] += np.einsum("nf,abcf->nabc", dy64[:, i, j], w64)
            dw += np.einsum("nabc,nf->abcf", window, dy64[:, i, j])
    dx = dx_padded[:, pt:pt + x.shape[1], pl:pl + x.shape[2]]
    return y, dx, dw
