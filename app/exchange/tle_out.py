"""Two-line element sets out: python-sgp4's own ``sgp4.exporter.export_tle`` writes the lines,
in 3LE form (a ``0 NAME`` line before each pair, as Space-Track writes it: a name can then
never pass for a data line), the file's marking in a first ``# `` comment line (our reader and
the usual ones pass over a line that is neither a name nor a data line before a name line).

A TLE holds a catalog number of 5 characters: up to 99999, or Alpha-5 up to 339999 (``Z9999``).
An object with a larger number (OMM reaches 9 digits), or whose elements do not fit the
TLE's columns, is left out and said so. A TLE keeps 8 decimals of mean motion and epoch day,
4 of the angles and 7 of eccentricity: element sets read from TLEs come back as they were,
those read from a more precise OMM lose what the columns cannot hold."""

from __future__ import annotations

from sgp4.exporter import export_tle as sgp4_export_tle

from app.catalog.catalog import Catalog
from app.catalog.ingest.records import RecordError
from app.catalog.ingest.tle import tle_checksum, validate_tle_pair
from app.exchange.omm_out import one_line
from app.exchange.release import ExportResult, Release

MAX_TLE_CATALOG_NUMBER = 339_999  # Alpha-5 "Z9999"


class _TleView:
    """A Satrec as ``export_tle`` reads it, with the catalog's classification and designator
    in place of the Satrec's own (the catalog's are what the file said; a Satrec made from an
    OMM keeps a mangled designator)."""

    def __init__(self, satrec, classification: str, intldesg: str):
        self._satrec, self.classification, self.intldesg = satrec, classification, intldesg

    def __getattr__(self, name: str):
        return getattr(self._satrec, name)


def tle_designator(intl_designator: str) -> str:
    """``1998-067A`` -> ``98067A`` (blank when unknown)."""
    year, _, piece = intl_designator.partition("-")
    return f"{year[2:]}{piece}" if year.isdigit() and len(year) == 4 and piece else ""


def tle_lines(catalog: Catalog, row: int) -> tuple[str, str]:
    """The element set of ``row`` as two TLE lines; ValueError saying why it cannot be one."""
    norad_id = int(catalog.norad_id[row])
    satrec = catalog.satrecs[row]
    if norad_id > MAX_TLE_CATALOG_NUMBER or int(satrec.satnum) != norad_id:
        raise ValueError(f"catalog number {norad_id} does not fit a TLE (5 characters: at most "
                         f"{MAX_TLE_CATALOG_NUMBER}, Alpha-5 Z9999); export it as OMM")
    view = _TleView(satrec, str(catalog.classification[row]) or "U", tle_designator(str(catalog.intl_designator[row])))
    line1, line2 = sgp4_export_tle(view)
    body = line1[:7] + view.classification + line1[8:68]  # (export_tle takes it from the Satrec on some versions)
    if body[44:52] == " 00000-0":  # a zero second derivative as CelesTrak and Space-Track write it
        body = body[:44] + " 00000+0" + body[52:]
    if body != line1[:68]:
        line1 = body + str(tle_checksum(body))
    try:
        validate_tle_pair(line1, line2)
    except RecordError as error:
        raise ValueError(f"its elements do not fit the TLE's columns ({error.field}: {error.reason})") from None
    return line1, line2


def export_tle(catalog: Catalog, release: Release) -> ExportResult:
    """The released rows as a 3LE file; those that cannot be a TLE are left out with the reason
    (and the marking is worked out for what is left)."""
    lines, failed, reasons = [], [], []
    for index, row in enumerate(release.rows):
        try:
            line1, line2 = tle_lines(catalog, int(row))
        except ValueError as error:
            failed.append(index)
            reasons.append(str(error))
            continue
        name = one_line(str(catalog.name[row])).strip() or str(int(catalog.norad_id[row]))
        lines += [f"0 {name}", line1, line2]
    if failed:
        release = release.without(failed, reasons)
    header = f"# {one_line(release.marking_line())}"
    return ExportResult("\n".join([header, *lines]) + "\n", len(lines) // 3, list(release.left_out), release.marking)
