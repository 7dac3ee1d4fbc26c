"""The Qt face of the console (PySide6 + vispy + pyqtgraph). Imports ``app``; never the reverse."""
