"""Test helpers: requirement-based skips, warning checks and ``mock.patch``."""
from __future__ import annotations

from typing import TYPE_CHECKING
import contextlib
import importlib
import importlib.metadata
import operator
import re
import unittest
import warnings
from collections.abc import Iterator
from unittest import mock

from chainer.testing import _bundle

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

try:
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.version import InvalidVersion, Version
except ImportError:  # packaging is optional; a small parser covers the usual forms
    Requirement = None


def _installed_version(name: str) -> str | None:
    # rechainer installs as the ``rechainer`` distribution; a requirement on
    # ``chainer`` is one on the Chainer release whose API it provides.
    if re.sub(r'[-_.]+', '-', name).lower() == 'chainer':
        import chainer
        return chainer.__version__
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _satisfied_packaging(requirement: str) -> bool:
    try:
        req = Requirement(requirement)
    except InvalidRequirement as e:
        raise ValueError(f'invalid requirement {requirement!r}: {e}') from None
    if req.marker is not None and not req.marker.evaluate():
        return True  # does not apply to this environment
    version = _installed_version(req.name)
    if version is None:
        return False
    try:
        Version(version)
    except InvalidVersion:
        return not req.specifier
    return req.specifier.contains(version, prereleases=True)


_SIMPLE_REQUIREMENT = re.compile(
    r'^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(.*)$')
_SIMPLE_SPEC = re.compile(r'^\s*(===|==|!=|<=|>=|~=|<|>)\s*([A-Za-z0-9.*+!_-]+)\s*$')
_OPERATORS = {'==': operator.eq, '===': operator.eq, '!=': operator.ne, '<=': operator.le,
              '>=': operator.ge, '<': operator.lt, '>': operator.gt}


def _version_key(text: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in re.split(r'[.+-]', text))


def _satisfied_simple(requirement: str) -> bool:
    match = _SIMPLE_REQUIREMENT.match(requirement)
    if match is None:
        raise ValueError(f'invalid requirement {requirement!r}')
    name, specs = match.groups()
    version = _installed_version(name)
    if version is None:
        return False
    for spec in filter(None, (s.strip() for s in specs.split(','))):
        spec_match = _SIMPLE_SPEC.match(spec)
        if spec_match is None:
            raise ValueError(f'invalid requirement {requirement!r}')
        op, wanted = spec_match.groups()
        if op == '~=':
            prefix = _version_key(wanted)[:-1]
            if not (_version_key(version) >= _version_key(wanted)
                    and _version_key(version)[:len(prefix)] == prefix):
                return False
        elif not _OPERATORS[op](_version_key(version), _version_key(wanted)):
            return False
    return True


def _requirements_satisfied(requirements: tuple[str, ...]) -> bool:
    for requirement in requirements:
        if not isinstance(requirement, str):
            raise TypeError(
                f'requirements must be strings, got {type(requirement).__name__}')
    check = _satisfied_simple if Requirement is None else _satisfied_packaging
    return all([check(r) for r in requirements])


def _skip_if(skip: bool, requirements: tuple[str, ...]):
    if not skip:
        return lambda target: target
    reason = f"requires: {','.join(requirements)}"

    def skipper(target):
        # unittest's flag covers TestCase classes run by any runner, the
        # pytest mark (when pytest is there) covers pytest-style classes.
        target = unittest.skip(reason)(target)
        try:
            import pytest
        except ImportError:
            return target
        return pytest.mark.skip(reason=reason)(target)

    return lambda target: _bundle.apply_to_classes(target, skipper)


def with_requires(*requirements: str) -> Callable[[Any], Any]:
    """Skips the test unless all pip requirements (e.g. ``'scipy>=1.0'``) hold.

    A requirement on ``chainer`` is checked against ``chainer.__version__``
    (the Chainer version this package is compatible with).
    """
    return _skip_if(not _requirements_satisfied(requirements), requirements)


def without_requires(*requirements: str) -> Callable[[Any], Any]:
    """Skips the test when all pip requirements hold."""
    return _skip_if(_requirements_satisfied(requirements), requirements)


@contextlib.contextmanager
def assert_warns(expected: type[Warning]) -> Iterator[None]:
    """Asserts that the block issues a warning of class ``expected``."""
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter('always')
        yield
    if not any(isinstance(r.message, expected) for r in records):
        name = getattr(expected, '__name__', str(expected))
        raise AssertionError(f'{name} not triggerred')


def _import_object(fullname: str):
    parts = fullname.split('.')
    # Import the longest importable module prefix, then walk attributes.
    for n in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module('.'.join(parts[:n]))
        except ImportError:
            continue
        for part in parts[n:]:
            obj = getattr(obj, part)
        return obj
    raise ImportError(f'cannot import {fullname!r}')


def patch(target: str, *args: Any, **kwargs: Any) -> Any:
    """``unittest.mock.patch`` that by default wraps the patched object.

    The mock records calls and still runs the original (``wraps`` defaults
    to the object named by ``target``).
    """
    if 'wraps' in kwargs:
        wraps = kwargs.pop('wraps')
    else:
        wraps = _import_object(target)
    return mock.patch(target, *args, wraps=wraps, **kwargs)
