"""Helpers for tests of multi-rank code."""
from chainermn.testing.device import get_device

__all__ = ['get_device']
