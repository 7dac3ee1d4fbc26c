"""Help ▸ User guide: the bundled guide (resources/guide/user_guide.md, the README's user
sections made by packaging/build_user_guide.py), shown offline in a window of its own.

A contents list of the guide's sections, a find box, and the guide itself in a
QTextBrowser. Links to files shipped beside it (the scenario format) open in the same
window (Back returns); web links are never fetched: their address is shown instead, to copy
where there is a network. Nothing here touches the network.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from app.common.resources import resource_path

GUIDE = "guide/user_guide.md"
_EXTERNAL = ("http", "https", "mailto", "ftp")


def heading_anchor(text: str) -> str:
    """A heading's anchor as GitHub makes it: ``Set-up: the two commands`` -> ``set-up-the-two-commands``."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


class UserGuideDialog(QDialog):
    """Non-modal: the guide stays open beside the console."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("User guide — Coalition Space Operations Console")
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.setWindowFlag(Qt.WindowType.WindowMinMaxButtonsHint, True)

        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)  # every click goes through _follow: nothing is fetched
        self.browser.anchorClicked.connect(self._follow)
        self.browser.highlighted.connect(self._hovered)
        self.browser.sourceChanged.connect(self._source_changed)
        self.browser.backwardAvailable.connect(lambda available: self.back_button.setEnabled(available))
        self.contents = QListWidget()
        self.contents.setMinimumWidth(180)
        self.contents.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.contents.itemActivated.connect(self._go_to_item)
        self.contents.itemClicked.connect(self._go_to_item)
        self.find_box = QLineEdit(placeholderText="Find in the guide (Enter: next)")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.returnPressed.connect(self.find_next)
        self.back_button = QPushButton("◀ Back")
        self.back_button.setEnabled(False)
        self.back_button.clicked.connect(self.browser.backward)
        self.status = QLabel()
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QPushButton("Close")
        close.clicked.connect(self.close)

        top = QHBoxLayout()
        top.addWidget(self.back_button)
        top.addWidget(self.find_box, 1)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 860])
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, activated=self.find_box.setFocus)
        QShortcut(QKeySequence(QKeySequence.StandardKey.FindNext), self, activated=self.find_next)
        self._fit_to_screen(1120, 800)

        guide = resource_path(GUIDE)
        self.browser.setSearchPaths([str(guide.parent)])
        self.browser.setSource(QUrl.fromLocalFile(str(guide)), QTextDocument.ResourceType.MarkdownResource)

    def _fit_to_screen(self, width: int, height: int) -> None:
        """The preferred size, or nine tenths of the screen where that is smaller (a laptop)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else None
        if area is not None and not area.isEmpty():
            width, height = min(width, area.width() * 9 // 10), min(height, area.height() * 9 // 10)
        self.resize(width, height)

    # --- the guide's sections ------------------------------------------------------------------

    def headings(self) -> list[tuple[str, int]]:
        """(text, position) of the level-1 and level-2 headings of the page shown."""
        found, block = [], self.browser.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() in (1, 2):
                found.append((block.text(), block.position()))
            block = block.next()
        return found

    def _source_changed(self, _url: QUrl) -> None:
        self.contents.clear()
        for n, (text, position) in enumerate(self.headings()):
            item = QListWidgetItem("Introduction" if n == 0 and position == 0 else text)
            item.setToolTip(text)
            item.setData(Qt.ItemDataRole.UserRole, position)
            self.contents.addItem(item)

    def _go_to_item(self, item: QListWidgetItem) -> None:
        self.scroll_to_position(int(item.data(Qt.ItemDataRole.UserRole)))

    def scroll_to_position(self, position: int) -> None:
        """Put the block at ``position`` at the top of the view."""
        document = self.browser.document()
        block = document.findBlock(position)
        self.browser.setTextCursor(QTextCursor(block))
        top = document.documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))

    def go_to_section(self, heading: str) -> bool:
        """Scroll to the section with this heading (or its GitHub-style anchor)."""
        wanted = heading_anchor(heading)
        for text, position in self.headings():
            if heading_anchor(text) == wanted:
                self.scroll_to_position(position)
                return True
        return False

    # --- links and finding ---------------------------------------------------------------------

    def _follow(self, url: QUrl) -> None:
        if url.scheme() in _EXTERNAL:
            self.status.setText(f"Not opened (the console uses no network): {url.toString()}")
            return
        if url.hasFragment() and (url.isRelative() and not url.path()):
            if not self.go_to_section(url.fragment()):
                self.browser.scrollToAnchor(url.fragment())
            return
        target = self.browser.source().resolved(url)
        if target.isLocalFile() and target.toLocalFile().endswith(".md"):
            self.browser.setSource(target, QTextDocument.ResourceType.MarkdownResource)
            if url.hasFragment():
                self.go_to_section(url.fragment())
        else:
            self.status.setText(f"Not a page of the guide: {url.toString()}")

    def _hovered(self, url: QUrl) -> None:
        self.status.setText(url.toString() if not url.isEmpty() else "")

    def find_next(self) -> bool:
        """Select the next match of the find box's text, wrapping at the end."""
        text = self.find_box.text()
        if not text:
            return False
        if self.browser.find(text):
            return True
        self.browser.moveCursor(QTextCursor.MoveOperation.Start)
        found = self.browser.find(text)
        self.status.setText("" if found else f"Not found: {text}")
        return found


def show_user_guide(window: QWidget) -> UserGuideDialog:
    """Open the guide beside ``window``, or bring its open guide forward."""
    dialog = window.findChild(UserGuideDialog)
    if dialog is None:
        dialog = UserGuideDialog(window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    return dialog
