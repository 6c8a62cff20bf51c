"""What lessons 08 and 09 (images) share: image folders to arrays, the course's helpers, and
fitting the same model under minitf and TF with validation data.

Kept apart from ``_common.py`` (every lesson's helpers) because only the image lessons need it.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

try:
    from lessons import _common as L
except ImportError:  # run from inside lessons/
    import _common as L


def load_arrays(fw: Any, directory: Any, image_size: int, label_mode: str = "int",
                limit: int | None = None, seed: int = 42) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Every image under ``directory`` (class folders) as float32 in [0, 1], with its label.

    Read with ``fw.keras.utils.image_dataset_from_directory(..., shuffle=False)`` (files in
    Keras's sorted order, pixels as TF decodes and resizes them), divided by 255, then put in
    one random order (NumPy, ``seed``) so that the classes are mixed in every batch even with
    ``fit(shuffle=False)``; ``limit`` keeps that many. Returns (x, y, class_names, file_paths).
    """
    dataset = fw.keras.utils.image_dataset_from_directory(str(directory), image_size=(image_size, image_size),
                                                          label_mode=label_mode, batch_size=256, shuffle=False,
                                                          verbose=False)
    xs, ys = [], []
    for images, labels in dataset:
        xs.append(np.asarray(images))
        ys.append(np.asarray(labels))
    x = np.concatenate(xs) / np.float32(255)
    y = np.concatenate(ys)
    order = np.random.default_rng(seed).permutation(len(x))[:limit]
    return x[order].astype(np.float32), y[order], list(dataset.class_names), [dataset.file_paths[i] for i in order]


def fit_both(ours: Any, theirs: Any, x: Any, y: Any, validation_data: tuple | None = None, *, epochs: int = 1,
             batch_size: int = 32, initial_epoch: int = 0,
             callbacks: Callable[[Any], list] | None = None) -> tuple[dict, dict | None]:
    """``L.fit_pair`` with validation data and ``initial_epoch``: both models on the same batches in
    the same order (``shuffle=False``), validated on the same data at every epoch's end; their
    ``History.history`` dicts (TF's None without TF)."""
    import minitf

    mine = ours.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0,
                    validation_data=validation_data, initial_epoch=initial_epoch,
                    callbacks=callbacks(minitf) if callbacks else None).history
    if theirs is None:
        return mine, None
    tf = L.tf_or_none()
    batches = tf.data.Dataset.from_tensor_slices((np.asarray(x), np.asarray(y))).batch(batch_size)
    val = None
    if validation_data is not None:
        val = tf.data.Dataset.from_tensor_slices(tuple(np.asarray(v) for v in validation_data)).batch(batch_size)
    theirs.steps_per_execution = 32  # several steps per graph call: the same numbers, less Python per step
    other = theirs.fit(batches, epochs=epochs, shuffle=False, verbose=0, validation_data=val,
                       initial_epoch=initial_epoch, callbacks=callbacks(tf) if callbacks else None).history
    return mine, other


def compare_histories(name: str, mine: dict, theirs: dict | None, keys: tuple[str, ...] = ("loss", "val_loss"),
                      tol: float = 2e-3, first_epoch_tol: float = 1e-4) -> None:
    """Compare the per-epoch curves of two histories: the first epoch's loss within
    ``first_epoch_tol``, every epoch of each key within ``tol`` (float32 rounding differences
    grow slowly over hundreds of steps, so whole curves get a looser bound)."""
    if theirs is None:
        return
    L.compare(f"{name}: loss, first epoch", mine["loss"][:1], theirs["loss"][:1], tol=first_epoch_tol)
    for key in keys:
        if key in mine:
            L.compare(f"{name}: {key} per epoch", mine[key], theirs[key], tol=tol)


def plot_curves(axes: Any, history: dict, tf_history: dict | None, label: str, color: str) -> None:
    """Loss (axes[0]) and accuracy (axes[1]), training solid and validation dotted, minitf thick;
    TF's the same curves as thin black dashes on top."""
    for ax, key in zip(axes, ("loss", "accuracy")):
        ax.plot(history[key], color=color, linewidth=3, alpha=0.6, label=f"{label}: training")
        if f"val_{key}" in history:
            ax.plot(history[f"val_{key}"], ":", color=color, linewidth=3, alpha=0.8, label=f"{label}: validation")
        if tf_history is not None:
            ax.plot(tf_history[key], "--", color="black", linewidth=1)
            if f"val_{key}" in tf_history:
                ax.plot(tf_history[f"val_{key}"], "--", color="black", linewidth=1)
        ax.set_xlabel("epoch")
        ax.set_title(key)


def load_and_prep_image(fw: Any, filename: str, img_shape: int = 32):
    """The course's helper: read a file, decode it, resize it to (img_shape, img_shape), scale to [0, 1]."""
    img = fw.io.read_file(filename)
    img = fw.image.decode_image(img, channels=3)
    img = fw.image.resize(img, [img_shape, img_shape])
    return img / 255.0
