"""Conjunctions: closest approach of a pair, screening (band filter, sieve, grid, refinement),
CCSDS CDM reading and the probability of collision."""
