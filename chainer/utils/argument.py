"""Keyword-argument parsing with Chainer's errors (removed arguments, unknown names)."""
from __future__ import annotations


def check_unexpected_kwargs(kwargs: dict, **unexpected) -> None:
    """Raises ``ValueError`` with the given message for each removed argument present."""
    for name, message in unexpected.items():
        if name in kwargs:
            raise ValueError(message)


def assert_kwargs_empty(kwargs: dict) -> None:
    """Raises ``TypeError`` naming the keyword arguments left in ``kwargs``."""
    if kwargs:
        names = ', '.join(f"'{k}'" for k in kwargs)
        raise TypeError(f'got unexpected keyword argument(s) {names}')


def parse_kwargs(kwargs: dict, *name_and_values, **unexpected) -> tuple:
    """Pops the named keyword arguments (with defaults) from ``kwargs``.

    ``unexpected`` maps argument names that are no longer accepted to the
    message of the ``ValueError`` raised when one is passed. Anything left
    over raises ``TypeError``.
    """
    check_unexpected_kwargs(kwargs, **unexpected)
    values = tuple(kwargs.pop(name, default) for name, default in name_and_values)
    assert_kwargs_empty(kwargs)
    return values
