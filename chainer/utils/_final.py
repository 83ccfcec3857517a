"""``final`` classes and methods: overriding them raises an error at class creation."""
from __future__ import annotations

from typing import TYPE_CHECKING
import warnings

from chainer.utils import argument
from chainer.utils.error import _TypeAssertionError

if TYPE_CHECKING:
    from typing import Any


def final(*args: Any, **kwargs: Any) -> Any:
    """Marks a method final: a subclass that overrides it raises ``action``.

    Use as ``@final`` or ``@final(action=TypeError)``; ``action`` is an
    exception class, or a warning category to only warn. Overrides are checked
    in classes built on :func:`enable_final`; anything else decorated (a
    class, say) is only marked, as in Chainer.
    """
    action = kwargs.pop('action', TypeError)
    argument.assert_kwargs_empty(kwargs)

    def wrap(obj):
        obj.__isfinal__ = True
        obj.__final_action__ = action
        return obj

    if len(args) == 1 and callable(args[0]):
        return wrap(args[0])
    if args:
        # Chainer asserted this: also an AssertionError.
        raise _TypeAssertionError(
            'final() takes a class or a function, or only keyword arguments')
    return wrap


class _EnableFinal(type):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        # As in Chainer, the method each direct base resolves the name to is
        # checked: a subclass of a class that already overrode a final method
        # (with a warning) is not warned again. Chainer's sentence starts each
        # message, so filters written for it match.
        for key in namespace:
            for base in bases:
                method = getattr(base, key, None)
                if method is None or not getattr(method, '__isfinal__', False):
                    continue
                action = method.__final_action__
                owner = getattr(method, '__qualname__', key)
                if isinstance(action, type) and issubclass(action, Warning):
                    # A warning category only warns (Chainer's deprecations).
                    warnings.warn(f'Overriding method {key!r}. {name} overrides final '
                                  f'method {owner}', action)
                else:
                    raise action(f'method {key!r} is final. {name} cannot override '
                                 f'final method {owner}')


def enable_final(base: tuple[type, ...] = (), meta_base: tuple[type, ...] = ()) -> type:
    """A base class whose subclasses may not override methods marked :func:`final`.

    The class returned is a placeholder: a class statement that lists it gets
    ``base`` in its place (so it does not appear in the subclass's MRO) and a
    metaclass derived from ``meta_base`` that checks final methods.
    """
    if not isinstance(base, (list, tuple)):
        base = (base,)
    if not isinstance(meta_base, (list, tuple)):
        meta_base = (meta_base,)
    base = tuple(base)
    checking_meta = type('base_metaclass', (_EnableFinal,) + tuple(meta_base), {})

    class _Placeholder(type):
        def __new__(mcs, name, bases, namespace):
            real_bases = []
            for b in bases:
                real_bases.extend(base if b is placeholder else (b,))
            return checking_meta(name, tuple(real_bases), namespace)

    placeholder = type.__new__(_Placeholder, '_EnableFinalBase', (), {})
    return placeholder
