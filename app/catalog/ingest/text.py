"""Turning file bytes into lines without letting one badly encoded line spoil the rest."""

from __future__ import annotations

import codecs

UNDECODABLE = None  # marks a line that is not valid UTF-8


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


def decode_text(data: bytes) -> str:
    """Whole-file text for formats parsed as one document (JSON, CSV)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")
