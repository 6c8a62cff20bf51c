"""``cupy.cuda`` of the stand-in: one pretend device, streams that can be captured, events.

A capture (``with stream: stream.begin_capture()`` ... ``graph = stream.end_capture()``)
records the device calls made on the capturing stream, as CUDA records kernels into a graph
without running them, and refuses any device-to-host copy or sync (CUDA's
``cudaErrorStreamCaptureUnsupported``, which also invalidates the capture). ``graph.launch()``
runs the recorded calls: each recomputes from the current contents of its input arrays and
writes into the same output array as at capture time, which is what a CUDA graph does with its
fixed device addresses.

The stand-in must compute while capturing, to know the shapes of what each call returns, but
it hides that, so that code which wrongly relies on a capture having run fails here as it would
on a GPU: ``end_capture()`` puts back every array that existed before the capture as it was
(capture writes nothing), and fills every array allocated during the capture with garbage (NaN,
or the smallest integer: uninitialized memory) until a launch computes it. Work launched on
another stream while a non-blocking stream captures runs at once and is not recorded, as in
CUDA (a blocking capturing stream refuses it instead: ``cudaErrorStreamCaptureImplicit``).
"""
from __future__ import annotations

import contextlib
import functools
import threading
import time
import types
from types import SimpleNamespace

import numpy

from minitf._cupy_standin import core, counters
from minitf._cupy_standin.core import CUDARuntimeError


def _arrays_in(value, found: list, depth: int = 0) -> None:
    """The NumPy arrays a recorded call reads or writes: those its closure holds (directly, in
    tuples, lists and dicts, as a bound method's ``self``, in a partial, or in a nested closure)."""
    if isinstance(value, numpy.ndarray):
        found.append(value)
    elif type(value) in (tuple, list):
        for v in value:
            _arrays_in(v, found, depth)
    elif type(value) is dict:
        for v in value.values():
            _arrays_in(v, found, depth)
    elif isinstance(value, functools.partial):
        _arrays_in(value.args, found, depth)
        _arrays_in(value.keywords, found, depth)
        _arrays_in(value.func, found, depth)
    elif isinstance(value, types.BuiltinMethodType):  # a NumPy array's bound method (or a builtin function)
        _arrays_in(getattr(value, "__self__", None), found, depth)
    elif isinstance(value, types.MethodType):
        _arrays_in(value.__self__, found, depth)
    elif isinstance(value, types.FunctionType) and depth < 4:
        for cell in value.__closure__ or ():
            try:
                _arrays_in(cell.cell_contents, found, depth + 1)
            except ValueError:  # an empty cell
                pass


def _results(result) -> list:
    if isinstance(result, numpy.ndarray):
        return [result]
    if type(result) in (tuple, list):
        return [r for r in result if isinstance(r, numpy.ndarray)]
    return []


def _as_arrays(result):
    if isinstance(result, numpy.generic):
        return numpy.asarray(result)
    if type(result) in (tuple, list):
        return type(result)(_as_arrays(r) for r in result)
    return result


def _poison(a: numpy.ndarray) -> None:
    """Fill ``a`` with what uninitialized device memory may hold."""
    if not a.flags.writeable or a.size == 0:
        return
    if a.dtype.kind in "fc":
        a.fill(numpy.nan)
    elif a.dtype.kind in "iu":
        a.fill(numpy.iinfo(a.dtype).min)
    elif a.dtype.kind == "b":
        a.fill(True)


class Capture:
    """An open stream capture: the recorded calls, the arrays it allocated, the state to put back."""

    def __init__(self, stream: "Stream"):
        self.stream = stream
        self.calls: list = []  # (name, compute, result, fresh results) in order
        self.snapshots: list = []  # (array, its contents before the capture touched it), in order
        self.seen: set = set()  # ids of the arrays snapshotted or allocated (kept alive by the lists)
        self.allocated: list = []  # arrays allocated during the capture
        self.invalidated = False

    def records(self) -> bool:
        """Whether a call made now is recorded (made on the capturing stream), else runs at once."""
        if get_current_stream() is self.stream:
            return True
        if not self.stream.is_non_blocking:
            self.invalidate()
            raise core.CaptureError("cudaErrorStreamCaptureImplicit: operation would make the legacy stream "
                                    "depend on a capturing blocking stream (launch the work inside "
                                    "`with stream:`)")
        return False

    def invalidate(self) -> None:
        self.invalidated = True

    def record(self, name: str, compute):
        operands: list = []
        _arrays_in(compute, operands)
        plain = compute
        compute = lambda: _as_arrays(plain())  # noqa: E731 (a NumPy scalar result: a 0-d array, a buffer like any)
        for a in operands:
            if id(a) not in self.seen:
                self.seen.add(id(a))
                if a.flags.writeable and a.size:
                    self.snapshots.append((a, a.copy()))
        result = compute()  # (not counted: a capture runs nothing; each launch counts its calls)
        fresh = []
        for r in _results(result):
            if id(r) in self.seen or any(numpy.may_share_memory(r, a) for a in operands):
                continue  # an operand or a view of one: the same memory, nothing allocated
            self.seen.add(id(r))
            self.allocated.append(r)
            fresh.append(r)
        self.calls.append((name, compute, result, fresh))
        return result

    def close(self) -> None:
        """Hide the computing done while capturing: arrays from before as they were (the latest
        snapshot first, so the earliest of overlapping ones wins), new ones garbage."""
        for a, before in reversed(self.snapshots):
            numpy.copyto(a, before)
        for a in self.allocated:
            _poison(a)
        self.snapshots = []


class Device:
    """The one pretend GPU (device 0)."""

    def __init__(self, device=None):
        device = 0 if device is None else int(device)
        if device != 0:
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        self.id = 0

    def synchronize(self) -> None:
        core._refuse_in_capture("Device.synchronize()")
        counters.sync()

    def use(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    compute_capability = "90"
    pci_bus_id = "0000:00:00.0"

    @property
    def mem_info(self) -> tuple[int, int]:
        return (16 << 30, 16 << 30)

    def __repr__(self) -> str:
        return "<CUDA Device 0>"

    def __eq__(self, other) -> bool:
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self) -> int:
        return 0


class Event:
    def __init__(self, block=False, disable_timing=False, interprocess=False):
        self._time = None

    def record(self, stream=None) -> None:
        self._time = time.perf_counter()

    def synchronize(self) -> None:
        Device().synchronize()

    @property
    def done(self) -> bool:
        return True


def get_elapsed_time(start_event: Event, end_event: Event) -> float:
    """Milliseconds between two recorded events."""
    return (end_event._time - start_event._time) * 1000.0


class Graph:
    """A captured sequence of device calls (``cupy.cuda.graph.Graph``); ``launch()`` runs them
    again, into the same buffers."""

    def __init__(self, calls):
        self._calls = calls

    def launch(self, stream=None) -> None:
        if core.state.capturing is not None and core.state.capturing.records():
            core.state.capturing.invalidate()
            raise CUDARuntimeError("cupy-standin: launching a graph inside a capture is not emulated")
        for name, compute, _, fresh in self._calls:
            new = compute()
            for buffer, value in zip(fresh, _results(new)):
                if value is not buffer:
                    numpy.copyto(buffer, value)
            if name not in core.VIEW_NAMES:
                counters.device_call()

    def upload(self, stream=None) -> None:
        pass

    @property
    def kernels(self) -> int:
        """How many device calls (kernels) a launch runs: views cost none."""
        return sum(1 for name, *_ in self._calls if name not in core.VIEW_NAMES)


_thread = threading.local()  # each thread's current streams, as in CuPy


def _stream_stack() -> list:
    stack = getattr(_thread, "streams", None)
    if stack is None:
        stack = _thread.streams = []
    return stack


class Stream:
    """A stream; captures as CUDA does (``begin_capture`` / ``end_capture`` -> ``Graph``). The
    current stream is per thread, as in CuPy: work another thread launches meanwhile is not on
    the capturing stream."""

    null: "Stream"
    ptds: "Stream"

    def __init__(self, null=False, non_blocking=False, ptds=False, priority=None):
        self.is_non_blocking = non_blocking
        self.priority = priority or 0
        self._null = null

    def synchronize(self) -> None:
        Device().synchronize()

    def use(self) -> "Stream":
        _stream_stack()[:] = [self]
        return self

    def __enter__(self):
        _stream_stack().append(self)
        return self

    def __exit__(self, *exc):
        _stream_stack().pop()
        return False

    @property
    def done(self) -> bool:
        return True

    def record(self, event=None) -> Event:
        event = event or Event()
        event.record(self)
        return event

    def wait_event(self, event) -> None:
        pass

    def begin_capture(self, mode=None) -> None:
        """Start recording this stream's work into a graph (CuPy's default mode: relaxed)."""
        if self._null:
            raise RuntimeError("cannot capture on the default (legacy) stream")
        if core.state.capturing is not None:
            raise CUDARuntimeError("cudaErrorIllegalState: a stream capture is already under way")
        core.state.capturing = Capture(self)

    def is_capturing(self) -> bool:
        return core.state.capturing is not None and core.state.capturing.stream is self

    def end_capture(self) -> Graph:
        capture = core.state.capturing
        if capture is None or capture.stream is not self:
            raise CUDARuntimeError("cudaErrorIllegalState: this stream is not capturing")
        core.state.capturing = None
        capture.close()
        if capture.invalidated:
            raise CUDARuntimeError("cudaErrorStreamCaptureInvalidated: operation failed due to a previous "
                                   "error during capture")
        return Graph(capture.calls)


Stream.null = Stream(null=True)
Stream.ptds = Stream(ptds=True)


def get_current_stream(device_id=-1) -> Stream:
    stack = _stream_stack()
    return stack[-1] if stack else Stream.null


class MemoryPool:
    """``cupy.cuda.MemoryPool``: the stand-in allocates with NumPy; a pool only counts requests.
    (A CUDA graph keeps the addresses it captured: work that allocates while capturing should use
    a pool of its own, ``using_allocator(pool.malloc)``, so that no one else gets those blocks.)"""

    def __init__(self, allocator=None):
        self._requested = 0

    def malloc(self, size: int):
        self._requested += int(size)
        return None

    def used_bytes(self) -> int:
        return 0

    def free_bytes(self) -> int:
        return 0

    def total_bytes(self) -> int:
        return 0

    def free_all_blocks(self, stream=None) -> None:
        pass


_default_pool = MemoryPool()


def get_default_memory_pool() -> MemoryPool:
    return _default_pool


@contextlib.contextmanager
def using_allocator(allocator=None):
    """``cupy.cuda.using_allocator``: the stand-in's arrays do not come from an allocator."""
    yield


def is_available() -> bool:
    return True


def get_device_id() -> int:
    return 0


def _device_count() -> int:
    return 1


runtime = SimpleNamespace(
    getDeviceCount=_device_count,
    getDevice=get_device_id,
    deviceSynchronize=lambda: Device().synchronize(),
    CUDARuntimeError=CUDARuntimeError,
    runtimeGetVersion=lambda: 12080,
    driverGetVersion=lambda: 12080,
    getDeviceProperties=lambda device: {"name": b"cupy-standin (NumPy)", "totalGlobalMem": 16 << 30,
                                        "multiProcessorCount": 1, "major": 9, "minor": 0},
    memGetInfo=lambda: (16 << 30, 16 << 30),
)
