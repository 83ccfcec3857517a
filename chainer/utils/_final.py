"""``final`` classes and methods: overriding them raises an error at class creation."""
from __future__ import annotations

import warnings

from chainer.utils import argument


def final(*args, **kwargs):
    """Marks a class (no subclasses) or a method (no overrides) as final.

    Use as ``@final`` or ``@final(action=TypeError)``; methods are checked in
    classes built on :func:`enable_final`.
    """
    action = kwargs.pop('action', TypeError)
    argument.assert_kwargs_empty(kwargs)

    def wrap(obj):
        if isinstance(obj, type):
            original = obj.__dict__.get('__init_subclass__')

            def __init_subclass__(cls, **kw):
                raise action(f'class {obj.__name__} is final and cannot be subclassed '
                             f'(by {cls.__name__})')
            obj.__init_subclass__ = classmethod(__init_subclass__)
            obj.__final_original_init_subclass__ = original
            return obj
        obj.__isfinal__ = True
        obj.__final_action__ = action
        return obj

    if len(args) == 1 and callable(args[0]):
        return wrap(args[0])
    if args:
        raise TypeError('final() takes a class or a function, or only keyword arguments')
    return wrap


class _EnableFinal(type):
    def __init__(cls, name, bases, namespace):
        super().__init__(name, bases, namespace)
        for key in namespace:
            for base in cls.__mro__[1:]:
                method = base.__dict__.get(key)
                if method is not None and getattr(method, '__isfinal__', False):
                    action = method.__final_action__
                    message = f'cannot override final method {base.__name__}.{key} in {name}'
                    if isinstance(action, type) and issubclass(action, Warning):
                        # A warning category only warns (Chainer's deprecations).
                        warnings.warn(message, action, stacklevel=2)
                    else:
                        raise action(message)


def enable_final(base=(), meta_base=()):
    """A base class whose subclasses may not override methods marked :func:`final`."""
    if not isinstance(base, (list, tuple)):
        base = (base,)
    if not isinstance(meta_base, (list, tuple)):
        meta_base = (meta_base,)
    metaclass = type('_EnableFinalMeta', (_EnableFinal,) + tuple(meta_base), {})
    return metaclass('_EnableFinalBase', tuple(base), {})
