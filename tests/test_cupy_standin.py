"""The CuPy stand-in (minitf/_cupy_standin) keeps CuPy's rules: these run on every backend.

What each rule is in CuPy 14 (cupy/_core/core.pyx, _kernel.pyx, _scalar.pyx) is said beside it.
"""
import pickle
import re
from pathlib import Path

import numpy as np
import pytest

from minitf._cupy_standin import CaptureError, counting
from minitf._cupy_standin import cupy as cp
from minitf._cupy_standin import cupyx
from minitf._cupy_standin.namespace import API, VERSION, Signature

API_FILE = Path(__file__).resolve().parents[1] / "minitf" / "_cupy_standin" / "cupy_api.txt"


def device(values, dtype=np.float32):
    return cp.asarray(np.asarray(values, dtype=dtype))


def test_the_api_list_says_where_it_came_from_and_the_modules_keep_to_it():
    head = API_FILE.read_text().splitlines()[:6]
    assert any("generate_api" in line for line in head) and any(f"cupy {VERSION}" in line for line in head)
    assert re.fullmatch(r"\d+\.\d+\.\d+", VERSION)
    # A name CuPy lacks is missing, as on CuPy; a name CuPy has but NumPy lacks is there.
    for missing in ("errstate", "float", "nditer", "frompyfunc"):
        assert missing not in API["cupy"]
        with pytest.raises(AttributeError, match="has no attribute"):
            getattr(cp, missing)
    assert "errstate" in API["cupyx"] and callable(cupyx.errstate)
    for name in ("asnumpy", "get_array_module"):
        assert name in API["cupy"] and callable(getattr(cp, name))
    # NumPy's ndarray has resize and to_device; CuPy's has not.
    assert not hasattr(device([1.0]), "resize") and not hasattr(device([1.0]), "to_device")
    assert cp.float32 is np.float32 and cp.dtype is np.dtype  # CuPy re-exports NumPy's dtypes


def test_arrays_are_not_numpy_arrays_and_refuse_implicit_conversion():
    x = device([1.0, 2.0])
    assert not isinstance(x, np.ndarray) and isinstance(x, cp.ndarray)
    message = "Implicit conversion to a NumPy array is not allowed"
    for convert in (np.asarray, np.array, lambda a: a.__array__(), lambda a: np.float32(a),
                    lambda a: np.concatenate([np.zeros(1), a])):
        with pytest.raises(TypeError, match=message + "|Unsupported type"):
            convert(x)
    assert np.array_equal(x.get(), [1.0, 2.0]) and np.array_equal(cp.asnumpy(x), [1.0, 2.0])


def test_numpy_arrays_are_refused_in_kernels_but_scalars_are_welcome():
    x = device([1.0, 2.0])
    for bad in (np.ones(2, np.float32), np.array(2.0, np.float32)):  # even 0-d: CScalar refuses it
        for op in (lambda: x + bad, lambda: bad + x, lambda: x * bad, lambda: cp.add(x, bad),
                   lambda: np.add(x, bad), lambda: cp.maximum(bad, x)):
            with pytest.raises(TypeError, match="Unsupported type <class 'numpy.ndarray'>"):
                op()
    for scalar in (2, 2.0, True, np.float32(2), np.int64(2)):
        assert isinstance(x * scalar, cp.ndarray) and isinstance(scalar * x, cp.ndarray)
    assert (x > np.array(1.5)).get().tolist() == [False, True]  # comparisons take a 0-d host array
    with pytest.raises(TypeError, match="Unsupported type <class 'list'>"):
        cp.exp([1.0, 2.0])  # ufuncs take device arrays and scalars only
    with pytest.raises(TypeError, match="assigning a ndarray into a device array"):
        x[0:1] = np.ones(1, np.float32)


def test_numpy_functions_dispatch_to_cupys_and_fail_where_cupy_has_none():
    x = device([1.0, 4.0])
    assert isinstance(np.sqrt(x), cp.ndarray) and np.sqrt(x).get().tolist() == [1.0, 2.0]
    assert isinstance(np.sum(x), cp.ndarray)  # __array_function__ -> cupy.sum, as in CuPy
    with pytest.raises(TypeError):
        np.nanquantile(x, 0.5)  # CuPy has no nanquantile


def test_reductions_and_scalar_indexing_give_0d_device_arrays():
    x = device([[1.0, 2.0], [3.0, 4.0]])
    for value in (x.sum(), cp.sum(x), x[0, 1], cp.max(x), cp.allclose(x, x)):
        assert isinstance(value, cp.ndarray) and value.ndim == 0
    assert float(x.sum()) == 10.0


def test_cupys_signatures_are_enforced():
    x = device([1.0, -1.0])
    with pytest.raises(TypeError, match="unexpected keyword argument 'where'"):
        cp.exp(x, where=x > 0)  # NumPy's ufuncs take where=; CuPy's do not
    with pytest.raises(TypeError, match="unexpected keyword argument 'initial'"):
        cp.sum(x, initial=1.0)
    sig = Signature("(a, axis=, *, keepdims=)")
    assert sig.max_positional == 2 and sig.keywords == {"a", "axis", "keepdims"}
    assert Signature("(*operands, **kwargs)").keywords is None


def test_out_of_bounds_index_arrays_wrap_around_as_on_cupy():
    x = device([10.0, 11.0, 12.0])
    assert x[cp.asarray(np.array([0, 4, -4]))].get().tolist() == [10.0, 11.0, 12.0]
    assert x[1:].get().tolist() == [11.0, 12.0]
    far = cp.asarray(np.array([3, -4]))
    assert cp.take(x, far).get().tolist() == x.take(far).get().tolist() == [10.0, 12.0]
    assert cp.take_along_axis(x, far, axis=0).get().tolist() == [10.0, 12.0]


def test_no_string_dtype_and_no_index_protocol():
    with pytest.raises(ValueError, match="Unsupported dtype"):
        cp.asarray(["a", "b"])
    with pytest.raises(TypeError):
        range(cp.asarray(np.int64(3)))  # CuPy's ndarray has no __index__


def test_host_copies_are_counted_with_their_kind_and_place():
    x = device([1.0, 2.0])
    with counting() as seen:
        x.get()
        cp.asnumpy(x)
        float(x[0])
        bool(x[1] > 1)
        x.tolist()
        repr(x)
        pickle.loads(pickle.dumps(x))
        y = cp.exp(x) * 2
    assert seen.copies_by_kind() == {"get": 2, "float": 1, "bool": 1, "tolist": 1, "repr": 1, "pickle": 1}
    assert all(site.startswith("tests/test_cupy_standin.py:") for _, site in seen.copy_sites)
    assert seen.device_calls >= 3 and isinstance(y, cp.ndarray)
    with counting() as seen:
        cp.asarray(np.ones(3))
        cp.asarray([1.0, 2.0])
        cp.asarray(x)  # already on the device: no copy
    assert seen.host_to_device == 2 and seen.host_copies == 0


def test_scatter_add_and_the_device():
    target = cp.zeros((4, 2), dtype=cp.float32)
    cupyx.scatter_add(target, cp.asarray(np.array([0, 0, 3])), cp.ones((3, 2), dtype=cp.float32))
    assert target.get()[:, 0].tolist() == [2.0, 0.0, 0.0, 1.0]
    with pytest.raises(TypeError, match="Unsupported type"):
        cupyx.scatter_add(np.zeros(4), np.array([0]), 1.0)
    assert cp.cuda.runtime.getDeviceCount() == 1
    with counting() as seen:
        cp.cuda.Device().synchronize()
    assert seen.syncs == 1


def test_a_captured_stream_replays_into_the_same_buffers_and_refuses_host_copies():
    a, b = device([1.0, 2.0]), device([10.0, 20.0])
    out = cp.zeros(2, dtype=cp.float32)
    stream = cp.cuda.Stream(non_blocking=True)
    with stream:
        stream.begin_capture()
        assert stream.is_capturing() and not cp.cuda.Stream.null.is_capturing()
        total = a * 2 + b
        out[...] = total
        a += 1
        graph = stream.end_capture()
    # Capture records and runs nothing (as CUDA): what existed is as it was, what it allocated is garbage.
    assert out.get().tolist() == [0.0, 0.0] and a.get().tolist() == [1.0, 2.0]
    assert np.isnan(total.get()).all()
    with counting() as seen:
        graph.launch(stream)
    assert seen.device_calls == graph.kernels == 4
    assert out.get().tolist() == [12.0, 24.0] and a.get().tolist() == [2.0, 3.0]
    a[...] = device([5.0, 5.0])  # a launch reads the buffers' contents now
    graph.launch(stream)
    assert out.get().tolist() == [20.0, 30.0] and a.get().tolist() == [6.0, 6.0]


def test_in_place_writes_during_a_capture_wait_for_the_launch():
    a, b, c = device([1.0, 2.0]), device([10.0, 20.0]), cp.zeros(2, dtype=cp.float32)
    target, rows = cp.zeros((3, 2), dtype=cp.float32), cp.asarray(np.array([0, 0, 2]))
    filled = cp.zeros(3, dtype=cp.float32)
    stream = cp.cuda.Stream(non_blocking=True)
    with stream:
        stream.begin_capture()
        cp.add(a, b, out=c)
        cupyx.scatter_add(target, rows, cp.ones((3, 2), dtype=cp.float32))
        filled.fill(3.0)
        view = c.reshape(2, 1)  # a view of an array from before: no garbage written into it
        a *= 2.0
        graph = stream.end_capture()
    assert c.get().tolist() == [0.0, 0.0] and not target.get().any() and not filled.get().any()
    assert view.get().tolist() == [[0.0], [0.0]] and a.get().tolist() == [1.0, 2.0]
    graph.launch(stream)
    assert c.get().tolist() == [11.0, 22.0] and target.get()[:, 0].tolist() == [2.0, 0.0, 1.0]
    assert filled.get().tolist() == [3.0] * 3 and view.get().tolist() == [[11.0], [22.0]]
    assert a.get().tolist() == [2.0, 4.0]


def test_a_capture_refuses_host_copies_syncs_and_uploads_and_is_then_invalid():
    x = device([1.0, 2.0])
    refusals = [lambda: (x * 2).get(), lambda: float(x[0]), lambda: cp.asnumpy(x), lambda: bool(x[1] > 0),
                lambda: cp.cuda.Device().synchronize(), lambda: cp.asarray(np.ones(2, np.float32))]
    for refuse in refusals:
        stream = cp.cuda.Stream(non_blocking=True)
        with stream:
            stream.begin_capture()
            with pytest.raises(CaptureError, match="cudaErrorStreamCaptureUnsupported"):
                refuse()
            with pytest.raises(cp.cuda.runtime.CUDARuntimeError, match="cudaErrorStreamCaptureInvalidated"):
                stream.end_capture()
        assert not stream.is_capturing()
    assert issubclass(CaptureError, cp.cuda.runtime.CUDARuntimeError)
    with pytest.raises(RuntimeError, match="default"):
        cp.cuda.Stream.null.begin_capture()


def test_work_outside_the_capturing_stream_is_not_recorded():
    # A non-blocking capturing stream: work on the legacy stream runs at once, unrecorded (CUDA);
    # a blocking one: CUDA refuses it (cudaErrorStreamCaptureImplicit).
    x = device([1.0, 2.0])
    stream = cp.cuda.Stream(non_blocking=True)
    stream.begin_capture()
    y = x + 1
    graph = stream.end_capture()
    assert graph.kernels == 0 and y.get().tolist() == [2.0, 3.0]
    # The current stream is per thread (CuPy's): another thread's work is not captured either.
    import threading
    stream.begin_capture()
    with stream:
        worker = threading.Thread(target=lambda: x.__iadd__(1))
        worker.start()
        worker.join()
        graph = stream.end_capture()
    assert graph.kernels == 0 and x.get().tolist() == [2.0, 3.0]
    blocking = cp.cuda.Stream()
    blocking.begin_capture()
    with pytest.raises(CaptureError, match="cudaErrorStreamCaptureImplicit"):
        x + 1
    with pytest.raises(cp.cuda.runtime.CUDARuntimeError, match="Invalidated"):
        blocking.end_capture()


def test_cupy_standin_known_failures_exist():
    # Every line of the known-failures list names a test function that exists (a stale line would
    # mark nothing and hide nothing, but it would mislead the reader of the list).
    import ast

    from tests.conftest import known_standin_failures

    root = Path(__file__).resolve().parents[1]
    for node in known_standin_failures():
        path, name = node.split("::")
        tree = ast.parse((root / path).read_text())
        functions = {f.name for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
        assert name.split("[")[0] in functions, f"{node}: no such test"
