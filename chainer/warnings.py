"""Warning categories Chainer defines."""
from __future__ import annotations


class PerformanceWarning(RuntimeWarning):
    """Issued when a computation runs on a slower path than it could."""
