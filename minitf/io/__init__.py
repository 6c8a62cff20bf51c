"""``minitf.io``, as ``tf.io``: read and write files as ``tf.string`` tensors, and the image codecs.

    contents = tf.io.read_file("pizza.jpg")         # <tf.Tensor: shape=(), dtype=string, numpy=b'\\xff\\xd8...'>
    image = tf.io.decode_jpeg(contents)             # (h, w, 3) uint8

``decode_*`` / ``encode_*`` are ``minitf.image``'s (TF exports them under both names).
"""
from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from minitf.errors import InvalidArgumentError, NotFoundError
from minitf.image.codecs import (contents_bytes, decode_bmp, decode_gif, decode_image, decode_jpeg, decode_png,
                                 encode_jpeg, encode_png, is_jpeg, string_tensor)
from minitf.tensor import Tensor, convert_to_tensor

__all__ = ["read_file", "write_file", "decode_raw", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png",
           "encode_jpeg", "encode_png", "is_jpeg"]


def _filename(op: str, filename: Any) -> str:
    if isinstance(filename, Tensor):
        filename = contents_bytes(op, filename)
    if isinstance(filename, bytes):
        filename = filename.decode()
    if not isinstance(filename, (str, os.PathLike)):
        raise InvalidArgumentError(f"{op}: filename must be a string (or a scalar string tensor), got "
                                   f"{type(filename).__name__}", op=op)
    return os.fspath(filename)


def decode_raw(input_bytes, out_type, little_endian: bool = True, fixed_length=None, name=None) -> Tensor:
    """Each string's bytes read as numbers of ``out_type`` (``tf.io.decode_raw``): shape
    ``input.shape + [n]``. The strings must all be one length (a multiple of the type's size), or
    ``fixed_length`` bytes are read from each (shorter ones padded with zero bytes)."""
    from minitf import dtypes
    strings = convert_to_tensor(input_bytes)
    if not strings.dtype.is_string:
        raise InvalidArgumentError(f"DecodeRaw: input_bytes must be a string tensor, got {strings.dtype.name}",
                                   op="DecodeRaw")
    dtype = dtypes.as_dtype(out_type)
    if dtype.is_string:
        raise InvalidArgumentError("DecodeRaw: out_type must be a numeric dtype, got string", op="DecodeRaw")
    item = np.dtype(dtype._np).newbyteorder("<" if little_endian else ">")
    values = [bytes(v) for v in np.asarray(strings.numpy(), dtype=object).reshape(-1)]
    if fixed_length is not None:
        length = int(fixed_length)
        if length % item.itemsize:
            raise InvalidArgumentError(f"fixed_length ({length}) must be a multiple of the size of out_type "
                                       f"({item.itemsize})", op="DecodeRaw")
        values = [v[:length].ljust(length, b"\0") for v in values]
    elif values:
        first = len(values[0])
        for i, v in enumerate(values):
            if len(v) != first:  # (TF's message gives the two sizes in this order)
                raise InvalidArgumentError(f"DecodeRaw requires input strings to all be the same size, but element "
                                           f"{i} has size {first} != {len(v)}", op="DecodeRaw")
        if first % item.itemsize:
            raise InvalidArgumentError(f"Input to DecodeRaw has length {first} that is not a multiple of "
                                       f"{item.itemsize}, the size of {dtype.name}", op="DecodeRaw")
    width = (len(values[0]) if values else 0) // item.itemsize
    out = np.frombuffer(b"".join(values), dtype=item).astype(dtype._np)
    return convert_to_tensor(out.reshape(tuple(strings.shape) + (width,)))


def read_file(filename: Any, name: str | None = None) -> Tensor:
    """The whole file's bytes as a scalar ``tf.string`` tensor (``tf.io.read_file``)."""
    path = _filename("ReadFile", filename)
    try:
        with open(path, "rb") as f:
            return string_tensor(f.read())
    except FileNotFoundError:
        raise NotFoundError(f"{path}; No such file or directory", op="ReadFile") from None
    except IsADirectoryError:
        raise InvalidArgumentError(f"{path}: is a directory, not a file", op="ReadFile") from None


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash never leaves half a file there: into a temporary
    file beside the target (through a symlink: beside the file it points to), flushed to disk,
    then renamed over it, keeping an existing file's permissions."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)
    mode = os.stat(target).st_mode & 0o7777 if os.path.exists(target) else None
    fd, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".partial", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        else:  # mkstemp makes 0600 files; a new file gets the usual permissions (0666 less the umask)
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise


def write_file(filename: Any, contents: Any, name: str | None = None) -> None:
    """Write ``contents`` (a scalar string tensor, or bytes) to ``filename`` (``tf.io.write_file``),
    creating missing directories as TF does; atomically (``atomic_write_bytes``)."""
    path = _filename("WriteFile", filename)
    atomic_write_bytes(path, contents_bytes("WriteFile", contents))
