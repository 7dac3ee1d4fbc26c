"""What waits for the operator, always in sight (Astro UXDS notification patterns): a count
of unacknowledged alerts in the colour of the most severe, which opens the event list, and,
while a critical alert waits, a banner over the globe that stays until it is acknowledged."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from widgets.theme import STATUS_COLORS

SHAPES = {"critical": "■", "serious": "◆", "caution": "▲"}


class AlertCount(QPushButton):
    """``▲ 3 alerts waiting``; ``No alerts waiting`` in grey. Click: the event list."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("alertCount")
        self.setFlat(True)
        self.setToolTip("Alerts waiting for acknowledgement: click for the event list")
        self.show_waiting(0, None)

    def show_waiting(self, count: int, worst: dict | None) -> None:
        severity = None if worst is None else worst["severity"]
        color = STATUS_COLORS.get(severity, STATUS_COLORS["off"])
        self.setText(f"{SHAPES.get(severity, '●')} {count} alert{'s' if count != 1 else ''} waiting"
                     if count else "No alerts waiting")
        self.setStyleSheet(f"QPushButton {{ color: {color}; font-weight: {'bold' if count else 'normal'}; "
                           "border: none; padding: 0 8px; }")


class CriticalBanner(QFrame):
    """A red bar naming the critical alert; it stays until acknowledged."""

    acknowledge_requested = Signal(int)  # the event's id

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("criticalBanner")
        self.setStyleSheet(f"#criticalBanner {{ background: {STATUS_COLORS['critical']}; }}"
                           " QLabel { color: black; font-weight: bold; }")
        self.text = QLabel()
        self.text.setMinimumWidth(50)  # one line, cut short on a narrow window; the whole text on hover
        self.button = QPushButton("Acknowledge")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 8, 3)
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.event_id: int | None = None
        self.button.clicked.connect(lambda: self.event_id is not None and self.acknowledge_requested.emit(self.event_id))
        self.hide()

    def show_waiting(self, _count: int, worst: dict | None) -> None:
        if worst is None or worst["severity"] != "critical":
            self.event_id = None
            self.hide()
            return
        self.event_id = int(worst["id"])
        text = f"■ CRITICAL  {worst['sim_utc'][:19].replace('T', ' ')}Z  {worst['message']}"
        self.text.setText(text)
        self.text.setToolTip(text)
        self.show()
