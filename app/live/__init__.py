"""The live picture: the simulation clock and the SGP4 snapshot engine."""
