"""Astrodynamics with no knowledge of the console: constants, time scales, frames, the Sun,
topocentric look angles, Hermite interpolation, root finding, orbits and relative motion."""
