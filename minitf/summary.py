"""``minitf.summary``, as ``tf.summary``: scalars and histograms written to event files that
TensorBoard reads.

    writer = tf.summary.create_file_writer("logs/run1")
    with writer.as_default():
        tf.summary.scalar("loss", 0.25, step=1)

An event file (``events.out.tfevents.<time>.<host>``) is a TFRecord file of ``Event`` protocol
buffers. Both formats are small and written here directly, so no TensorFlow or TensorBoard
package is needed:

- TFRecord: each record is ``length`` (uint64, little endian), ``masked_crc32c(length)`` (uint32),
  the bytes, ``masked_crc32c(bytes)``; masked crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8, with
  CRC-32C (Castagnoli, reflected polynomial 0x82f63b78).
- Event: wall_time (field 1, double), step (2, varint), file_version (3, "brain.Event:2" in the
  first record) or summary (5): Summary.value (1) = {tag (1), simple_value (2, float) or
  histo (5: min, max, num, sum, sum_squares, bucket_limit, bucket)}.

Images, audio, text and graphs are not written (a clear error says so).
"""
from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from typing import Iterator

import numpy as np

__all__ = ["create_file_writer", "create_noop_writer", "scalar", "histogram", "text", "image", "flush",
           "record_if", "should_record_summaries", "SummaryWriter", "trace_on", "trace_off", "trace_export"]


# --- CRC-32C and TFRecord framing ---------------------------------------------------------------------
def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc_table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data: bytes) -> bytes:
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# --- protocol buffer encoding (the few field types an Event needs) ------------------------------------
def _varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, wire: int) -> bytes:
    return _varint(number << 3 | wire)


def _bytes_field(number: int, data: bytes) -> bytes:
    return _field(number, 2) + _varint(len(data)) + data


def _double_field(number: int, value: float) -> bytes:
    return _field(number, 1) + struct.pack("<d", value)


def _event(step: int, wall_time: float, summary: bytes | None = None, file_version: str | None = None) -> bytes:
    out = _double_field(1, wall_time) + _field(2, 0) + _varint(int(step))
    if file_version is not None:
        out += _bytes_field(3, file_version.encode())
    if summary is not None:
        out += _bytes_field(5, summary)
    return out


def _scalar_value(tag: str, value: float) -> bytes:
    return _bytes_field(1, tag.encode()) + _field(2, 5) + struct.pack("<f", float(value))


def _histogram_value(tag: str, values: np.ndarray, buckets: int) -> bytes:
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if values.size == 0:
        limits, counts = np.array([0.0]), np.array([0.0])
        lo = hi = 0.0
    else:
        lo, hi = float(values.min()), float(values.max())
        counts, edges = np.histogram(values, bins=buckets, range=(lo, hi if hi > lo else lo + 1.0))
        limits = edges[1:]
    histo = (_double_field(1, lo) + _double_field(2, hi) + _double_field(3, float(values.size))
             + _double_field(4, float(values.sum())) + _double_field(5, float((values ** 2).sum()))
             + _bytes_field(6, struct.pack(f"<{len(limits)}d", *limits))
             + _bytes_field(7, struct.pack(f"<{len(counts)}d", *counts.astype(np.float64))))
    return _bytes_field(1, tag.encode()) + _bytes_field(5, histo)


# --- writers -----------------------------------------------------------------------------------------
_state = threading.local()


def _default_writers() -> list:
    if not hasattr(_state, "writers"):
        _state.writers = []
        _state.step = None
        _state.record = True
    return _state.writers


class SummaryWriter:
    """Appends events to one file in ``logdir`` (created on first use, as TF's)."""

    def __init__(self, logdir: str, max_queue: int = 10, flush_millis: int = 120000, filename_suffix: str = ""):
        self.logdir = os.fspath(logdir)
        self._suffix = filename_suffix
        self._file = None
        self._closed = False

    def _open(self):
        if self._file is None:
            os.makedirs(self.logdir, exist_ok=True)
            name = f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}.{os.getpid()}.v2{self._suffix}"
            self._file = open(os.path.join(self.logdir, name), "ab")
            self._file.write(tfrecord(_event(0, time.time(), file_version="brain.Event:2")))
        return self._file

    def _write(self, value: bytes, step: int) -> None:
        if self._closed:
            raise RuntimeError(f"SummaryWriter for {self.logdir}: the writer is closed")
        self._open().write(tfrecord(_event(step, time.time(), summary=value)))

    @property
    def path(self) -> str | None:
        return None if self._file is None else self._file.name

    @contextlib.contextmanager
    def as_default(self, step: int | None = None) -> Iterator["SummaryWriter"]:
        writers = _default_writers()
        writers.append(self)
        saved = _state.step
        if step is not None:
            _state.step = int(step)
        try:
            yield self
        finally:
            writers.pop()
            _state.step = saved
            self.flush()

    def set_as_default(self, step: int | None = None) -> None:
        _default_writers().append(self)
        if step is not None:
            _state.step = int(step)

    def flush(self) -> None:
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._closed = True

    def init(self) -> None:
        self._open()


class _NoopWriter(SummaryWriter):
    def __init__(self):
        super().__init__("")

    def _write(self, value, step):
        pass


def create_file_writer(logdir: str, max_queue=None, flush_millis=None, filename_suffix=None, name=None,
                       experimental_trackable=False, experimental_mesh=None) -> SummaryWriter:
    return SummaryWriter(logdir, filename_suffix=filename_suffix or "")


def create_noop_writer() -> SummaryWriter:
    return _NoopWriter()


def _current(step) -> tuple[SummaryWriter | None, int | None]:
    writers = _default_writers()
    if not writers or not _state.record:
        return None, None
    if step is None:
        step = _state.step
    if step is None:
        raise ValueError("No step set. Please specify one either through the `step` argument or through "
                         "tf.summary.experimental.set_step()")
    step = int(step.numpy() if hasattr(step, "numpy") else step)
    return writers[-1], step


def scalar(name: str, data, step=None, description=None) -> bool:
    """Write one scalar under ``name`` at ``step``; False when no default writer is set."""
    writer, step = _current(step)
    if writer is None:
        return False
    value = float(np.asarray(data.numpy() if hasattr(data, "numpy") else data))
    writer._write(_bytes_field(1, _scalar_value(name, value)), step)
    return True


def histogram(name: str, data, step=None, buckets=None, description=None) -> bool:
    writer, step = _current(step)
    if writer is None:
        return False
    values = np.asarray(data.numpy() if hasattr(data, "numpy") else data)
    writer._write(_bytes_field(1, _histogram_value(name, values, buckets or 30)), step)
    return True


def _unsupported(kind: str):
    def write(*args, **kwargs):
        raise NotImplementedError(f"tf.summary.{kind}: minitf writes scalars and histograms only")
    write.__name__ = kind
    return write


text = _unsupported("text")
image = _unsupported("image")
audio = _unsupported("audio")


def flush(writer=None, name=None) -> None:
    for w in ([writer] if writer is not None else _default_writers()):
        w.flush()


@contextlib.contextmanager
def record_if(condition) -> Iterator[None]:
    _default_writers()
    saved = _state.record
    _state.record = bool(condition() if callable(condition) else condition)
    try:
        yield
    finally:
        _state.record = saved


def should_record_summaries() -> bool:
    return bool(_default_writers()) and _state.record


def trace_on(graph: bool = True, profiler: bool = False, profiler_outdir=None) -> None:
    """Accepted; minitf writes no graphs to event files (trace_export then writes nothing)."""


def trace_off() -> None:
    pass


def trace_export(name: str, step=None, profiler_outdir=None) -> None:
    pass


class experimental:  # noqa: N801 (TF's namespace)
    @staticmethod
    def set_step(step) -> None:
        _default_writers()
        _state.step = None if step is None else int(step.numpy() if hasattr(step, "numpy") else step)

    @staticmethod
    def get_step():
        _default_writers()
        return _state.step


def read_events(path: str) -> list[dict]:
    """The events of a file written here, decoded (for tests and lessons): [{step, wall_time, values}]."""
    with open(path, "rb") as f:
        data = f.read()
    events, pos = [], 0
    while pos < len(data):
        (length,) = struct.unpack_from("<Q", data, pos)
        if struct.unpack_from("<I", data, pos + 8)[0] != masked_crc32c(data[pos:pos + 8]):
            raise ValueError(f"{path}: bad length checksum at byte {pos}")
        record = data[pos + 12: pos + 12 + length]
        if struct.unpack_from("<I", data, pos + 12 + length)[0] != masked_crc32c(record):
            raise ValueError(f"{path}: bad data checksum at byte {pos}")
        events.append(_decode_event(record))
        pos += 16 + length
    return events


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = data[pos]
        result |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data: bytes):
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _read_varint(data, pos)
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            length, pos = _read_varint(data, pos)
            value, pos = data[pos:pos + length], pos + length
        yield number, value


def _decode_event(record: bytes) -> dict:
    event = {"values": {}}
    for number, value in _fields(record):
        if number == 1:
            event["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2:
            event["step"] = value
        elif number == 3:
            event["file_version"] = value.decode()
        elif number == 5:
            for n, v in _fields(value):
                if n == 1:
                    tag, content = None, None
                    for fn, fv in _fields(v):
                        if fn == 1:
                            tag = fv.decode()
                        elif fn == 2:
                            content = struct.unpack("<f", fv)[0]
                        elif fn == 5:
                            content = {"histogram": dict((k, fv2) for k, fv2 in _fields(fv))}
                    event["values"][tag] = content
    return event
