"""``cupy.cuda.nvtx`` of the stand-in: ranges go to ``ranges`` (each pushed
message, in order) and ``open_ranges`` (the stack still open), for tests of
code that marks them; there is no profiler to see them."""
from __future__ import annotations

available = True
ranges: list = []
open_ranges: list = []


def RangePush(message, id_color=-1):  # noqa: N802 (CuPy's name)
    ranges.append(message)
    open_ranges.append(message)


def RangePushC(message, argb_color=0):  # noqa: N802
    RangePush(message)


def RangePop():  # noqa: N802
    if not open_ranges:
        raise RuntimeError('cupy.cuda.nvtx.RangePop with no range open')
    open_ranges.pop()


def Mark(message, id_color=-1):  # noqa: N802
    pass


def MarkC(message, argb_color=0):  # noqa: N802
    pass
