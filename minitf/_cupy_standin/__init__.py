"""A strict CuPy stand-in on NumPy, for testing the GPU path without a GPU.

``MINITF_BACKEND=cupy-standin`` makes ``minitf.array_backend.xp`` this package's ``cupy``: arrays that
are not NumPy arrays and follow CuPy's rules (``core.py``: no implicit conversion to NumPy, no
NumPy arrays mixed into kernels, 0-d results, host copies counted), with CuPy's names only
(``namespace.py``, from ``cupy_api.txt``, which ``generate_api.py`` writes from an installed
CuPy). Code that passes on it calls nothing CuPy lacks and moves no data behind the user's back.

    from minitf._cupy_standin import cupy, counting
    with counting() as seen:
        ...
    seen.host_copies, seen.copy_sites, seen.device_calls
"""
from minitf._cupy_standin.core import CaptureError, ndarray
from minitf._cupy_standin.counters import Counts, counting, totals
from minitf._cupy_standin.namespace import VERSION as CUPY_VERSION
from minitf._cupy_standin.namespace import cupy, cupyx

__all__ = ["cupy", "cupyx", "ndarray", "counting", "Counts", "totals", "CaptureError", "CUPY_VERSION"]
