"""Help ▸ User guide shows resources/guide/user_guide.md: the README's user sections as
packaging/build_user_guide.py extracts them. The shipped guide must be what the script makes
of the current README, so it cannot go stale. (The window is tested in
tests/widgets/test_user_guide_dialog.py.)"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE_DIR = ROOT / "resources" / "guide"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("build_user_guide", ROOT / "packaging" / "build_user_guide.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def made(build):
    return build.build_guide((ROOT / "README.md").read_text(encoding="utf-8"))


def test_the_shipped_guide_is_the_readme_of_today(made):
    guide, _ = made
    shipped = (GUIDE_DIR / "user_guide.md").read_text(encoding="utf-8")
    assert shipped == guide, ("resources/guide/user_guide.md is not what the README makes: "
                              "run `python3 packaging/build_user_guide.py` and commit what it writes")


def test_the_guide_holds_the_user_sections_and_not_the_developer_ones(build, made):
    guide, _ = made
    headings = re.findall(r"^## (.+)$", guide, flags=re.M)
    assert headings == list(build.USER_SECTIONS)
    assert "Set-up: the two commands" in headings and "The console window" in headings
    for heading in build.DEVELOPER_SECTIONS:
        assert f"## {heading}" not in guide
    assert guide.splitlines()[2] == "# Coalition Space Operations Console: user guide"


def test_every_readme_section_is_classified(build):
    """A new README section stops the script until someone says whether users read it."""
    _, sections = build.split_sections((ROOT / "README.md").read_text(encoding="utf-8"))
    for heading, _ in sections:
        assert heading in build.USER_SECTIONS or heading in build.DEVELOPER_SECTIONS, heading
    with pytest.raises(build.GuideError, match="Release notes"):
        build.build_guide("# T\n\n## Release notes\n\ntext\n")


def test_every_link_of_the_guide_resolves_in_the_installed_folder(made):
    guide, images = made
    for image in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", guide):
        assert "/" not in image and (GUIDE_DIR / image).is_file(), image
        assert image in images
    assert sorted(p.name for p in GUIDE_DIR.glob("*.jpg")) == sorted(images), "stale or missing guide images"
    for target in re.findall(r"(?<!!)\[[^\]]*\]\(([^)]+)\)", guide):
        if not re.match(r"(https?|mailto):|#", target):
            assert (GUIDE_DIR / target.split("#")[0]).resolve().is_file(), target
    assert not re.search(r"\]\((packaging|tests|app|widgets)/", guide)  # no link into the checkout
    size = sum(p.stat().st_size for p in GUIDE_DIR.iterdir())
    assert size < 1_500_000, f"the guide folder has grown to {size} bytes"


def test_links_are_rewritten_for_the_installed_guide(build):
    images: dict[str, str] = {}
    text = build.rewrite_links("![A](packaging/screenshots/console.png) see [fmt](resources/scenarios/README.md), "
                               "[code](app/cli/main.py) and [web](https://example.org/x).", images)
    assert text == ("![A](console.jpg) see [fmt](../scenarios/README.md), code and "
                    "[web](https://example.org/x).")
    assert images == {"console.jpg": "packaging/screenshots/console.png"}
    assert build._images_apart("![a](a.jpg)\n![b](b.jpg)") == "![a](a.jpg)\n\n![b](b.jpg)"
