"""The README's promises that a machine can check: CI runs its test command verbatim."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    commands = [line.strip() for block in _bash_blocks(readme) for line in block.splitlines()]
    test_command = next(c for c in commands if "--test" in c and "pytest" in c)
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert test_command in ci_lines


def test_readme_names_files_that_exist():
    readme = (ROOT / "README.md").read_text()
    for path in ("packaging/setup.sh", "packaging/build.sh", "packaging/check_release.sh",
                 "tests/benchmarks/bench_engine.py", "resources/ATTRIBUTION.md"):
        assert path in readme and (ROOT / path).exists()
