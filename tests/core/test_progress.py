"""The one progress interface of the core (``app.common.progress``): the long jobs report
``(done, total, note)`` with the right totals, and a :class:`Progress` cancelled from
another thread stops them with :class:`Cancelled`, leaving no worker thread behind."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from app.catalog import Catalog
from app.common.progress import Cancelled, Progress
from app.common.resources import default_catalog_paths
from app.conjunction import grid
from app.conjunction.screening import screen_all, screen_primaries
from app.sensors.catalog_passes import CHUNK_OBJECTS, passes_for_sensor
from app.sensors.sites import Sensor
from app.tasking.request import SensorRequest, TaskingRequest, feasibility

START = datetime(2026, 8, 12, tzinfo=timezone.utc)


class Recorder:
    """A Progress whose reports are kept, in order."""

    def __init__(self):
        self.reports: list[tuple[int, int, str]] = []
        self.progress = Progress(lambda done, total, note: self.reports.append((done, total, note)))


def cancel_from_another_thread(progress: Progress) -> tuple[threading.Event, threading.Thread]:
    """A thread that cancels ``progress`` once the returned event is set (as a GUI would)."""
    asked = threading.Event()

    def canceller():
        if asked.wait(30):
            progress.cancel()

    thread = threading.Thread(target=canceller, name="test-canceller")
    thread.start()
    return asked, thread


def leo_subset(catalog: Catalog, count: int) -> Catalog:
    leo = np.nonzero(catalog.regime == "LEO")[0]
    return catalog.subset(leo[np.linspace(0, len(leo) - 1, count).astype(int)])


def assert_monotonic(reports, total):
    assert all(t == total for _, t, _ in reports)
    done = [d for d, _, _ in reports]
    assert done == sorted(done) and 0 <= done[0] and done[-1] == total


# --- the Progress object --------------------------------------------------------------


def test_reports_until_cancelled_then_raises_at_the_next_report():
    recorder = Recorder()
    progress = recorder.progress
    progress.report(1, 4, "a")
    progress.check()
    assert not progress.cancelled
    progress.cancel()
    assert progress.cancelled
    with pytest.raises(Cancelled):
        progress.report(2, 4, "b")
    with pytest.raises(Cancelled):
        progress.check()
    assert recorder.reports == [(1, 4, "a")]  # the refused report is not heard


def test_scaled_maps_stage_reports_and_shares_cancellation():
    recorder = Recorder()
    sieve_stage, refine_stage = recorder.progress.scaled(0, 80), recorder.progress.scaled(80, 100)
    sieve_stage.report(0, 10, "x")
    sieve_stage.report(5, 10)
    sieve_stage.report(10, 10)
    refine_stage.report(1, 4)
    refine_stage.scaled(500, 1000, 1000).report(1, 1)  # a stage of a stage
    refine_stage.report(0, 0)  # an empty stage counts as its start
    assert recorder.reports == [(0, 100, "x"), (40, 100, ""), (80, 100, ""), (85, 100, ""), (100, 100, ""),
                                (80, 100, "")]
    refine_stage.cancel()  # cancelling a stage cancels the whole
    assert recorder.progress.cancelled and sieve_stage.cancelled
    with pytest.raises(Cancelled):
        sieve_stage.report(1, 10)
    other = Progress()
    stage = other.scaled(0, 50)
    other.cancel()  # and cancelling the whole cancels its stages
    with pytest.raises(Cancelled):
        stage.check()


# --- catalog loads ---------------------------------------------------------------------


def test_catalog_load_reports_each_file_then_the_end(data_dir):
    paths = [data_dir / "hst_2026-06-14.tle", data_dir / "python-sgp4_sample_omm.xml",
             data_dir / "python-sgp4_sample_omm.json", data_dir / "python-sgp4_sample_omm.csv"]
    recorder = Recorder()
    catalog = Catalog.load(paths, progress=recorder.progress)
    assert len(catalog) > 0
    sizes = [p.stat().st_size for p in paths]  # in bytes: one large file still shows how far it is
    total = sum(sizes)
    assert recorder.reports == [(sum(sizes[:k]), total, str(p)) for k, p in enumerate(paths)] + [(total, total, "")]


def test_catalog_load_cancelled_from_another_thread_stops_between_files():
    paths = default_catalog_paths()
    assert len(paths) >= 3
    threads_before = threading.active_count()
    reports = []

    def on_report(done, total, note):
        reports.append((done, total, note))
        if note == str(paths[1]):
            asked.set()
            canceller.join(30)  # the cancel has landed before the second file is read

    progress = Progress(on_report)
    asked, canceller = cancel_from_another_thread(progress)
    with pytest.raises(Cancelled):
        Catalog.load(paths, progress=progress)
    canceller.join(30)
    first_size = paths[0].stat().st_size
    assert reports[0][0] == 0 and reports[-1][0] == first_size  # the first file, then the start of the second
    assert {note for _, _, note in reports} == {str(paths[0]), str(paths[1])}  # no third file
    assert threading.active_count() == threads_before


def test_a_cancelled_progress_stops_every_job_before_it_starts(default_catalog):
    subset = leo_subset(default_catalog, 60)
    threads_before = threading.active_count()
    jobs = [
        lambda p: Catalog.load(default_catalog_paths(), progress=p),
        lambda p: screen_all(subset, START, 1, 10.0, progress=p),
        lambda p: screen_primaries(subset, [int(subset.norad_id[0])], START, 1, 10.0, progress=p),
        lambda p: passes_for_sensor(subset, radar(), START, 1, progress=p),
        lambda p: feasibility(iss_request(), default_catalog, [radar()], progress=p),
    ]
    for job in jobs:
        recorder = Recorder()
        recorder.progress.cancel()
        with pytest.raises(Cancelled):
            job(recorder.progress)
        assert recorder.reports == []
    assert threading.active_count() == threads_before


# --- screening -------------------------------------------------------------------------


def test_screen_all_reports_to_100_through_its_stages(default_catalog):
    recorder = Recorder()
    result = screen_all(leo_subset(default_catalog, 150), START, 6, 20.0, progress=recorder.progress)
    assert result.approaches
    assert_monotonic(recorder.reports, 100)
    assert any(d >= 80 for d, _, _ in recorder.reports[:-1])  # the refinement reported on its share


def test_screen_primaries_reports_each_primary(default_catalog):
    subset = leo_subset(default_catalog, 200)
    primaries = [int(n) for n in subset.norad_id[:3]]
    recorder = Recorder()
    screen_primaries(subset, primaries, START, 2, 20.0, progress=recorder.progress)
    assert recorder.reports == [(0, 3, ""), (1, 3, ""), (2, 3, ""), (3, 3, "")]


def test_screen_all_cancelled_from_another_thread_stops_its_workers(default_catalog, monkeypatch):
    """The sieve's two workers stop at their next block once the progress is cancelled from
    another thread; the call raises Cancelled only after they are joined."""
    subset = leo_subset(default_catalog, 200)
    hours, step_s, sample_every = 12, 20.0, 12
    steps = int(hours * 3600 / step_s) + 1
    blocks = len(np.unique(np.append(np.arange(0, steps, sample_every), steps - 1))) - 1
    screen_all(subset, START, 0.5, 10.0)  # the grid compiled (numba) before the threads are counted
    threads_before = threading.active_count()
    recorder = Recorder()
    asked, canceller = cancel_from_another_thread(recorder.progress)
    sieved = []
    real_sieve_block = grid.sieve_block

    def slow_sieve_block(*args):
        sieved.append(threading.current_thread().name)
        if len(sieved) == 6:
            asked.set()
        threading.Event().wait(0.005)  # a block of a big catalog takes longer than this one's
        return real_sieve_block(*args)

    monkeypatch.setattr(grid, "sieve_block", slow_sieve_block)  # (sieve looks it up per run)
    with pytest.raises(Cancelled):
        screen_all(subset, START, hours, 10.0, step_s=step_s, sample_every=sample_every,
                   progress=recorder.progress, workers=2)
    canceller.join(30)
    assert recorder.progress.cancelled
    assert len(set(sieved)) == 2  # both workers ran
    assert 6 <= len(sieved) < blocks / 2  # and stopped long before the end (a block re-run may be counted twice)
    assert all(d < 80 for d, _, _ in recorder.reports)  # the refinement never started
    assert threading.active_count() == threads_before


def test_a_failing_sieve_worker_raises_and_stops_the_other(default_catalog, monkeypatch):
    subset = leo_subset(default_catalog, 100)
    screen_all(subset, START, 0.5, 10.0)
    threads_before = threading.active_count()
    calls = []
    real_sieve_block = grid.sieve_block

    def failing_sieve_block(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("grid bug")
        threading.Event().wait(0.005)
        return real_sieve_block(*args)

    monkeypatch.setattr(grid, "sieve_block", failing_sieve_block)
    with pytest.raises(RuntimeError, match="grid bug"):
        screen_all(subset, START, 12, 10.0, progress=Progress())
    assert len(calls) < 100
    assert threading.active_count() == threads_before


# --- passes and feasibility ------------------------------------------------------------


def radar(name="R", status="operational"):
    return Sensor(name, "USA", "national", "radar", 42.0, -71.0, 100.0, 3.0, 6000.0, status=status)


def iss_request():
    return TaskingRequest("TR-1", "Characterize ISS", 25544, "GBR", "UKSpOC", SensorRequest("any"), "track",
                          "PRIORITY", START, START + timedelta(hours=24), releasable_to=("USA",))


def test_passes_for_sensor_reports_and_cancels(default_catalog):
    subset = leo_subset(default_catalog, 450)
    recorder = Recorder()
    passes = passes_for_sensor(subset, radar(), START, 2, progress=recorder.progress)
    assert passes
    total = recorder.reports[-1][1]
    assert 0 < total <= len(subset)
    assert [r[0] for r in recorder.reports] == list(range(0, total, CHUNK_OBJECTS)) + [total]
    assert_monotonic(recorder.reports, total)

    recorder = Recorder()

    def cancel_after_first(done, total, note):
        recorder.progress.cancel()
    recorder.progress = Progress(cancel_after_first)
    with pytest.raises(Cancelled):  # no partial list of passes comes back
        passes_for_sensor(subset, radar(), START, 2, progress=recorder.progress)


def test_feasibility_reports_each_sensor(default_catalog):
    sensors = [radar("A"), radar("B", status="outage"), radar("C")]
    recorder = Recorder()
    result = feasibility(iss_request(), default_catalog, sensors, progress=recorder.progress)
    assert result.feasible
    assert recorder.reports == [(0, 2, ""), (1, 2, ""), (2, 2, "")]  # the two operational sensors
