"""The Qt face of the console (PySide6 + vispy + pyqtgraph). Imports ``app``; never the reverse."""

from widgets.qt_refcount import keep_true_and_false_alive

keep_true_and_false_alive()  # before any signal is emitted: see widgets/qt_refcount.py
