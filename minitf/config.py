"""``minitf.config``: which backend runs the ops, and which devices exist."""
from __future__ import annotations

from typing import NamedTuple

from minitf import array_backend as _backend
from minitf import cuda_graph as _cuda_graph


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


class LogicalDevice(NamedTuple):
    name: str
    device_type: str


class LogicalDeviceConfiguration(NamedTuple):
    """One logical device to make from a physical one (``tf.config.LogicalDeviceConfiguration``)."""

    memory_limit: int | None = None
    experimental_priority: int | None = None
    experimental_device_ordinal: int | None = None


_logical_cpus: list = []  # set_logical_device_configuration's list for the CPU (empty: one logical CPU)


def list_logical_devices(device_type: str | None = None) -> list[LogicalDevice]:
    """One logical device per physical one (``/device:CPU:0``, ``/device:GPU:0`` ...), or as many
    CPUs as ``set_logical_device_configuration`` asked for."""
    devices = []
    for d in list_physical_devices(device_type):
        count = max(len(_logical_cpus), 1) if d.device_type == "CPU" else 1
        devices += [LogicalDevice(f"/device:{d.device_type}:{i}" if d.device_type == "CPU" else
                                  d.name.replace("/physical_device:", "/device:"), d.device_type) for i in range(count)]
    return devices


def set_logical_device_configuration(device, logical_devices) -> None:
    """Split the CPU into ``len(logical_devices)`` logical CPUs (``/device:CPU:0`` ...), as TF does, e.g.
    for a MirroredStrategy over several replicas on one machine. They all run on the backend's device
    (the replicas run one after another). GPUs cannot be split (refused)."""
    kind = getattr(device, "device_type", None)
    if kind != "CPU":
        raise NotImplementedError(f"set_logical_device_configuration: minitf can split the CPU into logical devices, "
                                  f"not {getattr(device, 'name', device)!r}")
    configs = list(logical_devices) if logical_devices is not None else []
    if not all(isinstance(c, LogicalDeviceConfiguration) for c in configs):
        raise ValueError(f"set_logical_device_configuration: expected a list of tf.config.LogicalDeviceConfiguration, "
                         f"got {logical_devices!r}")
    _logical_cpus[:] = configs


def get_logical_device_configuration(device) -> list | None:
    if getattr(device, "device_type", None) == "CPU" and _logical_cpus:
        return list(_logical_cpus)
    return None


from minitf.function import functions_run_eagerly, run_functions_eagerly  # noqa: E402,F401


class optimizer:  # noqa: N801 (TF's namespace)
    """``tf.config.optimizer``: ``set_jit(True)`` makes every traced function (``jit_compile=None``)
    replay as a captured CUDA graph on CuPy (see minitf/cuda_graph.py); TF's XLA, which does the
    same on GPUs, is what TF's switch turns on."""

    set_jit = staticmethod(_cuda_graph.set_jit)
    get_jit = staticmethod(_cuda_graph.get_jit)


class experimental:  # noqa: N801 (TF's namespace)
    @staticmethod
    def enable_op_determinism() -> None:
        """Accepted for TF compatibility: minitf's ops are deterministic on the CPU."""

    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)

    set_virtual_device_configuration = staticmethod(set_logical_device_configuration)
    set_logical_device_configuration = staticmethod(set_logical_device_configuration)
    get_virtual_device_configuration = staticmethod(get_logical_device_configuration)
    VirtualDeviceConfiguration = LogicalDeviceConfiguration


class threading:  # noqa: N801 (TF's namespace)
    """``tf.config.threading``: how many threads minitf's kernels use.

    Intra-op: the threads one op's blocks run on (``minitf/parallel.py``; 0, the default, is one per
    core). Inter-op: TF runs independent ops of a graph at once on that many threads; minitf runs
    one op after the other, so the value is kept and reported but changes nothing.
    """

    _inter_op = 0

    @staticmethod
    def get_intra_op_parallelism_threads() -> int:
        from minitf import parallel  # noqa: PLC0415
        return parallel.threads_setting()

    @staticmethod
    def set_intra_op_parallelism_threads(num_threads: int) -> None:
        from minitf import parallel  # noqa: PLC0415
        parallel.set_threads(num_threads)

    @staticmethod
    def get_inter_op_parallelism_threads() -> int:
        return threading._inter_op

    @staticmethod
    def set_inter_op_parallelism_threads(num_threads: int) -> None:
        if int(num_threads) < 0:
            raise ValueError(f"the number of inter-op threads must be 0 or positive, got {num_threads}")
        threading._inter_op = int(num_threads)
