"""CDMs: KVN and XML read alike; Foster 2D Pc against NASA CARA's published values for
Alfano's test cases; malformed messages refused, naming the field."""

from __future__ import annotations

import math

import numpy as np
import pytest

from app.conjunction.cdm import CdmError, read_cdm
from app.conjunction.collision_probability import cdm_pc, gaussian_over_circle

# NASA CARA's 2D Pc for Alfano's test cases (combined HBR from each message's HBR comment),
# as published in CARA's Pc2D unit tests (reproduced in Orekit's test suite), with the
# tolerances used there.
ALFANO = {1: (0.146749549, 1e-6), 2: (0.006222267, 1e-6), 3: (0.100351176, 1e-6), 4: (0.049323406, 1e-5),
          5: (0.044487386, 1e-5), 6: (0.004335455, 1e-8), 7: (0.000158147, 1e-9), 8: (0.036948008, 1e-5),
          9: (0.290146291, 2e-5), 11: (0.002672026, 1e-7)}


@pytest.mark.parametrize("case", sorted(ALFANO))
def test_foster_pc_matches_cara(data_dir, case):
    expected, tolerance = ALFANO[case]
    cdm = read_cdm(data_dir / "cdm" / f"orekit_AlfanoTestCase{case:02d}.cdm")
    assert cdm.hbr_m is not None
    assert abs(cdm_pc(cdm) - expected) <= tolerance


def test_kvn_and_xml_read_alike(data_dir):
    kvn = read_cdm(data_dir / "cdm" / "orekit_CDMExample_issue_940.txt")
    xml = read_cdm(data_dir / "cdm" / "orekit_CDMExample_issue_940.xml")
    assert kvn.tca == xml.tca and kvn.miss_distance_km == xml.miss_distance_km == 0.715
    assert kvn.hbr_m == xml.hbr_m == 2.5 and kvn.collision_probability == xml.collision_probability == 4.835e-05
    np.testing.assert_array_equal(kvn.object2.covariance_rtn_m2, xml.object2.covariance_rtn_m2)
    np.testing.assert_array_equal(kvn.object1.r_km, xml.object1.r_km)
    assert cdm_pc(kvn) == cdm_pc(xml)


def test_real_cdm_reads_and_scales_with_hbr(data_dir):
    cdm = read_cdm(data_dir / "cdm" / "orekit_ION_SCV8_vs_STARLINK_1233.txt")
    assert cdm.miss_distance_km == pytest.approx(0.055) and cdm.collision_probability == pytest.approx(4.450713e-3)
    assert cdm.object1.ref_frame == "ITRF" and cdm.object2.norad_id is not None
    small, large = cdm_pc(cdm, 5.0), cdm_pc(cdm, 20.0)
    assert 0 < small < large < 1
    # for a radius small against the covariance, Pc grows with the area of the hard-body circle
    assert large / small == pytest.approx(16.0, rel=0.05)


def test_gaussian_over_circle_against_closed_form():
    """A centred isotropic Gaussian: P(r < R) = 1 - exp(-R^2 / 2 sigma^2)."""
    sigma, radius = 30.0, 20.0
    value = gaussian_over_circle(np.zeros(2), np.eye(2) * sigma**2, radius)
    assert value == pytest.approx(1 - np.exp(-radius**2 / (2 * sigma**2)), rel=1e-10)


@pytest.mark.parametrize("name, field, words", [
    ("orekit_CDM-missing-TCA.txt", "TCA", "missing"),
    ("orekit_CDMExample1InvalidTca.txt", "TCA", "not a CCSDS date-time"),
    ("orekit_CDM-wrong-key-word.txt", "WRONG_KEYWORD", "unknown keyword"),
    ("orekit_CDM-missing-object2-state-vector.txt", "X", "OBJECT2"),
    ("orekit_CDM-covariance-wrong-entry-format.txt", "CRDOT_T", "not a number"),
    ("orekit_CDM-missing-object1-covariance-block.xml", "CR_R", "OBJECT1"),
    ("orekit_CDMExample_issue1319_mandatory_empty_value.xml", "X", "missing or empty"),
])
def test_malformed_cdms_name_the_field(data_dir, name, field, words):
    with pytest.raises(CdmError) as raised:
        read_cdm(data_dir / "cdm" / "invalid" / name)
    assert raised.value.field == field and words in str(raised.value)


def test_no_orbit_center_sample_is_the_valid_example(data_dir):
    """Orekit's 'no orbit center' sample is byte-identical to its valid CDMExample1 (Orekit
    refuses it only for a frame needing an orbit centre): read like the valid example."""
    odd = (data_dir / "cdm" / "invalid" / "orekit_CDM-no-orbit-center-defined-obj1.txt").read_bytes()
    assert odd == (data_dir / "cdm" / "orekit_CDMExample1.txt").read_bytes()
    assert read_cdm(data_dir / "cdm" / "invalid" / "orekit_CDM-no-orbit-center-defined-obj1.txt").tca


def test_an_xml_cdm_with_a_byte_order_mark_is_read_as_xml(data_dir, tmp_path):
    """Windows editors save UTF-8 with a byte-order mark; it was read as KVN and refused."""
    plain = read_cdm(data_dir / "cdm" / "orekit_CDMExample_issue_940.xml")
    marked = tmp_path / "with_bom.xml"
    marked.write_bytes(b"\xef\xbb\xbf" + (data_dir / "cdm" / "orekit_CDMExample_issue_940.xml").read_bytes())
    read = read_cdm(marked)
    assert (read.tca, read.miss_distance_km, read.message_id) == (plain.tca, plain.miss_distance_km, plain.message_id)


@pytest.mark.parametrize("value", ["0", "-15", "1.2.3", "e", "nan"])
def test_an_impossible_hard_body_radius_comment_names_its_line(data_dir, tmp_path, value):
    """`COMMENT HBR = 1.2.3` once ended in a traceback; 0 and -15 were taken as radii."""
    original = (data_dir / "cdm" / "orekit_CDMExample_issue_940.txt").read_text().splitlines()
    text = "\n".join(original[:1] + [f"COMMENT HBR = {value}"] + original[1:]) + "\n"
    path = tmp_path / "hbr.txt"
    path.write_text(text)
    with pytest.raises(CdmError, match=r"(line 2|:2:).*HBR|HBR.*(line 2|:2)") as error:
        read_cdm(path)
    assert "radius" in str(error.value) or "not a number" in str(error.value)


def _monte_carlo_pc(mean, covariance, radius, samples=2_000_000, seed=7):
    """An independent estimate: the share of samples of N(mean, covariance) inside the disc."""
    rng = np.random.default_rng(seed)
    points = rng.multivariate_normal(mean, covariance, size=samples, method="eigh")
    return float((np.hypot(points[:, 0], points[:, 1]) < radius).mean())


@pytest.mark.parametrize("mean, covariance, radius", [
    ((5.0, 0.0), ((0.0, 0.0), (0.0, 0.0)), 15.0),  # no covariance: inside the disc, certain
    ((5.0, 0.0), ((1e-4, 0.0), (0.0, 1e-4)), 15.0),  # 1 cm: nearly certain (was 0)
    ((1000.0, 0.0), ((100.0**2, 0.0), (0.0, 100.0**2)), 10_000.0),  # a 10 km radius (was 1e-24)
    ((5.0, 3.0), ((1.0, 0.0), (0.0, 1000.0**2)), 15.0),  # a needle-shaped covariance
    ((40.0, -25.0), ((30.0**2, 200.0), (200.0, 20.0**2)), 15.0),  # an ordinary case
    ((0.0, 0.0), ((1e-4, 0.0), (0.0, 1e-4)), 15.0),  # dead centre
])
def test_pc_matches_monte_carlo_in_degenerate_and_ordinary_cases(mean, covariance, radius):
    pc = gaussian_over_circle(np.array(mean), np.array(covariance), radius)
    reference = _monte_carlo_pc(mean, covariance, radius)
    tolerance = 4 * math.sqrt(max(reference * (1 - reference), 1e-6) / 2_000_000) + 1e-6  # 4 sigma
    assert abs(pc - reference) <= tolerance, (pc, reference)


def test_a_negative_miss_distance_is_refused_naming_its_line(data_dir, tmp_path):
    import re

    text = (data_dir / "cdm" / "orekit_CDMExample_issue_940.txt").read_text()
    path = tmp_path / "negative.txt"
    path.write_text(re.sub(r"^(MISS_DISTANCE\s*=\s*)(\S+)", r"\1-\2", text, count=1, flags=re.M))
    with pytest.raises(CdmError, match="MISS_DISTANCE.*not negative|not negative.*MISS_DISTANCE"):
        read_cdm(path)
