"""Saving a file the way a careful program does: atomically, with ``open()``'s mode, through symlinks.

``atomic_write(path, data)`` (or ``write=`` a function of a binary file object):

1. a symlink is followed to its target (the link stays a link, as ``open(path, "wb")`` leaves it);
2. the bytes go to a temporary ``.tmp-<name>-<pid>-<random>.partial`` in the target's directory,
   created with mode ``0o666`` masked by the umask (``open()``'s mode), or the mode of the file
   it replaces (``open()`` keeps an existing file's mode when it truncates it);
3. the temporary is flushed, fsynced and renamed over the target (``os.replace``, atomic on POSIX
   and Windows), then the directory is fsynced so the rename itself survives a power cut.

A crash at any point leaves the old file or the new one, never half of one. An ordinary error
removes the temporary; a crash (``kill -9``) cannot, so each save first removes the temporaries
of the same target that no living process owns.
"""
from __future__ import annotations

import contextlib
import errno
import glob
import os
import secrets
import stat
from typing import BinaryIO, Callable

_PREFIX = ".tmp-"
_SUFFIX = ".partial"


def resolve_target(filepath: str) -> str:
    """The file a save to ``filepath`` really writes: a symlink's (final) target, else the path itself."""
    return os.path.realpath(filepath) if os.path.islink(filepath) else os.path.abspath(filepath)


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it ...
    os.umask(mask)      # ... is to set it and put it back
    return mask


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: leave its file alone
    return True


def remove_stale_temporaries(target: str) -> list[str]:
    """Delete the temporaries of earlier saves to ``target`` whose process is gone; returns their paths."""
    directory, name = os.path.split(target)
    removed = []
    for path in glob.glob(os.path.join(glob.escape(directory), f"{_PREFIX}{glob.escape(name)}-*{_SUFFIX}")):
        middle = os.path.basename(path)[len(_PREFIX) + len(name) + 1:-len(_SUFFIX)]
        pid_text = middle.split("-", 1)[0]
        if pid_text.isdigit() and _pid_alive(int(pid_text)):
            continue
        with contextlib.suppress(OSError):
            os.remove(path)
            removed.append(path)
    return removed


def atomic_write(filepath: str, data: bytes | None = None, write: Callable[[BinaryIO], None] | None = None) -> str:
    """Write ``data`` (or call ``write(file)``) to ``filepath`` atomically; returns the path written."""
    target = resolve_target(os.fsdecode(filepath))
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):  # as open(path, "wb") (and Keras): a save makes no directories
        raise FileNotFoundError(errno.ENOENT, f"No such directory to save into: '{directory}'", os.fsdecode(filepath))
    remove_stale_temporaries(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp = os.path.join(directory, f"{_PREFIX}{os.path.basename(target)}-{os.getpid()}-{secrets.token_hex(4)}"
                                  f"{_SUFFIX}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            if write is not None:
                write(f)
            else:
                f.write(data or b"")
            f.flush()
            os.fsync(f.fileno())
            # The final mode is set on the open file, before the rename makes it visible.
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            else:  # Windows
                os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename durable (not every platform allows this)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    return target
