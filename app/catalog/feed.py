"""A catalog feed: element sets fetched from a GP-style URL (CelesTrak's ``gp.php``, a
Space-Track query, a floor's own server) into a file, and only ever a good catalog there.

One fetch is one conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the last
good fetch, kept beside the file as ``FILE.feed.json``), with a timeout, retries with
exponential back-off on network errors and 5xx answers, an optional proxy, and optional
credentials read from a file (``user:password``; never logged or echoed in a message), sent
as HTTP basic authentication, or, for Space-Track (whose query API takes no basic
authentication), through its login form: one POST to ``/ajaxauth/login`` with ``identity``,
``password`` and the query URL as ``query``, which Space-Track answers with the query's result
(its documented single-request form; no session cookie is kept, and a 304 never comes: the
POST is not conditional). A login Space-Track refuses (it answers ``{"Login":"Failed"}`` with
status 200) is an error, never retried. The payload is parsed with the console's own readers before
anything is written; it replaces the file (atomically) only when it is a catalog:

- not empty, and of a format our readers know (TLE/3LE, OMM XML/KVN/JSON/CSV);
- with element sets in it, and at most ``MAX_REJECTED_FRACTION`` of its records rejected
  (a payload cut short, or an error page, rejects most of its records);
- not much smaller than the last good catalog: at least ``MIN_SIZE_FRACTION`` of its
  objects (a feed that suddenly returns a tenth of the sky is a fault, not news).

Anything else is a :class:`FeedRejected` naming the reason; the last good file stays as it
was. The standard library's ``urllib`` does the HTTP: nothing here needs more.
"""

from __future__ import annotations

import base64
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from app.common.atomic_file import write_bytes_atomic, write_text_atomic

log = logging.getLogger(__name__)

MAX_REJECTED_FRACTION = 0.05
MIN_SIZE_FRACTION = 0.5
MAX_PAYLOAD_BYTES = 512 * 1024 * 1024
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_RETRIES = 3
USER_AGENT = "spaceops-console catalog feed"


class FeedError(Exception):
    """The feed could not be fetched (network, HTTP status, timeout) after its retries."""


class FeedRejected(FeedError):
    """A payload came, but it is not a catalog to use; the last good file is untouched."""


@dataclass(frozen=True)
class FetchResult:
    path: Path
    changed: bool  # False: the server said 304 Not Modified, the file is as it was
    objects: int  # element sets in the file now
    rejected: int  # records of the new payload the readers rejected (0 when unchanged)
    fetched_utc: datetime
    note: str  # what a person is told


@dataclass(frozen=True)
class FeedOptions:
    timeout_s: float = DEFAULT_TIMEOUT_S
    retries: int = DEFAULT_RETRIES
    backoff_s: float = 2.0  # first wait; doubles each retry
    proxy: str | None = None  # e.g. http://proxy.floor:3128 (None: the environment's, if any)
    credentials_file: Path | None = None
    login: str = "auto"  # "basic", "space-track" (its login form) or "auto": the form for space-track.org


LOGINS = ("auto", "basic", "space-track")
SPACE_TRACK_HOST = "space-track.org"


def uses_space_track_login(url: str, login: str) -> bool:
    if login not in LOGINS:
        raise ValueError(f"login {login!r}: one of {', '.join(LOGINS)}")
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return login == "space-track" or (login == "auto" and (host == SPACE_TRACK_HOST
                                                           or host.endswith("." + SPACE_TRACK_HOST)))


def meta_path(path: Path) -> Path:
    return path.with_name(path.name + ".feed.json")


def read_meta(path: Path) -> dict:
    """What the last good fetch into ``path`` recorded (empty when none, or unreadable)."""
    try:
        meta = json.loads(meta_path(path).read_text(encoding="utf-8"))
        return meta if isinstance(meta, dict) else {}
    except (OSError, ValueError):
        return {}


def fetch_catalog(url: str, out: Path, options: FeedOptions = FeedOptions(), sleep=time.sleep) -> FetchResult:
    """Fetch ``url`` into ``out`` if the answer is a good catalog; see the module's rules."""
    out = Path(out)
    meta = read_meta(out) if out.exists() else {}
    if uses_space_track_login(url, options.login):
        request = _space_track_request(url, options.credentials_file)
    else:
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        if meta.get("url") == url:
            if meta.get("etag"):
                request.add_header("If-None-Match", meta["etag"])
            if meta.get("last_modified"):
                request.add_header("If-Modified-Since", meta["last_modified"])
        if options.credentials_file is not None:
            request.add_header("Authorization", "Basic " + base64.b64encode(
                ":".join(_credentials(Path(options.credentials_file))).encode("utf-8")).decode("ascii"))
    status, headers, body = _get(request, options, sleep)
    if request.get_method() == "POST" and _login_refused(body):
        raise FeedError("Space-Track refused the login (check the credentials file)")
    now = datetime.now(timezone.utc)
    if status == 304:
        return FetchResult(out, False, int(meta.get("objects", 0)), 0, now, "not modified since the last fetch")
    objects, rejected = _check(body, url, _previous_objects(out, meta))
    write_bytes_atomic(out, body)
    write_text_atomic(meta_path(out), json.dumps({
        "url": url, "etag": headers.get("ETag"), "last_modified": headers.get("Last-Modified"),
        "fetched_utc": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "objects": objects, "bytes": len(body)}, indent=1))
    note = f"{objects:,} objects" + (f", {rejected:,} record(s) rejected" if rejected else "")
    return FetchResult(out, True, objects, rejected, now, note)


def _credentials(path: Path) -> tuple[str, str]:
    """(user, password) from a one-line ``user:password`` file (the password may hold ':')."""
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise FeedError(f"credentials file {path}: {error.strerror or error}") from None
    if ":" not in text or "\n" in text:
        raise FeedError(f"credentials file {path}: expected one line, user:password")
    user, password = text.split(":", 1)
    return user, password


def _space_track_request(url: str, credentials_file: Path | None) -> urllib.request.Request:
    """Space-Track's login form with the query in it: the answer is the query's result."""
    if credentials_file is None:
        raise FeedError("Space-Track needs a credentials file (user:password)")
    user, password = _credentials(Path(credentials_file))
    parts = urllib.parse.urlsplit(url)
    login = urllib.parse.urlunsplit((parts.scheme, parts.netloc, "/ajaxauth/login", "", ""))
    form = urllib.parse.urlencode({"identity": user, "password": password, "query": url}).encode("ascii")
    return urllib.request.Request(login, data=form, method="POST", headers={
        "User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Content-Type": "application/x-www-form-urlencoded"})


def _login_refused(body: bytes) -> bool:
    """Space-Track's answer to a refused login: ``{"Login":"Failed"}``, status 200."""
    if len(body) > 200 or b"login" not in body.lower():
        return False
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return isinstance(answer, dict) and str(answer.get("Login", "")).lower() == "failed"


def _opener(options: FeedOptions):
    handlers = []
    if options.proxy:
        handlers.append(urllib.request.ProxyHandler({"http": options.proxy, "https": options.proxy}))
    return urllib.request.build_opener(*handlers)


def _get(request: urllib.request.Request, options: FeedOptions, sleep) -> tuple[int, dict, bytes]:
    """(status, headers, body) of the GET, retried on network errors, timeouts and 5xx."""
    opener = _opener(options)
    wait = options.backoff_s
    for attempt in range(options.retries + 1):
        try:
            with opener.open(request, timeout=options.timeout_s) as answer:
                body = _read_whole(answer)
                return answer.status, dict(answer.headers), body
        except urllib.error.HTTPError as error:
            if error.code == 304:
                return 304, dict(error.headers or {}), b""
            problem = f"HTTP {error.code} {error.reason}"
            if error.code < 500:
                raise FeedError(problem) from None  # 401, 404...: asking again will not help
        except http.client.IncompleteRead as error:
            problem = f"payload cut short ({len(error.partial):,} bytes of {error.expected + len(error.partial):,})"
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            problem = f"no answer: {reason}"
        if attempt < options.retries:
            log.info("catalog feed: %s; trying again in %.0f s", problem, wait)
            sleep(wait)
            wait *= 2
    raise FeedError(f"{problem} (after {options.retries + 1} attempt(s))")


def _read_whole(answer) -> bytes:
    """The body, at most ``MAX_PAYLOAD_BYTES``; ``IncompleteRead`` when the server hangs up
    before the length it announced (``read(n)`` alone would return the part silently)."""
    chunks, size = [], 0
    while chunk := answer.read(1 << 20):
        size += len(chunk)
        if size > MAX_PAYLOAD_BYTES:
            raise FeedRejected(f"payload over {MAX_PAYLOAD_BYTES // 2**20} MiB")
        chunks.append(chunk)
    body = b"".join(chunks)
    announced = answer.headers.get("Content-Length")
    if announced is not None and announced.isdigit() and int(announced) != len(body):
        raise http.client.IncompleteRead(body, int(announced) - len(body))
    return body


def _previous_objects(out: Path, meta: dict) -> int:
    if not out.exists():
        return 0
    if isinstance(meta.get("objects"), int):
        return meta["objects"]
    from app.catalog.ingest import read_catalog_file

    return len(read_catalog_file(out).element_sets)


def _check(body: bytes, url: str, previous_objects: int) -> tuple[int, int]:
    """(element sets, rejected records) of a payload that may replace the file; else FeedRejected."""
    from app.catalog.ingest import read_catalog_bytes

    if not body.strip():
        raise FeedRejected("empty payload")
    result = read_catalog_bytes(body, url.split("?", 1)[0])
    objects = len(result.element_sets)
    rejected = len(result.rejections) + result.more_rejections
    if objects == 0:
        first = result.rejections[0].reason if result.rejections else "no records"
        raise FeedRejected(f"no element sets in the payload (not a TLE or OMM catalog? {first})")
    if rejected > MAX_REJECTED_FRACTION * (objects + rejected):
        raise FeedRejected(f"{rejected:,} of {objects + rejected:,} records rejected (cut short, or corrupt); "
                           f"first: {result.rejections[0]}")
    if previous_objects and objects < MIN_SIZE_FRACTION * previous_objects:
        raise FeedRejected(f"{objects:,} objects, much fewer than the last good catalog's {previous_objects:,}")
    return objects, rejected
