"""Example exports of well-known models."""
