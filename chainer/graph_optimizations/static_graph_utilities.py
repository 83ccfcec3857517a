"""Helpers for code inside ``static_graph`` chains (Chainer's module of the same name)."""
from __future__ import annotations

from chainer.graph_optimizations.static_graph import static_code

__all__ = ['static_code', 'static_forward_optimizations']


def static_forward_optimizations(func, inputs):
    """Chainer's hook for static-graph forward optimisations of a function node.

    Replayed schedules call the recorded nodes' ``forward`` directly, so there is
    nothing to prepare: returns None.
    """
    return None
