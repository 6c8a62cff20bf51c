"""``tf.device(name)``: the device ops inside a ``with`` block should run on.

minitf has one device at a time, the backend's (NumPy: the CPU; CuPy: the GPU), and places
every op there. ``tf.device`` accepts TF's device strings (``"CPU:0"``, ``"/gpu:0"``, ``"cpu"``,
``"/job:localhost/replica:0/task:0/device:GPU:0"``) and checks them, then places as TF does with
soft placement on a machine without that device: on the device there is. A string that is not a
device name is refused, as TF refuses it.
"""
from __future__ import annotations

import contextlib
import re
import threading
from typing import Iterator

__all__ = ["device", "canonical_device", "current_device"]

_PART = re.compile(r"^(?:job:[\w-]+|replica:\d+|task:\d+|device:(?:cpu|gpu|tpu)(?::(?:\d+|\*))?|"
                   r"(?:cpu|gpu|tpu)(?::(?:\d+|\*))?)$", re.IGNORECASE)


def canonical_device(name: str | None) -> str:
    """``"/device:CPU:0"`` for ``"cpu"``, ``"CPU:0"``, ``"/cpu:0"``...; ``""`` for None or ``""``."""
    if name is None or name == "":
        return ""
    if not isinstance(name, str):
        name = getattr(name, "name", None) or str(name)
    parts = [p for p in name.strip().split("/") if p]
    kind, index = None, "0"
    for part in parts:
        if not _PART.match(part):
            raise ValueError(f"Failed to parse device name {name!r}: expected a name such as 'CPU:0', '/gpu:0' "
                             f"or '/job:localhost/replica:0/task:0/device:CPU:0'")
        low = part.lower().removeprefix("device:")
        if low.split(":")[0] in ("cpu", "gpu", "tpu"):
            kind, _, idx = low.partition(":")
            index = idx or "0"
    return f"/device:{kind.upper()}:{index}" if kind else ""


_scopes = threading.local()  # per thread, as TF's device scopes


def current_device() -> str:
    """The innermost ``tf.device`` name in force (canonical), or "" outside any."""
    stack = _scopes.__dict__.get("stack")
    return stack[-1] if stack else ""


@contextlib.contextmanager
def device(device_name: str | None) -> Iterator[None]:
    """Run the ops inside on ``device_name`` (checked; placed on the backend's device, see above)."""
    name = canonical_device(device_name)
    stack = _scopes.__dict__.setdefault("stack", [])
    stack.append(name)
    try:
        yield
    finally:
        stack.pop()
