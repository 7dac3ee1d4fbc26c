"""The one runner for long work: result on the GUI thread, progress on the bar, cancel that
cancels, errors shown and logged, the newer job winning, database work in order."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QProgressBar, QPushButton

from widgets.runner import JobRunner


@pytest.fixture
def runner(qtbot):
    bar, button = QProgressBar(), QPushButton("Cancel")
    qtbot.addWidget(bar)
    qtbot.addWidget(button)
    return JobRunner(None, progress_bar=bar, cancel_button=button)


def test_result_and_progress_reach_the_gui_thread(qtbot, runner):
    results, threads, seen = [], [], []

    def work(progress):
        threads.append(threading.get_ident())
        for done in range(5):
            progress.report(done, 5)
            time.sleep(0.01)
        return 42

    job = runner.start("Counting", work, lambda value: results.append((value, QThread.currentThread())))
    job.progressed.connect(lambda done, total, _note: seen.append((done, total)))
    assert runner.progress_bar.isVisibleTo(runner.progress_bar.parentWidget() or runner.progress_bar)
    assert runner.cancel_button.isEnabled()
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert results == [(42, QThread.currentThread())] and threads[0] != threading.get_ident()
    assert seen and seen[-1] == (4, 5)
    assert not runner.cancel_button.isEnabled() and not runner.busy


def test_cancel_stops_the_work_and_drops_its_result(qtbot, runner):
    results, stopped = [], threading.Event()

    def work(progress):
        try:
            while True:
                progress.report(0, 1)
                time.sleep(0.005)
        finally:
            stopped.set()

    job = runner.start("Forever", work, results.append)
    qtbot.waitUntil(lambda: runner.busy, timeout=2000)
    runner.cancel_button.click()
    with qtbot.waitSignal(job.ended, timeout=5000):
        pass
    assert stopped.is_set() and job.cancelled and results == [] and job.error is None
    assert not runner.cancel_button.isEnabled()


def test_an_error_is_logged_and_reported_never_swallowed(qtbot, runner, caplog):
    def work(progress):
        raise ValueError("no such sensor: Krona")

    with qtbot.waitSignal(runner.failed, timeout=5000) as blocker:
        runner.start("Passes", work, lambda _value: None)
    assert blocker.args == ["Passes", "Passes failed: ValueError: no such sensor: Krona"]
    assert "Passes failed" in caplog.text and "Traceback" in caplog.text


def test_a_newer_job_replaces_the_one_before(qtbot, runner):
    results = []

    def slow(progress):
        for _ in range(200):
            progress.report(0, 1)
            time.sleep(0.005)
        return "old"

    first = runner.start("Screening", slow, results.append)
    second = runner.start("Screening", lambda progress: "new", results.append)
    with qtbot.waitSignals([first.ended, second.ended], timeout=5000):
        pass
    assert results == ["new"] and first.cancelled


def test_serial_runners_keep_the_order_of_requests(qtbot):
    order, jobs = [], []
    runners = [JobRunner(serial=True) for _ in range(3)]
    for n in range(12):
        def work(progress, n=n):
            time.sleep(0.002 * (12 - n))  # the first asked takes longest
            order.append(n)
            return n

        jobs.append(runners[n % 3].start(f"write {n}", work, exclusive=False))
    with qtbot.waitSignals([job.ended for job in jobs], timeout=10000):
        pass
    assert order == list(range(12))


def test_jobs_may_use_pyproj(qtbot):
    """On Qt's thread pool, pyproj (frames, sites) crashed the process; jobs run on Python threads."""
    from app.astro.topocentric import Site

    runners = [JobRunner() for _ in range(4)]

    def work(progress):
        return [Site(10.0 + k * 1e-3, 20.0, 0.0).r_itrs_km for k in range(100)][-1]

    jobs = [runner.start("sites", work) for runner in runners for _ in range(3)]
    jobs = [job for job in jobs if not job.cancelled]
    with qtbot.waitSignals([job.ended for job in jobs], timeout=30000):
        pass
    assert all(job.result is not None for job in jobs)
