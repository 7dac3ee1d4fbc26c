"""Build the user guide the console shows offline (Help ▸ User guide) from the README.

    python3 packaging/build_user_guide.py

Writes resources/guide/user_guide.md: the README's title and opening, then its user
sections (USER_SECTIONS, in the README's order); the developer sections (DEVELOPER_SECTIONS)
are left out. A ``## `` heading in neither list stops the script until it is put in one, so
a new README section is never dropped or shipped by accident.

Links are rewritten for a guide that lives in the installed ``resources/guide/`` folder:
screenshots (``packaging/screenshots/X.png``) become ``X.jpg`` beside the guide, scaled to
IMAGE_WIDTH pixels (the guide's width on screen; a full-size PNG would cost about 2 MB
and need a horizontal scroll bar); links to files shipped in ``resources/`` become
relative links to them (the guide window opens those); web links stay as they are (the
guide window shows their address and opens nothing); a link to any other file of the
checkout keeps only its text.

Run it after editing the README: tests/core/test_user_guide.py fails while the shipped
guide differs from what this script makes of the current README.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GUIDE_DIR = ROOT / "resources" / "guide"
GUIDE = GUIDE_DIR / "user_guide.md"
IMAGE_WIDTH = 800
JPEG_QUALITY = 85

USER_SECTIONS = (
    "Set-up: the two commands",
    "Install on an air-gapped workstation",
    "Command line",
    "The console window",
    "Sensors and passes",
    "Conjunctions",
    "Watchlist and event log",
    "Tasking requests",
    "The coalition floor",
    "Classroom",
    "Exercise scenarios",
    "Catalog files",
    "Exchange",
    "Accuracy",
)
DEVELOPER_SECTIONS = (
    "Map of the code",
    "Tests and benchmark",
)

TITLE_SUFFIX = ": user guide"
GENERATED_NOTE = ("<!-- Generated from README.md by packaging/build_user_guide.py; edit the README and run "
                  "the script again. -->")
_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")
_IMAGE_LINE = re.compile(r"!\[[^\]]*\]\([^)\s]+\)")


class GuideError(ValueError):
    pass


def split_sections(readme: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The lines before the first ``## `` heading, and each ``## `` section as (heading, lines)
    with its heading line; fenced code blocks are not searched for headings."""
    preamble: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    in_code = False
    for line in readme.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            sections.append((line[3:].strip(), [line]))
        elif sections:
            sections[-1][1].append(line)
        else:
            preamble.append(line)
    return preamble, sections


def chosen_sections(sections: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    headings = [heading for heading, _ in sections]
    unknown = [h for h in headings if h not in USER_SECTIONS and h not in DEVELOPER_SECTIONS]
    if unknown:
        raise GuideError("README sections in neither USER_SECTIONS nor DEVELOPER_SECTIONS of "
                         f"packaging/build_user_guide.py: {', '.join(unknown)}; add each to one of them")
    missing = [h for h in USER_SECTIONS if h not in headings]
    if missing:
        raise GuideError(f"USER_SECTIONS names sections the README no longer has: {', '.join(missing)}")
    return [(heading, lines) for heading, lines in sections if heading in USER_SECTIONS]


def _screenshot_name(target: str) -> str | None:
    match = re.fullmatch(r"packaging/screenshots/([A-Za-z0-9_.-]+)\.png", target)
    return f"{match.group(1)}.jpg" if match else None


def rewrite_links(text: str, images: dict[str, str]) -> str:
    """Links and images made to resolve from resources/guide/; ``images`` collects
    {guide image name: README path} for the screenshots the text shows."""

    def rewrite(match: re.Match) -> str:
        bang, label, target = match.groups()
        if re.match(r"(https?|mailto):", target) or target.startswith("#"):
            return match.group(0)
        if bang:
            name = _screenshot_name(target)
            if name is None:
                raise GuideError(f"an image the guide cannot ship: {target} (only packaging/screenshots/*.png)")
            images[name] = target
            return f"![{label}]({name})"
        path, _, anchor = target.partition("#")
        if path.startswith("resources/") and (ROOT / path).is_file() and (ROOT / path).suffix in (".md", ".yaml"):
            return f"[{label}](../{path[len('resources/'):]}{'#' + anchor if anchor else ''})"
        return label  # a file of the checkout that an installed console does not have

    return _LINK.sub(rewrite, text)


def build_guide(readme: str) -> tuple[str, dict[str, str]]:
    """The guide's Markdown, and {image name in resources/guide: README path of its source}."""
    preamble, sections = split_sections(readme)
    images: dict[str, str] = {}
    lines = list(preamble)
    if not lines or not lines[0].startswith("# "):
        raise GuideError("the README does not start with its '# ' title")
    lines[0] = lines[0].rstrip() + TITLE_SUFFIX
    for _, section in chosen_sections(sections):
        lines.extend(section)
    body = rewrite_links("\n".join(lines).strip("\n") + "\n", images)
    return GENERATED_NOTE + "\n\n" + _images_apart(body), images


def _images_apart(text: str) -> str:
    """Images on consecutive lines each get a paragraph of their own: side by side (as one
    paragraph) two screenshots would be wider than the guide window."""
    out: list[str] = []
    for line in text.split("\n"):
        if _IMAGE_LINE.fullmatch(line) and out and _IMAGE_LINE.fullmatch(out[-1]):
            out.append("")
        out.append(line)
    return "\n".join(out)


_application = None


def write_image(source: Path, out: Path) -> None:
    """The screenshot scaled to IMAGE_WIDTH, as JPEG (Qt, offscreen: no display needed)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage

    global _application  # kept for the whole run: Qt's image and paint code needs one
    _application = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(str(source))
    if image.isNull():
        raise GuideError(f"cannot read {source}")
    if image.width() > IMAGE_WIDTH:
        image = image.scaledToWidth(IMAGE_WIDTH, Qt.TransformationMode.SmoothTransformation)
    if not image.convertToFormat(QImage.Format.Format_RGB32).save(str(out), "JPEG", JPEG_QUALITY):
        raise GuideError(f"cannot write {out}")


def main() -> int:
    try:
        guide, images = build_guide(README.read_text(encoding="utf-8"))
        GUIDE_DIR.mkdir(parents=True, exist_ok=True)
        for name, source in images.items():
            write_image(ROOT / source, GUIDE_DIR / name)
    except GuideError as error:
        print(f"build_user_guide: {error}", file=sys.stderr)
        return 1
    for stale in GUIDE_DIR.glob("*.jpg"):
        if stale.name not in images:
            stale.unlink()
    GUIDE.write_text(guide, encoding="utf-8")
    size = GUIDE.stat().st_size + sum((GUIDE_DIR / name).stat().st_size for name in images)
    print(f"{GUIDE.relative_to(ROOT)}: {len(guide.splitlines())} lines, {len(images)} images, {size // 1024} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
