"""Benchmarks and their TEST fixtures: run from a source checkout, never installed with kepil."""
