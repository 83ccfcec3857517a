"""FunctionHook: callbacks run around the forward and backward of every function."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import _thread_state

if TYPE_CHECKING:
    from chainer.function_node import FunctionNode
    from chainer.types import NdArray


class FunctionHook:
    """Base class of function hooks.

    Use it as a context manager to hook every function called inside the
    ``with`` block (in this thread), or register it on one node with
    :meth:`chainer.FunctionNode.add_hook`.
    """

    name = 'FunctionHook'

    def __enter__(self) -> 'FunctionHook':
        _register(_thread_state.get_function_hooks(), self, self.name, None)
        return self

    def __exit__(self, *_) -> None:
        _unregister(_thread_state.get_function_hooks(), self.name, None)

    def added(self, function: FunctionNode | None = None) -> None:
        """Called when the hook is registered (``function`` is None for a global hook)."""

    def deleted(self, function: FunctionNode | None = None) -> None:
        """Called when the hook is unregistered."""

    def forward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        """Called before ``function`` computes its forward."""

    def forward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        """Called after ``function`` computed its forward."""

    def backward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                            out_grad: tuple[NdArray | None, ...]) -> None:
        """Called before ``function`` computes its backward."""

    def backward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                             out_grad: tuple[NdArray | None, ...]) -> None:
        """Called after ``function`` computed its backward."""


def _register(hooks, hook, name, target) -> None:
    """Adds ``hook`` to the registry ``hooks`` under ``name`` (``hook.name`` when None)
    and tells it ``added(target)``: the one registration of function and link hooks,
    global (``target`` None) or on one node or link. ``KeyError`` where the name is taken."""
    if name is None:
        name = hook.name
    if name in hooks:
        # Chainer's message: lower case for ``with hook:``, capitalised for add_hook.
        raise KeyError(f"{'hook' if target is None else 'Hook'} {name} already exists")
    hooks[name] = hook
    hook.added(target)


def _unregister(hooks, name, target) -> None:
    """Tells the hook ``name`` of ``hooks`` ``deleted(target)`` and removes it
    (``KeyError`` where there is none: Chainer's ``KeyError(name)`` for a ``with``
    block left where the hook is not registered, e.g. in another thread); the
    inverse of :func:`_register`."""
    if name not in hooks:
        raise KeyError(name if target is None else f'Hook {name} does not exist')
    hooks[name].deleted(target)
    del hooks[name]


def _call_failed(target, hooks) -> None:
    """After a call of ``target`` (a function node's forward or backward, or a
    link's forward) raised, lets the hooks whose preprocess ran undo it through
    their ``_call_failed(target)`` (timers and profilers drop the call's start,
    weight hooks put the weight back), the last hook first; ``*_postprocess`` is
    not called, as in Chainer."""
    for hook in reversed(hooks):
        undo = getattr(hook, '_call_failed', None)
        if undo is not None:
            undo(target)
