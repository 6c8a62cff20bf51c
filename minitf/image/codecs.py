"""Image files to pixels and back: ``tf.io.decode_png`` / ``decode_jpeg`` / ``decode_image``, and encoders.

TensorFlow decodes with libpng, libjpeg-turbo and giflib; minitf decodes with Pillow, which
wraps the same libraries. The pixels come out as TF gives them:

* PNG: every bit as TF (8-bit gray, gray+alpha, RGB, RGBA, palette, 1/2/4-bit gray; 16-bit
  gray gives its top 8 bits; minitf has no uint16). Converting channels follows libpng as TF
  drives it: gray -> RGB repeats the value, an alpha channel is added as opaque or dropped, and
  colour -> gray is libpng's fixed-point ``(9797 R + 19234 G + 3737 B) >> 15`` (not Pillow's
  rounded 299/587/114).
* JPEG: every bit as TF for baseline files (4:4:4, 4:2:2, 4:2:0, 4:1:1 chroma; gray; any
  quality): TF's default is libjpeg's fast integer IDCT with "fancy" chroma upsampling, which
  Pillow cannot ask libjpeg for, so ``_libjpeg`` finishes the decode (see there). ``channels=1``
  of a colour JPEG is libjpeg's luma (Y) plane, as TF asks libjpeg for it. Both use
  libjpeg-turbo; a libjpeg build with a different IDCT would differ by a few levels.
* GIF: always 3 channels (RGB), frames stacked into (frames, height, width, 3) unless
  ``expand_animations=False``; BMP: 3 or 4 channels.
* As in TF, ``decode_jpeg`` and ``decode_png`` take any JPEG, PNG or GIF file (their
  interface is the same), ``decode_gif`` a JPEG or PNG as one frame; ``decode_image`` also BMP.

These are data operations, as in TF: no gradient, and they run eagerly (on a ``tf.string``
tensor from ``tf.io.read_file``, or on Python ``bytes``).
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np

from minitf import array_backend as B
from minitf import dtypes
from minitf.errors import InvalidArgumentError, UnimplementedError
from minitf.tensor import Tensor

__all__ = ["decode_image", "decode_jpeg", "decode_png", "decode_gif", "decode_bmp", "encode_png", "encode_jpeg",
           "is_jpeg"]

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SIGNATURE = b"\xff\xd8\xff"


def _pil():
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("minitf decodes and encodes images with Pillow, which is not installed: "
                          "pip install pillow") from None
    return Image


def string_tensor(value: bytes) -> Tensor:
    """A scalar ``tf.string`` tensor holding ``value`` (bytes)."""
    array = np.empty((), dtype=object)
    array[()] = bytes(value)
    return Tensor(array)


def contents_bytes(op: str, contents: Any) -> bytes:
    """The bytes of a scalar string tensor (or of Python bytes) given to ``op``."""
    if isinstance(contents, Tensor):
        value = contents._value
        if value.dtype != object:
            raise InvalidArgumentError(f"{op}: expected a scalar string tensor (the file's bytes, e.g. from "
                                       f"tf.io.read_file), got a {contents.dtype.name} tensor of shape "
                                       f"{tuple(contents.shape)}", op=op)
        if value.ndim != 0:
            raise InvalidArgumentError(f"{op}: contents must be scalar, got shape {list(value.shape)}", op=op)
        contents = value[()]
    if isinstance(contents, np.ndarray) and contents.dtype == object and contents.ndim == 0:
        contents = contents[()]
    if isinstance(contents, (bytes, bytearray, memoryview)):
        return bytes(contents)
    raise InvalidArgumentError(f"{op}: expected the encoded image as a string tensor or bytes, got "
                               f"{type(contents).__name__}", op=op)


def _image_tensor(array: np.ndarray) -> Tensor:
    return Tensor(B.xp.asarray(np.ascontiguousarray(array)))


def _check_channels(op: str, channels: Any, allowed: tuple[int, ...]) -> int:
    channels = 0 if channels is None else channels
    if not isinstance(channels, (int, np.integer)) or int(channels) not in allowed:
        raise InvalidArgumentError(f"{op}: channels must be one of {list(allowed)} (0 keeps the file's own), "
                                   f"got {channels!r}", op=op)
    return int(channels)


def _out_dtype(op: str, dtype: Any, allowed: tuple[str, ...]) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype)
    if dtype.name not in allowed:
        raise InvalidArgumentError(f"{op}: dtype must be one of {list(allowed)}, got {dtype.name}", op=op)
    return dtype


# --- channel conversions as libpng / libjpeg make them -------------------------------------------------
def _libpng_gray(rgb: np.ndarray) -> np.ndarray:
    """libpng's ``png_set_rgb_to_gray`` as TF's decoder sets it up (weights 0.299, 0.587 turned into
    15-bit fixed point by truncation): ``(9797 R + 19234 G + 3737 B) >> 15`` where the channels
    differ, the shared value where they are equal."""
    r, g, b = (rgb[..., i].astype(np.int64) for i in range(3))
    gray = (9797 * r + 19234 * g + 3737 * b) >> 15
    gray = np.where((r == g) & (r == b), r, gray)
    return gray.astype(rgb.dtype)[..., None]


def _set_channels(pixels: np.ndarray, channels: int, op: str, opaque_value: int | None = None) -> np.ndarray:
    """(h, w, c) pixels with ``channels`` channels (0: as they are), converted as libpng does.
    An added alpha channel is ``opaque_value`` (default: the dtype's maximum)."""
    have = pixels.shape[-1]
    if channels in (0, have):
        return pixels
    if opaque_value is None:
        opaque_value = np.iinfo(pixels.dtype).max
    opaque = np.full(pixels.shape[:-1] + (1,), opaque_value, dtype=pixels.dtype)
    color = pixels[..., :3] if have >= 3 else np.repeat(pixels[..., :1], 3, axis=-1)
    alpha = pixels[..., -1:] if have in (2, 4) else opaque
    if channels == 1:
        return pixels[..., :1] if have <= 2 else _libpng_gray(color)
    if channels == 2:
        return np.concatenate([pixels[..., :1] if have <= 2 else _libpng_gray(color), alpha], axis=-1)
    if channels == 3:
        return color
    if channels == 4:
        return np.concatenate([color, alpha], axis=-1)
    raise InvalidArgumentError(f"{op}: cannot give {channels} channels", op=op)


# --- PNG -------------------------------------------------------------------------------------------------
def _png_pixels(data: bytes, op: str) -> np.ndarray:
    """The PNG's pixels as stored: (h, w, c) uint8, or uint16 for 16-bit grayscale files."""
    if not data.startswith(_PNG_SIGNATURE) or len(data) < 33:
        raise InvalidArgumentError(f"{op}: Invalid PNG data, size {len(data)}", op=op)
    bit_depth, color_type = data[24], data[25]
    Image = _pil()
    with Image.open(io.BytesIO(data)) as im:
        im.load()
        if bit_depth == 16:
            if color_type != 0:  # Pillow reads 16-bit colour PNGs as 8-bit: the low bits are lost
                raise UnimplementedError(f"{op}: 16-bit colour PNG files are not supported (16-bit grayscale "
                                         f"is); Pillow would drop their low 8 bits", op=op)
            return np.asarray(im, dtype=np.uint16)[..., None]
        if im.mode == "P":  # palette: expanded to RGB, or RGBA when the file has transparency
            im = im.convert("RGBA" if "transparency" in im.info else "RGB")
        elif im.mode == "1":
            im = im.convert("L")  # 1-bit gray: 0 or 255, as libpng expands it
        elif im.mode in ("L", "LA", "RGB", "RGBA"):
            pass
        elif im.mode.startswith("I") or im.mode.startswith("L"):  # 2/4-bit gray is scaled to 8 bits by Pillow
            im = im.convert("L")
        else:
            raise UnimplementedError(f"{op}: PNG pixel mode {im.mode!r} is not supported", op=op)
        if "transparency" in im.info and im.mode in ("L", "RGB"):  # a tRNS colour key becomes an alpha channel
            im = im.convert("LA" if im.mode == "L" else "RGBA")
        pixels = np.asarray(im, dtype=np.uint8)
    return pixels[..., None] if pixels.ndim == 2 else pixels


def decode_png(contents: Any, channels: int = 0, dtype=dtypes.uint8, name: str | None = None) -> Tensor:
    """A PNG file's bytes -> a (height, width, channels) uint8 tensor, as ``tf.io.decode_png``.

    ``channels``: 0 keeps the file's (1 gray, 2 gray+alpha, 3 RGB, 4 RGBA); 1, 3 or 4 converts.
    ``dtype``: uint8 only (minitf has no uint16); 16-bit files give their top 8 bits, as in TF.
    As TF's, it also decodes JPEG and (the first frame of) GIF files.
    """
    op = "DecodePng"
    channels = _check_channels(op, channels, (0, 1, 3, 4))
    _out_dtype(op, dtype, ("uint8",))
    return _image_tensor(_decode_still(op, contents_bytes(op, contents), channels))


def _png_decoded(data: bytes, channels: int, op: str) -> np.ndarray:
    """8-bit pixels with ``channels`` channels, as TF's PNG decoder gives them."""
    pixels = _png_pixels(data, op)
    if pixels.dtype == np.uint16:
        pixels = (pixels >> 8).astype(np.uint8)  # the top 8 bits, as libpng's png_set_strip_16
    opaque = None
    bit_depth, color_type = data[24], data[25]
    if color_type == 0 and bit_depth < 8:
        from minitf._tf_compat import png_low_bit_gray_alpha
        opaque = png_low_bit_gray_alpha(bit_depth)
    return _set_channels(pixels, channels, op, opaque)


# --- JPEG ------------------------------------------------------------------------------------------------
def _jpeg_pixels(data: bytes, channels: int, op: str, accurate_dct: bool = False, fancy: bool = True) -> np.ndarray:
    """The JPEG's pixels as TF's decode_jpeg gives them (see ``_libjpeg`` for how).

    Pillow's two decoder settings: ``decoderconfig = (1, 0)``, libjpeg's accurate IDCT with fancy
    upsampling; ``(1, 1)`` ("draft"), its fast IDCT with plain upsampling. TF's default (fast IDCT,
    fancy upsampling) is the draft decode in YCbCr, upsampled and converted by ``_libjpeg``.
    """
    if not data.startswith(_JPEG_SIGNATURE):
        raise InvalidArgumentError(f"{op}: Invalid JPEG data or crop window, data size {len(data)}", op=op)
    if accurate_dct and not fancy:
        raise UnimplementedError(f"{op}: dct_method='INTEGER_ACCURATE' with fancy_upscaling=False is not "
                                 "implemented (Pillow's libjpeg settings do not include it)", op=op)
    Image = _pil()
    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.mode == "CMYK":
                raise UnimplementedError(f"{op}: CMYK JPEG files are not supported", op=op)
            sampling = [(h, v) for _, h, v, _ in getattr(im, "layer", [])]
            colour = im.mode != "L"
            subsampled = colour and len(set(sampling)) > 1
            rebuild_chroma = colour and channels != 1 and subsampled and fancy and not accurate_dct
            if colour and channels == 1:
                im.draft("L", None)  # libjpeg's luma plane (JCS_GRAYSCALE), as TF asks for it
            elif rebuild_chroma:
                im.draft("YCbCr", None)
            im.decoderconfig = (1, 0 if accurate_dct else 1)
            im.load()
            if channels == 3 and im.mode == "L":
                im = im.convert("RGB")  # repeats the gray value, as libjpeg's gray -> RGB
            pixels = np.asarray(im, dtype=np.uint8)
    except (OSError, SyntaxError) as e:
        raise InvalidArgumentError(f"{op}: Invalid JPEG data: {e}", op=op) from None
    if rebuild_chroma:
        if sampling[0] != (max(h for h, _ in sampling), max(v for _, v in sampling)):
            raise UnimplementedError(f"{op}: JPEG files whose luma is not sampled most finely are not supported "
                                     f"(sampling factors {sampling})", op=op)
        from minitf.image._libjpeg import rgb_from_plain_ycc
        pixels = rgb_from_plain_ycc(pixels, sampling)
    return pixels[..., None] if pixels.ndim == 2 else pixels


def decode_jpeg(contents: Any, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                try_recover_truncated: bool = False, acceptable_fraction: float = 1, dct_method: str = "",
                name: str | None = None) -> Tensor:
    """A JPEG file's bytes -> a (height, width, channels) uint8 tensor, as ``tf.io.decode_jpeg``.

    ``channels``: 0 keeps the file's (1 for gray, 3 for colour), 1 gives libjpeg's luma, 3 gives RGB.
    ``dct_method`` "" (TF's default, libjpeg's fast integer IDCT) or "INTEGER_ACCURATE";
    ``fancy_upscaling`` as in TF; ``ratio`` (scaled decoding) only 1. As TF's, it also decodes
    PNG and (the first frame of) GIF files.
    """
    op = "DecodeJpeg"
    channels = _check_channels(op, channels, (0, 1, 3, 4))  # 4: only for a PNG given to decode_jpeg
    if dct_method not in ("", "INTEGER_FAST", "INTEGER_ACCURATE"):
        raise InvalidArgumentError(f"{op}: dct_method must be '', 'INTEGER_FAST' or 'INTEGER_ACCURATE', got "
                                   f"{dct_method!r}", op=op)
    if ratio != 1 or try_recover_truncated:
        raise UnimplementedError(f"{op}: minitf decodes whole JPEG files at full size only (ratio=1, "
                                 f"try_recover_truncated=False); got ratio={ratio}, "
                                 f"try_recover_truncated={try_recover_truncated}", op=op)
    return _image_tensor(_decode_still(op, contents_bytes(op, contents), channels,
                                       accurate_dct=dct_method == "INTEGER_ACCURATE", fancy=bool(fancy_upscaling)))


# --- GIF and BMP -----------------------------------------------------------------------------------------
def _gif_frames(data: bytes, op: str) -> np.ndarray:
    """Every frame of a GIF as RGB, (frames, h, w, 3) uint8; later frames drawn over the earlier ones."""
    Image = _pil()
    frames = []
    with Image.open(io.BytesIO(data)) as im:
        for index in range(getattr(im, "n_frames", 1)):
            im.seek(index)
            frames.append(np.asarray(im.convert("RGB"), dtype=np.uint8))
    return np.stack(frames)


def decode_gif(contents: Any, name: str | None = None) -> Tensor:
    """A GIF file's bytes -> (frames, height, width, 3) uint8, as ``tf.io.decode_gif`` (which also
    takes a JPEG or PNG file, as one frame)."""
    op = "DecodeGif"
    data = contents_bytes(op, contents)
    kind = _sniff(data)
    if kind == "gif":
        return _image_tensor(_gif_frames(data, op))
    if kind in ("jpeg", "png"):
        return _image_tensor(_decode_still(op, data, 3)[None])
    _refuse_bmp(op, kind)
    raise InvalidArgumentError(f"{op}: Unknown image file format. One of JPEG, PNG, GIF required.", op=op)


def _bmp_pixels(data: bytes, op: str) -> np.ndarray:
    Image = _pil()
    with Image.open(io.BytesIO(data)) as im:
        im = im.convert("RGBA" if im.mode in ("RGBA", "LA", "PA") else "RGB")
        return np.asarray(im, dtype=np.uint8)


def decode_bmp(contents: Any, channels: int = 0, name: str | None = None) -> Tensor:
    """A BMP file's bytes -> (height, width, channels) uint8, as ``tf.io.decode_bmp`` (channels 0, 3 or 4)."""
    op = "DecodeBmp"
    channels = _check_channels(op, channels, (0, 3, 4))
    data = contents_bytes(op, contents)
    if not data.startswith(b"BM"):
        raise InvalidArgumentError(f"{op}: Invalid BMP data (size {len(data)})", op=op)
    return _image_tensor(_set_channels(_bmp_pixels(data, op), channels, op))


# --- any of them ------------------------------------------------------------------------------------------
def _sniff(data: bytes) -> str | None:
    """The file format from the first bytes: "jpeg", "png", "gif", "bmp" or None."""
    if data.startswith(_JPEG_SIGNATURE):
        return "jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith(b"GIF8"):
        return "gif"
    if data.startswith(b"BM"):
        return "bmp"
    return None


def _refuse_bmp(op: str, kind: str | None) -> None:
    """TF's DecodeJpeg/DecodePng/DecodeGif name the op to use for a BMP file."""
    if kind == "bmp":
        raise InvalidArgumentError(f"{op}: Trying to decode BMP format using a wrong op. Use `decode_bmp` or "
                                   "`decode_image` instead.", op=op)


def _decode_still(op: str, data: bytes, channels: int, accurate_dct: bool = False, fancy: bool = True) -> np.ndarray:
    """One (height, width, channels) uint8 image from JPEG, PNG or GIF bytes: what TF's DecodeJpeg and
    DecodePng ops accept (the interface is the same, so TF lets either decode any of the three)."""
    kind = _sniff(data)
    if kind == "jpeg":
        if channels == 4:
            raise InvalidArgumentError(f"{op}: JPEG does not support 4 channels (asked for channels={channels})",
                                       op=op)
        return _jpeg_pixels(data, channels, op, accurate_dct=accurate_dct, fancy=fancy)
    if kind == "png":
        return _png_decoded(data, channels, op)
    if kind == "gif":
        if channels not in (0, 3):
            raise InvalidArgumentError(f"{op}: channels must be 0 or 3 for GIF, got {channels}", op=op)
        return _gif_frames(data, op)[0]
    _refuse_bmp(op, kind)
    raise InvalidArgumentError(f"{op}: Unknown image file format. One of JPEG, PNG, GIF required (got "
                               f"{len(data)} bytes starting {data[:4]!r})", op=op)


def is_jpeg(contents: Any, name: str | None = None) -> Tensor:
    """True if the bytes start with JPEG's signature (``tf.io.is_jpeg``)."""
    return Tensor(np.array(contents_bytes("IsJpeg", contents)[:3] == _JPEG_SIGNATURE))


def decode_image(contents: Any, channels: int | None = None, dtype=dtypes.uint8, name: str | None = None,
                 expand_animations: bool = True) -> Tensor:
    """Decode a BMP, GIF, JPEG or PNG file's bytes, whichever it is (``tf.io.decode_image``).

    3-D (height, width, channels), except a GIF with ``expand_animations=True``: 4-D (frames,
    height, width, 3). ``dtype`` uint8 gives the stored values; float32 scales them into [0, 1]
    as TF does: x * float32(1 / 255), except PNGs, which TF decodes to 16 bits first:
    (257 x) * float32(1 / 65535) (not always the same float).
    """
    op = "DecodeImage"
    channels = _check_channels(op, channels, (0, 1, 3, 4))
    wanted = dtypes.as_dtype(dtype)
    if not (wanted.is_floating or wanted.is_integer):
        raise InvalidArgumentError(f"{op}: dtype must be a float or integer type, got {wanted.name}", op=op)
    data = contents_bytes(op, contents)
    kind = _sniff(data)
    full_scale = 255  # the largest stored value: 255, or 65535 where TF decodes 16 bits
    if kind == "jpeg":
        if channels == 4:
            raise InvalidArgumentError(f"{op}: JPEG does not support 4 channels (asked for channels={channels})",
                                       op=op)
        pixels = _jpeg_pixels(data, channels, op)
    elif kind == "png":
        if wanted.name == "uint8":
            pixels = _png_decoded(data, channels, op)
        else:  # TF decodes PNGs to 16 bits for any other dtype (8-bit samples times 257, as libpng scales them)
            pixels = _png_pixels(data, op)
            if pixels.dtype == np.uint8:
                pixels = _set_channels(pixels, channels, op).astype(np.uint16) * np.uint16(257)
            else:
                pixels = _set_channels(pixels, channels, op)
            full_scale = 65535
    elif kind == "gif":
        if channels not in (0, 3):
            raise InvalidArgumentError(f"{op}: channels must be 0 or 3 for GIF, got {channels}", op=op)
        pixels = _gif_frames(data, op)
        if not expand_animations:
            pixels = pixels[0]
    elif kind == "bmp":
        if channels == 1:
            raise InvalidArgumentError(f"{op}: channels must be 0, 3 or 4 for BMP, got {channels}", op=op)
        pixels = _set_channels(_bmp_pixels(data, op), channels, op)
    else:
        raise InvalidArgumentError(f"{op}: Unknown image file format. One of JPEG, PNG, GIF, BMP required.", op=op)
    return _image_tensor(_scaled_samples(pixels, full_scale, wanted))


def _scaled_samples(pixels: np.ndarray, full_scale: int, dtype: dtypes.DType) -> np.ndarray:
    """Decoded samples in [0, full_scale] as ``dtype``, TF's way: floats are ``x * (1 / full_scale)``
    in that float type; other dtypes go through 16 bits as TF's ``convert_image_dtype`` widens 8-bit
    samples (x * 256), then its rescaling."""
    if dtype.name == "uint8" and full_scale == 255:
        return pixels
    if dtype.is_floating:
        float_type = dtype._np.type
        if dtype.name != "float32" and full_scale == 255:  # TF decodes to uint16 first for these
            pixels, full_scale = pixels.astype(np.int64) * 256, 65535
        with np.errstate(over="ignore"):  # float16 cannot hold 65535: inf, as in TF
            return pixels.astype(dtype._np) * float_type(1.0 / full_scale)
    wide = pixels.astype(np.int64) * (256 if full_scale == 255 else 1)  # 16-bit samples
    top = int(np.iinfo(dtype._np).max)
    scaled = wide * ((top + 1) // 65536) if top > 65535 else wide // (65536 // (top + 1))
    return scaled.astype(dtype._np)


# --- encoders --------------------------------------------------------------------------------------------
def _pixels_for_encoder(op: str, image: Any, kinds: tuple[int, ...]) -> np.ndarray:
    array = np.asarray(B.to_numpy(image._value) if isinstance(image, Tensor) else image)
    if array.ndim != 3 or array.shape[-1] not in kinds:
        raise InvalidArgumentError(f"{op}: image must be 3-D (height, width, channels) with channels in "
                                   f"{list(kinds)}, got shape {list(array.shape)}", op=op)
    if array.dtype != np.uint8:
        raise InvalidArgumentError(f"{op}: image must be uint8, got {array.dtype}", op=op)
    return array


def encode_png(image: Any, compression: int = -1, name: str | None = None) -> Tensor:
    """A uint8 (height, width, 1|2|3|4) image -> the bytes of a PNG file (``tf.io.encode_png``)."""
    pixels = _pixels_for_encoder("EncodePng", image, (1, 2, 3, 4))
    mode = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}[pixels.shape[-1]]
    buffer = io.BytesIO()
    level = 6 if compression == -1 else int(compression)
    _pil().fromarray(pixels[..., 0] if mode == "L" else pixels, mode).save(buffer, "PNG", compress_level=level)
    return string_tensor(buffer.getvalue())


def encode_jpeg(image: Any, format: str = "", quality: int = 95, name: str | None = None, **unused: Any) -> Tensor:
    """A uint8 (height, width, 1|3) image -> the bytes of a JPEG file (``tf.io.encode_jpeg``, quality 95)."""
    pixels = _pixels_for_encoder("EncodeJpeg", image, (1, 3))
    buffer = io.BytesIO()
    image_pil = _pil().fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels)
    image_pil.save(buffer, "JPEG", quality=int(quality))
    return string_tensor(buffer.getvalue())
