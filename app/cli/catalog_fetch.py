"""``spaceops catalog fetch URL --out FILE``: one fetch of a catalog feed (``app.catalog.feed``).

    spaceops catalog fetch URL --out FILE [--timeout-s S] [--retries N] [--proxy URL] [--credentials FILE]
                           [--login auto|basic|space-track]

A summary goes to stdout as JSON (file, changed, objects, rejected records, note).
Exit codes: 0 written, or not modified since the last fetch (304); 2 usage; 3 the payload
was rejected (empty, not a catalog, cut short, much smaller than the last good one): the
file is untouched; 4 no answer, or an HTTP error, after the retries: the file is untouched."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

EXIT_OK, EXIT_REJECTED, EXIT_UNREACHABLE = 0, 3, 4


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"must be in (0, 3600], got {value:g}")
    return value


def _retries(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"must be in [0, 10], got {value}")
    return value


def add_fetch_parser(catalog_commands, common: argparse.ArgumentParser) -> None:
    fetch = catalog_commands.add_parser("fetch", parents=[common],
                                        help="fetch a catalog from a GP-style URL into a file, if it is a good one")
    fetch.add_argument("url", metavar="URL", help="e.g. https://celestrak.org/NORAD/elements/gp.php?GROUP=active&FORMAT=tle")
    fetch.add_argument("--out", required=True, type=Path, metavar="FILE", help="the catalog file (kept when rejected)")
    fetch.add_argument("--timeout-s", type=_positive, default=60.0, metavar="S", help="per attempt (default 60)")
    fetch.add_argument("--retries", type=_retries, default=3, metavar="N", help="after network errors and 5xx (default 3)")
    fetch.add_argument("--proxy", metavar="URL", help="HTTP(S) proxy (default: the environment's, if any)")
    fetch.add_argument("--credentials", type=Path, metavar="FILE", help="a file holding user:password (never printed)")
    # (feed.LOGINS, written out: importing the feed here would cost every command its urllib import)
    fetch.add_argument("--login", choices=("auto", "basic", "space-track"), default="auto",
                       help="how the credentials are sent: HTTP basic authentication, or Space-Track's login form "
                            "(auto, the default: the form for space-track.org, basic elsewhere)")


def fetch_command(args) -> int:
    from app.catalog.feed import FeedError, FeedOptions, FeedRejected, fetch_catalog

    if not args.url.lower().startswith(("http://", "https://")):
        print(f"spaceops catalog fetch: {args.url!r} is not an http(s) URL", file=sys.stderr)
        return 2
    options = FeedOptions(timeout_s=args.timeout_s, retries=args.retries, proxy=args.proxy,
                          credentials_file=args.credentials, login=args.login)
    try:
        result = fetch_catalog(args.url, args.out, options)
    except FeedRejected as error:
        print(f"spaceops catalog fetch: payload rejected, {args.out} kept as it was: {error}", file=sys.stderr)
        return EXIT_REJECTED
    except FeedError as error:
        print(f"spaceops catalog fetch: {error}; {args.out} kept as it was", file=sys.stderr)
        return EXIT_UNREACHABLE
    except OSError as error:
        print(f"spaceops catalog fetch: cannot write {args.out}: {error.strerror or error}", file=sys.stderr)
        return 2
    json.dump({"file": str(result.path), "changed": result.changed, "objects": result.objects,
               "rejected": result.rejected, "fetched_utc": result.fetched_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "note": result.note}, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return EXIT_OK
