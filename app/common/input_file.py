"""Reading an input file the user named (issue #19): only a regular file (not /dev/zero, a
FIFO that blocks for ever, or a folder), and no larger than its kind allows, so a wrong path
costs a message, never the memory of the machine or a hung console."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MiB = 1024 * 1024
# the largest file of each kind we read whole (the README says these)
CATALOG_MAX_BYTES = 512 * MiB  # the full public catalog with debris is about 6 MiB as TLE
DOCUMENT_MAX_BYTES = 64 * MiB  # a CDM, exchange file, scenario, lesson, sensor list, saved view
SMALL_MAX_BYTES = 1 * MiB  # settings and password files


def read_input_bytes(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; OSError (FileNotFoundError,
    IsADirectoryError, or a plain OSError saying why) otherwise."""
    path = Path(path)
    info = os.stat(path)  # follows a symbolic link: what it points at must qualify
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "is a folder, not a file", str(path))
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path}: not a regular file (a device, pipe or socket); give a file")
    if info.st_size > max_bytes:
        raise OSError(f"{path}: {_size(info.st_size)} is larger than the {_size(max_bytes)} this console reads "
                      "for such a file")
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)  # (a file that grew meanwhile is still bounded)
    if len(data) > max_bytes:
        raise OSError(f"{path}: larger than the {_size(max_bytes)} this console reads for such a file")
    return data


def _size(count: int) -> str:
    return f"{count / MiB:,.0f} MiB" if count >= MiB else f"{count:,} bytes"


def read_input_text(path: str | Path, max_bytes: int, encoding: str = "utf-8") -> str:
    return read_input_bytes(path, max_bytes).decode(encoding)
