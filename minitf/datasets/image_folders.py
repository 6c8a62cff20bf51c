"""Generated "food" photos on disk, in the course's folder layout: the stand-in for its image downloads.

The course downloads ``pizza_steak.zip`` and ``10_food_classes_*.zip``: folders of JPEG photos,
``train/<class>/*.jpg`` and ``test/<class>/*.jpg``. minitf draws its own instead, never
downloading anything: each class is a shape filled with a texture (a pizza is a disk with dots,
a steak a square with grill stripes ...: ``FOOD_DESIGNS``), at a random position, size and
angle, in random colours on a random, uneven background, with pixel noise. Colour says nothing
about the class; shape and texture, wherever they are in the picture, say everything. That is
what a convolutional network is built for, and what a dense network on raw pixels finds hard.

    path = minitf.datasets.image_folders("pizza_steak")       # ~/.cache/minitf/datasets/pizza_steak-<key>
    train = tf.keras.utils.image_dataset_from_directory(path / "train", image_size=(32, 32))

Presets (``PRESETS``): "pizza_steak" (2 classes, lesson 08), "10_food_classes" (10 classes,
lessons 08 and 09's source task), and "new_food_classes_all" / "_10_percent" / "_1_percent"
(5 classes lesson 08 never saw, built from the same shapes and textures in new combinations,
with all, 10% or 1% of the training images: lesson 09's transfer-learning task; the smaller sets
are the first images of the full one, and all three share one test set).

Deterministic: the same preset and seed give the same pixels (NumPy's ``default_rng(seed)``) and
the same files (Pillow's encoder). The folders are written once into a cache directory (default
``~/.cache/minitf/datasets``, or ``$MINITF_DATA_DIR``, or ``root=``), under a name that includes a
key of every parameter, atomically (built in a temporary folder, then renamed), so concurrent
runs and interrupted ones never see half a dataset.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .images import _MASKS

__all__ = ["FOOD_DESIGNS", "PRESETS", "TEXTURES", "draw_food_images", "image_folders", "make_image_folders",
           "data_dir"]

_VERSION = 3  # bump when the drawing changes: the cache key changes with it

# The class -> (shape, texture) of each food. Shapes are ``minitf.datasets.images``' masks.
FOOD_DESIGNS: dict[str, tuple[str, str]] = {
    # the course's 10 food classes (lesson 08, and lesson 09's source task)
    "chicken_curry": ("ring", "solid"),
    "chicken_wings": ("triangle", "stripes"),
    "fried_rice": ("circle", "checker"),
    "grilled_salmon": ("horizontal_bar", "stripes"),
    "hamburger": ("hollow_square", "solid"),
    "ice_cream": ("triangle", "dots"),
    "pizza": ("circle", "dots"),
    "ramen": ("ring", "stripes"),
    "steak": ("square", "stripes"),
    "sushi": ("square", "checker"),
    # five new ones (lesson 09's target task): known shapes, known and new textures, new combinations
    "apple_pie": ("square", "lattice"),
    "bagel": ("ring", "dots"),
    "donuts": ("ring", "checker"),
    "spring_rolls": ("horizontal_bar", "lattice"),
    "waffles": ("square", "grid"),
}
TEXTURES = ("solid", "stripes", "dots", "checker", "lattice", "grid")

_TEN = ["chicken_curry", "chicken_wings", "fried_rice", "grilled_salmon", "hamburger", "ice_cream", "pizza",
        "ramen", "steak", "sushi"]
_NEW = ["apple_pie", "bagel", "donuts", "spring_rolls", "waffles"]

# name -> (classes, training images per class, test images per class, image size in pixels)
PRESETS: dict[str, dict] = {
    "pizza_steak": dict(classes=["pizza", "steak"], train=300, test=100, image_size=32),
    "10_food_classes": dict(classes=_TEN, train=120, test=40, image_size=32),
    "new_food_classes_all": dict(classes=_NEW, train=500, test=40, image_size=32),
    "new_food_classes_10_percent": dict(classes=_NEW, train=500, test=40, image_size=32, keep=50),
    "new_food_classes_1_percent": dict(classes=_NEW, train=500, test=40, image_size=32, keep=5),
}

_PERIOD = 0.27  # texture period, in units of half the image (about 4 pixels at 32 x 32)


def _texture(kind: str, p: np.ndarray, q: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """0/1 texture at object coordinates (p, q) (in half-image units, turning with the object)."""
    a = 2 * np.pi * p / _PERIOD + phase[0]
    b = 2 * np.pi * q / _PERIOD + phase[1]
    if kind == "solid":
        return np.ones_like(p, dtype=bool)
    if kind == "stripes":
        return np.sin(a) > 0
    if kind == "dots":
        return (np.sin(a) > 0.35) & (np.sin(b) > 0.35)
    if kind == "checker":
        return np.sin(a) * np.sin(b) > 0
    if kind == "lattice":  # stripes both ways on the diagonals: a pie's crust
        return (np.sin((a + b) / np.sqrt(2)) > 0.6) | (np.sin((a - b) / np.sqrt(2)) > 0.6)
    if kind == "grid":  # thin lines along both axes: a waffle
        return (np.sin(a) > 0.6) | (np.sin(b) > 0.6)
    raise ValueError(f"unknown texture {kind!r}; the textures are {TEXTURES}")


def draw_food_images(class_names: list[str], per_class: int, image_size: int = 32, seed: int = 0,
                     noise: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
    """``per_class`` images of each class in ``class_names`` (names of ``FOOD_DESIGNS``), in class order.

    Each image: the class's shape at a centre within +-0.25 of the middle (in half-image units),
    size 0.5-0.75, turned by +-25 degrees, filled with the class's texture (period ~0.27, random
    phase) in two random colours (the second a darker shade of the first); a background of a
    random dark colour with a smooth random ramp; Gaussian noise of ``noise`` (0..1 scale).

    Returns (images, labels): (n, image_size, image_size, 3) uint8 and (n,) int32, label = index
    in ``class_names``.
    """
    unknown = [name for name in class_names if name not in FOOD_DESIGNS]
    if unknown:
        raise ValueError(f"draw_food_images: unknown classes {unknown}; the classes are {sorted(FOOD_DESIGNS)}")
    if image_size < 8:
        raise ValueError(f"draw_food_images: image_size must be >= 8 pixels, got {image_size}")
    rng = np.random.default_rng(seed)
    n = per_class * len(class_names)
    labels = np.repeat(np.arange(len(class_names), dtype=np.int32), per_class)

    cx, cy = rng.uniform(-0.25, 0.25, size=(2, n, 1, 1))
    size = rng.uniform(0.5, 0.75, size=(n, 1, 1))
    angle = np.deg2rad(rng.uniform(-25.0, 25.0, size=(n, 1, 1)))
    phase = rng.uniform(0, 2 * np.pi, size=(2, n, 1, 1))
    coords = (np.arange(image_size) + 0.5) / image_size * 2.0 - 1.0  # pixel centres in [-1, 1]
    x, y = coords[None, None, :], -coords[None, :, None]  # v points up
    cos, sin = np.cos(angle), np.sin(angle)
    p = cos * (x - cx) + sin * (y - cy)  # object coordinates, in image units
    q = -sin * (x - cx) + cos * (y - cy)

    mask = np.zeros((n, image_size, image_size), dtype=bool)
    pattern = np.zeros_like(mask)
    for label, name in enumerate(class_names):
        shape, texture = FOOD_DESIGNS[name]
        idx = labels == label
        mask[idx] = _MASKS[shape](p[idx] / size[idx], q[idx] / size[idx])
        pattern[idx] = _texture(texture, p[idx], q[idx], phase[:, idx])

    hue = rng.uniform(0.15, 1.0, size=(n, 3))
    light = hue / hue.max(axis=1, keepdims=True) * rng.uniform(0.7, 1.0, size=(n, 1))
    dark = light * rng.uniform(0.3, 0.5, size=(n, 1))
    background = rng.uniform(0.0, 0.3, size=(n, 3))
    ramp = rng.uniform(-0.12, 0.12, size=(2, n, 1, 1))  # a smooth slope of light across the picture
    shade = ramp[0] * x + ramp[1] * y

    colour = np.where(pattern[..., None], light[:, None, None, :], dark[:, None, None, :])
    images = np.where(mask[..., None], colour, background[:, None, None, :] + shade[..., None])
    images = images + rng.normal(0.0, noise, size=images.shape)
    return np.round(np.clip(images, 0.0, 1.0) * 255).astype(np.uint8), labels


def data_dir(root: str | os.PathLike | None = None) -> Path:
    """Where generated datasets are cached: ``root``, else ``$MINITF_DATA_DIR``, else ~/.cache/minitf/datasets."""
    if root is not None:
        return Path(root)
    if os.environ.get("MINITF_DATA_DIR"):
        return Path(os.environ["MINITF_DATA_DIR"])
    return Path(os.path.expanduser("~")) / ".cache" / "minitf" / "datasets"


def _encode(image: np.ndarray, fmt: str) -> bytes:
    from PIL import Image
    buffer = io.BytesIO()
    if fmt == "jpg":
        Image.fromarray(image).save(buffer, "JPEG", quality=90, subsampling=0)  # 4:4:4: no chroma halving
    else:
        Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def make_image_folders(name: str, class_names: list[str], train_per_class: int, test_per_class: int,
                       image_size: int = 32, seed: int = 0, fmt: str = "jpg", keep: int | None = None,
                       root: str | os.PathLike | None = None) -> Path:
    """Write ``<root>/<name>-<key>/{train,test}/<class>/<nnnn>.<fmt>`` once; return that folder.

    The training images are ``draw_food_images(seed)``, the test images ``draw_food_images(seed + 1)``;
    ``keep`` keeps only the first ``keep`` training images of each class (a "10 percent" set).
    The key hashes every parameter, so a changed parameter writes a new folder.
    """
    try:
        import PIL  # noqa: F401
    except ImportError:
        raise ImportError("make_image_folders writes images with Pillow, which is not installed: "
                          "pip install pillow") from None
    if fmt not in ("jpg", "png"):
        raise ValueError(f"make_image_folders: fmt must be 'jpg' or 'png', got {fmt!r}")
    params = dict(version=_VERSION, name=name, classes=list(class_names), train=train_per_class,
                  test=test_per_class, image_size=image_size, seed=seed, fmt=fmt, keep=keep)
    key = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]
    target = data_dir(root) / f"{name}-{key}"
    if (target / "dataset.json").is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        counts = {}
        for split, per_class, split_seed in (("train", train_per_class, seed), ("test", test_per_class, seed + 1)):
            images, labels = draw_food_images(class_names, per_class, image_size, split_seed)
            for label, cls in enumerate(class_names):
                folder = building / split / cls
                folder.mkdir(parents=True)
                chosen = images[labels == label]
                if split == "train" and keep is not None:
                    chosen = chosen[:keep]
                for i, image in enumerate(chosen):
                    (folder / f"{i:04d}.{fmt}").write_bytes(_encode(image, fmt))
                counts[f"{split}/{cls}"] = len(chosen)
        (building / "dataset.json").write_text(json.dumps(dict(params, counts=counts), indent=1) + "\n")
        try:
            os.rename(building, target)  # atomic; fails if another process finished first
        except OSError:
            if not (target / "dataset.json").is_file():
                raise
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return target


def image_folders(preset: str, root: str | os.PathLike | None = None, seed: int = 0) -> Path:
    """The folder of a preset dataset (``PRESETS``), written on first use: it holds ``train/`` and ``test/``."""
    if preset not in PRESETS:
        raise ValueError(f"image_folders: unknown preset {preset!r}; the presets are {sorted(PRESETS)}")
    spec = PRESETS[preset]
    return make_image_folders(preset, spec["classes"], spec["train"], spec["test"], spec["image_size"], seed=seed,
                              keep=spec.get("keep"), root=root)
