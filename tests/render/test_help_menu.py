"""Help ▸ User guide on the real window: the bundled guide opens beside the console (F1)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenuBar

from widgets.dialogs.user_guide_dialog import UserGuideDialog


def _help_action(window, text):
    bar = window.menuWidget().findChild(QMenuBar)
    menu = next(a.menu() for a in bar.actions() if a.text() == "&Help")
    return next(a for a in menu.actions() if a.text() == text)


def test_help_user_guide_opens_the_bundled_guide(qtbot, window):
    action = _help_action(window, "&User guide…")
    assert action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)  # F1
    action.trigger()
    dialog = window.findChild(UserGuideDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.isModal() and window.isEnabled()
    assert "Set-up: the two commands" in dialog.browser.document().toPlainText()
    action.trigger()  # again: the same window comes forward
    assert window.findChildren(UserGuideDialog) == [dialog]
    assert _help_action(window, "&About")  # still there, after the guide
