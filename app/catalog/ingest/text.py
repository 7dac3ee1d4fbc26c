"""Turning file bytes into lines without letting one badly encoded line spoil the rest."""

from __future__ import annotations

import codecs
from typing import BinaryIO, Callable, Iterator

from app.common.input_file import too_large

UNDECODABLE = None  # marks a line that is not valid UTF-8
OVERLONG = object()  # marks a line longer than MAX_LINE_BYTES (read past, never held)
MAX_LINE_BYTES = 4096  # far beyond any element-set line or object name
PROGRESS_EVERY_BYTES = 1 << 20


def decode_lines(data: bytes) -> list[str | None]:
    """Split bytes into text lines (no line ends); a line that is not UTF-8 becomes ``None``.

    UTF-16 files (with a byte-order mark) are decoded whole; a UTF-8 BOM is dropped.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16").splitlines()
        except UnicodeDecodeError:
            pass
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    lines: list[str | None] = []
    for raw in data.split(b"\n"):
        try:
            lines.append(raw.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError:
            lines.append(UNDECODABLE)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def stream_lines(handle: BinaryIO, source: str, max_bytes: int,
                 on_bytes: Callable[[int], None] | None = None) -> Iterator[str | None | object]:
    """The lines of a UTF-8 file read one at a time, as :func:`decode_lines` gives them, so
    memory does not grow with the file: a line that is not UTF-8 is ``UNDECODABLE``, one
    longer than ``MAX_LINE_BYTES`` is ``OVERLONG``. ``on_bytes`` hears the bytes read so
    far about every MiB; past ``max_bytes`` (a file growing while read) it is an OSError."""
    read = reported = 0
    first = True
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        read += len(raw)
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                raw = handle.readline(MAX_LINE_BYTES + 1)
                read += len(raw)
                if read > max_bytes:
                    raise too_large(source, max_bytes)
            line: str | None | object = OVERLONG
        else:
            if first and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8):]
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError:
                line = UNDECODABLE
        first = False
        if read > max_bytes:
            raise too_large(source, max_bytes)
        if on_bytes is not None and read - reported >= PROGRESS_EVERY_BYTES:
            on_bytes(read)
            reported = read
        yield line


def decode_text(data: bytes) -> str:
    """Whole-file text for formats parsed as one document (JSON, CSV)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")
