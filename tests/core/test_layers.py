"""The layer rules: ``app`` imports no Qt, vispy, pyqtgraph or ``widgets``, and its feature
packages import only those below them (the ``layers`` contract in pyproject.toml).

The first is checked twice: the import-linter contract in pyproject.toml (static), and every ``app``
module imported in a fresh interpreter where those packages cannot be imported (dynamic,
catches lazy imports at module level that a static scan could miss)."""

from __future__ import annotations

import pkgutil
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parents[2]
BLOCKER = """
import sys, importlib.abc
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'shiboken6', 'vispy', 'pyqtgraph', 'widgets'}:
            raise ImportError('layer rule: app must not import ' + name)
sys.meta_path.insert(0, Block())
import importlib
for name in sys.argv[1:]:
    importlib.import_module(name)
leaked = sorted(m for m in sys.modules if m.split('.')[0] in {'PySide6', 'vispy', 'pyqtgraph', 'widgets'})
assert not leaked, leaked
print('ok', len(sys.argv) - 1)
"""


def _app_modules() -> list[str]:
    return ["app"] + [m.name for m in pkgutil.walk_packages(app.__path__, "app.") if m.name != "app.__main__"]


def test_every_app_module_imports_with_qt_blocked():
    modules = _app_modules()
    assert len(modules) > 10
    done = subprocess.run([sys.executable, "-c", BLOCKER, *modules], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"ok {len(modules)}"


def test_import_linter_contract():
    # the interpreter's own scripts folder first: the suite runs from the console's virtual
    # environment, whose bin/ need not be on PATH
    lint_imports = shutil.which("lint-imports", path=sysconfig.get_path("scripts")) or shutil.which("lint-imports")
    if lint_imports is None:
        pytest.fail("import-linter is a test dependency: pip install -e '.[test]'")
    done = subprocess.run([lint_imports, "--config", str(ROOT / "pyproject.toml")], capture_output=True,
                          text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout
    # both contracts are read and checked: Qt kept out of the core, and its feature packages layered
    assert "The headless core imports no Qt, vispy, pyqtgraph or widgets KEPT" in done.stdout
    assert "The core's feature packages are layered KEPT" in done.stdout


def test_every_package_is_installed():
    """``pip install .`` (the console's set-up command) ships exactly the packages listed in
    pyproject; a sub-package missing there would break the installed ``spaceops``."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).parents[2]
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for top in ("app", "widgets", "resources")
             for p in (root / top).rglob("__init__.py")}
    assert found == listed
