"""Writing an output file without losing anything (issue #19): the output goes to a temporary
file beside it and is renamed into place only once complete, so a failed or interrupted
command leaves the old file as it was; an output that is one of the command's own inputs is
refused before anything is opened."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator


class OutputError(ValueError):
    pass


def check_output(path: str | Path, inputs: Iterable[str | Path] = ()) -> Path:
    """The output path, or OutputError saying why it cannot be written (a folder, a missing
    folder, one of the inputs)."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise OutputError(f"{path}: the folder {path.parent} does not exist")
    for source in inputs:
        source = Path(source)
        if path.exists() and source.exists() and os.path.samefile(path, source):
            raise OutputError(f"{path} is one of this command's inputs; it would be overwritten")
    return path


@contextmanager
def replaced_when_done(path: str | Path, suffix: str | None = None) -> Iterator[Path]:
    """A temporary path beside ``path`` (same suffix unless given) to write; renamed onto
    ``path`` when the block ends without an error, removed otherwise."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent)
    os.close(handle)
    temporary = Path(temporary)
    try:
        yield temporary
        os.chmod(temporary, _mode_for(path))  # (mkstemp makes it private)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _mode_for(path: Path) -> int:
    """The mode the file has, or a new file's under the umask."""
    if path.exists():
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
