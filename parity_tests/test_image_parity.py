"""The image pipeline against TensorFlow 2.21 / Keras 3.15: decoding, resizing, conversions,
directory datasets, ImageDataGenerator, PyDatasets in fit, and the training flag of nested models.

Tolerances: every decoder, resize, flip, conversion, file order and generator batch is compared
for EXACT equality (the pixels are TF's bit for bit; see minitf/image/codecs.py and _libjpeg.py
for how JPEG manages it). Two float32 computations get 1 ulp-scale bounds: adjust_contrast
(exact here thanks to TF's order of additions, checked at 0) and rgb_to_grayscale / 
per_image_standardization (sums in another order: 2e-7 absolute on values in [0, 1] / 1e-6).
Out-of-range floats converted to integers without ``saturate`` are left out: TF's result there
depends on the array's length (vectorised casts saturate, the scalar tail wraps).
"""
from __future__ import annotations

import io

import numpy as np
import pytest

PIL = pytest.importorskip("PIL", reason="minitf decodes images with Pillow: pip install pillow")
from PIL import Image  # noqa: E402

RNG = np.random.default_rng(0)


def _smooth(h, w, c, tf):
    base = RNG.uniform(0, 255, (h // 4 + 2, w // 4 + 2, c))
    up = tf.image.resize(base[None], [h, w]).numpy()[0]
    return np.clip(up + RNG.normal(0, 25, up.shape), 0, 255).astype(np.uint8)


def _encode(array, fmt, **kwargs):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _same(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape and got.dtype == want.dtype, (what, got.shape, got.dtype, want.shape, want.dtype)
    if not np.array_equal(got, want, equal_nan=got.dtype.kind == "f"):
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        raise AssertionError(f"{what}: {int((diff > 0).sum())} of {diff.size} values differ, worst by {diff.max()}")


# --- decoding -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("subsampling", ["4:4:4", "4:2:2", "4:2:0", "4:1:1"])
@pytest.mark.parametrize("quality", [50, 90, 100])
def test_jpeg_pixels_equal_tfs(tf, mtf, subsampling, quality):
    for h, w in ((37, 45), (8, 9), (64, 17)):
        data = _encode(_smooth(h, w, 3, tf), "JPEG", quality=quality, subsampling=subsampling)
        for kwargs in ({}, {"dct_method": "INTEGER_ACCURATE"}, {"fancy_upscaling": False}):
            for channels in (0, 1, 3):
                _same(mtf.io.decode_jpeg(data, channels=channels, **kwargs),
                      tf.io.decode_jpeg(data, channels=channels, **kwargs),
                      f"decode_jpeg {h}x{w} {subsampling} q{quality} {kwargs} channels={channels}")


def test_gray_jpeg_equals_tfs(tf, mtf):
    data = _encode(_smooth(31, 29, 1, tf)[..., 0], "JPEG", quality=85)
    for channels in (0, 1, 3):
        _same(mtf.io.decode_jpeg(data, channels=channels), tf.io.decode_jpeg(data, channels=channels),
              f"gray JPEG channels={channels}")


def _png_cases(tf):
    rgb = _smooth(20, 30, 3, tf)
    buffer = io.BytesIO()
    Image.fromarray(rgb).convert("P").save(buffer, "PNG")
    return {"RGB": _encode(rgb, "PNG"), "RGBA": _encode(_smooth(20, 30, 4, tf), "PNG"),
            "L": _encode(rgb[..., 0], "PNG"), "LA": _encode(_smooth(20, 30, 2, tf), "PNG"), "P": buffer.getvalue(),
            "1-bit": _encode(rgb[..., 0] > 128, "PNG"),
            "16-bit gray": _encode(RNG.uniform(0, 65535, (10, 12)).astype(np.uint16), "PNG")}


def test_png_pixels_and_channel_conversions_equal_tfs(tf, mtf):
    for name, data in _png_cases(tf).items():
        for channels in (0, 1, 3, 4):
            _same(mtf.io.decode_png(data, channels=channels), tf.io.decode_png(data, channels=channels),
                  f"decode_png {name} channels={channels}")


def test_decode_image_formats_and_dtypes_equal_tfs(tf, mtf):
    ramp = np.stack([np.arange(256, dtype=np.uint8).reshape(16, 16)] * 3, -1)
    cases = {fmt: _encode(ramp, fmt) for fmt in ("PNG", "JPEG", "BMP", "GIF")}
    cases["16-bit PNG"] = _png_cases(tf)["16-bit gray"]
    for name, data in cases.items():
        for dtype in ("uint8", "float32", "float16", "float64", "int16", "int32", "int8"):
            _same(mtf.io.decode_image(data, dtype=dtype, expand_animations=False),
                  tf.io.decode_image(data, dtype=dtype, expand_animations=False), f"decode_image {name} {dtype}")
    _same(mtf.io.decode_image(cases["GIF"]), tf.io.decode_image(cases["GIF"]), "GIF frames")


def test_decode_errors_match_tfs_classes(tf, mtf):
    jpeg = _encode(_smooth(8, 8, 3, tf), "JPEG")
    for call in (lambda m: m.io.decode_image(b"not an image"), lambda m: m.io.decode_image(jpeg, channels=4),
                 lambda m: m.io.decode_bmp(jpeg), lambda m: m.io.decode_png(jpeg, channels=4),
                 lambda m: m.io.decode_jpeg(_encode(np.zeros((4, 4, 3), np.uint8), "BMP"))):
        with pytest.raises(tf.errors.InvalidArgumentError):
            call(tf)
        with pytest.raises(mtf.errors.InvalidArgumentError):
            call(mtf)


def test_each_decoder_takes_the_formats_tfs_does(tf, mtf):
    """TF's decode_jpeg and decode_png decode JPEG, PNG and GIF alike; decode_gif takes JPEG and PNG."""
    image = _smooth(8, 9, 3, tf)
    files = {fmt: _encode(image, fmt) for fmt in ("JPEG", "PNG", "GIF")}
    for name, data in files.items():
        for channels in (0, 1, 3, 4):
            if (name, channels) in (("JPEG", 4), ("GIF", 1), ("GIF", 4)):
                continue
            for op in ("decode_jpeg", "decode_png"):
                _same(getattr(mtf.io, op)(data, channels=channels), getattr(tf.io, op)(data, channels=channels),
                      f"{op} of a {name} file, channels={channels}")
        _same(mtf.io.decode_gif(data), tf.io.decode_gif(data), f"decode_gif of a {name} file")
    bmp = _encode(image, "BMP")
    for op in ("decode_jpeg", "decode_png", "decode_gif"):  # a BMP: both refuse it, naming the ops that read it
        with pytest.raises(tf.errors.InvalidArgumentError, match="BMP format using a wrong op"):
            getattr(tf.io, op)(bmp)
        with pytest.raises(mtf.errors.InvalidArgumentError, match="BMP format using a wrong op"):
            getattr(mtf.io, op)(bmp)


def test_read_file_equals_tfs(tf, mtf, tmp_path):
    path = tmp_path / "bytes.bin"
    path.write_bytes(bytes(range(256)))
    assert mtf.io.read_file(str(path)).numpy() == tf.io.read_file(str(path)).numpy()
    assert repr(mtf.io.read_file(str(path))) == repr(tf.io.read_file(str(path)))


# --- resize, conversions, colour, flips ------------------------------------------------------------------
@pytest.mark.parametrize("method", ["bilinear", "nearest"])
@pytest.mark.parametrize("dtype", ["uint8", "float32", "float64", "int32"])
def test_resize_equals_tfs_bit_for_bit(tf, mtf, method, dtype):
    for shape in ((37, 45, 3), (2, 9, 11, 1), (5, 5, 4)):
        x = RNG.uniform(0, 255, shape).astype(dtype)
        for size in ((224, 224), (16, 16), (20, 13), shape[-3:-1], (3, 100), (1, 1)):
            _same(mtf.image.resize(x, size, method=method), tf.image.resize(x, size, method=method),
                  f"resize {shape} -> {size} {dtype} {method}")


def test_resize_preserving_the_aspect_ratio(tf, mtf):
    x = RNG.uniform(0, 255, (30, 40, 3)).astype("float32")
    for size in ((10, 10), (100, 50), (7, 200)):
        _same(mtf.image.resize(x, size, preserve_aspect_ratio=True),
              tf.image.resize(x, size, preserve_aspect_ratio=True), f"preserve_aspect_ratio {size}")


def test_convert_image_dtype_equals_tfs(tf, mtf):
    sources = [RNG.integers(0, 256, (4, 6, 3)).astype("uint8"), RNG.uniform(0, 1, (4, 6, 3)).astype("float32"),
               RNG.uniform(0, 1, (4, 6, 3)), RNG.integers(-128, 127, (4, 6, 3)).astype("int8"),
               RNG.integers(0, 2**31 - 1, (4, 6, 3)).astype("int32"),
               RNG.integers(-30000, 30000, (4, 6, 3)).astype("int16"),
               RNG.uniform(-0.3, 1.3, (4, 6, 3)).astype("float32")]  # out of range: saturate only
    for i, source in enumerate(sources):
        for dtype in ("uint8", "int8", "int16", "int32", "float32", "float16", "float64"):
            for saturate in ((True,) if i == len(sources) - 1 else (False, True)):
                with np.errstate(over="ignore", invalid="ignore"):  # int32's top values overflow float16
                    _same(mtf.image.convert_image_dtype(source, dtype, saturate=saturate),
                          tf.image.convert_image_dtype(source, dtype, saturate=saturate),
                          f"convert {source.dtype} -> {dtype} saturate={saturate}")


def test_brightness_contrast_flips_equal_tfs(tf, mtf):
    u8 = RNG.integers(0, 256, (5, 6, 3)).astype("uint8")
    f = RNG.uniform(-0.2, 1.2, (2, 64, 48, 3)).astype("float32")
    for image in (u8, f):
        for delta in (0.1, -0.3, 0.7):
            _same(mtf.image.adjust_brightness(image, delta), tf.image.adjust_brightness(image, delta),
                  f"adjust_brightness {image.dtype} {delta}")
        for factor in (0.5, 2.0, -1.0, 1.7):
            _same(mtf.image.adjust_contrast(image, factor), tf.image.adjust_contrast(image, factor),
                  f"adjust_contrast {image.dtype} {factor}")
    for name in ("flip_left_right", "flip_up_down"):
        _same(getattr(mtf.image, name)(f), getattr(tf.image, name)(f), name)
        _same(getattr(mtf.image, name)(u8), getattr(tf.image, name)(u8), name)
    _same(mtf.image.grayscale_to_rgb(f[..., :1]), tf.image.grayscale_to_rgb(tf.constant(f[..., :1])), "gray to rgb")
    np.testing.assert_allclose(mtf.image.rgb_to_grayscale(f).numpy(), tf.image.rgb_to_grayscale(f).numpy(),
                               rtol=0, atol=2e-7)
    _same(mtf.image.rgb_to_grayscale(u8), tf.image.rgb_to_grayscale(u8), "rgb_to_grayscale uint8")
    np.testing.assert_allclose(mtf.image.per_image_standardization(f).numpy(),
                               tf.image.per_image_standardization(f).numpy(), rtol=0, atol=1e-6)


def test_random_flip_blends_as_tf_does(tf, mtf):
    """Same draws, same images: TF's batch formula flips * flipped + (1 - flips) * image."""
    x = RNG.normal(size=(6, 3, 4, 2)).astype("float32")
    x[0, 0, 0, 0] = -0.0
    tf.random.set_seed(3)
    mtf.random.set_seed(3)
    ours = mtf.image.random_flip_left_right(x).numpy()
    flipped = np.all(ours == x[:, :, ::-1], axis=(1, 2, 3))
    flips = flipped.astype("float32").reshape(-1, 1, 1, 1)
    want = tf.constant(flips) * tf.reverse(x, [2]) + (1 - tf.constant(flips)) * x
    _same(ours, want, "random_flip_left_right as TF blends")


# --- directory datasets ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def photo_folders(tmp_path_factory, tf):
    root = tmp_path_factory.mktemp("photos")
    for cls in ("pizza", "steak", "sushi"):
        (root / cls / "nested").mkdir(parents=True)
        for i in range(9):
            h, w = RNG.integers(20, 40, 2)
            ext = ["jpg", "png", "jpeg", "bmp", "gif"][i % 5]
            Image.fromarray(_smooth(int(h), int(w), 3, tf)).save(root / cls / ("nested" if i == 4 else "") /
                                                                 f"{i:03d}.{ext}")
        (root / cls / "notes.txt").write_text("x")
    return root


def _elements(dataset):
    return [tuple(np.asarray(t) for t in (e if isinstance(e, tuple) else (e,))) for e in dataset]


@pytest.mark.parametrize("kwargs", [
    dict(shuffle=False),
    dict(shuffle=False, label_mode="categorical"),
    dict(shuffle=False, label_mode="binary", class_names=["sushi", "pizza"]),
    dict(shuffle=False, label_mode=None, interpolation="nearest", image_size=(13, 17)),
    dict(shuffle=False, crop_to_aspect_ratio=True, image_size=(10, 30)),
    dict(shuffle=False, batch_size=None),
], ids=["int", "categorical", "binary_class_names", "nearest_no_labels", "crop_to_aspect", "unbatched"])
def test_directory_dataset_batches_equal_keras(tf, mtf, photo_folders, kwargs):
    settings = dict(image_size=(24, 20), batch_size=4, verbose=False)
    settings.update(kwargs)
    theirs = tf.keras.utils.image_dataset_from_directory(str(photo_folders), **settings)
    ours = mtf.keras.utils.image_dataset_from_directory(str(photo_folders), **settings)
    assert ours.file_paths == theirs.file_paths and ours.class_names == theirs.class_names
    mine, want = _elements(ours), _elements(theirs)
    assert len(mine) == len(want)
    for i, (a, b) in enumerate(zip(mine, want)):
        for k, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"element {i}, component {k}")


@pytest.mark.parametrize("subset", ["training", "validation"])
def test_directory_dataset_shuffled_split_equals_keras(tf, mtf, photo_folders, subset):
    settings = dict(image_size=(12, 12), batch_size=5, verbose=False, seed=3, validation_split=0.3, subset=subset)
    theirs = tf.keras.utils.image_dataset_from_directory(str(photo_folders), **settings)
    ours = mtf.keras.utils.image_dataset_from_directory(str(photo_folders), **settings)
    assert ours.file_paths == theirs.file_paths  # Keras's seeded shuffle of the file list, then the split
    # the shuffle buffer's draws are each framework's own: compare the epoch as a set of (image, label)
    def pairs(dataset):
        elements = _elements(dataset)  # one pass: every pass is a new order
        images = np.concatenate([e[0] for e in elements])
        labels = np.concatenate([e[1] for e in elements])
        order = np.lexsort(images.reshape(len(images), -1).T)
        return images[order], labels[order]
    for x, y in zip(pairs(ours), pairs(theirs)):
        _same(x, y, f"{subset} subset")


# --- ImageDataGenerator ------------------------------------------------------------------------------------
AUGMENTATIONS = [
    dict(rescale=1 / 255.),
    dict(rescale=1 / 255., rotation_range=20, shear_range=0.2, zoom_range=0.2, width_shift_range=0.2,
         height_shift_range=0.2, horizontal_flip=True),
    dict(rotation_range=40, fill_mode="constant", cval=3.0),
    dict(rotation_range=40, fill_mode="reflect", zoom_range=[0.5, 1.5]),
    dict(rotation_range=40, fill_mode="wrap", width_shift_range=0.4),
    dict(channel_shift_range=30, vertical_flip=True, brightness_range=(0.5, 1.5)),
    dict(width_shift_range=[2, 5], height_shift_range=3, samplewise_center=True, samplewise_std_normalization=True),
]


@pytest.mark.parametrize("kwargs", AUGMENTATIONS, ids=lambda k: "-".join(sorted(k))[:60])
@pytest.mark.parametrize("class_mode,size", [("binary", (16, 24)), ("categorical", (30, 30)), ("sparse", (17, 13))])
def test_flow_from_directory_batches_equal_keras(tf, mtf, photo_folders, kwargs, class_mode, size):
    """Same seed, same batches: the generator draws from NumPy's global generator as Keras does.
    Each side runs from the same NumPy state (the draws interleave otherwise)."""
    def flows(fw):
        generator = fw.keras.preprocessing.image.ImageDataGenerator(**kwargs)
        return generator.flow_from_directory(str(photo_folders), target_size=size, class_mode=class_mode,
                                             batch_size=5, seed=7)
    theirs, ours = flows(tf), flows(mtf)
    for step in ([0], [1, 4], ["end"], [0, 2]):
        state = np.random.get_state()
        want = [theirs.on_epoch_end() if i == "end" else theirs[i] for i in step]
        np.random.set_state(state)
        got = [ours.on_epoch_end() if i == "end" else ours[i] for i in step]
        for a, b in zip(got, want):
            if a is not None:
                _same(a[0], b[0], f"images of {step}")
                _same(a[1], b[1], f"labels of {step}")


def test_flow_from_arrays_equals_keras(tf, mtf):
    x = RNG.uniform(0, 255, (9, 12, 14, 3)).astype(np.float32)
    y = np.arange(9)
    kwargs = dict(rotation_range=30, zoom_range=0.3, horizontal_flip=True, fill_mode="reflect")
    theirs = tf.keras.preprocessing.image.ImageDataGenerator(**kwargs).flow(x, y, batch_size=4, seed=1)
    ours = mtf.keras.preprocessing.image.ImageDataGenerator(**kwargs).flow(x, y, batch_size=4, seed=1)
    for i in range(3):
        (a, la), (b, lb) = ours[i], theirs[i]
        _same(a, b, f"flow batch {i}")
        _same(la, lb, f"flow labels {i}")


def test_load_img_and_img_to_array_equal_keras(tf, mtf, photo_folders):
    path = str(photo_folders / "pizza" / "000.jpg")
    for kwargs in (dict(), dict(target_size=(10, 30), interpolation="bilinear"),
                   dict(target_size=(10, 30), keep_aspect_ratio=True), dict(color_mode="grayscale")):
        ours = mtf.keras.utils.img_to_array(mtf.keras.utils.load_img(path, **kwargs))
        theirs = tf.keras.utils.img_to_array(tf.keras.utils.load_img(path, **kwargs))
        _same(ours, theirs, f"load_img {kwargs}")


# --- PyDataset in fit, and nested models' training flag -----------------------------------------------------
def _recording_dataset(fw):
    class Batches(fw.keras.utils.PyDataset):
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
    return Batches()


def test_fit_reads_a_pydataset_as_keras_does(tf, mtf):
    """Unshuffled: the same calls in the same order (a peek at two batches, a reset, the epochs)."""
    calls, losses = {}, {}
    for fw in (tf, mtf):
        fw.keras.utils.set_random_seed(0)
        model = fw.keras.Sequential([fw.keras.Input((2,)), fw.keras.layers.Dense(1, kernel_initializer="ones")])
        model.compile(loss="mse", optimizer="sgd")
        data = _recording_dataset(fw)
        losses[fw] = model.fit(data, epochs=3, shuffle=False, verbose=0).history["loss"]
        calls[fw] = data.calls
    assert calls[mtf] == calls[tf], (calls[mtf], calls[tf])
    np.testing.assert_allclose(losses[mtf], losses[tf], rtol=1e-6)


def test_training_flag_of_fit_wins_inside_a_nested_model(tf, mtf):
    """``base(x, training=False)`` at build time; fit (training=True) still trains its BatchNormalization."""
    x = RNG.normal(size=(64, 4)).astype("float32") * 3 + 5
    y = np.ones((64, 1), np.float32)
    stats = {}
    for fw in (tf, mtf):
        layers = fw.keras.layers
        inner = fw.keras.Sequential([fw.keras.Input((4,)), layers.Dense(3, kernel_initializer="ones"),
                                     layers.BatchNormalization(name="bn")])
        base = fw.keras.Model(inner.inputs, inner.get_layer("bn").output)
        inputs = fw.keras.Input((4,))
        model = fw.keras.Model(inputs, layers.Dense(1, kernel_initializer="ones")(base(inputs, training=False)))
        model.compile(loss="mse", optimizer="sgd")
        model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
        stats[fw] = [np.asarray(w) for w in inner.get_layer("bn").get_weights()]
    for a, b in zip(stats[mtf], stats[tf]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert np.abs(stats[mtf][2]).max() > 0.1  # the moving mean moved: BatchNormalization ran in training mode


# --- RandomHeight / RandomWidth (Keras 3's legacy tf.keras layers) -----------------------------------------
@pytest.mark.parametrize("kind", ["RandomHeight", "RandomWidth"])
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
def test_random_height_width_equal_keras_for_a_fixed_factor(tf, mtf, kind, interpolation):
    x = RNG.uniform(0, 255, (2, 9, 11, 3)).astype("float32")
    for factor in ((0.5, 0.5), (-0.4, -0.4), (0.0, 0.0)):
        ours = getattr(mtf.keras.layers, kind)(factor, interpolation=interpolation, seed=1)
        theirs = getattr(tf.keras.layers, kind)(factor, interpolation=interpolation, seed=1)
        _same(ours(x), theirs(x), f"{kind} {factor} {interpolation}")
        _same(ours(x, training=False), theirs(x, training=False), f"{kind} inference")
        assert ours.compute_output_shape((None, 9, 11, 3)) == theirs.compute_output_shape((None, 9, 11, 3))
        theirs_config = {k: v for k, v in theirs.get_config().items() if k != "name"}
        assert {k: v for k, v in ours.get_config().items() if k != "name"} == theirs_config


def test_random_height_sizes_stay_within_keras_bounds(tf, mtf):
    x = RNG.uniform(0, 255, (1, 40, 8, 1)).astype("float32")
    ours = {mtf.keras.layers.RandomHeight(0.25, seed=s)(x).shape[1] for s in range(20)}
    theirs = {tf.keras.layers.RandomHeight(0.25, seed=s)(x).shape[1] for s in range(20)}
    assert min(ours | theirs) >= 30 and max(ours | theirs) <= 50 and len(ours) > 3 and len(theirs) > 3


# --- tf.image.extract_patches: TF's outcome for every argument form --------------------------------------
PATCH_IMAGES = np.arange(2 * 5 * 6 * 3, dtype=np.float32).reshape(2, 5, 6, 3)


@pytest.mark.parametrize("sizes, strides, rates, padding", [
    ([1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
    ([1, 3, 2, 1], [1, 2, 3, 1], [1, 1, 1, 1], "SAME"),
    ([1, 2, 2, 1], [1, 1, 1, 1], [1, 2, 2, 1], "SAME"),
    ([1, 3, 3, 1], [1, 1, 1, 1], [1, 2, 2, 1], "VALID"),
    ([1, 6, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),  # one row too tall: an empty output
    ([1, 2, 2, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),  # TF reads the first four entries
    ([2, 2], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),  # too short
    ([2, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),  # a window across the batch
    ([1, 2, 2, 1], [1, 1, 1, 2], [1, 1, 1, 1], "VALID"),  # a stride across the channels
    ([1, 0, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
    ([1, 2, 2, 1], [1, -1, 1, 1], [1, 1, 1, 1], "VALID"),
    ([1, 2, 2, 1], [1, 1, 1, 1], [1, 0, 1, 1], "VALID"),
    ([1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "same"),
    ([1, 9, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),  # output size negative
])
def test_extract_patches_arguments_have_tf_outcomes(tf, mtf, sizes, strides, rates, padding):
    outcomes = []
    for fw in (tf, mtf):
        try:
            outcomes.append(("value", np.asarray(fw.image.extract_patches(PATCH_IMAGES, sizes, strides, rates, padding))))
        except Exception as e:  # noqa: BLE001 (the error class is the outcome)
            outcomes.append(("error", type(e).__name__))
    (tf_kind, tf_what), (kind, what) = outcomes
    assert kind == tf_kind, f"TF: {tf_what if tf_kind == 'error' else 'a value'}, minitf: {what if kind == 'error' else 'a value'}"
    if kind == "error":
        assert tf_what == what
    else:
        assert what.dtype == tf_what.dtype and what.shape == tf_what.shape
        np.testing.assert_array_equal(what, tf_what)


@pytest.mark.parametrize("dtype", ["uint8", "int32", "int64", "float16", "float64", "bool"])
def test_extract_patches_dtypes_and_ranks_as_tf(tf, mtf, dtype):
    images = (PATCH_IMAGES % 7).astype(dtype)
    for x in (images, images[0]):  # the batch, and one image alone (TF wants 4-D)
        results = []
        for fw in (tf, mtf):
            try:
                results.append(np.asarray(fw.image.extract_patches(x, [1, 2, 3, 1], [1, 2, 1, 1], [1, 1, 1, 1], "SAME")))
            except Exception as e:  # noqa: BLE001
                results.append(type(e).__name__)
        if isinstance(results[0], str):
            assert results[1] == results[0]
        else:
            assert results[1].dtype == results[0].dtype
            np.testing.assert_array_equal(results[1], results[0])


def test_vision_transformer_patches_and_their_gradient_as_tf(tf, mtf):
    """The Keras ViT example's tokens: 16x16 patches of a 64x64 RGB batch, then a Dense on each."""
    images = RNG.uniform(0, 1, (2, 64, 64, 3)).astype("float32")
    kernel = RNG.normal(0, 0.05, (16 * 16 * 3, 8)).astype("float32")
    out = {}
    for fw in (tf, mtf):
        x = fw.Variable(images)
        with fw.GradientTape() as tape:
            patches = fw.image.extract_patches(x, [1, 16, 16, 1], [1, 16, 16, 1], [1, 1, 1, 1], "VALID")
            tokens = fw.reshape(patches, (2, -1, 16 * 16 * 3))
            loss = fw.reduce_sum(fw.square(fw.matmul(tokens, kernel)))
        out[fw] = (np.asarray(patches), np.asarray(tape.gradient(loss, x)))
    np.testing.assert_array_equal(out[mtf][0], out[tf][0])
    np.testing.assert_allclose(out[mtf][1], out[tf][1], rtol=1e-5, atol=1e-6)
