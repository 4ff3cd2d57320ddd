"""Deterministic detectors: pure functions from a report's facts to findings."""
