"""``minitf.config``: which backend runs the ops, and which devices exist."""
from __future__ import annotations

from typing import NamedTuple

from minitf import backend as _backend


class PhysicalDevice(NamedTuple):
    name: str
    device_type: str


def set_backend(name: str) -> None:
    """``"numpy"`` (CPU, the default) or ``"cupy"`` (GPU). Also: env MINITF_BACKEND."""
    _backend.set_backend(name)


def get_backend() -> str:
    return _backend.name


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    """The CPU, plus one entry per CUDA GPU when CuPy is installed and sees one."""
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    try:
        import cupy  # noqa: PLC0415

        count = cupy.cuda.runtime.getDeviceCount()
    except Exception:  # no CuPy, or no driver: no GPUs
        count = 0
    devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(count)]
    return [d for d in devices if device_type is None or d.device_type == device_type.upper()]


class LogicalDevice(NamedTuple):
    name: str
    device_type: str


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """One logical device per physical one (``/device:CPU:0``, ``/device:GPU:0`` ...)."""
    return [LogicalDevice(d.name.replace("/physical_device:", "/device:"), d.device_type)
            for d in list_physical_devices(device_type)]


from minitf.function import functions_run_eagerly, run_functions_eagerly  # noqa: E402,F401


class experimental:  # noqa: N801 (TF's namespace)
    @staticmethod
    def enable_op_determinism() -> None:
        """Accepted for TF compatibility: minitf's ops are deterministic on the CPU."""

    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)

    @staticmethod
    def set_virtual_device_configuration(device, logical_devices) -> None:
        """Refused: minitf runs every op on one device, so it cannot split one into several."""
        raise NotImplementedError("minitf runs on one device: it cannot split a device into virtual devices "
                                  "(tf.config.experimental.set_virtual_device_configuration)")

    set_logical_device_configuration = set_virtual_device_configuration
