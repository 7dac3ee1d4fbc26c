"""Where numba keeps the compiled kernels (screening's ``grid``, the passes' ``pass_kernel``).

Installed from source, numba caches next to each kernel module (``__pycache__``) and
``spaceops warm-up`` (``app/cli/warm_up.py``, run by ``packaging/setup.sh``) compiles them at
installation, so no user's first ``screen --all`` waits about a minute. The frozen build ships them compiled instead: numba's
own cache for frozen programs is keyed by the folder the program was unpacked in, so a
build's cache would be missed on every workstation. :class:`FrozenBuildLocator` keys it by
the build (``BUILD_ID``, written by ``packaging/build.sh``) and keeps it in the user's cache
folder, never next to the program (which may be read-only); the first start copies the
shipped kernels there. The build compiles them for a generic x86-64 CPU (the frozen
program's runtime hook sets ``NUMBA_CPU_NAME=generic``), so they load on any workstation.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
from pathlib import Path

from numba.core import caching

_CacheLocator = caching._CacheLocator
_CacheImpl = getattr(caching, "CacheImpl", None) or caching._CacheImpl  # renamed in numba 0.61

SHIPPED_FOLDER = "numba_cache"  # inside the frozen program's _internal folder
BUILD_ID_FILE = "BUILD_ID"
CACHE_ENV = "SPACEOPS_KERNEL_CACHE"  # overrides the user cache folder (the build points it into dist/)


def _frozen_root() -> Path | None:
    root = getattr(sys, "_MEIPASS", None)
    return Path(root) if getattr(sys, "frozen", False) and root else None


@functools.lru_cache(maxsize=1)  # asked once per kernel; the copy is made once
def frozen_cache_folder() -> Path | None:
    """The folder the frozen program's kernels load from and compile into; None when not frozen."""
    root = _frozen_root()
    if root is None:
        return None
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_path

    shipped = root / SHIPPED_FOLDER
    build_id = (shipped / BUILD_ID_FILE).read_text().strip() if (shipped / BUILD_ID_FILE).is_file() else "unbuilt"
    folder = user_cache_path("spaceops", appauthor=False) / "kernels" / build_id
    if not folder.exists() and shipped.is_dir():
        partial = folder.with_name(folder.name + f".partial-{os.getpid()}")
        shutil.copytree(shipped, partial, dirs_exist_ok=True)
        try:
            partial.rename(folder)  # whole or not at all, if two programs start at once
        except OSError:
            shutil.rmtree(partial, ignore_errors=True)
    return folder


class FrozenBuildLocator(_CacheLocator):
    """numba cache locator for the frozen build: one folder per module, stamped by the build."""

    def __init__(self, py_func, py_file: str, folder: Path):
        self._lineno = py_func.__code__.co_firstlineno
        self._cache_path = str(folder / py_func.__module__)
        build_id = folder / BUILD_ID_FILE
        self._stamp = build_id.read_text().strip() if build_id.is_file() else "unbuilt"

    def get_cache_path(self) -> str:
        return self._cache_path

    def get_source_stamp(self):
        return self._stamp

    def get_disambiguator(self) -> str:
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        folder = frozen_cache_folder()
        if folder is None:
            return None
        locator = cls(py_func, py_file, folder)
        try:
            locator.ensure_cache_path()
        except OSError:  # no writable cache folder: numba compiles in memory, as uncached
            return None
        return locator


def install_frozen_locator() -> None:
    """Put :class:`FrozenBuildLocator` first in numba's list (once), before any kernel is defined."""
    if _frozen_root() is not None and FrozenBuildLocator not in _CacheImpl._locator_classes:
        _CacheImpl._locator_classes.insert(0, FrozenBuildLocator)

