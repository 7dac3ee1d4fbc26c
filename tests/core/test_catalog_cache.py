"""The parsed-catalog cache (``app.catalog.cache``, issue #17): a load from the cache is the
load from the files, column by column, element set by element set and to the bit when
propagated, with the same rejections, warnings and messages; a changed byte is never served
stale; a damaged entry is ignored. Every test keeps its cache in its own temporary folder."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from app.catalog import Catalog, cache
from app.catalog import catalog as catalog_module
from app.cli.main import main
from app.common.progress import Progress
from app.common.resources import default_catalog_paths
from app.live.engine import propagate

AT = datetime(2026, 8, 12, tzinfo=timezone.utc)
SNAPSHOT_ARRAYS = ("r_teme_km", "v_teme_km_s", "r_itrs_km", "v_itrs_km_s", "lat_deg", "lon_deg", "alt_km",
                   "sgp4_error")
BELOW_SURFACE = ("CLUSTER II-FM7 (SAMBA)\n"  # perigee -10.6 km: loads with a warning
                 "1 26410U 00041A   26223.89896230  .00392135 -24788-2  00000+0 0  9992\n"
                 "2 26410 149.5977  61.2138 9116445 279.0243 359.5652  0.44878880 20559\n")
BAD_RECORDS = ("BROKEN CHECKSUM\n"
               "1 25544U 98067A   26223.14934248  .00003640  00000+0  73197-4 0  9994\n"
               "2 25544  51.6325  28.0815 0007436  34.6982 325.4490 15.49408704580271\n"
               "1 20580U 90037B   26222.96225337  .00003432  00000+0  10286-3 0  9996\n"
               "NOT A LINE 2\n"
               "2 20580  28.4729  66.0407 0002401  39.3084 320.7686 15.31314574796970\n")


@pytest.fixture(autouse=True)
def cache_folder(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "catalog-cache"
    monkeypatch.setenv(cache.FOLDER_ENV, str(folder))
    monkeypatch.delenv(cache.DISABLE_ENV, raising=False)
    return folder


@pytest.fixture
def parses(monkeypatch) -> list[list[str]]:
    """The paths of each load that parsed its files (a load from the cache adds nothing)."""
    seen: list[list[str]] = []
    real = catalog_module.read_catalog_files

    def counting(paths, progress=None):
        paths = list(paths)
        seen.append([str(p) for p in paths])
        return real(paths, progress=progress)

    monkeypatch.setattr(catalog_module, "read_catalog_files", counting)
    return seen


@pytest.fixture(scope="module")
def uncached_default():
    """The bundled catalog parsed with the cache turned off."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.DISABLE_ENV, "1")
        return Catalog.load(default_catalog_paths())


def debris_file(folder: Path, extra: str = "") -> Path:
    """A copy of one bundled debris group (about 300 KB, over ``cache.MIN_BYTES``), plus ``extra``."""
    source = next(p for p in default_catalog_paths() if "fengyun" in p.name)
    path = folder / source.name
    path.write_text(source.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def columns(catalog: Catalog) -> dict[str, np.ndarray]:
    return {name: value for name, value in vars(catalog).items() if isinstance(value, np.ndarray)}


def assert_same_catalog(expected: Catalog, actual: Catalog) -> None:
    """Column by column (dtype, shape, every byte), element set by element set (every field,
    and every attribute of its satrec), and all that the readers reported."""
    want, got = columns(expected), columns(actual)
    assert sorted(want) == sorted(got) and len(want) >= 20
    for name, column in want.items():
        assert got[name].dtype == column.dtype and got[name].shape == column.shape, name
        if column.dtype == object:
            assert got[name].tolist() == column.tolist(), name
        else:
            assert got[name].tobytes() == column.tobytes(), name
    assert len(actual) == len(expected)
    assert actual.rejections == expected.rejections and actual.more_rejections == expected.more_rejections
    assert actual.warnings == expected.warnings and actual.more_warnings == expected.more_warnings
    assert actual.superseded == expected.superseded
    assert actual.summary() == expected.summary()
    attributes = [n for n in dir(expected.satrecs[0]) if not n.startswith("_")
                  and not callable(getattr(expected.satrecs[0], n))] if len(expected) else []
    for mine, theirs in zip(expected.element_sets, actual.element_sets, strict=True):
        for field in dataclasses.fields(mine):
            if field.name != "satrec":
                assert getattr(theirs, field.name) == getattr(mine, field.name), field.name
                assert type(getattr(theirs, field.name)) is type(getattr(mine, field.name)), field.name
        for name in attributes:
            assert repr(getattr(theirs.satrec, name)) == repr(getattr(mine.satrec, name)), name


def assert_same_snapshot(expected: Catalog, actual: Catalog) -> None:
    first, second = propagate(expected, AT), propagate(actual, AT)
    for name in SNAPSHOT_ARRAYS:
        assert getattr(second, name).tobytes() == getattr(first, name).tobytes(), name


def test_the_bundled_catalog_from_the_cache_is_the_parsed_one_to_the_bit(uncached_default, parses):
    paths = default_catalog_paths()
    stored = Catalog.load(paths)  # parses and stores
    cached = Catalog.load(paths, lazy=True)
    assert len(parses) == 1
    assert cached._element_sets is None  # nothing made yet: a one-object answer makes one satrec
    one = cached.subset(cached.rows_of([25544, 20580]))
    assert cached._element_sets is None
    assert Catalog.load(paths)._element_sets is not None  # by default made on the loading thread
    assert len(parses) == 1
    reference = uncached_default.subset(uncached_default.rows_of([25544, 20580]))
    assert_same_catalog(reference, one)
    assert_same_snapshot(reference, one)
    assert_same_catalog(uncached_default, stored)
    assert_same_catalog(uncached_default, cached)
    assert_same_snapshot(uncached_default, cached)
    assert sum(chunk.stop - chunk.start for chunk in cached.chunks) == len(cached.satrecs) == len(uncached_default)


def test_the_cli_prints_the_same_from_the_cache(capsys, parses):
    argv = ["propagate", "--at", "2026-08-12T00:00:00Z", "--ids", "25544,20580,99999", "--format", "csv"]
    runs = []
    for _ in range(2):
        code = main(argv)
        runs.append((code, *capsys.readouterr()))
    assert len(parses) == 1
    assert runs[0] == runs[1]
    code, out, err = runs[0]
    assert code == 3 and "--ids:99999: catalog number not in the catalog" in err  # the rejection, listed the same
    assert "26410 CLUSTER II-FM7 (SAMBA): perigee -10.6 km" in err  # and the warning
    assert len(out.splitlines()) == 3


def test_rejections_warnings_and_superseded_records_are_the_same_from_the_cache(tmp_path, parses, capsys):
    path = debris_file(tmp_path, BELOW_SURFACE + BAD_RECORDS)
    again = tmp_path / "again.tle"
    shutil.copyfile(path, again)  # every object twice: the later read supersedes the earlier
    paths = [path, again]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.DISABLE_ENV, "1")
        expected = Catalog.load(paths)
    assert len(expected.rejections) == 6 and len(expected.warnings) == 2 and len(expected.superseded) == len(expected)
    Catalog.load(paths)
    cached = Catalog.load(paths)
    assert len(parses) == 2  # the uncached load, and the one that stored it
    assert_same_catalog(expected, cached)
    outputs = []
    for _ in range(2):
        code = main(["catalog", "info", str(path), str(again)])
        outputs.append((code, *capsys.readouterr()))
    assert len(parses) == 2
    assert outputs[0] == outputs[1] and outputs[0][0] == 3
    assert "6 input record(s) rejected" in outputs[0][2] and "2 warning(s)" in outputs[0][2]


def test_one_changed_byte_is_parsed_again_even_with_the_same_size_and_time(tmp_path, parses):
    path = debris_file(tmp_path)
    first = Catalog.load([path])
    assert Catalog.load([path]).name.tolist() == first.name.tolist() and len(parses) == 1
    stat = path.stat()
    data = bytearray(path.read_bytes())
    at = data.index(b"FENGYUN 1C DEB")
    data[at:at + 7] = b"FENGYUM"  # one byte: N -> M
    path.write_bytes(bytes(data))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    changed = Catalog.load([path])
    assert len(parses) == 2
    (row,) = np.flatnonzero(changed.name != first.name)
    assert first.name[row] == "FENGYUN 1C DEB" and changed.name[row] == "FENGYUM 1C DEB"
    assert Catalog.load([path]).name[row] == "FENGYUM 1C DEB" and len(parses) == 2  # the new content, cached


def test_the_same_bytes_under_another_path_are_their_own_entry(tmp_path, parses):
    path = debris_file(tmp_path)
    other = tmp_path / "other.tle"
    shutil.copyfile(path, other)
    Catalog.load([path])
    assert set(Catalog.load([other]).source_file.tolist()) == {str(other)}  # the messages name the file given
    assert set(Catalog.load([path, other]).source_file.tolist()) == {str(other)}
    assert set(Catalog.load([other, path]).source_file.tolist()) == {str(path)}  # order matters too
    assert len(parses) == 4


@pytest.mark.parametrize("damage", ["truncated", "one byte flipped", "garbage", "empty", "a class inside",
                                    "another format", "wrong shape", "an unknown origin"])
def test_a_damaged_entry_is_ignored_and_the_files_are_parsed(tmp_path, parses, cache_folder, caplog, damage):
    path = debris_file(tmp_path, BELOW_SURFACE)
    expected = Catalog.load([path])
    (entry,) = cache_folder.glob("*.catalog")
    data = entry.read_bytes()
    magic = data[:len(cache._MAGIC)]
    if damage == "truncated":
        data = data[:len(data) // 2]
    elif damage == "one byte flipped":
        middle = len(data) // 2
        data = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    elif damage == "garbage":
        data = os.urandom(4096)
    elif damage == "empty":
        data = b""
    else:
        if damage == "a class inside":  # a well-formed entry that would import something on loading
            body = pickle.dumps({"format": cache.FORMAT_VERSION, "key": entry.stem, "payload": {"x": Path("/")}})
        elif damage == "another format":
            body = pickle.dumps({"format": cache.FORMAT_VERSION + 1, "key": entry.stem, "payload": {}})
        else:  # a payload of this format that holds no catalog
            payload = pickle.loads(data[len(magic) + 32:])["payload"]
            if damage == "wrong shape":
                payload["columns"]["name"] = cache.encode_array(np.array(["X"]))
            else:
                form, origins = payload["element_sets"]["origin"]
                payload["element_sets"]["origin"] = (form, origins.replace("tle", "xyz"))
            body = pickle.dumps({"format": cache.FORMAT_VERSION, "key": entry.stem, "payload": payload})
        data = magic + hashlib.sha256(body).digest() + body
    entry.write_bytes(data)
    caplog.set_level("DEBUG", logger="app.catalog")
    again = Catalog.load([path])
    assert len(parses) == 2
    assert_same_catalog(expected, again)
    assert "catalog cache:" in caplog.text and ("ignoring" in caplog.text or "not usable" in caplog.text)
    assert len(Catalog.load([path])) == len(expected) and len(parses) == 2  # stored afresh


def test_an_unreadable_cache_folder_costs_nothing_but_time(tmp_path, parses, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(cache.FOLDER_ENV, str(blocker / "catalogs"))
    path = debris_file(tmp_path)
    assert len(Catalog.load([path])) == len(Catalog.load([path])) > 0
    assert len(parses) == 2


def test_turned_off_nothing_is_stored(tmp_path, parses, cache_folder, monkeypatch):
    monkeypatch.setenv(cache.DISABLE_ENV, "1")
    path = debris_file(tmp_path)
    Catalog.load([path])
    Catalog.load([path])
    assert len(parses) == 2 and not cache_folder.exists()


def test_small_catalogs_missing_files_and_folders_are_not_cached(tmp_path, parses, cache_folder, data_dir):
    small = data_dir / "hst_2026-06-14.tle"
    assert small.stat().st_size < cache.MIN_BYTES
    path = debris_file(tmp_path)
    for paths in ([small], [path, tmp_path / "missing.tle"], [path, tmp_path]):
        first, second = Catalog.load(paths), Catalog.load(paths)
        assert first.rejections == second.rejections
    assert len(parses) == 6 and not list(cache_folder.glob("*.catalog"))


def test_only_the_newest_entries_are_kept(tmp_path, parses, cache_folder, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 2)
    files = []
    for n in range(3):
        folder = tmp_path / f"f{n}"
        folder.mkdir()
        files.append(debris_file(folder, f"# {n}\n"))
    for path in files:
        Catalog.load([path])
        time.sleep(0.02)  # the newest by the file time, even where it is coarse
    assert len(list(cache_folder.glob("*.catalog"))) == 2
    Catalog.load([files[2]])
    time.sleep(0.02)
    Catalog.load([files[1]])
    time.sleep(0.02)
    assert len(parses) == 3  # the two newest were served
    Catalog.load([files[0]])
    assert len(parses) == 4 and len(list(cache_folder.glob("*.catalog"))) == 2


def test_progress_hears_each_file_and_the_end_from_the_cache(tmp_path, parses):
    paths = [debris_file(tmp_path), tmp_path / "again.tle"]
    shutil.copyfile(paths[0], paths[1])
    Catalog.load(paths)
    reports = []
    Catalog.load(paths, progress=Progress(lambda done, total, note: reports.append((done, total, note))))
    assert len(parses) == 1
    sizes = [p.stat().st_size for p in paths]
    assert reports == [(0, sum(sizes), str(paths[0])), (sizes[0], sum(sizes), str(paths[1])),
                       (sum(sizes), sum(sizes), "")]


def test_element_sets_not_made_by_a_reader_are_never_stored(tmp_path):
    catalog = Catalog.load([debris_file(tmp_path)])
    assert catalog._stored_form() is not None
    moved = dataclasses.replace(catalog.element_sets[0], satrec=catalog.element_sets[1].satrec)
    assert moved.origin is None  # a new satrec never carries the old one's origin
    assert Catalog([moved, *catalog.element_sets[1:]])._stored_form() is None


def test_a_lazy_catalog_makes_its_satrecs_once_whichever_threads_ask(tmp_path):
    path = debris_file(tmp_path)
    expected = Catalog.load([path])
    catalog = Catalog.load([path], lazy=True)
    seen, start = [], threading.Barrier(4)

    def ask(what: str) -> None:
        start.wait()
        seen.append(getattr(catalog, what))

    threads = [threading.Thread(target=ask, args=(what,)) for what in ("satrecs", "chunks", "element_sets", "satrecs")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(seen) == 4 and catalog._stored is None
    assert {id(s) for s in seen if s and isinstance(s[0], type(expected.satrecs[0]))} == {id(catalog.satrecs)}
    assert_same_catalog(expected, catalog)
    assert_same_snapshot(expected, catalog)


def test_omm_element_sets_come_back_the_same(data_dir, parses, monkeypatch):
    """OMM records (XML, JSON, KVN, CSV) are made again by sgp4's own OMM initialisation."""
    monkeypatch.setattr(cache, "MIN_BYTES", 0)
    paths = sorted(p for p in data_dir.glob("*") if p.suffix in (".xml", ".json", ".csv", ".kvn"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(cache.DISABLE_ENV, "1")
        expected = Catalog.load(paths)
    assert len(expected) >= 10 and {e.origin[0] for e in expected.element_sets} == {"omm"}
    Catalog.load(paths)
    cached = Catalog.load(paths)
    assert len(parses) == 2
    assert_same_catalog(expected, cached)
    assert_same_snapshot(expected, cached)
