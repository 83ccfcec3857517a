"""Deprecated location of :class:`IntervalTrigger` and :func:`get_trigger`."""
from chainer.training.triggers.interval_trigger import IntervalTrigger  # NOQA: F401
from chainer.training.util import get_trigger  # NOQA: F401
