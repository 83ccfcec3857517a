"""The one timing helper of the benchmark scripts.

Importing it puts the checkout this folder belongs to first on ``sys.path``, so
every script measures that tree, whatever ``chainer`` is installed.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


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
