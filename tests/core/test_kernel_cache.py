"""The frozen build's compiled screening (sieve and plane crossings) and pass kernels (bound, passes): compiled once by the build into the folder it
ships, loaded (not compiled again) by the program unpacked anywhere else, kept in the user's
cache folder and never written next to the program. The frozen program is imitated in a
subprocess (``sys.frozen`` and ``sys._MEIPASS`` as PyInstaller's bootloader sets them), so the
suite needs no frozen build; ``packaging/check_release.sh`` checks the real one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FROZEN_WARM_UP = """
import json, sys
sys.frozen = True
sys._MEIPASS = sys.argv[1]
from app.conjunction import grid
from app.common.kernel_cache import frozen_cache_folder
from app.cli.warm_up import warm_up
from app.sensors import pass_kernel
from app.conjunction import crossing_kernel
warm_up()
stats = [grid.sieve_block.stats, pass_kernel.sensor_passes.stats, crossing_kernel.plane_crossings.stats,
         pass_kernel.coarse_kept.stats,
         crossing_kernel.straight_line_miss.stats]
print(json.dumps({"folder": str(frozen_cache_folder()), "cache_path": stats[0].cache_path,
                  "pass_cache_path": stats[1].cache_path,
                  "hits": [sum(s.cache_hits.values()) for s in stats],
                  "misses": [sum(s.cache_misses.values()) for s in stats]}))
"""


def _frozen(program: Path, cache_home: Path, **env: str) -> dict:
    environment = {name: value for name, value in os.environ.items() if name != "SPACEOPS_KERNEL_CACHE"}
    environment.update(XDG_CACHE_HOME=str(cache_home), NUMBA_CPU_NAME="generic", **env)
    done = subprocess.run([sys.executable, "-c", FROZEN_WARM_UP, str(program)], capture_output=True, text=True,
                          cwd=ROOT, env=environment, timeout=280)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _files(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


@pytest.mark.timeout(600)
def test_the_build_compiles_the_kernels_once_and_every_unpacked_copy_loads_them(tmp_path):
    built = tmp_path / "build" / "_internal"
    shipped = built / "numba_cache"
    shipped.mkdir(parents=True)
    (shipped / "BUILD_ID").write_text("0.1.0-test-build\n")

    # the build: compiles into the folder it ships
    at_build = _frozen(built, tmp_path / "builder-cache", SPACEOPS_KERNEL_CACHE=str(shipped))
    assert min(at_build["misses"]) >= 1 and Path(at_build["cache_path"]).is_relative_to(shipped)
    assert Path(at_build["pass_cache_path"]).is_relative_to(shipped)
    assert any(name.endswith(".nbi") for name in _files(shipped))

    # a workstation: the program unpacked somewhere else, an empty user cache
    unpacked = tmp_path / "opt" / "spaceops" / "_internal"
    unpacked.parent.mkdir(parents=True)
    built.rename(unpacked)
    before = _files(unpacked)
    at_desk = _frozen(unpacked, tmp_path / "user-cache")
    assert not any(at_desk["misses"]) and min(at_desk["hits"]) >= 1, at_desk  # loaded, not compiled again
    user_folder = tmp_path / "user-cache" / "spaceops" / "kernels" / "0.1.0-test-build"
    assert Path(at_desk["folder"]) == user_folder
    assert Path(at_desk["cache_path"]).is_relative_to(user_folder)
    assert _files(unpacked) == before  # nothing written next to the program


def test_outside_a_frozen_build_numba_keeps_its_own_cache():
    done = subprocess.run([sys.executable, "-c", "from app.common import kernel_cache; from app.conjunction import grid; "
                           "print(kernel_cache.frozen_cache_folder(), kernel_cache.FrozenBuildLocator in "
                           "kernel_cache._CacheImpl._locator_classes)"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["None", "False"]
