"""Plain-language explanations of what the console shows, with the live numbers, for the
hover text a trainee (or anyone) reads: orbit regimes, orbital elements, the R/I/C axes of
relative motion. Text only; the widgets attach it."""

from __future__ import annotations

REGIMES = {
    "LEO": "Low Earth orbit: the whole orbit below 2,000 km. Goes round in about 90 to 130 minutes; "
           "most satellites and most debris are here.",
    "MEO": "Medium Earth orbit: between low orbit and geosynchronous (navigation satellites such as GPS "
           "and Galileo, about 20,000 km up, 12-hour orbits).",
    "GEO": "Geosynchronous orbit: about 35,786 km up, one turn per sidereal day. With no inclination it "
           "stays over one point of the equator (geostationary).",
    "HEO": "Highly elliptical orbit (eccentricity 0.25 or more, e.g. Molniya): fast and low at perigee, "
           "slow and high at apogee, where it lingers.",
}

ELEMENTS = {
    "inclination": "The tilt of the orbit's plane to the equator: 0° goes round the equator, 90° over the poles, "
                   "above 90° against the Earth's turn (retrograde).",
    "eccentricity": "How far the orbit is from a circle: 0 a circle, towards 1 a long, thin ellipse.",
    "raan": "Right ascension of the ascending node: where, measured eastward from the vernal equinox, the orbit "
            "crosses the equator going north.",
    "arg_perigee": "Argument of perigee: the angle from the ascending node to the orbit's lowest point.",
    "mean_anomaly": "Where along the orbit the object was at the element epoch, as an angle from perigee.",
    "mean_motion": "Turns per day; 1.0027 is one per sidereal day (geosynchronous).",
    "bstar": "B*: how strongly the thin upper atmosphere slows the object (SGP4's drag term).",
    "age": "Time between the element set's epoch and the clock: predictions get worse as elements age.",
}

RIC_AXES = {
    "R": "Radial: along the line from the Earth's centre through the primary. Positive: the secondary is "
         "higher (farther from the Earth) than the primary.",
    "I": "In-track: along the primary's direction of motion. Positive: the secondary is ahead of the primary.",
    "C": "Cross-track: out of the primary's orbital plane (R × I). Positive: on the side of the primary's "
         "orbital angular momentum.",
}


def regime_text(regime: str, apogee_km: float, perigee_km: float, period_min: float, eccentricity: float) -> str:
    """What the regime means, then this object's numbers."""
    return (f"{regime}: {REGIMES.get(regime, 'an orbit regime')}\n"
            f"This object: perigee {perigee_km:,.0f} km, apogee {apogee_km:,.0f} km, eccentricity "
            f"{eccentricity:.3f}, one turn in {period_min:,.1f} min.")


def ric_text(axis: str, value_km: float) -> str:
    """An R, I or C offset (secondary relative to primary) in words."""
    words = {"R": ("above", "below"), "I": ("ahead of", "behind"), "C": ("on the angular-momentum side of",
                                                                          "on the other side of")}[axis]
    side = words[0] if value_km >= 0 else words[1]
    return f"{RIC_AXES[axis]}\nNow: {abs(value_km):,.3f} km {side} the primary."
