"""minitf.io and minitf.image: files, decoding, resizing, dtype conversion, flips and colour.

TF's exact values are checked in parity_tests/test_image_parity.py; here: the formulas on values
worked out by hand, the round trips, the errors, and the gradients.
"""
from __future__ import annotations

import io
import os
import struct
import zlib

import numpy as np
import pytest

import minitf as tf
from minitf.errors import InvalidArgumentError, NotFoundError, UnimplementedError

PIL = pytest.importorskip("PIL", reason="minitf decodes images with Pillow: pip install pillow")
from PIL import Image  # noqa: E402


def _encode(array: np.ndarray, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, fmt, **kwargs)
    return buffer.getvalue()


def _gray_png(values: np.ndarray, depth: int) -> bytes:
    """A grayscale PNG at 1, 2 or 4 bits per pixel, written by hand (Pillow writes 8)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = []
    for row in values:
        bits = "".join(format(int(v), f"0{depth}b") for v in row)
        bits += "0" * (-len(bits) % 8)
        rows.append(b"\x00" + int(bits, 2).to_bytes(len(bits) // 8, "big"))
    h, w = values.shape
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))


RNG = np.random.default_rng(0)
RGB = RNG.integers(0, 256, (7, 9, 3)).astype(np.uint8)


# --- files ------------------------------------------------------------------------------------------
def test_read_file_gives_a_scalar_string_tensor(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"\x00\xffabc")
    contents = tf.io.read_file(str(path))
    assert contents.dtype == tf.string and contents.shape == () and contents.numpy() == b"\x00\xffabc"
    assert repr(contents) == "<tf.Tensor: shape=(), dtype=string, numpy=b'\\x00\\xffabc'>"
    assert tf.io.read_file(contents.__class__(np.array(str(path).encode(), dtype=object))).numpy() == b"\x00\xffabc"
    with pytest.raises(NotFoundError, match="No such file"):
        tf.io.read_file(str(tmp_path / "missing.jpg"))


def test_write_file_creates_directories_and_keeps_a_file_whole(tmp_path):
    target = tmp_path / "a" / "b" / "out.bin"
    tf.io.write_file(str(target), b"first")
    assert target.read_bytes() == b"first"
    os.chmod(target, 0o640)
    tf.io.write_file(str(target), tf.io.read_file(str(target)).numpy() + b" second")
    assert target.read_bytes() == b"first second"
    assert os.stat(target).st_mode & 0o777 == 0o640  # an existing file keeps its mode
    assert [p.name for p in target.parent.iterdir()] == ["out.bin"]  # no temporary left behind


# --- PNG ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mode,channels", [("L", 1), ("LA", 2), ("RGB", 3), ("RGBA", 4)])
def test_png_round_trip(mode, channels):
    pixels = RNG.integers(0, 256, (5, 6, channels)).astype(np.uint8)
    data = tf.io.encode_png(pixels)
    assert data.dtype == tf.string
    decoded = tf.io.decode_png(data)
    assert decoded.dtype == tf.uint8 and decoded.shape == (5, 6, channels)
    np.testing.assert_array_equal(decoded.numpy(), pixels)


def test_png_channel_conversions_follow_libpng():
    data = _encode(RGB, "PNG")
    gray = tf.io.decode_png(data, channels=1).numpy()[..., 0].astype(np.int64)
    r, g, b = (RGB[..., i].astype(np.int64) for i in range(3))
    expected = np.where((r == g) & (g == b), r, (9797 * r + 19234 * g + 3737 * b) >> 15)
    np.testing.assert_array_equal(gray, expected)
    rgba = tf.io.decode_png(data, channels=4).numpy()
    np.testing.assert_array_equal(rgba[..., :3], RGB)
    assert (rgba[..., 3] == 255).all()
    gray_data = _encode(RGB[..., 0], "PNG")
    np.testing.assert_array_equal(tf.io.decode_png(gray_data, channels=3).numpy(), np.repeat(RGB[..., :1], 3, -1))
    # pure red: (9797 * 255) >> 15 = 76
    assert int(tf.io.decode_png(_encode(np.array([[[255, 0, 0]]], np.uint8), "PNG"), channels=1)[0, 0, 0]) == 76


def test_low_bit_gray_png_gets_tfs_alpha():
    values = np.array([[0, 1, 2, 3], [3, 2, 1, 0]])
    data = _gray_png(values, 2)
    np.testing.assert_array_equal(tf.io.decode_png(data).numpy()[..., 0], values * 85)
    rgba = tf.io.decode_png(data, channels=4).numpy()
    assert (rgba[..., 3] == 3).all()  # TF's filler, cut to 2 bits (see _tf_compat.png_low_bit_gray_alpha)
    assert (tf.io.decode_png(_gray_png(values % 2, 1), channels=4).numpy()[..., 3] == 1).all()


def test_png_errors():
    with pytest.raises(InvalidArgumentError, match="DecodePng"):
        tf.io.decode_png(b"not a png")
    with pytest.raises(InvalidArgumentError, match="channels"):
        tf.io.decode_png(_encode(RGB, "PNG"), channels=2)
    with pytest.raises(InvalidArgumentError, match="dtype"):
        tf.io.decode_png(_encode(RGB, "PNG"), dtype="float32")
    with pytest.raises(InvalidArgumentError, match="string tensor"):
        tf.io.decode_png(tf.constant([1, 2]))


# --- JPEG --------------------------------------------------------------------------------------------
def _smooth(h, w):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([x * 255 // w, y * 255 // h, (x + y) * 255 // (h + w)], -1).astype(np.uint8)


@pytest.mark.parametrize("subsampling", [0, 1, 2])
def test_jpeg_decodes_close_to_the_original(subsampling):
    original = _smooth(24, 40)
    data = _encode(original, "JPEG", quality=95, subsampling=subsampling)
    decoded = tf.io.decode_jpeg(data)
    assert decoded.dtype == tf.uint8 and decoded.shape == (24, 40, 3)
    assert np.abs(decoded.numpy().astype(int) - original).mean() < 3
    accurate = tf.io.decode_jpeg(data, dct_method="INTEGER_ACCURATE")
    assert np.abs(accurate.numpy().astype(int) - decoded.numpy()).max() <= 12  # two IDCTs, close
    gray = tf.io.decode_jpeg(data, channels=1)
    assert gray.shape == (24, 40, 1)


def test_jpeg_default_path_rebuilds_libjpegs_colour_conversion():
    """4:4:4 needs no upsampling: minitf's YCbCr -> RGB (via _libjpeg) equals libjpeg's own."""
    from minitf.image._libjpeg import rgb_from_plain_ycc
    data = _encode(RGB, "JPEG", quality=90, subsampling=0)
    im = Image.open(io.BytesIO(data))
    im.draft("YCbCr", None)
    im.decoderconfig = (1, 1)
    ycc = np.asarray(im)
    im2 = Image.open(io.BytesIO(data))
    im2.decoderconfig = (1, 1)
    np.testing.assert_array_equal(rgb_from_plain_ycc(ycc, [(1, 1), (1, 1), (1, 1)]), np.asarray(im2))


def test_fancy_upsampling_on_hand_values():
    from minitf.image._libjpeg import fancy_upsample
    row = np.array([[0, 40, 100]])
    # left outputs (3c + l + 1) >> 2, right outputs (3c + r + 2) >> 2, edges repeated
    np.testing.assert_array_equal(fancy_upsample(row, 2, 1), [[0, 10, 30, 55, 85, 100]])
    col = np.array([[0], [40]])
    np.testing.assert_array_equal(fancy_upsample(col, 1, 2), [[0], [10], [30], [40]])
    plane = np.array([[16, 32], [48, 64]])
    out = fancy_upsample(plane, 2, 2)
    # top-left output: s = 3*16 + 16 = 64 (the row above is the row itself); (3*64 + 64 + 8) >> 4 = 16
    assert out.shape == (4, 4) and out[0, 0] == 16 and out[3, 3] == 64


def test_jpeg_options_minitf_does_not_have_are_refused():
    data = _encode(RGB, "JPEG")
    with pytest.raises(UnimplementedError, match="ratio"):
        tf.io.decode_jpeg(data, ratio=2)
    with pytest.raises(UnimplementedError, match="fancy_upscaling=False"):
        tf.io.decode_jpeg(data, dct_method="INTEGER_ACCURATE", fancy_upscaling=False)
    with pytest.raises(InvalidArgumentError, match="dct_method"):
        tf.io.decode_jpeg(data, dct_method="FLOAT")


# --- decode_image ------------------------------------------------------------------------------------
def test_decode_image_dispatches_on_the_file_format():
    for fmt in ("PNG", "JPEG", "BMP", "GIF"):
        image = tf.io.decode_image(_encode(RGB, fmt), expand_animations=False)
        assert image.shape == (7, 9, 3) and image.dtype == tf.uint8, fmt
    assert tf.io.decode_image(_encode(RGB, "GIF")).shape == (1, 7, 9, 3)
    assert tf.io.is_jpeg(_encode(RGB, "JPEG")).numpy() and not tf.io.is_jpeg(_encode(RGB, "PNG")).numpy()
    with pytest.raises(InvalidArgumentError, match="Unknown image file format"):
        tf.io.decode_image(b"GARBAGE")
    with pytest.raises(InvalidArgumentError, match="4 channels"):
        tf.io.decode_image(_encode(RGB, "JPEG"), channels=4)
    with pytest.raises(InvalidArgumentError, match="GIF"):
        tf.io.decode_image(_encode(RGB, "GIF"), channels=1)


def test_each_decoder_also_takes_the_other_formats():
    # TF's DecodeJpeg and DecodePng share one interface: either decodes JPEG, PNG or GIF bytes;
    # DecodeGif takes a JPEG or PNG as one frame.
    jpeg, png, gif = _encode(RGB, "JPEG"), _encode(RGB, "PNG"), _encode(RGB, "GIF")
    np.testing.assert_array_equal(tf.io.decode_png(jpeg).numpy(), tf.io.decode_jpeg(jpeg).numpy())
    np.testing.assert_array_equal(tf.io.decode_jpeg(png).numpy(), RGB)
    np.testing.assert_array_equal(tf.io.decode_jpeg(gif).numpy(), tf.io.decode_gif(gif).numpy()[0])
    assert tf.io.decode_jpeg(png, channels=4).shape == (7, 9, 4)  # 4 channels: only a PNG given to decode_jpeg
    np.testing.assert_array_equal(tf.io.decode_gif(png).numpy(), RGB[None])
    with pytest.raises(InvalidArgumentError, match="DecodeJpeg.*4 channels"):
        tf.io.decode_jpeg(jpeg, channels=4)
    for decode in (tf.io.decode_png, tf.io.decode_jpeg, tf.io.decode_gif):  # a BMP: decode_image or decode_bmp
        with pytest.raises(InvalidArgumentError, match="BMP format using a wrong op"):
            decode(_encode(RGB, "BMP"))
    with pytest.raises(InvalidArgumentError, match="DecodeGif.*Unknown image file format"):
        tf.io.decode_gif(b"GARBAGE")


def test_decode_image_float_scaling():
    png = tf.io.decode_image(_encode(RGB, "PNG"), dtype=tf.float32).numpy()
    np.testing.assert_array_equal(png, (RGB.astype(np.float32) * 257) * np.float32(1 / 65535))  # through 16 bits
    jpeg_data = _encode(RGB, "JPEG")
    as_int = tf.io.decode_image(jpeg_data).numpy()
    np.testing.assert_array_equal(tf.io.decode_image(jpeg_data, dtype="float32").numpy(),
                                  as_int.astype(np.float32) * np.float32(1 / 255))


# --- resize ------------------------------------------------------------------------------------------
def test_bilinear_resize_uses_half_pixel_centres():
    x = np.array([[0.0, 10.0]], np.float32).reshape(1, 2, 1)
    # 2 -> 4 columns: centres at (i + 0.5) * 0.5 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped lerps
    out = tf.image.resize(x, [1, 4]).numpy()[0, :, 0]
    np.testing.assert_allclose(out, [0.0, 2.5, 7.5, 10.0])
    nearest = tf.image.resize(x, [1, 4], method="nearest").numpy()[0, :, 0]
    np.testing.assert_array_equal(nearest, [0.0, 0.0, 10.0, 10.0])


def test_resize_dtypes_ranks_and_sizes():
    u8 = RNG.integers(0, 256, (2, 6, 8, 3)).astype(np.uint8)
    assert tf.image.resize(u8, [3, 4]).dtype == tf.float32
    assert tf.image.resize(u8, [3, 4], method="nearest").dtype == tf.uint8
    assert tf.image.resize(u8[0], (5, 5)).shape == (5, 5, 3)
    same = tf.image.resize(u8, [6, 8]).numpy()
    np.testing.assert_array_equal(same, u8.astype(np.float32))  # same size: the pixels themselves
    assert tf.image.resize(u8, [10, 10], preserve_aspect_ratio=True).shape == (2, 8, 10, 3)  # 6x8 scaled by 10/8
    assert tf.image.resize(u8, tf.constant([2, 3])).shape == (2, 2, 3, 3)


def test_resize_refuses_what_it_does_not_compute():
    x = np.zeros((4, 4, 1), np.float32)
    for method in ("area", "bicubic", "lanczos3", tf.image.ResizeMethod.GAUSSIAN):
        with pytest.raises(UnimplementedError, match="bilinear"):
            tf.image.resize(x, [2, 2], method=method)
    with pytest.raises(UnimplementedError, match="antialias"):
        tf.image.resize(x, [2, 2], antialias=True)
    with pytest.raises(ValueError, match="not implemented: cubic"):
        tf.image.resize(x, [2, 2], method="cubic")
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        tf.image.resize(np.zeros((4, 4)), [2, 2])
    with pytest.raises(ValueError, match="2 elements"):
        tf.image.resize(x, [2, 2, 2])


def test_resize_and_flips_pass_gradients():
    x = tf.Variable(RNG.normal(size=(1, 4, 5, 2)).astype(np.float32))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.image.resize(tf.image.flip_left_right(x), [7, 3]) ** 2)
    grad = tape.gradient(y, x)
    assert grad is not None and grad.shape == x.shape and np.isfinite(grad.numpy()).all()
    eps = 1e-2
    bumped = x.numpy().copy()
    bumped[0, 1, 2, 1] += eps
    up = float(tf.reduce_sum(tf.image.resize(tf.image.flip_left_right(bumped), [7, 3]) ** 2))
    assert abs((up - float(y)) / eps - float(grad[0, 1, 2, 1])) < 1e-1


# --- dtype conversion, colour, flips -------------------------------------------------------------------
def test_convert_image_dtype():
    u8 = np.array([0, 1, 128, 255], np.uint8)
    np.testing.assert_array_equal(tf.image.convert_image_dtype(u8, tf.float32).numpy(),
                                  u8.astype(np.float32) * np.float32(1 / 255))
    f = np.array([-0.5, 0.0, 0.5, 1.0, 1.5], np.float32)
    np.testing.assert_array_equal(tf.image.convert_image_dtype(f, tf.uint8, saturate=True).numpy(),
                                  [0, 0, 127, 255, 255])  # x * 255.5, clipped, truncated
    np.testing.assert_array_equal(tf.image.convert_image_dtype(u8, tf.int16).numpy(), u8.astype(np.int16) * 128)
    np.testing.assert_array_equal(tf.image.convert_image_dtype(np.array([32767, 256], np.int16), tf.uint8).numpy(), [255, 2])
    assert tf.image.convert_image_dtype(f, tf.float64).dtype == tf.float64
    with pytest.raises(AttributeError):
        tf.image.convert_image_dtype(f, tf.bool)


def test_brightness_and_contrast_formulas():
    x = RNG.uniform(0, 1, (2, 5, 6, 3)).astype(np.float32)
    np.testing.assert_array_equal(tf.image.adjust_brightness(x, 0.25).numpy(), x + np.float32(0.25))
    out = tf.image.adjust_contrast(x, 1.7).numpy()
    mean = x.astype(np.float64).mean(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(out, mean + 1.7 * (x - mean), rtol=1e-5, atol=1e-6)
    u8 = RNG.integers(0, 256, (4, 4, 3)).astype(np.uint8)
    assert tf.image.adjust_contrast(u8, 3.0).dtype == tf.uint8  # through float32 and back, saturated
    assert tf.image.adjust_brightness(u8, 0.5).numpy().max() == 255


def test_contrast_mean_is_tfs_halving_sum():
    from minitf._tf_compat import contrast_image_mean
    x = RNG.uniform(0, 1, (1, 3, 5, 2)).astype(np.float32)
    sums = x.reshape(1, 15, 2)
    n = 15
    while n > 1:  # fold the right half onto the left, the odd middle carried
        right, left = n // 2, n - n // 2
        sums = np.concatenate([sums[:, left:n] + sums[:, :right], sums[:, right:left]], axis=1)[:, :left]
        n = left
    expected = sums * np.float32(1 / 15)
    np.testing.assert_array_equal(contrast_image_mean(tf.constant(x)).numpy().reshape(1, 2), expected.reshape(1, 2))


def test_grayscale():
    x = RNG.uniform(0, 1, (3, 4, 3)).astype(np.float32)
    gray = tf.image.rgb_to_grayscale(x).numpy()
    np.testing.assert_allclose(gray[..., 0], x @ np.array([0.2989, 0.587, 0.114], np.float32), rtol=1e-6)
    np.testing.assert_array_equal(tf.image.grayscale_to_rgb(gray).numpy(), np.repeat(gray, 3, -1))


def test_flips_and_random_flips():
    x = np.arange(2 * 3 * 4 * 1, dtype=np.float32).reshape(2, 3, 4, 1)
    np.testing.assert_array_equal(tf.image.flip_left_right(x).numpy(), x[:, :, ::-1])
    np.testing.assert_array_equal(tf.image.flip_up_down(x[0]).numpy(), x[0, ::-1])
    tf.random.set_seed(1)
    batch = np.repeat(x[:1], 400, axis=0)
    flipped = tf.image.random_flip_left_right(batch).numpy()
    is_flipped = np.all(flipped == x[0, :, ::-1], axis=(1, 2, 3))
    is_kept = np.all(flipped == x[0], axis=(1, 2, 3))
    assert np.all(is_flipped ^ is_kept) and 150 < is_flipped.sum() < 250
    single = {tuple(tf.image.random_flip_up_down(x[0]).numpy().ravel()) for _ in range(30)}
    assert single == {tuple(x[0].ravel()), tuple(x[0, ::-1].ravel())}
    with pytest.raises(ValueError, match="3 or 4 dimensions"):
        tf.image.flip_left_right(np.zeros((3, 3)))


# --- extract_patches ------------------------------------------------------------------------------------
def _patches_by_loops(x, sizes, strides, rates, padding):
    """Each output pixel's window read cell by cell (TF's definition, with its SAME split)."""
    n, h, w, c = x.shape
    (kh, kw), (sh, sw), (rh, rw) = sizes, strides, rates
    span_h, span_w = (kh - 1) * rh + 1, (kw - 1) * rw + 1
    if padding == "SAME":
        oh, ow = -(-h // sh), -(-w // sw)
        top, left = max((oh - 1) * sh + span_h - h, 0) // 2, max((ow - 1) * sw + span_w - w, 0) // 2
    else:
        oh, ow, top, left = (h - span_h) // sh + 1, (w - span_w) // sw + 1, 0, 0
    out = np.zeros((n, oh, ow, kh * kw * c), x.dtype)
    for i in range(oh):
        for j in range(ow):
            for a in range(kh):
                for b in range(kw):
                    r, q = i * sh + a * rh - top, j * sw + b * rw - left
                    if 0 <= r < h and 0 <= q < w:
                        out[:, i, j, (a * kw + b) * c:(a * kw + b + 1) * c] = x[:, r, q]
    return out


@pytest.mark.parametrize("sizes, strides, rates, padding", [
    ((2, 2), (1, 1), (1, 1), "VALID"), ((3, 2), (2, 3), (1, 1), "SAME"), ((2, 3), (1, 2), (2, 1), "SAME"),
    ((3, 3), (3, 3), (1, 1), "SAME"), ((2, 2), (1, 1), (2, 2), "VALID"), ((1, 1), (2, 2), (1, 1), "VALID")])
def test_extract_patches_reads_each_window_cell_by_cell(sizes, strides, rates, padding):
    x = np.random.default_rng(3).normal(size=(2, 7, 8, 3)).astype(np.float32)
    got = tf.image.extract_patches(x, [1, *sizes, 1], [1, *strides, 1], [1, *rates, 1], padding).numpy()
    np.testing.assert_array_equal(got, _patches_by_loops(x, sizes, strides, rates, padding))


def test_extract_patches_gradient_counts_the_windows_each_cell_is_in():
    x = tf.Variable(np.zeros((1, 4, 5, 2), np.float32))
    with tf.GradientTape() as tape:
        patches = tf.image.extract_patches(x, [1, 2, 3, 1], [1, 1, 2, 1], [1, 1, 1, 1], "VALID")
    counts = tape.gradient(patches, x).numpy()[0, :, :, 0]
    # rows: windows start at rows 0, 1, 2 and are 2 tall; columns: they start at 0 and 2 and are 3 wide
    np.testing.assert_array_equal(counts, np.outer([1, 2, 2, 1], [1, 1, 2, 1, 1]))


@pytest.mark.parametrize("call, error, words", [
    (lambda x: tf.image.extract_patches(x, [2, 2], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
     tf.errors.InvalidArgumentError, ["extract_patches", "sizes", "length 2"]),
    (lambda x: tf.image.extract_patches(x, [1, 2, 2, 2], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
     tf.errors.UnimplementedError, ["extract_patches", "sizes", "across space"]),
    (lambda x: tf.image.extract_patches(x, [1, 2, 2, 1], [1, 0, 1, 1], [1, 1, 1, 1], "VALID"),
     tf.errors.OutOfRangeError, ["extract_patches", "strides", "positive"]),
    (lambda x: tf.image.extract_patches(x, [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "same"),
     tf.errors.InvalidArgumentError, ["extract_patches", "padding", "'same'"]),
    (lambda x: tf.image.extract_patches(x[0], [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
     tf.errors.InvalidArgumentError, ["extract_patches", "4-D", "[4, 5, 2]"]),
    (lambda x: tf.image.extract_patches(x > 0, [1, 2, 2, 1], [1, 1, 1, 1], [1, 1, 1, 1], "VALID"),
     tf.errors.NotFoundError, ["extract_patches", "bool", "[1, 4, 5, 2]"]),
])
def test_extract_patches_bad_arguments_name_the_op_and_what_was_seen(call, error, words):
    with pytest.raises(error) as caught:
        call(np.ones((1, 4, 5, 2), np.float32))
    for word in words:
        assert word in str(caught.value)

