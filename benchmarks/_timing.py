"""The one timing helper of the benchmark scripts."""
from __future__ import annotations

import time


def best_times(fns, number: int, repeat: int, timer=time.perf_counter) -> list:
    """Best mean time per call of each of ``fns`` (seconds), ``number`` calls per round.

    The functions take turns within every round, so that a slow spell of the
    machine hits all of them alike; the best round of each is kept.
    """
    for fn in fns:
        fn()
    best = [float('inf')] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t0 = timer()
            for _ in range(number):
                fn()
            best[i] = min(best[i], (timer() - t0) / number)
    return best
