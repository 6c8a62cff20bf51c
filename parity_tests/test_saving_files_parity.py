"""Saved files behave as Keras 3.15's do (issue 11, "files behave like files", where Keras decides).

The same model saved by TensorFlow's Keras and by minitf, side by side:
- a new file gets the mode ``open()`` gives under the umask (0644 under 022, 0600 under 077), and a
  file that is overwritten keeps its own mode, for ``.keras`` and ``.weights.h5`` alike;
- saving to a symlink writes through it: the link stays a link and the target gets the model;
- saving into a folder that does not exist raises FileNotFoundError and creates nothing;
- a file whose weights lack the optimizer state its metadata lists loads with a fresh optimizer and a
  warning (Keras: "Skipping variable loading for optimizer ..."; minitf names the missing variables).
minitf's own guarantees beyond Keras's (atomic saves, kill -9, hostile files) are in tests/test_keras_saving.py.
"""
import io
import os
import warnings
import zipfile

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")

X = np.random.default_rng(0).normal(size=(8, 3)).astype(np.float32)
Y = X @ np.array([[1.0, 0.5], [-1.0, 0.0], [2.0, 1.0]], np.float32)


def _trained(fw):
    k = fw.keras
    model = k.Sequential([k.Input((3,)), k.layers.Dense(2)])
    model.compile(optimizer=k.optimizers.Adam(0.01), loss="mse")
    model.fit(X, Y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    return model


def _save(model, path):
    if str(path).endswith(".weights.h5"):
        model.save_weights(str(path))
    else:
        model.save(str(path))


def _mode(path):
    return os.stat(path).st_mode & 0o777


def _modes_after_saves(fw, folder):
    """{(umask, suffix, new|existing): mode} for saves made by ``fw`` into ``folder``."""
    model = _trained(fw)
    folder.mkdir()
    seen = {}
    for umask in (0o022, 0o077):
        old = os.umask(umask)
        try:
            for suffix in ("keras", "weights.h5"):
                new = folder / f"new_{umask:o}.{suffix}"
                _save(model, new)
                existing = folder / f"existing_{umask:o}.{suffix}"
                existing.write_bytes(b"an older file")
                os.chmod(existing, 0o640)
                _save(model, existing)
                seen[(umask, suffix, "new")] = _mode(new)
                seen[(umask, suffix, "existing")] = _mode(existing)
        finally:
            os.umask(old)
    return seen


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_file_modes_are_kerass(tf, mtf, tmp_path):
    theirs = _modes_after_saves(tf, tmp_path / "tf")
    mine = _modes_after_saves(mtf, tmp_path / "minitf")
    assert mine == theirs
    # What both give, spelled out (so a change on either side shows here, not only as a difference).
    assert theirs[(0o022, "keras", "new")] == 0o644 and theirs[(0o077, "weights.h5", "new")] == 0o600
    assert theirs[(0o077, "keras", "existing")] == 0o640


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="symlinks")
@pytest.mark.parametrize("suffix", ["keras", "weights.h5"])
def test_saving_to_a_symlink_writes_through_it_as_keras_does(tf, mtf, tmp_path, suffix):
    outcomes = {}
    for name, fw in (("tf", tf), ("minitf", mtf)):
        folder = tmp_path / name
        (folder / "store").mkdir(parents=True)
        model = _trained(fw)
        target = folder / "store" / f"real.{suffix}"
        target.write_bytes(b"an older file")
        link = folder / f"latest.{suffix}"
        os.symlink(target, link)
        _save(model, link)
        other = fw.keras.Sequential([fw.keras.Input((3,)), fw.keras.layers.Dense(2)])
        if suffix == "keras":
            other = fw.keras.models.load_model(str(target))
        else:
            other.load_weights(str(target))
        for a, b in zip(model.get_weights(), other.get_weights()):
            np.testing.assert_array_equal(a, b)
        outcomes[name] = (os.path.islink(link), os.readlink(link) == str(target),
                          sorted(os.listdir(folder)), sorted(os.listdir(folder / "store")))
    assert outcomes["minitf"] == outcomes["tf"] == (True, True, ["latest." + suffix, "store"], ["real." + suffix])


@pytest.mark.parametrize("suffix", ["keras", "weights.h5"])
def test_saving_into_a_missing_folder_is_a_file_not_found_error_in_both(tf, mtf, tmp_path, suffix):
    for name, fw in (("tf", tf), ("minitf", mtf)):
        model = _trained(fw)
        with pytest.raises(FileNotFoundError):
            _save(model, tmp_path / name / f"m.{suffix}")
    assert os.listdir(tmp_path) == []


def _without_optimizer_state(path, out):
    with zipfile.ZipFile(path) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    buffer = io.BytesIO(entries["model.weights.h5"])
    with h5py.File(buffer, "a") as f:
        del f["optimizer"]
    entries["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("saved_by", ["tf", "minitf"])
def test_missing_optimizer_state_loads_fresh_with_a_warning_in_both(tf, mtf, tmp_path, saved_by):
    frameworks = {"tf": tf, "minitf": mtf}
    model = _trained(frameworks[saved_by])
    model.save(str(tmp_path / "full.keras"))
    _without_optimizer_state(tmp_path / "full.keras", tmp_path / "no_state.keras")
    for name, fw in frameworks.items():
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = fw.keras.models.load_model(str(tmp_path / "no_state.keras"))
        messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
        if name == "tf":
            assert any("Skipping variable loading for optimizer" in m for m in messages), messages
        else:
            assert any("holds no optimizer state" in m and "optimizer/vars/0" in m for m in messages), messages
        assert int(np.asarray(loaded.optimizer.iterations)) == 0  # fresh, in both
        for a, b in zip(model.get_weights(), loaded.get_weights()):
            np.testing.assert_array_equal(a, b)  # the layers' weights did load
