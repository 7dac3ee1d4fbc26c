"""CSV cells a spreadsheet will not run (issue #19): a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel and LibreOffice
(``=cmd|' /C calc'!A0``). Such text is written with a leading apostrophe, the spreadsheets'
own "this is text" mark; numbers (``-12.5``) are left alone. Our readers take the apostrophe
off again, so a title that starts with ``=`` survives the round trip."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _needs_mark(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not _is_number(text)


def safe_cell(value: Any) -> Any:
    """Formula-like text with the text mark; text that already starts with the mark before
    formula-like text gets another, so reading back is exact."""
    if isinstance(value, str) and (_needs_mark(value) or (value.startswith(TEXT_MARK)
                                                          and _needs_mark(value.lstrip(TEXT_MARK)))):
        return TEXT_MARK + value
    return value


def safe_row(row):
    """A dict row or a list row with every text cell made safe."""
    if isinstance(row, dict):
        return {key: safe_cell(value) for key, value in row.items()}
    return [safe_cell(value) for value in row]


def read_cell(value: Any) -> Any:
    """The text a :func:`safe_cell` wrote (the protective apostrophe removed)."""
    if isinstance(value, str) and value.startswith(TEXT_MARK) and _needs_mark(value.lstrip(TEXT_MARK)):
        return value[1:]
    return value
