"""Keyword-argument parsing with Chainer's errors (removed arguments, unknown names)."""
from __future__ import annotations


def parse_kwargs(kwargs: dict, *name_and_values, **removed) -> tuple:
    """Pops the named keyword arguments (with defaults) from ``kwargs``.

    ``removed`` maps argument names that Chainer no longer accepts to the
    message of the ``ValueError`` raised when one is passed. Anything left
    over raises ``TypeError``.
    """
    for name, message in removed.items():
        if name in kwargs:
            raise ValueError(message)
    values = tuple(kwargs.pop(name, default) for name, default in name_and_values)
    if kwargs:
        names = ', '.join(f"'{k}'" for k in kwargs)
        raise TypeError(f'got unexpected keyword argument(s) {names}')
    return values
