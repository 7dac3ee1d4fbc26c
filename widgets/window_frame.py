"""The main window's frame: classification banners above the menu bar and below everything
else (the status line just above the lower one), and a work-around for tab bars Qt leaves
behind when docks are tabified."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QLabel, QMainWindow, QMenuBar, QSizePolicy, QTabBar, QToolBar,
                               QVBoxLayout, QWidget)


def _column(*widgets: QWidget) -> QWidget:
    holder = QWidget()
    column = QVBoxLayout(holder)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    for widget in widgets:
        column.addWidget(widget)
    return holder


def frame_with_banners(window: QMainWindow, top: QLabel, bottom: QLabel, status: QLabel,
                       alert_count: QWidget) -> None:
    """The top banner and the menu bar as the window's menu widget; the status line (with the
    count of alerts waiting at its right) and the bottom banner in a fixed toolbar at the very bottom."""
    window.setMenuWidget(_column(top, QMenuBar(window)))
    bar = QToolBar("Classification", window)
    bar.setObjectName("bottomBanner")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.toggleViewAction().setEnabled(False)
    bar.setContentsMargins(0, 0, 0, 0)
    bar.setStyleSheet("QToolBar { padding: 0px; border: none; }")
    status_row = QWidget()
    row = QHBoxLayout(status_row)
    row.setContentsMargins(0, 0, 0, 0)
    # a long message is cut at the window's edge (whole on hover), never widens the window
    status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    row.addWidget(status, 1)
    row.addWidget(alert_count)
    holder = _column(status_row, bottom)
    holder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    bar.addWidget(holder)
    window.addToolBar(Qt.ToolBarArea.BottomToolBarArea, bar)


def hide_stray_tab_bars(window: QMainWindow) -> None:
    """Qt 6.12 leaves extra, unused tab bars of tabified docks visible over the views
    (seen with plain QMainWindow too): keep only the bar lying along its docks."""
    docks = {d.windowTitle(): d for d in window.findChildren(QDockWidget)}
    for bar in window.findChildren(QTabBar):
        if bar.parent() is not window or bar.count() == 0:
            continue
        dock = docks.get(bar.tabText(0))
        if dock is None:
            continue
        area = dock.geometry()
        along = abs(bar.geometry().top() - area.bottom()) <= 8 or abs(bar.geometry().bottom() - area.top()) <= 8
        overlaps = bar.geometry().left() < area.right() and bar.geometry().right() > area.left()
        if not (along and overlaps):
            bar.hide()
