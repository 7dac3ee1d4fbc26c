"""Build the owner tables in resources/ from GCAT and the bundled catalog's names.

    python3 packaging/build_owner_tables.py [GCAT_PSATCAT_TSV]

Inputs: J. McDowell's GCAT payload catalogue (``psatcat.tsv``; default
../shared/data/satcat/gcat_psatcat_2025-04-07.tsv) and the names and designators in the
bundled default catalog (resources/catalogs/default/*.tle). Outputs:

gcat_owner_states.csv (taken from GCAT): catalog number and owner state (``UNState``, as
GCAT writes it: ``[US]`` unregistered, ``*`` uncertain, ``-`` none) of every GCAT payload,
sorted by catalog number.

name_owners.csv (inferred): name prefixes and the owner state they imply, with their basis:
  - ``gcat:N`` learned: the prefix is the first run of letters of a CelesTrak name
    (``STARLINK`` of ``STARLINK-1007``); kept when at least MIN_GCAT_PAYLOADS payloads of the
    bundled catalog that GCAT lists carry it and GCAT gives them all one owner (SU and RU
    count as one: the Soviet Union's programs went on as Russia's).
  - ``operator``: written here by hand (CURATED), naming the operator: programs and
    missions that flew after GCAT's snapshot, programs GCAT registers in several states (the
    prefix then gives the operator's state), and launch vehicles (kind ``launcher``: a
    rocket body or its debris belongs to the launching state). A curated prefix overrides a
    learned one of the same kind.

launch_owners.csv (inferred): launch (``1999-025``) and the owner state of its objects:
  - ``gcat:N`` every one of the launch's N GCAT payloads with an owner has this one (the
    owner given to the launch's debris and rocket bodies, which GCAT's payload catalogue
    does not list);
  - ``catalog:N`` launches GCAT does not cover (after its snapshot): N >= MIN_LAUNCH_SIBLINGS
    objects of the bundled catalog from that launch have an owner from GCAT or the name
    prefixes, and all the same one. Measured on the launches GCAT covers (each GCAT payload's
    owner predicted from its launch siblings), this rule is right 99.8 % of the time.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "satcat" / "gcat_psatcat_2025-04-07.tsv"
CATALOG_FOLDER = ROOT / "resources" / "catalogs" / "default"
OWNER_TARGET = ROOT / "resources" / "gcat_owner_states.csv"
NAME_TARGET = ROOT / "resources" / "name_owners.csv"
LAUNCH_TARGET = ROOT / "resources" / "launch_owners.csv"

MIN_GCAT_PAYLOADS = 3
MIN_LAUNCH_SIBLINGS = 2
_LAUNCH = re.compile(r"^\d{4}-\d{3}")
_STEM = re.compile(r"^[A-Z]{2,}")
_NON_PAYLOAD = re.compile(r"(\bR/B\b|\bAKM\b|\bPKM\b|\bDEB\b|\bOBJECT\b|\bOBJE\b)")

# (prefix, owner state in GCAT's codes, kind, operator). A prefix matches the start of a name
# when the next character is not a letter: "SZ" matches "SZ-20 MODULE", not "SZECHENYI".
CURATED = [
    # constellations and programs that began after GCAT's 2025-04-07 snapshot, or whose
    # members in the bundled catalog GCAT does not list yet
    ("KUIPER", "US", "payload", "Amazon Project Kuiper"),
    ("GUOWANG", "CN", "payload", "China SatNet (Guowang)"),
    ("QIANFAN", "CN", "payload", "Shanghai Spacecom (Qianfan / Thousand Sails)"),
    ("HULIANWANG", "CN", "payload", "China SatNet test satellites"),
    ("IRIDE", "I", "payload", "IRIDE Earth-observation constellation (ASI / ESA for Italy)"),
    ("SDA", "US", "payload", "US Space Development Agency"),
    ("PRAETORIAN", "US", "payload", "US Space Development Agency (PRAETORIAN SDA_6xx)"),
    ("RASSVET", "RU", "payload", "Bureau 1440 (Rassvet)"),
    ("GEOSCAN", "RU", "payload", "Geoscan"),
    ("ZORKIY", "RU", "payload", "Zorkiy-2M, Russia"),
    ("ZORKY", "RU", "payload", "Zorkiy-2M, Russia"),
    ("AIST", "RU", "payload", "Samara University (AIST)"),
    ("IONOSFERA", "RU", "payload", "Roscosmos (Ionosfera-M)"),
    ("OBZOR", "RU", "payload", "Roscosmos (Obzor-R)"),
    ("PROGRESS", "RU", "payload", "Roscosmos (Progress cargo ship)"),
    ("SOYUZ", "RU", "payload", "Roscosmos (Soyuz crew ship)"),
    ("SHENZHOU", "CN", "payload", "CMSA (Shenzhou crew ship)"),
    ("SZ", "CN", "payload", "CMSA (Shenzhou orbital module)"),
    ("TIANZHOU", "CN", "payload", "CMSA (Tianzhou cargo ship)"),
    ("CHINASAT", "CN", "payload", "China Satcom"),
    ("CHUTIAN", "CN", "payload", "Chutian, Hubei"),
    ("TIANYI", "CN", "payload", "Spacety (Tianyi)"),
    ("CREW DRAGON", "US", "payload", "SpaceX (Dragon)"),
    ("DRAGON", "US", "payload", "SpaceX (Dragon)"),
    ("CYGNUS", "US", "payload", "Northrop Grumman (Cygnus)"),
    ("PELICAN", "US", "payload", "Planet Labs (Pelican)"),
    ("TOMORROW", "US", "payload", "Tomorrow.io"),
    ("FIRESAT", "US", "payload", "Muon Space (FireSat)"),
    ("DISKSAT", "US", "payload", "The Aerospace Corporation (DiskSat)"),
    ("TRACERS", "US", "payload", "NASA (TRACERS)"),
    ("STP", "US", "payload", "US DoD Space Test Program"),
    ("STPSAT", "US", "payload", "US DoD Space Test Program"),
    ("ECHOSTAR", "US", "payload", "EchoStar"),
    ("VIASAT", "US", "payload", "Viasat"),
    ("O3B", "UK", "payload", "SES O3b (GCAT: UK)"),
    ("FOREST", "D", "payload", "OroraTech"),
    ("CO3D", "F", "payload", "CNES / Airbus (CO3D)"),
    ("CAS500", "KR", "payload", "KARI (CAS500)"),
    ("PIAST", "PL", "payload", "Polish Armed Forces (PIAST)"),
    ("ERMIS", "GR", "payload", "Greek national cubesat programme (ERMIS)"),
    ("SKYCRAFT", "AU", "payload", "Skykraft"),
    ("GSAT0", "I-ESA", "payload", "Galileo (GSAT0nnn; GCAT: I-ESA for every Galileo)"),
    # programs GCAT registers in several states: the operator's state
    ("LEMUR", "US", "payload", "Spire Global (GCAT registers some in L, D, N)"),
    ("ICEYE", "FI", "payload", "ICEYE (GCAT registers some in US, UAE, F)"),
    ("NUSAT", "UY", "payload", "Satellogic (GCAT: UY for 13 of 14)"),
    # single missions launched after GCAT's snapshot
    ("BIOMASS", "I-ESA", "payload", "ESA Earth Explorer"),
    ("HYDROGNSS", "I-ESA", "payload", "ESA Scout mission"),
    ("METOP", "I-EUM", "payload", "EUMETSAT"),
    ("MTG", "I-EUM", "payload", "EUMETSAT Meteosat Third Generation"),
    ("MICROCARB", "F", "payload", "CNES"),
    ("CSG", "I", "payload", "ASI COSMO-SkyMed Second Generation"),
    ("KOMPSAT", "KR", "payload", "KARI"),
    ("NEONSAT", "KR", "payload", "KAIST (NEONSAT)"),
    ("GOSAT", "J", "payload", "JAXA / Japan Ministry of the Environment"),
    ("CMS", "IN", "payload", "ISRO (CMS-03 / GSAT-7R)"),
    ("NTS", "US", "payload", "US Air Force Research Laboratory (NTS-3)"),
    ("PANDORA", "US", "payload", "NASA"),
    ("AEPEX", "US", "payload", "NASA / University of Colorado"),
    ("ARCSTONE", "US", "payload", "NASA"),
    ("ATHENA EPIC", "US", "payload", "NASA"),
    ("AGGIESAT", "US", "payload", "Texas A&M University"),
    ("VICTUS HAZE", "US", "payload", "US Space Force"),
    ("VIGORIDE", "US", "payload", "Momentus"),
    ("OTTER", "US", "payload", "Starfish Space"),
    ("ANDURIL", "US", "payload", "Anduril"),
    ("NAOS", "L", "payload", "Luxembourg (NAOS)"),
    ("NUSANTARA", "ID", "payload", "PSN, Indonesia"),
    ("SHARJAH", "UAE", "payload", "Sharjah Academy"),
    ("PRSC", "PK", "payload", "SUPARCO, Pakistan"),
    ("NASBSAT", "BY", "payload", "National Academy of Sciences of Belarus"),
    ("KOWSAR", "IR", "payload", "Omid Faza, Iran"),
    ("JAM-E JAM", "IR", "payload", "Iran"),
    ("ZHANGHENG", "CN", "payload", "CNSA / CEA (CSES)"),
    ("XIWANG", "CN", "payload", "CAMSAT, China"),
    ("YUXING", "CN", "payload", "China"),
    ("XINZHENGCHENG", "CN", "payload", "China"),
    ("CHUANG XIN", "CN", "payload", "Chinese Academy of Sciences"),
    ("DAQI", "CN", "payload", "China (atmospheric environment)"),
    ("ENSHI XIDA", "CN", "payload", "China"),
    ("PRC", "CN", "payload", "China (PRC TEST SPACECRAFT)"),
    ("FORESAIL", "FI", "payload", "Aalto University"),
    ("FORGESTAR", "UK", "payload", "Space Forge"),
    ("HOTSAT", "UK", "payload", "SatVu"),
    ("MAUVE", "UK", "payload", "Blue Skies Space"),
    ("AISSAT", "N", "payload", "Norwegian Space Agency"),
    ("BIFROST-DNK", "DK", "payload", "Denmark"),
    ("DROR", "IL", "payload", "IAI, Israel"),
    ("DUTHSAT", "GR", "payload", "Democritus University of Thrace"),
    ("KNACKSAT", "T", "payload", "KMUTNB, Thailand"),
    ("UITMSAT", "MY", "payload", "Universiti Teknologi MARA"),
    ("SNUGLITE", "KR", "payload", "Seoul National University"),
    ("K-HERO", "KR", "payload", "Korea"),
    ("IHI-SAT", "J", "payload", "IHI, Japan"),
    ("RAISE", "J", "payload", "JAXA (RAISE)"),
    ("TEN-KOH", "J", "payload", "Kyushu Institute of Technology"),
    ("ORIGAMISAT", "J", "payload", "Institute of Science Tokyo"),
    ("MAGNARO", "J", "payload", "Nagoya University"),
    ("VERTECS", "J", "payload", "Kyushu Institute of Technology"),
    ("WASEDA-SAT", "J", "payload", "Waseda University"),
    ("ARICA", "J", "payload", "Aoyama Gakuin University"),
    ("239ALFEROV", "RU", "payload", "Russia (RS61S)"),
    ("INNOSAT", "RU", "payload", "Russia (RS92S)"),
    ("LOBACHEVSKY", "RU", "payload", "Nizhny Novgorod University (RS83S)"),
    ("SAKHACUBE", "RU", "payload", "Yakutia, Russia"),
    ("QMR-KWT", "KW", "payload", "Kuwait (QMR-KWT)"),
    ("DRISHTI", "IN", "payload", "GalaxEye, India"),
    ("BLACKCAT", "US", "payload", "Penn State University"),
    ("SENTINEL-1D", "I-EU", "payload", "Copernicus (GCAT: I-EU for Sentinel-1C)"),
    ("SENTINEL-6B", "I-EU", "payload", "Copernicus (GCAT: I-EU for Sentinel-6 Michael Freilich)"),
    # later members of programs GCAT lists under another name
    ("BALKAN", "BGN", "payload", "EnduroSat (GCAT: Balkan-1, BGN)"),
    ("LYRA", "AU", "payload", "Sirion (GCAT: Lyra-1, AU)"),
    ("JACKAL", "US", "payload", "True Anomaly (GCAT: Jackal X-1L, US)"),
    ("SKYBEE", "D", "payload", "constellr (GCAT: SkyBee-1, D)"),
    ("SATORO", "TW", "payload", "Satoro (GCAT: Satoro-T2, TW)"),
    ("GREENCUBE", "I", "payload", "Sapienza University of Rome (GCAT: GreenCube, I)"),
    ("HUBBLE", "US", "payload", "Hubble Network (GCAT: program Lemur Hubble, US)"),
    # launch vehicles: a rocket body belongs to the launching state
    ("SL", "RU", "launcher", "Soviet / Russian launchers (SL-n); before 1992 the Soviet Union"),
    ("BREEZE", "RU", "launcher", "Breeze-M / KM upper stage"),
    ("FREGAT", "RU", "launcher", "Fregat upper stage"),
    ("CZ", "CN", "launcher", "Chang Zheng (Long March)"),
    ("KUAIZHOU", "CN", "launcher", "Kuaizhou"),
    ("ZHUQUE", "CN", "launcher", "LandSpace Zhuque"),
    ("CERES", "CN", "launcher", "Galactic Energy Ceres"),
    ("FALCON", "US", "launcher", "SpaceX Falcon"),
    ("ATLAS", "US", "launcher", "Atlas"),
    ("DELTA", "US", "launcher", "Delta"),
    ("THOR", "US", "launcher", "Thor"),
    ("TITAN", "US", "launcher", "Titan"),
    ("PEGASUS", "US", "launcher", "Pegasus"),
    ("MINOTAUR", "US", "launcher", "Minotaur"),
    ("ELECTRON", "US", "launcher", "Rocket Lab Electron"),
    ("ARIANE", "F", "launcher", "Ariane"),
    ("VEGA", "F", "launcher", "Vega"),
    ("H-2A", "J", "launcher", "H-IIA"),
    ("H-3", "J", "launcher", "H3"),
    ("PSLV", "IN", "launcher", "PSLV"),
    ("GSLV", "IN", "launcher", "GSLV"),
]


def read_gcat(path: Path) -> list[tuple[int, str, str]]:
    """(catalog number, raw UNState, launch) per payload, sorted by catalog number; the
    launch is empty for the 1957-1962 Greek-letter designations."""
    rows = []
    header: list[str] | None = None
    with path.open(encoding="utf-8", newline="") as stream:
        for line in stream:
            fields = line.rstrip("\r\n").split("\t")
            if line.startswith("#"):
                header = header or [f.lstrip("#") for f in fields]
                continue
            record = dict(zip(header or [], fields))
            launch = record["Piece"][:8] if _LAUNCH.match(record["Piece"]) else ""
            rows.append((int(record["JCAT"].lstrip("S")), record["UNState"].strip(), launch))
    return sorted(rows)


def clean_state(raw: str) -> str:
    state = raw.strip().rstrip("*").strip("[]")
    return "" if state in ("", "-") else state


def catalog_objects() -> dict[int, tuple[str, str]]:
    """Catalog number -> (name, international designator) of the bundled catalog's 3-line sets."""
    objects = {}
    for path in sorted(CATALOG_FOLDER.glob("*.tle")):
        lines = [line.rstrip() for line in path.read_text(encoding="ascii").splitlines() if line.strip()]
        for name, line1 in zip(lines, lines[1:]):
            if line1.startswith("1 ") and not name.startswith(("1 ", "2 ")):
                year, piece = int(line1[9:11]), line1[11:17].strip()
                designator = f"{1900 + year if year >= 57 else 2000 + year}-{piece}"
                objects[int(line1[2:7])] = (name.removeprefix("0 ").strip(), designator)
    return objects


def learned_prefixes(gcat: list[tuple[int, str, str]],
                     objects: dict[int, tuple[str, str]]) -> dict[str, tuple[str, int]]:
    owners = {number: clean_state(raw) for number, raw, _ in gcat}
    by_stem: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for number, (name, _) in objects.items():
        stem = _STEM.match(name)
        if stem and owners.get(number) and not _NON_PAYLOAD.search(name):
            owner = owners[number]
            by_stem[stem.group(0)]["RU" if owner == "SU" else owner] += 1
    return {stem: (next(iter(counts)), sum(counts.values())) for stem, counts in sorted(by_stem.items())
            if sum(counts.values()) >= MIN_GCAT_PAYLOADS and len(counts) == 1}


def gcat_launch_owners(gcat: list[tuple[int, str, str]]) -> dict[str, tuple[str, str]]:
    """Launch -> (owner, basis) where all the launch's GCAT payloads with an owner agree."""
    by_launch: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for _, raw, launch in gcat:
        if launch and (state := clean_state(raw)):
            by_launch[launch][state] += 1
    return {launch: (next(iter(c)), f"gcat:{sum(c.values())}") for launch, c in sorted(by_launch.items())
            if len(c) == 1}


def launch_owners(gcat: list[tuple[int, str, str]],
                  objects: dict[int, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """GCAT's launch owners, and for launches GCAT does not cover, the one owner that the app
    gives (from GCAT or the name prefixes) to at least MIN_LAUNCH_SIBLINGS of its objects."""
    table = gcat_launch_owners(gcat)
    covered = {launch for _, _, launch in gcat}
    sys.path.insert(0, str(ROOT))
    from app.catalog import owners as app_owners  # reads the tables main() has just written

    siblings: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for number, (name, designator) in objects.items():
        state = app_owners.owner_states().get(number) or app_owners.owner_from_name(name, designator)
        if state and designator[:8] not in covered:
            siblings[designator[:8]][state] += 1
    for launch, counts in siblings.items():
        if len(counts) == 1 and sum(counts.values()) >= MIN_LAUNCH_SIBLINGS:
            table[launch] = (next(iter(counts)), f"catalog:{sum(counts.values())}")
    return dict(sorted(table.items()))


def main(argv: list[str]) -> int:
    source = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    gcat = read_gcat(source)
    objects = catalog_objects()
    OWNER_TARGET.write_bytes(  # CRLF line ends, as in GCAT's TSV
        ("norad_id,un_state\r\n" + "".join(f"{n},{s}\r\n" for n, s, _ in gcat)).encode("utf-8"))
    learned = learned_prefixes(gcat, objects)
    rows = {(prefix, "payload"): (owner, f"gcat:{count}") for prefix, (owner, count) in learned.items()}
    for prefix, owner, kind, _operator in CURATED:
        rows[(prefix, kind)] = (owner, "operator")
    NAME_TARGET.write_text("prefix,owner,kind,basis\n" + "".join(
        f"{prefix},{owner},{kind},{basis}\n" for (prefix, kind), (owner, basis) in sorted(rows.items())),
        encoding="utf-8")
    launches = launch_owners(gcat, objects)
    LAUNCH_TARGET.write_text("launch,owner,basis\n" + "".join(
        f"{launch},{owner},{basis}\n" for launch, (owner, basis) in launches.items()), encoding="utf-8")
    from_catalog = sum(basis.startswith("catalog") for _, basis in launches.values())
    print(f"{OWNER_TARGET.name}: {len(gcat)} payloads; {NAME_TARGET.name}: {len(learned)} learned, "
          f"{len(CURATED)} curated, {len(rows)} rows; {LAUNCH_TARGET.name}: {len(launches) - from_catalog} "
          f"from GCAT, {from_catalog} from the catalog")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
