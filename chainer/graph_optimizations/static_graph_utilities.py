"""Helpers for code inside ``static_graph`` chains (Chainer's module of the same name)."""
from __future__ import annotations

import chainer  # NOQA: F401 (Chainer's module exposes it)
from chainer.function_node import static_forward_optimizations  # NOQA: F401
from chainer.graph_optimizations.static_graph import static_code  # NOQA: F401

__all__ = ['static_code', 'static_forward_optimizations']
