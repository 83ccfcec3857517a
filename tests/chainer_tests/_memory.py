"""The peak of the memory a block of code allocates, as tracemalloc sees it (NumPy
reports its arrays to it), for tests that bound what a function holds at once."""
from __future__ import annotations

import contextlib
import tracemalloc
from collections.abc import Iterator


class Peak:
    """``bytes``: the most the block held at once beyond what was held before it."""

    bytes = 0


@contextlib.contextmanager
def traced_peak() -> Iterator[Peak]:
    """Traces the allocations of the block; the yielded object's ``bytes`` is their
    peak once the block is done (also under ``python -X tracemalloc``)."""
    peak = Peak()
    tracing = tracemalloc.is_tracing()
    if tracing:
        tracemalloc.reset_peak()
    else:
        tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    try:
        yield peak
        peak.bytes = tracemalloc.get_traced_memory()[1] - base
    finally:
        if not tracing:
            tracemalloc.stop()


def peak_bytes(fn) -> int:
    """The peak of what ``fn()`` allocates."""
    with traced_peak() as peak:
        fn()
    return peak.bytes
