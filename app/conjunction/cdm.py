"""CCSDS Conjunction Data Messages (CDM, 508.0): KVN and XML into one validated record.

Required for Pc: TCA, MISS_DISTANCE, and for each object its designator, REF_FRAME, the
state vector (X..Z_DOT, km and km/s) and the position block of the RTN covariance
(CR_R..CN_N, m**2). A malformed message raises :class:`CdmError` naming the field and,
in KVN, the line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from app.common.input_file import DOCUMENT_MAX_BYTES, read_input_bytes
from app.astro.timeutil import parse_ccsds_utc
from app.catalog.ingest.text import decode_text

STATE_FIELDS = ("X", "Y", "Z", "X_DOT", "Y_DOT", "Z_DOT")
POSITION_COVARIANCE_FIELDS = ("CR_R", "CT_R", "CT_T", "CN_R", "CN_T", "CN_N")
OBJECT_REQUIRED = ("OBJECT_DESIGNATOR", "REF_FRAME") + STATE_FIELDS + POSITION_COVARIANCE_FIELDS
INERTIAL_FRAMES = ("EME2000", "GCRF", "ICRF", "TEME", "J2000")
EARTH_FIXED_FRAMES = ("ITRF", "ITRF-93", "ITRF-97", "ITRF2000", "ITRF1993", "ITRF1997", "ITRF2005", "ITRF2008",
                      "ITRF2014", "ITRF2020")
# Keywords of CDM 1.0 and 2.0 (CCSDS 508.0-B-1 and -B-2); anything else in KVN is refused
KNOWN_KEYWORDS = frozenset("""
CCSDS_CDM_VERS CREATION_DATE ORIGINATOR MESSAGE_FOR MESSAGE_ID CLASSIFICATION CONJUNCTION_ID TCA MISS_DISTANCE
RELATIVE_SPEED RELATIVE_POSITION_R RELATIVE_POSITION_T RELATIVE_POSITION_N RELATIVE_VELOCITY_R RELATIVE_VELOCITY_T
RELATIVE_VELOCITY_N START_SCREEN_PERIOD STOP_SCREEN_PERIOD SCREEN_VOLUME_FRAME SCREEN_VOLUME_SHAPE SCREEN_VOLUME_X
SCREEN_VOLUME_Y SCREEN_VOLUME_Z SCREEN_ENTRY_TIME SCREEN_EXIT_TIME SCREEN_TYPE SCREEN_PC_THRESHOLD
SCREENING_DATA_SOURCE COLLISION_PROBABILITY COLLISION_PROBABILITY_METHOD COLLISION_MAX_PROBABILITY
COLLISION_MAX_PC_METHOD COLLISION_PERCENTILE SEFI_COLLISION_PROBABILITY SEFI_COLLISION_PROBABILITY_METHOD
SEFI_FRAGMENTATION_MODEL PREVIOUS_MESSAGE_ID PREVIOUS_MESSAGE_EPOCH NEXT_MESSAGE_EPOCH APPROACH_ANGLE
MAHALANOBIS_DISTANCE OBJECT OBJECT_DESIGNATOR CATALOG_NAME OBJECT_NAME INTERNATIONAL_DESIGNATOR OBJECT_TYPE
OPERATOR_CONTACT_POSITION OPERATOR_ORGANIZATION OPERATOR_PHONE OPERATOR_EMAIL ODM_MSG_LINK ADM_MSG_LINK
OBS_BEFORE_NEXT_MESSAGE COVARIANCE_SOURCE ALT_COV_TYPE ALT_COV_REF_FRAME EPHEMERIS_NAME COVARIANCE_METHOD
MANEUVERABLE ORBIT_CENTER REF_FRAME GRAVITY_MODEL ATMOSPHERIC_MODEL N_BODY_PERTURBATIONS SOLAR_RAD_PRESSURE
EARTH_TIDES INTRACK_THRUST TIME_LASTOB_START TIME_LASTOB_END RECOMMENDED_OD_SPAN ACTUAL_OD_SPAN OBS_AVAILABLE
OBS_USED TRACKS_AVAILABLE TRACKS_USED RESIDUALS_ACCEPTED WEIGHTED_RMS OD_EPOCH AREA_PC AREA_PC_MIN AREA_PC_MAX
AREA_DRG AREA_SRP OEB_PARENT_FRAME OEB_PARENT_FRAME_EPOCH OEB_Q1 OEB_Q2 OEB_Q3 OEB_QC OEB_MAX OEB_INT OEB_MIN
AREA_ALONG_OEB_MAX AREA_ALONG_OEB_INT AREA_ALONG_OEB_MIN RCS RCS_MIN RCS_MAX VM_ABSOLUTE VM_APPARENT_MIN
VM_APPARENT VM_APPARENT_MAX REFLECTANCE MASS HBR CD_AREA_OVER_MASS CR_AREA_OVER_MASS THRUST_ACCELERATION SEDR
MIN_DV MAX_DV LEAD_TIME_REQD_BEFORE_TCA APOAPSIS_ALTITUDE PERIAPSIS_ALTITUDE INCLINATION COV_CONFIDENCE
COV_CONFIDENCE_METHOD DENSITY_FORECAST_UNCERTAINTY CSCALE_FACTOR_MIN CSCALE_FACTOR CSCALE_FACTOR_MAX
SCREENING_DATA_SOURCE DCP_SENSITIVITY_VECTOR_POSITION DCP_SENSITIVITY_VECTOR_VELOCITY CSIG3EIGVEC3
X Y Z X_DOT Y_DOT Z_DOT
""".split()) | frozenset(
    f"C{a}_{b}" for a in ("R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR")
    for b in ("R", "T", "N", "RDOT", "TDOT", "NDOT", "DRG", "SRP", "THR")
) | frozenset(
    f"C{a}_{b}" for a in ("X", "Y", "Z", "XDOT", "YDOT", "ZDOT", "DRG", "SRP", "THR")
    for b in ("X", "Y", "Z", "XDOT", "YDOT", "ZDOT", "DRG", "SRP", "THR")
)
_KVN_LINE = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$")
_UNITS = re.compile(r"\s*\[[^\]]*\]\s*$")
_COVARIANCE_KEY = re.compile(r"^C(R|T|N|RDOT|TDOT|NDOT|DRG|SRP|THR|X|Y|Z|XDOT|YDOT|ZDOT)_[A-Z]+$")
_HBR_COMMENT = re.compile(r"^\s*COMMENT\s+HBR\s*=\s*(\S+)")


class CdmError(ValueError):
    def __init__(self, source: str, reason: str, field: str | None = None, line: int | None = None):
        where = f"{source}:line {line}" if line else source
        super().__init__(f"{where}: {field + ': ' if field else ''}{reason}")
        self.source, self.reason, self.field, self.line = source, reason, field, line


@dataclass(frozen=True)
class CdmObject:
    designator: str
    name: str
    international_designator: str
    ref_frame: str
    r_km: np.ndarray  # as given, in ref_frame
    v_km_s: np.ndarray
    covariance_rtn_m2: np.ndarray  # 3x3 position block, RTN of this object

    @property
    def norad_id(self) -> int | None:
        digits = self.designator.strip()
        return int(digits) if digits.isdigit() else None


@dataclass(frozen=True)
class Cdm:
    source: str
    message_id: str
    originator: str
    tca: datetime
    miss_distance_km: float
    relative_speed_km_s: float | None
    collision_probability: float | None  # the message's own Pc
    collision_probability_method: str
    hbr_m: float | None  # from HBR (v2) or a "COMMENT HBR = ..." line
    object1: CdmObject
    object2: CdmObject


def parse_ccsds_time(text: str, source: str, field: str, line: int | None = None) -> datetime:
    parsed = parse_ccsds_utc(text)
    if parsed is None:
        raise CdmError(source, f"{text!r} is not a CCSDS date-time", field, line)
    return parsed


def _number(fields: dict, key: str, source: str, lines: dict) -> float:
    raw = fields.get(key)
    if raw is None or not str(raw).strip():
        raise CdmError(source, "mandatory value missing or empty", key, lines.get(key))
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise CdmError(source, f"{raw!r} is not a number", key, lines.get(key)) from None
    if not np.isfinite(value):
        raise CdmError(source, f"{raw!r} is not a finite number", key, lines.get(key))
    return value


def _radius(raw: str, source: str, key: str, line: int | None = None) -> float:
    """A hard-body radius in metres: a finite number above zero."""
    try:
        value = float(str(raw).strip())
    except ValueError:
        raise CdmError(source, f"{raw!r} is not a number", key, line) from None
    if not np.isfinite(value) or value <= 0:
        raise CdmError(source, f"{raw!r} is not a radius (a number of metres above zero)", key, line)
    return value


def _object(fields: dict, lines: dict, source: str, which: str) -> CdmObject:
    for key in OBJECT_REQUIRED:
        if key not in fields or not str(fields[key]).strip():
            raise CdmError(source, f"{which}: mandatory value missing or empty", key, lines.get(key))
    frame = str(fields["REF_FRAME"]).strip().upper()
    if frame not in INERTIAL_FRAMES + EARTH_FIXED_FRAMES:
        raise CdmError(source, f"{which}: reference frame {frame!r} is not supported", "REF_FRAME",
                       lines.get("REF_FRAME"))
    values = {key: _number(fields, key, source, lines) for key in STATE_FIELDS + POSITION_COVARIANCE_FIELDS}
    for key in fields:  # every covariance entry given must be a number, even those Pc does not use
        if _COVARIANCE_KEY.match(key):
            _number(fields, key, source, lines)
    cr_r, ct_r, ct_t, cn_r, cn_t, cn_n = (values[k] for k in POSITION_COVARIANCE_FIELDS)
    covariance = np.array([[cr_r, ct_r, cn_r], [ct_r, ct_t, cn_t], [cn_r, cn_t, cn_n]])
    if np.any(np.linalg.eigvalsh(covariance) < -1e-9 * max(1.0, np.abs(covariance).max())):
        raise CdmError(source, f"{which}: position covariance is not positive semi-definite", "CR_R",
                       lines.get("CR_R"))
    return CdmObject(str(fields["OBJECT_DESIGNATOR"]).strip(), str(fields.get("OBJECT_NAME", "")).strip(),
                     str(fields.get("INTERNATIONAL_DESIGNATOR", "")).strip(), frame,
                     np.array([values["X"], values["Y"], values["Z"]]),
                     np.array([values["X_DOT"], values["Y_DOT"], values["Z_DOT"]]), covariance)


def _build(source: str, relative: dict, relative_lines: dict, objects: list[tuple[dict, dict]],
           hbr_comment: float | None) -> Cdm:
    if "TCA" not in relative or not str(relative["TCA"]).strip():
        raise CdmError(source, "mandatory value missing or empty", "TCA")
    tca = parse_ccsds_time(str(relative["TCA"]), source, "TCA", relative_lines.get("TCA"))
    miss_m = _number(relative, "MISS_DISTANCE", source, relative_lines)
    if miss_m < 0:
        raise CdmError(source, f"{miss_m:g} m: a distance is not negative", "MISS_DISTANCE",
                       relative_lines.get("MISS_DISTANCE"))
    if len(objects) != 2:
        raise CdmError(source, f"a CDM describes two objects, found {len(objects)}", "OBJECT")
    speed = (_number(relative, "RELATIVE_SPEED", source, relative_lines) / 1000.0
             if str(relative.get("RELATIVE_SPEED", "")).strip() else None)
    pc_text = str(relative.get("COLLISION_PROBABILITY", "")).strip()
    pc = _number(relative, "COLLISION_PROBABILITY", source, relative_lines) if pc_text else None
    obj1, obj2 = (_object(fields, lines, source, f"OBJECT{k + 1}") for k, (fields, lines) in enumerate(objects))
    hbr = hbr_comment
    for fields, lines in objects:
        if str(fields.get("HBR", "")).strip():
            hbr = _radius(fields["HBR"], source, "HBR", lines.get("HBR"))
    return Cdm(source, str(relative.get("MESSAGE_ID", "")), str(relative.get("ORIGINATOR", "")), tca,
               miss_m / 1000.0, speed, pc, str(relative.get("COLLISION_PROBABILITY_METHOD", "")), hbr, obj1, obj2)


def parse_cdm_kvn(text: str, source: str) -> Cdm:
    relative: dict[str, str] = {}
    relative_lines: dict[str, int] = {}
    objects: list[tuple[dict, dict]] = []
    hbr_comment = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        hbr = _HBR_COMMENT.match(line)
        if hbr:
            hbr_comment = _radius(hbr.group(1), source, "COMMENT HBR", number)
            continue
        if line.strip().startswith("COMMENT"):
            continue
        match = _KVN_LINE.match(line)
        if not match:
            raise CdmError(source, f"not a KEYWORD = value line: {line.strip()[:50]!r}", line=number)
        key, value = match.group(1).upper(), _UNITS.sub("", match.group(2))
        if key not in KNOWN_KEYWORDS and not key.startswith("USER_DEFINED_"):
            raise CdmError(source, "unknown keyword", key, number)
        if key == "OBJECT":
            objects.append(({"OBJECT": value}, {"OBJECT": number}))
            continue
        target, target_lines = objects[-1] if objects else (relative, relative_lines)
        target[key], target_lines[key] = value, number
    return _build(source, relative, relative_lines, objects, hbr_comment)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_cdm_xml(data: bytes, source: str) -> Cdm:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise CdmError(source, "not well-formed XML", line=error.position[0]) from None
    except (LookupError, ValueError) as error:  # the XML declaration names an unknown or a multi-byte encoding
        raise CdmError(source, f"the XML declaration's encoding cannot be read ({error}); save it as UTF-8",
                       line=1) from None
    relative: dict[str, str] = {}
    objects: list[tuple[dict, dict]] = []
    hbr_comment = None
    for element in root.iter():
        name = _local(element.tag)
        if name in ("header", "relativeMetadataData"):
            for child in element.iter():
                if len(child) == 0 and _local(child.tag) != "COMMENT":
                    relative[_local(child.tag)] = (child.text or "").strip()
        elif name == "segment":
            fields = {}
            for child in element.iter():
                if len(child) == 0:
                    key = _local(child.tag)
                    if key == "COMMENT":
                        hbr = _HBR_COMMENT.match(f"COMMENT {child.text or ''}")
                        hbr_comment = _radius(hbr.group(1), source, "COMMENT HBR") if hbr else hbr_comment
                    else:
                        fields[key] = (child.text or "").strip()
            objects.append((fields, {}))
    return _build(source, relative, {}, objects, hbr_comment)


def read_cdm(path: str | Path) -> Cdm:
    """Read a CDM file (KVN or XML by content); CdmError for anything malformed or unreadable."""
    path = Path(path)
    try:
        data = read_input_bytes(path, DOCUMENT_MAX_BYTES)
    except OSError as error:
        raise CdmError(str(path), f"cannot read file: {error.strerror or error}") from None
    if data.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<"):  # (a UTF-8 byte-order mark first is fine)
        return parse_cdm_xml(data, str(path))
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise CdmError(str(path), "file is not UTF-8 text") from None
    return parse_cdm_kvn(text, str(path))
