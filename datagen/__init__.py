"""Generators of realistic, messy input files for tests, benchmarks and the demo dataset."""
