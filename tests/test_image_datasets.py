"""Image folders: the generated datasets on disk, image_dataset_from_directory, ImageDataGenerator,
and PyDatasets in fit (Keras's order of files, labels and calls; TF's values: parity_tests)."""
from __future__ import annotations

import json
import os
import random

import numpy as np
import pytest

import minitf as tf
from minitf import datasets as ds

pytest.importorskip("PIL", reason="the image folders are written and read with Pillow: pip install pillow")
from PIL import Image  # noqa: E402


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A small tree: three classes of different sizes, a nested folder, a non-image file, mixed formats."""
    root = tmp_path_factory.mktemp("folders")
    rng = np.random.default_rng(0)
    for cls, count in (("b_steak", 4), ("a_pizza", 5), ("c_sushi", 3)):
        (root / cls / "more").mkdir(parents=True)
        for i in range(count):
            pixels = rng.integers(0, 256, (10 + i, 12, 3)).astype(np.uint8)
            folder = root / cls / ("more" if i == 2 else "")
            Image.fromarray(pixels).save(folder / f"{i:02d}.{'png' if i % 2 else 'jpg'}")
        (root / cls / "notes.txt").write_text("not an image")
    return root


def _sorted_listing(root):
    paths, labels = [], []
    for label, cls in enumerate(sorted(os.listdir(root))):
        for dirpath, _, files in sorted(os.walk(root / cls), key=lambda e: e[0]):
            for name in sorted(files):
                if name.endswith((".jpg", ".png")):
                    paths.append(os.path.join(dirpath, name))
                    labels.append(label)
    return paths, labels


# --- generated folders ---------------------------------------------------------------------------------
def test_food_images_are_deterministic_and_balanced():
    x, y = ds.draw_food_images(["pizza", "steak", "bagel"], 6, image_size=16, seed=3)
    assert x.shape == (18, 16, 16, 3) and x.dtype == np.uint8 and y.dtype == np.int32
    assert np.bincount(y).tolist() == [6, 6, 6]
    x2, _ = ds.draw_food_images(["pizza", "steak", "bagel"], 6, image_size=16, seed=3)
    np.testing.assert_array_equal(x, x2)
    assert not np.array_equal(x, ds.draw_food_images(["pizza", "steak", "bagel"], 6, image_size=16, seed=4)[0])
    with pytest.raises(ValueError, match="unknown classes"):
        ds.draw_food_images(["lasagne"], 1)


def test_image_folders_layout_cache_and_subsets(tmp_path):
    path = ds.image_folders("new_food_classes_1_percent", root=tmp_path)
    manifest = json.loads((path / "dataset.json").read_text())
    assert sorted(os.listdir(path / "train")) == ds.PRESETS["new_food_classes_1_percent"]["classes"]
    assert all(len(os.listdir(path / "train" / c)) == 5 for c in manifest["classes"])
    assert all(len(os.listdir(path / "test" / c)) == 40 for c in manifest["classes"])
    before = (path / "train" / "bagel" / "0000.jpg").read_bytes()
    assert ds.image_folders("new_food_classes_1_percent", root=tmp_path) == path  # cached: not written again
    ten = ds.image_folders("new_food_classes_10_percent", root=tmp_path)
    assert (ten / "train" / "bagel" / "0000.jpg").read_bytes() == before  # 1% is the start of 10%
    assert (ten / "test" / "waffles" / "0007.jpg").read_bytes() == (path / "test" / "waffles" / "0007.jpg").read_bytes()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no half-built folder left
    with pytest.raises(ValueError, match="unknown preset"):
        ds.image_folders("101_food_classes", root=tmp_path)


def test_data_dir_follows_the_environment(tmp_path, monkeypatch):
    from minitf.datasets.image_folders import data_dir
    monkeypatch.setenv("MINITF_DATA_DIR", str(tmp_path))
    assert data_dir() == tmp_path
    monkeypatch.delenv("MINITF_DATA_DIR")
    assert data_dir().parts[-3:] == (".cache", "minitf", "datasets")


# --- image_dataset_from_directory ----------------------------------------------------------------------
def test_directory_dataset_order_labels_and_shapes(folders):
    data = tf.keras.utils.image_dataset_from_directory(str(folders), image_size=(8, 6), batch_size=5, shuffle=False,
                                                       verbose=False)
    paths, labels = _sorted_listing(folders)
    assert data.class_names == ["a_pizza", "b_steak", "c_sushi"] and data.file_paths == paths
    batches = list(data)
    assert [b[0].shape[0] for b in batches] == [5, 5, 2]
    images, got = np.concatenate([b[0].numpy() for b in batches]), np.concatenate([b[1].numpy() for b in batches])
    assert images.shape == (12, 8, 6, 3) and images.dtype == np.float32 and got.dtype == np.int32
    assert got.tolist() == labels and 0 <= images.min() and images.max() <= 255
    first = tf.image.resize(tf.io.decode_image(tf.io.read_file(paths[0]), channels=3), (8, 6)).numpy()
    np.testing.assert_array_equal(images[0], first)


def test_directory_dataset_shuffle_split_and_label_modes(folders):
    paths, labels = _sorted_listing(folders)
    shuffled = list(paths)
    np.random.RandomState(7).shuffle(shuffled)  # Keras's global shuffle of the file list
    common = dict(image_size=(4, 4), seed=7, verbose=False, validation_split=0.25)
    train = tf.keras.utils.image_dataset_from_directory(str(folders), subset="training", **common)
    val = tf.keras.utils.image_dataset_from_directory(str(folders), subset="validation", **common)
    assert train.file_paths == shuffled[:9] and val.file_paths == shuffled[9:]
    both = tf.keras.utils.image_dataset_from_directory(str(folders), subset="both", **common)
    assert both[0].file_paths == train.file_paths and both[1].file_paths == val.file_paths
    epoch1 = sorted(np.concatenate([y.numpy() for _, y in train]).tolist())
    assert epoch1 == sorted(labels[paths.index(p)] for p in shuffled[:9])  # a permutation of the same files
    binary = tf.keras.utils.image_dataset_from_directory(str(folders), image_size=(4, 4), label_mode="categorical",
                                                         shuffle=False, verbose=False, batch_size=None)
    image, label = next(iter(binary))
    assert image.shape == (4, 4, 3) and label.dtype == tf.float32 and label.numpy().tolist() == [1.0, 0.0, 0.0]
    gray = tf.keras.utils.image_dataset_from_directory(str(folders), image_size=(4, 4), color_mode="grayscale",
                                                       label_mode=None, shuffle=False, verbose=False)
    assert next(iter(gray)).shape == (12, 4, 4, 1)
    picked = tf.keras.utils.image_dataset_from_directory(str(folders), image_size=(4, 4), class_names=["c_sushi",
                                                         "a_pizza"], label_mode="binary", shuffle=False, verbose=False)
    assert picked.class_names == ["c_sushi", "a_pizza"] and len(picked.file_paths) == 8
    assert next(iter(picked))[1].shape == (8, 1)


def test_directory_dataset_errors(folders, tmp_path):
    make = tf.keras.utils.image_dataset_from_directory
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        make(str(folders), label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="provide a `seed`"):
        make(str(folders), validation_split=0.2, subset="training", verbose=False)
    with pytest.raises(ValueError, match="`validation_split` must be set"):
        make(str(folders), subset="training", seed=1, verbose=False)
    with pytest.raises(ValueError, match="No images found"):
        make(str(tmp_path), verbose=False)
    with pytest.raises(ValueError, match="does not exist"):
        make(str(tmp_path / "nowhere"), verbose=False)
    with pytest.raises(tf.errors.UnimplementedError, match="interpolation"):
        make(str(folders), interpolation="area", verbose=False)


# --- ImageDataGenerator -----------------------------------------------------------------------------
def test_flow_from_directory_lists_and_batches_like_keras(folders):
    from minitf.keras.preprocessing.image import ImageDataGenerator
    flow = ImageDataGenerator(rescale=1 / 255.).flow_from_directory(str(folders), target_size=(6, 5), batch_size=5,
                                                                     class_mode="sparse", shuffle=False)
    paths, labels = _sorted_listing(folders)
    assert flow.filepaths == paths and flow.classes.tolist() == labels and len(flow) == 3
    assert flow.class_indices == {"a_pizza": 0, "b_steak": 1, "c_sushi": 2}
    images, y = flow[0]
    assert images.shape == (5, 6, 5, 3) and images.dtype == np.float32 and y.dtype == np.float32
    expected = np.asarray(Image.open(paths[0]).convert("RGB").resize((5, 6), Image.NEAREST), np.float32)
    np.testing.assert_array_equal(images[0], expected * np.float32(1 / 255.))
    assert [len(next(flow)[0]) for _ in range(4)] == [5, 5, 2, 5]  # next() cycles, the last batch short
    one_hot = ImageDataGenerator().flow_from_directory(str(folders), target_size=(4, 4), batch_size=12,
                                                       shuffle=False)[0][1]
    np.testing.assert_array_equal(one_hot, np.eye(3, dtype=np.float32)[labels])


def test_generator_randomness_is_numpys_and_seeded(folders):
    from minitf.keras.preprocessing.image import ImageDataGenerator
    make = lambda: ImageDataGenerator(rotation_range=30, zoom_range=0.3, horizontal_flip=True).flow_from_directory(  # noqa: E731
        str(folders), target_size=(8, 8), batch_size=4, seed=5, class_mode="sparse")
    a, b = make(), make()
    np.testing.assert_array_equal(a[1][0], b[1][0])  # each batch reseeds NumPy with seed + batches seen
    np.random.seed(5)
    order = np.random.permutation(12)  # the first batch draws the order right after seeding
    c = make()
    assert c[0][1].tolist() == [float(_sorted_listing(folders)[1][i]) for i in order[:4]]


def test_affine_transform_geometry():
    from minitf.keras.preprocessing.image import apply_affine_transform
    x = np.arange(5 * 5 * 2, dtype=np.float32).reshape(5, 5, 2)
    assert apply_affine_transform(x, row_axis=0, col_axis=1, channel_axis=2) is x  # nothing to do
    turned = apply_affine_transform(x, theta=90, row_axis=0, col_axis=1, channel_axis=2)
    np.testing.assert_allclose(turned, np.rot90(x, k=1, axes=(0, 1)), atol=1e-4)  # a quarter turn anticlockwise
    # tx, which ImageDataGenerator draws from height_shift_range, moves along the columns once the
    # matrix is turned from (x, y) to (row, column) order: Keras's naming, kept
    shifted = apply_affine_transform(x, tx=1, row_axis=0, col_axis=1, channel_axis=2, fill_mode="constant", cval=-1)
    np.testing.assert_array_equal(shifted[:, :4], x[:, 1:])  # output column j reads input column j + 1
    assert (shifted[:, 4] == -1).all()


def test_affine_sampling_equals_scipy():
    scipy_ndimage = pytest.importorskip("scipy.ndimage", reason="the reference is SciPy's affine_transform")
    from minitf.keras.preprocessing.image import _affine_sample
    rng = np.random.default_rng(0)
    for _ in range(60):
        h, w = rng.integers(1, 9, 2)
        image = rng.uniform(0, 255, (2, h, w)).astype(np.float32)
        matrix, offset = rng.normal(0, 1.5, (2, 2)), rng.normal(0, 8, 2)
        for mode in ("nearest", "constant", "reflect", "wrap"):
            want = np.stack([scipy_ndimage.affine_transform(c, matrix, offset, order=1, mode=mode, cval=2.5)
                             for c in image])
            np.testing.assert_array_equal(_affine_sample(image, matrix, offset, mode, 2.5), want, err_msg=mode)


def test_flow_from_arrays_and_standardize():
    from minitf.keras.preprocessing.image import ImageDataGenerator
    x = np.random.default_rng(1).uniform(0, 255, (7, 4, 4, 3)).astype(np.float32)
    flow = ImageDataGenerator(samplewise_center=True).flow(x, np.arange(7), batch_size=3, shuffle=False)
    images, labels = flow[2]
    assert labels.tolist() == [6] and abs(float(images.mean())) < 1e-4
    with pytest.raises(ValueError, match="rank 4"):
        ImageDataGenerator().flow(x[0], None)
    with pytest.raises(tf.errors.UnimplementedError, match="zca"):
        ImageDataGenerator(zca_whitening=True)


# --- PyDataset in fit --------------------------------------------------------------------------------
class Batches(tf.keras.utils.PyDataset):
    """Four batches of two; records every call."""

    def __init__(self):
        super().__init__()
        self.calls = []
        self.x = np.arange(16, dtype=np.float32).reshape(8, 2) / 10
        self.y = self.x.sum(axis=1, keepdims=True)

    def __len__(self):
        return 4

    def __getitem__(self, index):
        self.calls.append(index)
        return self.x[2 * index:2 * index + 2], self.y[2 * index:2 * index + 2]

    def on_epoch_end(self):
        self.calls.append("end")


def test_fit_reads_a_pydataset_by_index_with_kerass_calls():
    model = tf.keras.Sequential([tf.keras.Input((2,)), tf.keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="sgd")
    data = Batches()
    history = model.fit(data, epochs=2, shuffle=False, verbose=0)
    # Keras (on TF): a peek at batches 0 and 1, a reset, then each epoch in order and its end
    assert data.calls == [0, 1, "end", 0, 1, 2, 3, "end", 0, 1, 2, 3, "end"]
    assert len(history.history["loss"]) == 2
    random.seed(3)
    data.calls = []
    model.fit(data, epochs=1, verbose=0)  # shuffle=True: the batch order from Python's random
    random.seed(3)
    order = list(range(4))
    random.shuffle(order)
    assert data.calls[3:7] == order
