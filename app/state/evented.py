"""Typed models that say when they change: the base of the console's state.

A field assignment is validated (pydantic) and, when the value really changes, announced
to the callbacks connected to that field's dotted path (``"camera.distance_er"``), to those
connected to any model above it (``"camera"``: called once with the sub-model), and to
those connected to every change (:meth:`EventedModel.connect_any`: called once with a
``{path: value}`` dict). Inside ``with model.batch():`` nothing is announced until the
block ends; then each callback runs once, with the final values (glue's
``delay_callback``, napari's ``EventedModel``). Equal assignments announce nothing, so
two parties writing the same value back to each other do not loop.

Not thread-safe: the GUI thread owns the state; workers hand results back to it.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from pydantic import BaseModel, ConfigDict, PrivateAttr

Callback = Callable[[Any], None]


class _Hub:
    """Callbacks and the pending changes of one tree of models (the root's and its parts')."""

    def __init__(self) -> None:
        self.callbacks: dict[str, list[Callback]] = {}
        self.any_callbacks: list[Callable[[dict[str, Any]], None]] = []
        self.depth = 0
        self.pending: dict[str, Any] = {}

    def changed(self, path: str, value: Any) -> None:
        self.pending[path] = value
        if self.depth == 0:
            self.flush()

    def flush(self) -> None:
        changes, self.pending = self.pending, {}
        if not changes:
            return
        errors: list[BaseException] = []
        for path, callbacks in list(self.callbacks.items()):
            if path in changes:
                value = changes[path]
            elif any(changed.startswith(path + ".") for changed in changes):
                value = self.root_value(path)
            else:
                continue
            for callback in list(callbacks):
                _call(callback, value, errors)
        for callback in list(self.any_callbacks):
            _call(callback, dict(changes), errors)
        if errors:  # every subscriber heard the change; then the first failure is raised
            raise errors[0]

    root_value: Callable[[str], Any]


def _call(callback: Callable, value: Any, errors: list[BaseException]) -> None:
    try:
        callback(value)
    except Exception as error:  # noqa: BLE001 - re-raised once every callback has run
        errors.append(error)


class EventedModel(BaseModel):
    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    _hub: _Hub = PrivateAttr(default_factory=_Hub)
    _path: str = PrivateAttr(default="")

    def model_post_init(self, context: Any) -> None:
        self._hub.root_value = self._value_at
        self._attach(self._hub, "")

    def _attach(self, hub: _Hub, path: str) -> None:
        self._hub, self._path = hub, path
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, EventedModel):
                value._attach(hub, f"{path}{name}.")

    def _value_at(self, path: str) -> Any:
        value: Any = self
        for part in path.split("."):
            value = getattr(value, part)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_") or name not in type(self).model_fields:
            super().__setattr__(name, value)
            return
        before = getattr(self, name)
        super().__setattr__(name, value)  # validated here; an invalid value raises and changes nothing
        after = getattr(self, name)
        path = f"{self._path}{name}"
        if isinstance(after, EventedModel):
            after._attach(self._hub, path + ".")
            for leaf, leaf_value in _leaf_changes(before, after, path):
                self._hub.changed(leaf, leaf_value)
        elif after != before:
            self._hub.changed(path, after)

    # --- subscribing -----------------------------------------------------------------------------

    def connect(self, path: str, callback: Callback) -> None:
        """Call ``callback(value)`` after ``path`` (relative to this model) changes."""
        full = self._path + path
        self._hub.root_value(full)  # a mistyped path fails here, not silently never
        self._hub.callbacks.setdefault(full, []).append(callback)

    def disconnect(self, path: str, callback: Callback) -> None:
        callbacks = self._hub.callbacks.get(self._path + path, [])
        if callback in callbacks:
            callbacks.remove(callback)

    def connect_any(self, callback: Callable[[dict[str, Any]], None]) -> None:
        """Call ``callback({path: value, ...})`` once after every change or batch of changes."""
        self._hub.any_callbacks.append(callback)

    def disconnect_any(self, callback: Callable[[dict[str, Any]], None]) -> None:
        if callback in self._hub.any_callbacks:
            self._hub.any_callbacks.remove(callback)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Announce the changes made inside the block once, when it ends."""
        self._hub.depth += 1
        try:
            yield
        finally:
            self._hub.depth -= 1
            if self._hub.depth == 0:
                self._hub.flush()


def _leaf_changes(before: Any, after: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(before, EventedModel) and isinstance(after, EventedModel) and type(before) is type(after):
        for name in type(after).model_fields:
            yield from _leaf_changes(getattr(before, name), getattr(after, name), f"{path}.{name}")
    elif before != after:
        yield path, after
