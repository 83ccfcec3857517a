"""TimerHook: elapsed time of every link call."""
from __future__ import annotations

import collections
from typing import Any

from chainer import backend
from chainer import link_hook
from chainer.function_hooks._report import TimerMixin


class TimerHook(TimerMixin, link_hook.LinkHook):
    """Link hook measuring the elapsed time of the forward of links.

    On the GPU the time is measured with CUDA events. Use it as a context
    manager (or register it on a link), then call :meth:`print_report`::

        hook = TimerHook()
        with hook:
            model(x)
        hook.print_report()

    which prints a table like::

        LinkName  ElapsedTime  Occurrence
          Linear     41.42ms          2
             MLP     42.09ms          1

    Attributes:
        call_history: List of ``(link class name, elapsed seconds)`` pairs,
            one per call, in the order the calls finished.
    """

    name = 'TimerHook'
    _summary_type = collections.OrderedDict
    _name_header = 'LinkName'

    def forward_preprocess(self, args: Any) -> None:
        self.xp = backend.get_array_module(*args.args)
        self._start_timer()

    def forward_postprocess(self, args: Any) -> None:
        self._stop_timer(type(args.link).__name__)
