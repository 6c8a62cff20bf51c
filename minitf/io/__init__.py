"""``minitf.io``, as ``tf.io``: read and write files as ``tf.string`` tensors, and the image codecs.

    contents = tf.io.read_file("pizza.jpg")         # <tf.Tensor: shape=(), dtype=string, numpy=b'\\xff\\xd8...'>
    image = tf.io.decode_jpeg(contents)             # (h, w, 3) uint8

``decode_*`` / ``encode_*`` are ``minitf.image``'s (TF exports them under both names).
"""
from __future__ import annotations

import os
import tempfile
from typing import Any

from minitf.errors import InvalidArgumentError, NotFoundError
from minitf.image.codecs import (contents_bytes, decode_bmp, decode_gif, decode_image, decode_jpeg, decode_png,
                                 encode_jpeg, encode_png, is_jpeg, string_tensor)
from minitf.tensor import Tensor

__all__ = ["read_file", "write_file", "decode_bmp", "decode_gif", "decode_image", "decode_jpeg", "decode_png",
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
