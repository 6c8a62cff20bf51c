"""``cupy.cuda`` of the stand-in: one pretend device, streams that can be captured, events.

A capture (``stream.begin_capture()`` ... ``stream.end_capture()``) records the device calls
made meanwhile, as CUDA records kernels into a graph, and refuses any device-to-host copy or
sync (CUDA's ``cudaErrorStreamCaptureUnsupported``). ``Graph.launch()`` replays the recorded
calls: each recomputes from the current contents of its input arrays and writes into the same
output array as at capture time, which is what a CUDA graph does with its fixed buffers. Unlike
CUDA, the stand-in also runs each call once while capturing.
"""
from __future__ import annotations

import time
from types import SimpleNamespace

import numpy

from minitf._cupy_standin import core, counters


class CUDARuntimeError(RuntimeError):
    pass


class Device:
    """The one pretend GPU (device 0)."""

    def __init__(self, device=None):
        device = 0 if device is None else int(device)
        if device != 0:
            raise CUDARuntimeError("cudaErrorInvalidDevice: invalid device ordinal")
        self.id = 0

    def synchronize(self) -> None:
        if core.state.capturing is not None:
            raise core.CaptureError("cudaErrorStreamCaptureUnsupported: Device.synchronize() "
                                    "while a stream is being captured")
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
    """A captured sequence of device calls; ``launch()`` replays them into the same buffers."""

    def __init__(self, calls):
        self._calls = calls

    def launch(self, stream=None) -> None:
        for name, compute, result in self._calls:
            new = compute()
            if isinstance(result, numpy.ndarray) and name not in core.VIEW_NAMES and new is not result:
                numpy.copyto(result, new)
            if name not in core.VIEW_NAMES:
                counters.device_call()

    def upload(self, stream=None) -> None:
        pass

    @property
    def kernels(self) -> int:
        """How many device calls (kernels) a launch runs: views cost none."""
        return sum(1 for name, _, _ in self._calls if name not in core.VIEW_NAMES)


class Stream:
    """A stream; captures as CUDA does (``begin_capture`` / ``end_capture`` -> ``Graph``)."""

    null: "Stream"
    ptds: "Stream"
    _current: list["Stream"] = []

    def __init__(self, null=False, non_blocking=False, ptds=False, priority=None):
        self.is_non_blocking = non_blocking
        self.priority = priority or 0
        self._capturing = False

    def synchronize(self) -> None:
        Device().synchronize()

    def use(self) -> "Stream":
        Stream._current[:] = [self]
        return self

    def __enter__(self):
        Stream._current.append(self)
        return self

    def __exit__(self, *exc):
        Stream._current.pop()
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
        if self is Stream.null:
            raise CUDARuntimeError("cudaErrorStreamCaptureUnsupported: the null stream cannot be captured")
        if core.state.capturing is not None:
            raise CUDARuntimeError("cudaErrorIllegalState: a capture is already under way")
        core.state.capturing = []
        self._capturing = True

    def is_capturing(self) -> bool:
        return self._capturing

    def end_capture(self) -> Graph:
        if not self._capturing:
            raise CUDARuntimeError("cudaErrorIllegalState: this stream is not capturing")
        calls, core.state.capturing = core.state.capturing, None
        self._capturing = False
        return Graph(calls)


Stream.null = Stream(null=True)
Stream.ptds = Stream(ptds=True)


def get_current_stream(device_id=None) -> Stream:
    return Stream._current[-1] if Stream._current else Stream.null


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
