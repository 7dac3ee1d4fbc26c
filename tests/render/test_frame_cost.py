"""What a globe frame costs the rest of the window: found by counting paint events while the
whole window played (``tests/benchmarks/bench_window.py``). A globe frame must repaint
nothing behind the canvas, and a hidden map computes no night overlay."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QEvent, QObject

from tests.render.conftest import EPOCH


class _PaintCounter(QObject):
    def __init__(self, watched):
        super().__init__()
        self.counts = {id(w): 0 for w in watched}
        for widget in watched:
            widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and id(obj) in self.counts:
            self.counts[id(obj)] += 1
        return False


def test_globe_frames_repaint_nothing_behind_the_canvas(qtbot, window):
    """Playing at 60x (a new second every frame, the clock's text changing): the globe's own
    widget, behind its native canvas, is never repainted (it was, every frame)."""
    globe, clock = window.globe, window.session.clock
    counter = _PaintCounter([globe])
    frames = [0]
    globe.canvas.events.draw.connect(lambda _event: frames.__setitem__(0, frames[0] + 1))
    clock.set_rate(60.0)
    clock.resume()
    for _frame in range(12):
        clock._time_source.advance(0.05)
        window.session.advance_frame()
        qtbot.wait(50)
    assert frames[0] >= 6
    assert counter.counts[id(globe)] == 0, counter.counts


def test_a_hidden_map_computes_no_night_and_catches_up_when_shown(qtbot, window, monkeypatch):
    from widgets.views import map_view

    made = []
    real = map_view.night_overlay
    monkeypatch.setattr(map_view, "night_overlay", lambda at: made.append(at) or real(at))
    window.map_dock.hide()
    later = EPOCH + timedelta(hours=3)
    window.map_view.set_epoch(later)
    assert made == []
    window.map_dock.show()
    qtbot.waitUntil(lambda: window.map_view.isVisible(), timeout=3000)
    assert made and made[-1] == later
