"""The console's state: one observable, serialisable model every view reads and writes."""

from app.state.console_state import VIEW_FIELDS, ConsoleState, StateFileError

__all__ = ["ConsoleState", "StateFileError", "VIEW_FIELDS"]
