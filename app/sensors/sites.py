"""Coalition sensors: the bundled site list, validation, and the user's own sensors.

A :class:`Sensor` is immutable. ``validate_sensor_fields`` turns form or file input into a
Sensor or raises :class:`SensorError` naming the field. User sensors live in a JSON file
in the user data directory, written atomically (a crash never leaves half a file).

Each site has a standing (issue #14): ``partner`` (a coalition nation's own site),
``contracted`` (a commercial provider the coalition contracts) or ``other`` (another
nation's site: drawn for context, never tasked). Only partner and contracted sites are
``schedulable``. The coalition (:data:`COALITION_NATIONS`) is the ten Combined Space
Operations nations (AUS, CAN, FRA, DEU, ITA, JPN, NZL, NOR, GBR, USA), Spain, the
Netherlands and South Korea, and every other NATO member (so a user's Danish or Polish
sensor is a partner without a code change). The bundled list carries the standing in a
column; where a file or form gives none it is derived by :func:`standing_of`: a site of a
non-coalition nation, or of a network run by one (ISON, the Russian and Chinese networks,
wherever the site stands), is ``other``; else a commercial provider is ``contracted`` and a
national site ``partner``.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from app.common.input_file import DOCUMENT_MAX_BYTES, read_input_text
from app.astro.timeutil import format_utc
from app.common.atomic_file import write_text_atomic
from app.common.field_error import FieldError
from app.common.paths import user_data_dir
from app.common.resources import resource_path

log = logging.getLogger(__name__)

SENSOR_TYPES = ("radar", "optical", "laser", "RF")
PROVIDERS = ("national", "commercial")
STATUSES = ("operational", "outage")
BUNDLED_SENSORS = "sensors.csv"
USER_SENSORS_FILE = "user_sensors.json"
STANDINGS = ("partner", "contracted", "other")
SCHEDULABLE_STANDINGS = ("partner", "contracted")
# CSpO's ten, Spain, the Netherlands, South Korea, then the rest of NATO
COALITION_NATIONS = frozenset({
    "AUS", "CAN", "FRA", "DEU", "ITA", "JPN", "NZL", "NOR", "GBR", "USA", "ESP", "NLD", "KOR",
    "ALB", "BEL", "BGR", "HRV", "CZE", "DNK", "EST", "FIN", "GRC", "HUN", "ISL", "LVA", "LTU", "LUX", "MNE", "MKD",
    "POL", "PRT", "ROU", "SVK", "SVN", "SWE", "TUR",
})
# networks run by a non-coalition state: their sites are "other" wherever they stand (an ISON
# telescope in Italy is still the Russian-led network's)
OTHER_NETWORKS = frozenset({"ISON (optical)", "Russia SSS", "China SSS"})


def standing_of(operator_nation: str, provider: str, network: str = "") -> str:
    """The standing a site has when its file does not say: see the module docstring."""
    if operator_nation.upper() not in COALITION_NATIONS or network in OTHER_NETWORKS:
        return "other"
    return "contracted" if provider == "commercial" else "partner"


class SensorError(FieldError):
    pass


@dataclass(frozen=True)
class Sensor:
    name: str
    operator_nation: str  # ISO 3166 alpha-3, e.g. "USA", "GBR"
    provider: str  # national | commercial
    sensor_type: str  # radar | optical | laser | RF
    lat_deg: float
    lon_deg: float
    alt_m: float
    min_elevation_deg: float
    max_range_km: float
    az_min_deg: float | None = None  # azimuth limits, clockwise from az_min to az_max; None = all round
    az_max_deg: float | None = None
    status: str = "operational"
    network: str = ""
    standing: str = ""  # partner | contracted | other; "" = derived from nation, provider and network
    user_defined: bool = False
    # known outage spans [from, until) (a scenario's sensor_outage injects), past and present;
    # status "outage" with no span here: out for the whole of any window. as_dict writes them
    # as outages_utc; validate_sensor_fields does not read them back (a saved sensor has none).
    outages: tuple[tuple[datetime, datetime], ...] = ()

    def __post_init__(self) -> None:
        if not self.standing:
            object.__setattr__(self, "standing", standing_of(self.operator_nation, self.provider, self.network))

    @property
    def operational(self) -> bool:
        return self.status == "operational"

    @property
    def schedulable(self) -> bool:
        """May the coalition task it (a partner's or a contracted provider's site)?"""
        return self.standing in SCHEDULABLE_STANDINGS

    def as_dict(self) -> dict[str, Any]:
        record = asdict(self)
        spans = record.pop("outages")
        if spans:
            record["outages_utc"] = [[format_utc(start), format_utc(end)] for start, end in spans]
        return record


def _number(fields: Mapping[str, Any], key: str, low: float, high: float, optional: bool = False) -> float | None:
    raw = fields.get(key)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if optional:
            return None
        raise SensorError("is required", key)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise SensorError(f"{raw!r} is not a number", key) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise SensorError(f"{value:g} is outside [{low:g}, {high:g}]", key)
    return value


def validate_sensor_fields(fields: Mapping[str, Any], user_defined: bool = True) -> Sensor:
    """A Sensor from loosely typed fields (a form, a CSV row, JSON); SensorError names the field."""
    name = str(fields.get("name") or "").strip()
    if not name:
        raise SensorError("is required", "name")
    nation = str(fields.get("operator_nation") or "").strip().upper()
    if not (len(nation) == 3 and nation.isalpha()):
        raise SensorError(f"{nation!r} is not a three-letter country code (e.g. USA, GBR)", "operator_nation")
    choices = {"provider": PROVIDERS, "sensor_type": SENSOR_TYPES, "status": STATUSES}
    chosen = {}
    for key, allowed in choices.items():
        value = str(fields.get(key) or ("operational" if key == "status" else "")).strip()
        match = next((a for a in allowed if a.lower() == value.lower()), None)
        if match is None:
            raise SensorError(f"{value!r} is not one of {', '.join(allowed)}", key)
        chosen[key] = match
    network = str(fields.get("network") or "")
    raw_standing = str(fields.get("standing") or "").strip()
    if raw_standing:
        standing = next((a for a in STANDINGS if a == raw_standing.lower()), None)
        if standing is None:
            raise SensorError(f"{raw_standing!r} is not one of {', '.join(STANDINGS)}", "standing")
    else:
        standing = standing_of(nation, chosen["provider"], network)
    az_min = _number(fields, "az_min_deg", 0.0, 360.0, optional=True)
    az_max = _number(fields, "az_max_deg", 0.0, 360.0, optional=True)
    if (az_min is None) != (az_max is None):
        raise SensorError("give both azimuth limits or neither", "az_max_deg" if az_max is None else "az_min_deg")
    return Sensor(
        name=name, operator_nation=nation, provider=chosen["provider"], sensor_type=chosen["sensor_type"],
        lat_deg=_number(fields, "lat_deg", -90.0, 90.0), lon_deg=_number(fields, "lon_deg", -180.0, 360.0),
        alt_m=_number(fields, "alt_m", -500.0, 9000.0), min_elevation_deg=_number(fields, "min_elevation_deg", -5.0, 90.0),
        max_range_km=_number(fields, "max_range_km", 1.0, 500_000.0), az_min_deg=az_min, az_max_deg=az_max,
        status=chosen["status"], network=network, standing=standing, user_defined=user_defined,
    )


@lru_cache(maxsize=1)
def bundled_sensors() -> tuple[Sensor, ...]:
    """The shipped list (resources/sensors.csv, built by packaging/build_sensor_list.py)."""
    sensors = []
    with open(resource_path(BUNDLED_SENSORS), newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            try:
                sensors.append(validate_sensor_fields(row, user_defined=False))
            except SensorError as error:
                raise SensorError(f"{BUNDLED_SENSORS}:{reader.line_num}: {error.reason}", error.field) from None
    return tuple(sensors)


_BETWEEN_ITEMS = re.compile(r"[\s,]*")


def _record_spans(text: str, count: int) -> list[tuple[int, int]]:
    """Where each of the ``count`` items of the JSON list in ``text`` starts and ends."""
    decoder, spans = json.JSONDecoder(), []
    index = text.index("[") + 1
    for _ in range(count):
        start = _BETWEEN_ITEMS.match(text, index).end()
        index = decoder.raw_decode(text, start)[1]
        spans.append((start, index))
    return spans


def _line_of(text: str, span: tuple[int, int], field: str | None) -> int:
    """The line of ``field``'s key inside the record at ``span`` (else of the record's start)."""
    start, end = span
    found = text.find(json.dumps(field), start, end) if field else -1
    return text.count("\n", 0, found if found >= 0 else start) + 1


class SensorStore:
    """The user's own sensors, in one JSON file; loaded once, saved atomically on each change."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else user_data_dir() / USER_SENSORS_FILE
        self.problems: list[str] = []
        self._sensors: dict[str, Sensor] = {}
        self._load()

    def _load(self) -> None:
        if not self.path.exists():
            return
        try:
            text = read_input_text(self.path, DOCUMENT_MAX_BYTES)
            records = json.loads(text)
            if not isinstance(records, list):
                raise ValueError("the file does not hold a list of sensors")
        except (OSError, ValueError) as error:
            self.problems.append(f"{self.path}: {error}; the file is left as it is")
            log.warning(self.problems[-1])
            return
        spans = _record_spans(text, len(records))
        for number, (record, span) in enumerate(zip(records, spans), start=1):
            try:
                sensor = validate_sensor_fields(record if isinstance(record, dict) else {}, user_defined=True)
                self._sensors[sensor.name] = sensor
            except SensorError as error:  # "…/user_sensors.json:14: record 2: standing: 'ally' is not one of …"
                self.problems.append(f"{self.path}:{_line_of(text, span, error.field)}: record {number}: {error}")

    def sensors(self) -> list[Sensor]:
        return list(self._sensors.values())

    def put(self, sensor: Sensor, replacing: str | None = None) -> None:
        """Add or replace (by name, or the sensor named ``replacing`` when renamed)."""
        updated = dict(self._sensors)
        if replacing is not None and replacing != sensor.name:
            updated.pop(replacing, None)
        updated[sensor.name] = replace(sensor, user_defined=True)
        self._save(updated)

    def remove(self, name: str) -> None:
        updated = dict(self._sensors)
        if updated.pop(name, None) is not None:
            self._save(updated)

    def _save(self, sensors: dict[str, Sensor]) -> None:
        write_text_atomic(self.path, json.dumps([s.as_dict() for s in sensors.values()], indent=1))
        self._sensors = sensors  # only once the file is safely written


def all_sensors(store: SensorStore | None = None) -> list[Sensor]:
    """Bundled sensors, then the user's (a user sensor with a bundled name replaces it)."""
    merged = {s.name: s for s in bundled_sensors()}
    for sensor in (store.sensors() if store else []):
        merged[sensor.name] = sensor
    return list(merged.values())


def find_sensors(names: Iterable[str], sensors: Iterable[Sensor]) -> list[Sensor]:
    """Sensors by exact name, else by their short name (``CobraDane`` for ``CobraDane
    (Shemya, AK)``), else by unique case-insensitive prefix; SensorError otherwise."""
    sensors = list(sensors)
    found = []
    for name in names:
        exact = [s for s in sensors if s.name == name]
        short = [s for s in sensors if s.name.split(" (")[0].lower() == name.lower()]
        prefix = [s for s in sensors if s.name.lower().startswith(name.lower())]
        matches = exact or short or prefix
        if len(matches) != 1:
            why = "no sensor" if not matches else f"{len(matches)} sensors ({', '.join(s.name for s in matches[:4])}…)"
            raise SensorError(f"{why} match {name!r}", "sensor")
        found.append(matches[0])
    return found
