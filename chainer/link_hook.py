"""LinkHook: callbacks run around the forward of links."""
from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING, Any, Optional

from chainer import _thread_state
from chainer import function_hook

if TYPE_CHECKING:
    from chainer.link import Link

_local = threading.local()

# Number of link hooks registered globally in any thread: lets ``Link.__call__``
# skip the thread-local lookup while nobody uses global link hooks.
n_global_hooks = 0


class _HookDict(_thread_state.CountingHookDict):
    """The per-thread registry of global link hooks; keeps ``n_global_hooks`` in sync."""

    _counter = (__name__, 'n_global_hooks')


def _get_link_hooks() -> collections.OrderedDict:
    """The link hooks registered in this thread with ``with hook:`` (name -> hook)."""
    try:
        return _local.link_hooks
    except AttributeError:
        hooks = _local.link_hooks = _HookDict()
        return hooks


def _current_global_hooks() -> Optional[collections.OrderedDict]:
    """This thread's global hooks, or None when none is registered anywhere."""
    if n_global_hooks == 0:
        return None
    return getattr(_local, 'link_hooks', None)


def _postprocess(link, hooks, args, kwargs, out) -> None:
    """Runs the ``forward_postprocess`` of a call of ``link``: of ``hooks``, the copy
    made before the call where the link has local hooks, else (None) of the thread's
    registry as it is now; Chainer iterated a live view of it, so a hook registered
    (removed) inside the forward is (not) called."""
    if hooks is None:
        global_hooks = _current_global_hooks()
        if not global_hooks:
            return
        hooks = list(global_hooks.values())
    if hooks:
        post = _ForwardPostprocessCallbackArgs(link, 'forward', args, kwargs, out)
        for hook in hooks:
            hook.forward_postprocess(post)


def _dict_str(d: dict) -> str:
    return ', '.join(f'{k}={v!r}' for k, v in d.items())


class _ForwardPreprocessCallbackArgs:
    """What :meth:`LinkHook.forward_preprocess` receives.

    Attributes:
        link: The link being called.
        forward_name (str): Name of the method called (``'forward'``).
        args (tuple): Positional arguments of the call.
        kwargs (dict): Keyword arguments of the call.
    """

    def __init__(self, link: Any, forward_name: str, args: tuple, kwargs: dict) -> None:
        self.link = link
        self.forward_name = forward_name
        self.args = args
        self.kwargs = kwargs

    def __repr__(self) -> str:
        return f'_ForwardPreprocessCallbackArgs({_dict_str(self.__dict__)})'


class _ForwardPostprocessCallbackArgs:
    """What :meth:`LinkHook.forward_postprocess` receives.

    Attributes:
        link: The link being called.
        forward_name (str): Name of the method called (``'forward'``).
        args (tuple): Positional arguments of the call.
        kwargs (dict): Keyword arguments of the call.
        out: What the forward returned.
    """

    def __init__(self, link: Any, forward_name: str, args: tuple, kwargs: dict,
                 out: Any) -> None:
        self.link = link
        self.forward_name = forward_name
        self.args = args
        self.kwargs = kwargs
        self.out = out

    def __repr__(self) -> str:
        return f'_ForwardPostprocessCallbackArgs({_dict_str(self.__dict__)})'


class LinkHook:
    """Base class of link hooks.

    Use it as a context manager to hook the forward of every link called in
    the ``with`` block (in this thread), or register it on one link (and its
    calls only) with :meth:`chainer.Link.add_hook`.
    """

    name = 'LinkHook'

    def __enter__(self) -> 'LinkHook':
        function_hook._register(_get_link_hooks(), self, self.name, None)
        return self

    def __exit__(self, *_: Any) -> None:
        function_hook._unregister(_get_link_hooks(), self.name, None)

    def added(self, link: Link) -> None:
        """Called when the hook is registered (``link`` is None for a global hook)."""

    def deleted(self, link: Link) -> None:
        """Called when the hook is unregistered (``link`` is None for a global hook)."""

    def forward_preprocess(self, args: _ForwardPreprocessCallbackArgs) -> None:
        """Called before the link's forward; ``args`` has link, forward_name, args, kwargs."""

    def forward_postprocess(self, args: _ForwardPostprocessCallbackArgs) -> None:
        """Called after the link's forward; ``args`` also carries ``out``."""
