"""The classification banner is never lower than the records on screen (issue #14): the
tasking, watchlist and event panels report the highest classification they show, the
session collects it, and the banner rises above the operator's set marking, saying so, and
falls back when the record is gone or filtered out. The state keeps the set marking."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.common.user_settings import Operator
from app.rpo.watch_pair import WatchPair
from app.storage import Store
from app.tasking.request import SensorRequest, TaskingRequest
from widgets.theme import BANNER_COLORS
from widgets.views.classification_banner import ClassificationBanner, shown_marking

START = datetime(2026, 8, 12, tzinfo=timezone.utc)
RED, GREEN, BLUE = BANNER_COLORS["SECRET"][0], BANNER_COLORS["UNCLASSIFIED"][0], BANNER_COLORS["CONFIDENTIAL"][0]


@pytest.mark.parametrize("set_marking, content, shown", [
    ("UNCLASSIFIED", "UNCLASSIFIED", "UNCLASSIFIED"),
    ("UNCLASSIFIED", "SECRET", "SECRET — raised by content on screen (set: UNCLASSIFIED)"),
    ("unclassified//exercise", "CONFIDENTIAL",
     "CONFIDENTIAL//EXERCISE — raised by content on screen (set: UNCLASSIFIED//EXERCISE)"),
    ("SECRET//REL TO AUS, GBR", "CONFIDENTIAL", "SECRET//REL TO AUS, GBR"),
    ("NATO SECRET", "SECRET", "NATO SECRET"),
    ("TOP SECRET//SI", "SECRET", "TOP SECRET//SI"),
    ("CUI", "RESTRICTED", "RESTRICTED — raised by content on screen (set: CUI)"),
])
def test_the_shown_marking_is_the_higher_of_the_set_one_and_the_content(set_marking, content, shown):
    assert shown_marking(set_marking, content) == shown


@pytest.fixture
def console(qtbot, tmp_path):
    """A session with the tasking, watchlist and event panels and a banner bound to it, on a
    database whose operator (GBR) is cleared to SECRET."""
    from widgets.panels.event_log_panel import EventLogPanel
    from widgets.panels.tasking_panel import TaskingPanel
    from widgets.panels.watchlist_panel import WatchlistPanel
    from widgets.session import ConsoleSession

    store = Store(f"sqlite:///{tmp_path / 'ops.db'}",
                  operator=Operator("alice", "GBR", ("watch_officer", "tasking_approver"), "SECRET"))
    session = ConsoleSession(store=store, interactive=False)
    tasking, watchlist, events = TaskingPanel(store.tasking, False), WatchlistPanel(store, False), EventLogPanel(store)
    banner = ClassificationBanner()
    for widget in (tasking, watchlist, events, banner):
        qtbot.addWidget(widget)
        widget.bind(session)

    class Console:
        pass

    console = Console()
    console.store, console.session, console.banner = store, session, banner
    console.tasking, console.watchlist, console.events = tasking, watchlist, events
    console.settle = lambda: qtbot.waitUntil(lambda: not any(p.database.busy for p in (tasking, watchlist, events)),
                                             timeout=10000)
    console.settle()
    yield console
    session.stop()
    store.close()


def test_a_secret_request_raises_the_banner_and_filtering_it_out_lowers_it(console):
    banner, state = console.banner, console.session.state
    assert banner.text() == "UNCLASSIFIED" and GREEN in banner.styleSheet() and not banner.raised
    console.store.tasking.create(TaskingRequest("TR-GBR-0000000A", "watch the inspector", 25544, "GBR", "unit",
                                                SensorRequest(), "track", "ROUTINE", START,
                                                START + timedelta(hours=2), classification="SECRET",
                                                releasable_to=("USA",)))
    console.tasking.reload()
    console.settle()
    assert banner.text() == "SECRET — raised by content on screen (set: UNCLASSIFIED)"
    assert RED in banner.styleSheet() and banner.raised
    assert state.banner.marking == "UNCLASSIFIED"  # the operator's banner is kept as set
    state.banner.marking = "SECRET//REL TO GBR, USA"  # set at least as high: nothing to raise
    assert banner.text() == "SECRET//REL TO GBR, USA" and not banner.raised
    state.banner.marking = "UNCLASSIFIED"
    assert banner.raised
    console.tasking.status_filter.setCurrentText("SUBMITTED")  # the DRAFT is filtered out
    console.settle()
    assert console.tasking.model.rowCount() == 0
    assert banner.text() == "UNCLASSIFIED" and GREEN in banner.styleSheet()


def test_a_watch_pair_raises_the_banner_until_removed_and_its_events_keep_it_raised(console):
    banner = console.banner
    pair = console.store.watch_pairs.add(WatchPair(25544, 20580, classification="CONFIDENTIAL"))
    console.watchlist.reload()
    console.settle()
    assert banner.text() == "CONFIDENTIAL — raised by content on screen (set: UNCLASSIFIED)"
    assert BLUE in banner.styleSheet()
    console.store.watch_pairs.remove(pair)
    console.watchlist.reload()
    console.settle()
    assert banner.text() == "UNCLASSIFIED" and GREEN in banner.styleSheet()

    secret = console.store.watch_pairs.add(WatchPair(25544, 20580, classification="SECRET", releasability="USA"))
    console.store.event_log.log("2026-08-12T00:00:00Z", "rpo-alert", "caution", "closing", secret.id)
    console.events.reload()
    console.settle()
    assert console.events.highest_shown() == "SECRET" and banner.raised and RED in banner.styleSheet()
    console.store.watch_pairs.remove(secret)
    console.watchlist.reload()
    console.settle()
    assert console.watchlist.highest_shown() == "UNCLASSIFIED"
    assert banner.text().startswith("SECRET — raised")  # the pair's alert is still listed in the event log
