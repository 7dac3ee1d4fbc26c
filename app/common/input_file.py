"""Reading an input file the user named (issue #19): only a regular file (not /dev/zero, a
FIFO that blocks for ever, or a folder), and no larger than its kind allows, so a wrong path
costs a message, never the memory of the machine or a hung console."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

MiB = 1024 * 1024
# the largest file of each kind we read (the README says these)
CATALOG_MAX_BYTES = 512 * MiB  # the full public catalog with debris is about 6 MiB as TLE
DOCUMENT_MAX_BYTES = 64 * MiB  # a CDM, exchange file, scenario, lesson, sensor list, saved view
SMALL_MAX_BYTES = 1 * MiB  # settings and password files


def open_input_file(path: str | Path, max_bytes: int) -> BinaryIO:
    """A regular file of at most ``max_bytes``, open for reading in binary; OSError
    (FileNotFoundError, IsADirectoryError, or a plain OSError saying why) otherwise. For
    readers that stream: they must still stop at ``max_bytes`` (the file may grow)."""
    path = Path(path)
    info = os.stat(path)  # follows a symbolic link: what it points at must qualify
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path}: not a regular file (a device, pipe or socket); give a file")
    if info.st_size > max_bytes:
        raise OSError(f"{path}: {_size(info.st_size)} is larger than the {_size(max_bytes)} this console reads "
                      "for such a file")
    return open(path, "rb")


def read_input_bytes(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; OSError (FileNotFoundError,
    IsADirectoryError, or a plain OSError saying why) otherwise."""
    with open_input_file(path, max_bytes) as handle:
        return read_rest(handle, path, max_bytes)


def read_rest(handle: BinaryIO, path: str | Path, max_bytes: int) -> bytes:
    """The rest of an open file, which must not take the whole past ``max_bytes``. Asks for
    the size the file has (asking for ``max_bytes`` would reserve that much memory at once),
    then for what a file that grew meanwhile added, still bounded."""
    position = handle.tell()
    expected = max(os.fstat(handle.fileno()).st_size - position, 0)
    data = handle.read(min(expected, max_bytes - position) + 1)
    if len(data) > expected:
        data += handle.read(max_bytes - position + 1 - len(data))
    if position + len(data) > max_bytes:
        raise too_large(path, max_bytes)
    return data


def too_large(path: str | Path, max_bytes: int) -> OSError:
    """The error for a file found larger than ``max_bytes`` while it was read."""
    return OSError(f"{path}: larger than the {_size(max_bytes)} this console reads for such a file")


def _size(count: int) -> str:
    return f"{count / MiB:,.0f} MiB" if count >= MiB else f"{count:,} bytes"


def read_input_text(path: str | Path, max_bytes: int, encoding: str = "utf-8") -> str:
    return read_input_bytes(path, max_bytes).decode(encoding)
