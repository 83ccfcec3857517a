"""``static_graph`` / ``static_code`` decorators.

Chainer could record a static subgraph once and replay it. rechainer runs the
decorated code define-by-run every time, which gives the same results; the
decorators accept Chainer's arguments so existing code keeps working.
"""
from __future__ import annotations

import functools


def _decorator(args, kwargs):
    if len(args) == 1 and not kwargs and callable(args[0]):
        return args[0]

    def wrap(func):
        @functools.wraps(func)
        def wrapped(*a, **k):
            return func(*a, **k)
        return wrapped
    return wrap


def static_graph(*args, **kwargs):
    """Marks a chain's ``forward`` as a static graph (runs it unchanged)."""
    return _decorator(args, kwargs)


def static_code(*dec_args, **dec_kwargs):
    """Marks code run once per static-graph iteration (runs it unchanged)."""
    return _decorator(dec_args, dec_kwargs)
