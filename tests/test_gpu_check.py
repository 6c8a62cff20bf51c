"""The GPU check's parity part (benchmarks/gpu_check.py, gpu_parity.py): its references and its
comparison, and every case on this run's backend against TensorFlow's recorded values (no TF needed)."""
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import minitf
from benchmarks import gpu_check, gpu_parity


def test_the_references_cover_every_case_and_say_how_they_were_made():
    meta = json.loads(gpu_check.REFERENCE_META.read_text())
    assert meta["cases"] == sorted(gpu_parity.CASES)
    assert "--record-references" in meta["what"] and meta["tensorflow"]
    with np.load(gpu_check.REFERENCE_ARRAYS) as refs:
        assert {k.rsplit("/", 1)[0] for k in refs.files} == set(gpu_parity.CASES)
        assert len(refs.files) == meta["arrays"]
    assert gpu_check.REFERENCE_ARRAYS.stat().st_size < 2 * 1024 * 1024  # small: a few hundred KiB at most


def test_compare_finds_the_worst_array_and_refuses_shape_and_key_mismatches(tmp_path):
    path = tmp_path / "r.npz"
    np.savez(path, **{"c/x": np.array([1.0, 100.0]), "c/y": np.array([0.5, 0.5])})
    with np.load(path) as refs:
        good = gpu_check.compare("c", {"x": np.array([1.0, 100.0005]), "y": np.array([0.5, 0.5])}, refs, 1e-5, 0)
        assert good["ok"] and good["where"] == "x" and good["max_abs_err"] == pytest.approx(5e-4)
        bad = gpu_check.compare("c", {"x": np.array([1.0, 100.0]), "y": np.array([0.5, 0.6])}, refs, 1e-5, 0)
        assert not bad["ok"] and bad["where"] == "y"
        assert not gpu_check.compare("c", {"x": np.zeros(3), "y": np.zeros(2)}, refs, 1, 1)["ok"]
        assert not gpu_check.compare("c", {"x": np.zeros(2)}, refs, 1, 1)["ok"]
        assert not gpu_check.compare("c", {"x": np.array([np.nan, 1.0]), "y": np.zeros(2)}, refs, 1, 1)["ok"]


@pytest.mark.parametrize("name", sorted(gpu_parity.CASES))
def test_gpu_parity_case_matches_tf_references(name):
    rtol, atol = gpu_parity.TOLERANCES[name.split("/")[0]]
    with np.load(gpu_check.REFERENCE_ARRAYS) as refs:
        row = gpu_check.compare(name, gpu_parity.CASES[name](minitf), refs, rtol, atol)
    assert row["ok"], f"{name} on {minitf.config.get_backend()}: {row}"


def test_cupy_backend_without_cupy_is_one_clear_error():
    """MINITF_BACKEND=cupy where CuPy is not installed: an ImportError saying what to install, the
    README's command, and no chained traceback of the failed `import cupy`."""
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy is installed here")
    env = {**os.environ, "MINITF_BACKEND": "cupy"}
    done = subprocess.run([sys.executable, "-c", "import minitf"], env=env, capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode != 0
    assert 'pip install -e ".[gpu]"' in done.stderr and "MINITF_BACKEND" in done.stderr
    assert "direct cause" not in done.stderr and "ModuleNotFoundError" not in done.stderr
