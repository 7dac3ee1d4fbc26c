"""A cache of parsed catalogs, so that a second load of the same files (the next ``spaceops
propagate``, the next console start) skips parsing, validation and owner inference.

An entry is keyed by the SHA-256 of every file's bytes, in the order given and under the
path given (the paths are in the catalog's messages), and by everything else the parse
depends on: this cache's format, the versions of the console, sgp4, numpy and Python, the
owner tables' contents and the catalog code's files (size and time; in a frozen build, the
program file's). A file that changes by one byte makes a new key, so an entry is never
served stale; the files are hashed again after a parse and nothing is stored if they
changed meanwhile.

Entries live in the user's cache folder (``~/.cache/spaceops/catalogs`` on Linux;
``SPACEOPS_CATALOG_CACHE`` names another, ``SPACEOPS_NO_CATALOG_CACHE=1`` turns the cache
off). Each is one file written whole or not at all (a temporary file renamed); the newest
``MAX_ENTRIES`` are kept. An entry is a pickle of plain Python values only (numbers,
strings, bytes, lists, tuples, dicts: no classes are loaded from it) behind its SHA-256; one
that cannot be read, does not match its checksum, or does not hold what its name says, is
ignored (a debug message) and the files are parsed as if there were no cache.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from app.common.input_file import CATALOG_MAX_BYTES, open_input_file

log = logging.getLogger(__name__)

FORMAT_VERSION = 1  # of the entries: raise it when what an entry holds changes
DISABLE_ENV = "SPACEOPS_NO_CATALOG_CACHE"
FOLDER_ENV = "SPACEOPS_CATALOG_CACHE"
MAX_ENTRIES = 4  # the newest entries kept (about 10 MB each for the bundled catalog)
MIN_BYTES = 64 * 1024  # smaller catalogs parse in milliseconds: not worth an entry
_SUFFIX = ".catalog"
_MAGIC = b"SOCATC1\n"  # then the SHA-256 of the rest, then the pickle
_BLOCK = 1024 * 1024
_OWNER_TABLES = ("gcat_owner_states.csv", "name_owners.csv", "launch_owners.csv")
_CODE_PACKAGES = ("app.catalog", "app.astro", "app.common")  # what a parse runs (ingest, owners, constants ...)


@dataclass(frozen=True)
class Key:
    """An entry's name, and the size of each file as hashed (for progress reports)."""

    digest: str
    sizes: tuple[int, ...]


def cache_folder() -> Path | None:
    """Where entries are kept; None when the cache is turned off."""
    if os.environ.get(DISABLE_ENV, "").strip() not in ("", "0"):
        return None
    override = os.environ.get(FOLDER_ENV, "").strip()
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    return user_cache_path("spaceops", appauthor=False) / "catalogs"


def key_of(paths: Sequence[str | Path]) -> Key | None:
    """The key of these files as they are now; None when one is not a regular file this
    console would read (missing, a folder, a device, too large: those loads are not cached),
    or when the files are too small to be worth it."""
    digest = hashlib.sha256(_fingerprint().encode())
    sizes = []
    for path in paths:
        file_digest, size = _file_digest(path)
        if file_digest is None:
            return None
        source = str(path).encode("utf-8", "surrogateescape")
        digest.update(len(source).to_bytes(8, "little") + source + file_digest)
        sizes.append(size)
    if sum(sizes) < MIN_BYTES:
        return None
    return Key(digest.hexdigest(), tuple(sizes))


def read_entry(key: Key) -> dict[str, Any] | None:
    """The stored payload for ``key``; None when there is none or it cannot be used."""
    folder = cache_folder()
    if folder is None:
        return None
    path = folder / (key.digest + _SUFFIX)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.debug("catalog cache: cannot read %s (%s); parsing the files", path, error)
        return None
    try:
        if data[:len(_MAGIC)] != _MAGIC:
            raise ValueError("not a catalog cache entry")
        body = memoryview(data)[len(_MAGIC) + 32:]
        if hashlib.sha256(body).digest() != data[len(_MAGIC):len(_MAGIC) + 32]:
            raise ValueError("its checksum does not match its content")
        entry = _PlainUnpickler(io.BytesIO(body)).load()
        if not (isinstance(entry, dict) and entry.get("format") == FORMAT_VERSION and entry.get("key") == key.digest
                and isinstance(entry.get("payload"), dict)):
            raise ValueError("not an entry of this format and key")
    except Exception as error:  # noqa: BLE001 - whatever is wrong with it, the files are the truth
        log.debug("catalog cache: ignoring %s (%s: %s); parsing the files", path, type(error).__name__, error)
        return None
    try:
        os.utime(path)  # the newest used are the ones kept
    except OSError:
        pass
    log.debug("catalog cache: using %s", path)
    return entry["payload"]


def write_entry(key: Key, payload: dict[str, Any]) -> None:
    """Store ``payload`` (plain values and ``encode_array``s) under ``key``, whole or not at
    all, then drop the oldest entries beyond ``MAX_ENTRIES``. Never raises for the cache's sake."""
    folder = cache_folder()
    if folder is None:
        return
    temporary = None
    try:
        body = pickle.dumps({"format": FORMAT_VERSION, "key": key.digest, "payload": payload},
                            protocol=pickle.HIGHEST_PROTOCOL)
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".partial-", suffix=_SUFFIX)
        with os.fdopen(handle, "wb") as out:
            out.write(_MAGIC + hashlib.sha256(body).digest() + body)
        os.replace(temporary, folder / (key.digest + _SUFFIX))
        temporary = None
        log.debug("catalog cache: stored %s", folder / (key.digest + _SUFFIX))
        _evict(folder)
    except Exception as error:  # noqa: BLE001 - a cache that cannot be written is only slower
        log.debug("catalog cache: not stored in %s (%s: %s)", folder, type(error).__name__, error)
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def encode_array(array: np.ndarray) -> tuple:
    """A numpy array as plain values, exactly (``decode_array`` gives it back to the bit)."""
    if array.dtype == object:
        return ("objects", array.tolist())
    return ("array", array.dtype.str, array.shape, np.ascontiguousarray(array).tobytes())


def decode_array(encoded: tuple) -> np.ndarray:
    if encoded[0] == "objects":
        array = np.empty(len(encoded[1]), dtype=object)
        array[:] = encoded[1]
        return array
    _, dtype, shape, data = encoded
    return np.frombuffer(bytearray(data), dtype=np.dtype(dtype)).reshape(shape)


# --- inside -------------------------------------------------------------------------------


class _PlainUnpickler(pickle.Unpickler):
    """Loads plain values only: an entry names no class or function to import."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"catalog cache entries hold plain values only, not {module}.{name}")


def _file_digest(path: str | Path) -> tuple[bytes | None, int]:
    try:
        with open_input_file(path, CATALOG_MAX_BYTES) as handle:
            digest, size = hashlib.sha256(), 0
            while block := handle.read(_BLOCK):
                digest.update(block)
                size += len(block)
                if size > CATALOG_MAX_BYTES:
                    return None, 0
    except (OSError, ValueError):
        return None, 0
    return digest.digest(), size


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Everything besides the files that a parsed catalog depends on."""
    import sgp4

    from app import __version__
    from app.common.resources import resource_path

    parts = [f"format {FORMAT_VERSION}", f"spaceops {__version__}", f"sgp4 {sgp4.__version__}",
             f"numpy {np.__version__}", f"python {sys.version}"]
    for table in _OWNER_TABLES:
        try:
            parts.append(f"{table} {hashlib.sha256(resource_path(table).read_bytes()).hexdigest()}")
        except OSError as error:
            parts.append(f"{table} unreadable {error}")
    if getattr(sys, "frozen", False):  # a frozen build's code is inside it: a new build is a new program file
        try:
            program = Path(sys.executable).stat()
            parts.append(f"program {sys.executable} {program.st_size} {program.st_mtime_ns}")
        except OSError:
            parts.append(f"program {sys.executable}")
    for package in _CODE_PACKAGES:
        module = sys.modules.get(package) or __import__(package, fromlist=["__name__"])
        for folder in getattr(module, "__path__", ()):
            for source in sorted(Path(folder).rglob("*.py")):
                try:
                    info = source.stat()
                except OSError:
                    continue
                parts.append(f"{source.relative_to(folder)} {info.st_size} {info.st_mtime_ns}")
    return "\n".join(parts)


def _evict(folder: Path) -> None:
    entries = []
    for path in folder.glob("*" + _SUFFIX):
        if path.name.startswith(".partial-"):  # another writer's, or one a crash left (a day on)
            try:
                if path.stat().st_mtime < time.time() - 86400:
                    path.unlink()
            except OSError:
                pass
            continue
        try:
            entries.append((path.stat().st_mtime_ns, path))
        except OSError:
            continue
    for _, path in sorted(entries, reverse=True)[MAX_ENTRIES:]:
        try:
            path.unlink()
        except OSError:
            pass
