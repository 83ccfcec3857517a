"""Helpers to test exported models (input generators, test data sets, runners)."""
