"""The timing and table helpers of the benchmark scripts.

Importing it puts the checkout this folder belongs to first on ``sys.path``, so
every script measures that tree, whatever ``chainer`` is installed; with
``RECHAINER_BENCH_INSTALLED=1`` in the environment it leaves ``sys.path`` alone,
so that a script run from outside the checkout measures the installed
``chainer`` (Chainer 7.8.1 itself, for the scripts that use only its public API).
"""
from __future__ import annotations

import os
import sys
import time

if os.environ.get('RECHAINER_BENCH_INSTALLED') != '1':
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def framework() -> str:
    """``'rechainer'``, or ``'chainer <version>'`` where the imported ``chainer`` is
    Chainer itself (which has no ``_rechainer_version``)."""
    import chainer
    return ('rechainer' if hasattr(chainer, '_rechainer_version')
            else f'chainer {chainer.__version__}')


def versions() -> str:
    """The header line's versions: NumPy and the framework under test."""
    import chainer
    import numpy
    name = framework()
    if name == 'rechainer':
        name = f'chainer (rechainer) {chainer._rechainer_version}'
    return f'numpy {numpy.__version__}, {name}'


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


def print_ratios(rows, title: str, width: int, unit: str = 'us') -> None:
    """Prints ``(name, t_rechainer, t_numpy, t_torch)`` rows (seconds) as a table of
    times and ratios to NumPy and PyTorch (``-`` where a time is None, ``skipped``
    where rechainer's is); ``unit`` is ``'us'`` or ``'ms'``."""
    scale, digits = {'us': (1e6, 1), 'ms': (1e3, 2)}[unit]
    print(f'{title:{width}s} {framework().split()[0]:>11s} {"numpy":>10s} {"x numpy":>8s} '
          f'{"torch":>10s} {"x torch":>8s}')
    for name, t_ch, t_np, t_th in rows:
        if t_ch is None:
            print(f'{name:{width}s} {"skipped":>11s}')
            continue
        cells = ' '.join(f'{t * scale:8.{digits}f}{unit} {t_ch / t:7.2f}x' if t
                         else f'{"-":>10s} {"-":>8s}' for t in (t_np, t_th))
        print(f'{name:{width}s} {t_ch * scale:9.{digits}f}{unit} {cells}')
