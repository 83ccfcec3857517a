"""Thread-local state shared by the core (function hooks)."""
from __future__ import annotations

import collections
import threading

_local = threading.local()


def get_function_hooks() -> collections.OrderedDict:
    """The function hooks registered in this thread (name -> hook)."""
    try:
        return _local.function_hooks
    except AttributeError:
        hooks = _local.function_hooks = collections.OrderedDict()
        return hooks
