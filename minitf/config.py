"""``minitf.config``: which backend runs the ops, and which devices exist."""
from __future__ import annotations

from typing import NamedTuple

from minitf import backend as _backend


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


def set_backend(name: str) -> None:
    """``"numpy"`` (CPU, the default), ``"cupy"`` (GPU) or ``"cupy-standin"`` (CuPy's rules on
    NumPy, for tests). Also: env MINITF_BACKEND."""
    _backend.set_backend(name)


def get_backend() -> str:
    return _backend.name


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The CPU, plus one entry per CUDA GPU when CuPy is installed and sees one."""
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    try:
        if _backend.name != "numpy":  # the GPU backends (the CuPy stand-in pretends one GPU)
            count = _backend.device_count()
        else:
            import cupy  # noqa: PLC0415

            count = cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no CuPy, or no driver: no GPUs
        count = 0
    devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(count)]
    return [d for d in devices if device_type is None or d.device_type == device_type.upper()]


from minitf.function import functions_run_eagerly, run_functions_eagerly  # noqa: E402,F401


class experimental:  # noqa: N801 (TF's namespace)
    @staticmethod
    def enable_op_determinism() -> None:
        """Accepted for TF compatibility: minitf's ops are deterministic on the CPU."""

    list_physical_devices = staticmethod(list_physical_devices)
