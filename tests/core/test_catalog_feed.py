"""The catalog feed against a local HTTP feed_server on 127.0.0.1: a good catalog is written
with its ETag; the next fetch is conditional and a 304 leaves it; 500s are retried with
back-off; a slow feed_server times out; a payload cut short, garbage, an HTML error page, an
empty body or one much smaller than the last good catalog is rejected and the last good
file stays byte for byte; credentials go in the Authorization header and nowhere else."""

from __future__ import annotations

import json
import logging

import pytest

from app.catalog.feed import FeedError, FeedOptions, FeedRejected, fetch_catalog, meta_path, uses_space_track_login
from app.cli.main import main
from tests.feed_server import GOOD, SECRET, Handler


def no_sleep(_seconds):
    pass


FAST = FeedOptions(timeout_s=5.0, retries=2, backoff_s=0.01)


def test_a_good_catalog_is_written_then_a_304_leaves_it(feed_server, tmp_path):
    out = tmp_path / "active.tle"
    first = fetch_catalog(f"{feed_server}/gp", out, FAST, sleep=no_sleep)
    assert first.changed and first.objects == 400 and first.rejected == 0
    assert out.read_bytes() == GOOD
    meta = json.loads(meta_path(out).read_text())
    assert meta["etag"] == '"v1"' and meta["objects"] == 400
    second = fetch_catalog(f"{feed_server}/gp", out, FAST, sleep=no_sleep)
    assert not second.changed and second.objects == 400 and "not modified" in second.note
    assert Handler.seen_headers[-1].get("If-None-Match") == '"v1"'
    assert Handler.seen_headers[-1].get("If-Modified-Since") == "Tue, 11 Aug 2026 12:00:00 GMT"


def test_server_errors_are_retried_with_back_off(feed_server, tmp_path):
    waits = []
    result = fetch_catalog(f"{feed_server}/flaky", tmp_path / "a.tle", FAST, sleep=waits.append)
    assert result.changed and Handler.hits["/flaky"] == 2 and waits == [0.01]
    waits.clear()
    with pytest.raises(FeedError, match="HTTP 500") as error:
        fetch_catalog(f"{feed_server}/error", tmp_path / "b.tle", FAST, sleep=waits.append)
    assert "after 3 attempt(s)" in str(error.value)
    assert Handler.hits["/error"] == 3 and waits == [0.01, 0.02]
    assert not (tmp_path / "b.tle").exists()


def test_a_404_is_not_retried(feed_server, tmp_path):
    with pytest.raises(FeedError, match="HTTP 404"):
        fetch_catalog(f"{feed_server}/missing", tmp_path / "c.tle", FAST, sleep=no_sleep)
    assert Handler.hits["/missing"] == 1


def test_a_slow_server_times_out(feed_server, tmp_path):
    with pytest.raises(FeedError, match="no answer"):
        fetch_catalog(f"{feed_server}/slow", tmp_path / "d.tle", FeedOptions(timeout_s=0.3, retries=0), sleep=no_sleep)


@pytest.mark.parametrize("path, kind, reason", [
    ("/cut", FeedError, "cut short"),  # a network fault: retried, then given up
    ("/garbage", FeedRejected, "records rejected|no element sets"),
    ("/html", FeedRejected, "no element sets"),
    ("/empty", FeedRejected, "empty payload"),
    ("/json", FeedRejected, "no element sets"),
    ("/small", FeedRejected, "much fewer than the last good catalog's 400"),
])
def test_a_bad_payload_never_replaces_the_good_catalog(feed_server, tmp_path, path, kind, reason):
    out = tmp_path / "active.tle"
    fetch_catalog(f"{feed_server}/gp", out, FAST, sleep=no_sleep)
    meta_before = meta_path(out).read_bytes()
    with pytest.raises(kind, match=reason):
        fetch_catalog(f"{feed_server}{path}", out, FeedOptions(timeout_s=5.0, retries=0), sleep=no_sleep)
    assert out.read_bytes() == GOOD and meta_path(out).read_bytes() == meta_before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["active.tle", "active.tle.feed.json"]  # no leftovers


def test_credentials_go_in_the_header_only(feed_server, tmp_path, caplog):
    secret_file = tmp_path / "feed.credentials"
    secret_file.write_text(SECRET + "\n")
    with caplog.at_level(logging.DEBUG):
        with pytest.raises(FeedError, match="HTTP 401"):
            fetch_catalog(f"{feed_server}/private", tmp_path / "p.tle", FAST, sleep=no_sleep)
        result = fetch_catalog(f"{feed_server}/private", tmp_path / "p.tle", FeedOptions(credentials_file=secret_file),
                               sleep=no_sleep)
    assert result.objects == 400
    password = SECRET.split(":")[1]
    assert password not in caplog.text and password not in meta_path(tmp_path / "p.tle").read_text()
    secret_file.write_text("no colon here")
    with pytest.raises(FeedError, match="expected one line, user:password") as error:
        fetch_catalog(f"{feed_server}/private", tmp_path / "p.tle", FeedOptions(credentials_file=secret_file))
    assert "no colon" not in str(error.value)


def test_space_track_login_form(feed_server, tmp_path, caplog):
    """Space-Track takes no basic authentication: its login form, with the query in it."""
    secret_file = tmp_path / "space-track.credentials"
    secret_file.write_text(SECRET + "\n")
    query = f"{feed_server}/basicspacedata/query/class/gp/decay_date/null-val/format/3le"
    out = tmp_path / "st.tle"
    with caplog.at_level(logging.DEBUG):
        result = fetch_catalog(query, out, FeedOptions(credentials_file=secret_file, login="space-track"),
                               sleep=no_sleep)
    assert result.changed and result.objects == 400 and out.read_bytes() == GOOD
    user, password = SECRET.split(":", 1)
    assert Handler.forms == [{"identity": user, "password": password, "query": query}]
    assert "Authorization" not in Handler.seen_headers[-1]
    assert password not in caplog.text and password not in meta_path(out).read_text()

    secret_file.write_text(f"{user}:wrong")  # refused: said, not retried, the file kept
    Handler.hits.clear()
    with pytest.raises(FeedError, match="Space-Track refused the login"):
        fetch_catalog(query, out, FeedOptions(credentials_file=secret_file, login="space-track"), sleep=no_sleep)
    assert Handler.hits == {"/ajaxauth/login": 1} and out.read_bytes() == GOOD
    with pytest.raises(FeedError, match="needs a credentials file"):
        fetch_catalog(query, out, FeedOptions(login="space-track"), sleep=no_sleep)
    assert uses_space_track_login("https://www.space-track.org/basicspacedata/query/class/gp/format/tle", "auto")
    assert not uses_space_track_login("https://celestrak.org/NORAD/elements/gp.php?GROUP=active", "auto")
    assert not uses_space_track_login("https://www.space-track.org/x", "basic")


def test_cli_fetch_exit_codes(feed_server, tmp_path, capsys):
    out = tmp_path / "feed.tle"
    assert main(["catalog", "fetch", f"{feed_server}/gp", "--out", str(out), "--retries", "0"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["changed"] is True and summary["objects"] == 400
    assert main(["catalog", "fetch", f"{feed_server}/gp", "--out", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False
    assert main(["catalog", "fetch", f"{feed_server}/garbage", "--out", str(out), "--retries", "0"]) == 3
    assert "kept as it was" in capsys.readouterr().err and out.read_bytes() == GOOD
    assert main(["catalog", "fetch", f"{feed_server}/error", "--out", str(out), "--retries", "0"]) == 4
    assert "HTTP 500" in capsys.readouterr().err
    assert main(["catalog", "fetch", "ftp://example.org/x", "--out", str(out)]) == 2
    secret_file = tmp_path / "st.credentials"
    secret_file.write_text(SECRET)
    assert main(["catalog", "fetch", f"{feed_server}/basicspacedata/query/class/gp/format/tle", "--out",
                 str(tmp_path / "st.tle"), "--credentials", str(secret_file), "--login", "space-track"]) == 0
    assert json.loads(capsys.readouterr().out)["objects"] == 400
    # the fetched file is a catalog the other commands read
    assert main(["catalog", "info", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["objects"] == 400
