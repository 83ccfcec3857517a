"""Running one function in several threads at once, for tests of what threads share."""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable


def run_in_threads(fn: Callable[[], object], n: int = 4, *,
                   switch_interval: float | None = None, timeout: float = 60.0) -> None:
    """Runs ``fn()`` in ``n`` threads at once and waits for them all to finish.

    With ``switch_interval`` (e.g. ``1e-6``) the interpreter switches between
    threads that often meanwhile, so that races show.
    """
    interval = sys.getswitchinterval()
    if switch_interval is not None:
        sys.setswitchinterval(switch_interval)
    try:
        threads = [threading.Thread(target=fn, daemon=True) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout)
    finally:
        sys.setswitchinterval(interval)
    assert not any(t.is_alive() for t in threads), 'a thread did not finish in time'
