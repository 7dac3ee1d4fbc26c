"""Earth constants, each named for the model it belongs to. Use the one whose meaning fits:

- **WGS72** is what SGP4 and its mean elements are built on (radius, mu, J2 taken from
  ``sgp4.earth_gravity.wgs72``, so they can never drift from the propagator's). Anything that
  turns elements into radii, or integrates an orbit to be refitted as elements, uses these.
- **WGS84** is the geodetic ellipsoid (pyproj's EPSG:4978/4979 conversions use it): the
  equatorial radius and flattening, for the Earth's shape (its shadow, the drawn globe).
- **Mean Earth radius** (IUGG, 6371 km) is the sphere used for footprints and coverage
  rings, where the ellipsoid's 21 km would be false precision.
"""

from __future__ import annotations

from sgp4.earth_gravity import wgs72 as _wgs72

WGS72_EARTH_RADIUS_KM: float = _wgs72.radiusearthkm  # 6378.135
WGS72_MU_KM3_S2: float = _wgs72.mu  # 398600.8
WGS72_J2: float = _wgs72.j2

WGS84_EQUATORIAL_RADIUS_KM = 6378.137
WGS84_FLATTENING = 1.0 / 298.257223563

MEAN_EARTH_RADIUS_KM = 6371.0

EARTH_ROTATION_RAD_S = 7.292115146706979e-5  # IERS nominal, as Vallado's teme2ecef
