"""Help ▸ User guide: the bundled guide, offline, with its pictures, contents and find box.
(The menu entry itself, on the real window, is in tests/render/test_help_menu.py.)"""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QPixmap, QTextDocument

from widgets.dialogs.user_guide_dialog import UserGuideDialog, heading_anchor, show_user_guide


def _image_names(document: QTextDocument) -> list[str]:
    names, block = [], document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            style = fragments.fragment().charFormat()
            if style.isImageFormat():
                names.append(style.toImageFormat().name())
            fragments += 1
        block = block.next()
    return names


def _dialog(qtbot) -> UserGuideDialog:
    dialog = UserGuideDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_guide_shows_the_readme_user_sections(qtbot):
    dialog = _dialog(qtbot)
    assert not dialog.isModal()
    text = dialog.browser.document().toPlainText()
    assert text.startswith("Coalition Space Operations Console: user guide")
    assert "Set-up: the two commands" in text and "bash packaging/setup.sh && spaceops" in text
    assert "Map of the code" not in text and "Generated from README" not in text  # the note is an HTML comment
    contents = [dialog.contents.item(i).text() for i in range(dialog.contents.count())]
    assert contents[:4] == ["Introduction", "Set-up: the two commands", "Install on an air-gapped workstation",
                            "Command line"]
    assert "Accuracy" in contents


def test_every_picture_of_the_guide_loads(qtbot):
    document = _dialog(qtbot).browser.document()
    names = _image_names(document)
    assert "console.jpg" in names and len(names) == 4
    for name in names:
        image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert isinstance(image, QPixmap) and not image.isNull(), name  # not the broken-image placeholder
        assert image.width() == 800, name


def test_contents_find_and_links(qtbot):
    dialog = _dialog(qtbot)
    bar = dialog.browser.verticalScrollBar()
    assert bar.value() == 0
    item = next(dialog.contents.item(i) for i in range(dialog.contents.count())
                if dialog.contents.item(i).text() == "The coalition floor")
    dialog.contents.itemClicked.emit(item)
    assert bar.value() > 0 and dialog.browser.textCursor().block().text() == "The coalition floor"
    dialog.find_box.setText("Armavir")
    assert dialog.find_next() and dialog.browser.textCursor().selectedText() == "Armavir"
    dialog.find_box.setText("no such words in the guide")
    assert not dialog.find_next() and "Not found" in dialog.status.text()
    # a web link is shown, never fetched; the scenario format, shipped beside the guide, opens; Back returns
    guide = dialog.browser.source()
    dialog.browser.anchorClicked.emit(QUrl("https://example.org/orbits"))
    assert dialog.browser.source() == guide and "https://example.org/orbits" in dialog.status.text()
    dialog.browser.anchorClicked.emit(QUrl("../scenarios/README.md"))
    assert dialog.browser.source().toLocalFile().endswith("scenarios/README.md")
    assert "Injects" in dialog.browser.document().toPlainText() and dialog.back_button.isEnabled()
    dialog.back_button.click()
    assert dialog.browser.source() == guide
    assert dialog.contents.item(1).text() == "Set-up: the two commands"
    dialog.browser.anchorClicked.emit(QUrl("#" + heading_anchor("Exercise scenarios")))
    assert dialog.browser.textCursor().block().text() == "Exercise scenarios"


def test_the_guide_opens_once_per_window(qtbot):
    from PySide6.QtWidgets import QWidget

    window = QWidget()
    qtbot.addWidget(window)
    first = show_user_guide(window)
    assert first.isVisible() and first.parent() is window
    first.close()
    assert show_user_guide(window) is first and first.isVisible()
