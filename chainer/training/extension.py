"""Trainer extensions: the base class and the ``make_extension`` decorator."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer

PRIORITY_WRITER = 300
PRIORITY_EDITOR = 200
PRIORITY_READER = 100

_INVOKE_BEFORE_TRAINING_REMOVED = (
    'invoke_before_training has been removed since Chainer v2.0.0. '
    'Use initializer= instead.')


class Extension:
    """Base class of trainer extensions.

    An extension is a callable run by :class:`~chainer.training.Trainer`
    whenever its trigger fires. The class attributes ``trigger``,
    ``priority`` and ``name`` give the defaults that
    :meth:`Trainer.extend` uses when the caller gives none.
    """

    trigger: Any = 1, 'iteration'
    priority: int = PRIORITY_READER
    name: str | None = None

    @property
    def default_name(self) -> str:
        """The name used when none is given: the class name."""
        return type(self).__name__

    def __call__(self, trainer: Trainer) -> None:
        raise NotImplementedError(
            'Extension implementation must override __call__.')

    def finalize(self) -> None:
        """Called once when the training loop ends (also on errors)."""

    def initialize(self, trainer: Trainer) -> None:
        """Called once before the training loop starts (also on resume)."""

    def on_error(self, trainer: Trainer, exc: BaseException, tb: Any) -> None:
        """Called when the training loop raised ``exc`` (with traceback ``tb``)."""

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the state of the extension (nothing by default)."""

    def __getattr__(self, name: str) -> Any:
        # Only reached for missing attributes: Chainer's removed flag says so.
        if name == 'invoke_before_training':
            raise AttributeError('invoke_before_training was removed in Chainer v2: '
                                 'define Extension.initialize instead')
        raise AttributeError(f'{type(self).__name__!r} object has no attribute {name!r}')


def make_extension(trigger: tuple[int | float, str] | Callable[[Trainer], bool] | None = None,
                   default_name: str | None = None, priority: int | None = None,
                   finalizer: Callable | None = None, initializer: Callable | None = None,
                   on_error: Callable | None = None, **kwargs: Any) -> Callable:
    """Decorator turning a function ``f(trainer)`` into an extension.

    It sets the attributes :meth:`Trainer.extend` reads: ``trigger``
    (default ``(1, 'iteration')``), ``default_name`` (default: the
    function's name), ``priority`` (default ``PRIORITY_READER``),
    ``finalize``, ``initialize`` and ``on_error``.
    """
    argument.check_unexpected_kwargs(
        kwargs, invoke_before_training=_INVOKE_BEFORE_TRAINING_REMOVED)
    argument.assert_kwargs_empty(kwargs)

    if trigger is None:
        trigger = Extension.trigger
    if priority is None:
        priority = Extension.priority

    def decorator(ext: Callable) -> Callable:
        ext.trigger = trigger
        ext.default_name = default_name or ext.__name__
        ext.priority = priority
        ext.finalize = finalizer
        ext.on_error = on_error
        ext.initialize = initializer
        return ext

    return decorator
