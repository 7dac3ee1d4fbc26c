"""Build resources/sensors.csv from ../shared/data/sensors/vallado2014_sensors_merged.csv.

    python3 packaging/build_sensor_list.py [SOURCE_CSV]

Sites come from Vallado & Griesbach, "Simulating Space Surveillance Networks" (2011), as
transcribed in the source file. What the source does not say is filled with this
project's defaults, stated in resources/ATTRIBUTION.md: the operator nation (the network's
owner for the US, Russian and Chinese networks, else the host country), the sensor type
(radar / optical / laser / RF from the source's type code), the minimum elevation and the
maximum range per type, the status (a site with a close date is an outage), and the standing
(partner / contracted / other, by ``app.sensors.sites.standing_of``).
Space-based entries are left out: this is a list of ground sites.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from app.sensors.sites import standing_of  # noqa: E402 - the one rule, shared with user files

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "sensors" / "vallado2014_sensors_merged.csv"
TARGET = ROOT / "resources" / "sensors.csv"

TYPE_OF_CODE = {"PhArry": "radar", "Radar": "radar", "Intf": "radar", "Opt": "optical", "Op": "optical",
                "SLR": "laser", "Trp": "RF", "RadioTele": "RF"}
DEFAULT_LIMITS = {  # type -> (minimum elevation deg, maximum range km)
    "radar": (3.0, 6000.0),
    "optical": (15.0, 50000.0),
    "laser": (20.0, 25000.0),
    "RF": (5.0, 50000.0),
}
NETWORK_OPERATOR = {"US-SSN radar": "USA", "US-SSN optical/other": "USA", "USAF SCN": "USA", "Russia SSS": "RUS",
                    "China SSS": "CHN"}
HOST_KEYWORDS = [  # first match wins
    ("Fylingdales", "GBR"), ("French Polynesia", "FRA"), ("France", "FRA"), ("Haute-Provence", "FRA"),
    ("Italy", "ITA"), ("Germany", "DEU"), ("Sweden", "SWE"), ("Spain", "ESP"), ("Mallorca", "ESP"),
    ("Tenerife", "ESP"), ("Chile", "CHL"), ("Svalbard", "NOR"), ("Norway", "NOR"), ("Finland", "FIN"),
    ("Metsahovi", "FIN"), ("United Kingdo", "GBR"), ("UK", "GBR"), ("Switzerland", "CHE"), ("Ukr", "UKR"),
    ("Cirmea", "UKR"), ("Russ", "RUS"), ("Tajikistan", "TJK"), ("Uzbekistan", "UZB"), ("Bolivia", "BOL"),
    ("Moldova", "MDA"), ("Japan", "JPN"), ("Nagano", "JPN"), ("Korea", "KOR"), ("Ontario", "CAN"),
    ("Kingston", "CAN"), ("Alberta", "CAN"), ("Quebec", "CAN"), ("India", "IND"), ("Peru", "PER"),
    ("China", "CHN"), ("Poland", "POL"), ("Tasmainia", "AUS"), ("Australia", "AUS"), ("Greece", "GRC"),
    ("Austria", "AUT"), ("South Africa", "ZAF"), ("Egypt", "EGY"), ("Latvia", "LVA"), ("Saudi Arabia", "SAU"),
    ("Argentina", "ARG"), (", NM", "USA"), (", MD", "USA"), (", HI", "USA"), (", TX", "USA"), (", CA", "USA"),
    ("Virginia", "USA"),
]
COLUMNS = ["name", "operator_nation", "provider", "sensor_type", "lat_deg", "lon_deg", "alt_m", "min_elevation_deg",
           "max_range_km", "az_min_deg", "az_max_deg", "status", "network", "standing", "location", "source_id"]


def operator_nation(network: str, location: str) -> str:
    for keyword, code in HOST_KEYWORDS[:1]:  # a UK-operated site inside the US network
        if keyword in location:
            return code
    if network in NETWORK_OPERATOR:
        return NETWORK_OPERATOR[network]
    for keyword, code in HOST_KEYWORDS:
        if keyword in location:
            return code
    return "UNK"


TYPOS = {"Shmeya": "Shemya"}


def _longitude(text: str) -> str:
    """East longitudes past 180 (the laser stations' 0..360 convention) as -180..180."""
    value = float(text)
    return f"{value - 360.0:.6f}" if value > 180.0 else text


def build(source: Path) -> list[dict]:
    rows, names, sites = [], set(), set()
    with open(source, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            sensor_type = TYPE_OF_CODE.get(record["type"].strip())
            if sensor_type is None or record["location"].startswith("LEO Sat"):
                continue  # space-based, not a ground site
            lat, lon = record["lat_deg"].strip(), _longitude(record["lon_deg"].strip())
            if float(lat) == 0.0 and float(lon) == 0.0:
                continue  # no position in the source (a transportable station): not a site to compute with
            for wrong, right in TYPOS.items():
                record["location"] = record["location"].replace(wrong, right)
            site = (record["name"].strip(), record["id"].strip(), lat, lon)
            if site in sites:
                continue  # the same sensor listed twice (CobraDane, under two networks)
            sites.add(site)
            name = f"{record['name'].strip()} ({record['location'].strip()})"
            if name in names:
                name = f"{name} #{record['id'].strip()}"
            names.add(name)
            min_elevation, max_range = DEFAULT_LIMITS[sensor_type]
            nation = operator_nation(record["network"], record["location"])
            rows.append({
                "name": name, "operator_nation": nation,
                "provider": "national", "sensor_type": sensor_type,
                "lat_deg": lat, "lon_deg": lon,
                "alt_m": record["alt_m"].strip() or "0", "min_elevation_deg": min_elevation, "max_range_km": max_range,
                "az_min_deg": "", "az_max_deg": "",
                "status": "outage" if record["close"].strip() else "operational",
                "network": record["network"], "standing": standing_of(nation, "national", record["network"]),
                "location": record["location"], "source_id": record["id"],
            })
    return rows


def main() -> None:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SOURCE
    rows = build(source)
    with open(TARGET, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} sensors written to {TARGET}")


if __name__ == "__main__":
    main()
