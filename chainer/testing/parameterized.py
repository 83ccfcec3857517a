"""Class decorators that multiply a test class over parameter combinations."""
from __future__ import annotations

import functools
import io
import itertools
import types
import unittest
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from chainer.testing import _bundle
from chainer.utils.error import (
    _caused_by, _numpy1_printing, _TypeAssertionError, _ValueAssertionError)

if TYPE_CHECKING:
    from collections.abc import Callable

_SINGLE_PARAM_MAXLEN = 100   # longest text of one parameter value in a name
_PARAMS_MAXLEN = 5000        # longest text of all parameters in a name


def _param_to_str(obj: Any) -> str:
    # Classes, functions and modules go by name: a repr with an address would
    # change the test names from one run (or pytest-xdist worker) to the next.
    name = getattr(obj, '__name__', None)
    if isinstance(name, str):
        return name
    return repr(obj)


def _shorten(s: str, maxlen: int) -> str:
    # Keeps both ends, which usually differ between parameter sets.
    ellipsis = '...'
    if len(s) <= maxlen:
        return s
    head = (maxlen - len(ellipsis)) // 2
    tail = maxlen - len(ellipsis) - head
    return s[:head] + ellipsis + s[-tail:]


def _make_class_name(base_name: str, index: int, param: dict) -> str:
    with _numpy1_printing():
        text = ', '.join(
            f'{k}={_shorten(_param_to_str(v), _SINGLE_PARAM_MAXLEN)}'
            for k, v in sorted(param.items()))
    return f'{base_name}_param_{index}_{{{_shorten(text, _PARAMS_MAXLEN)}}}'


def _raise_wrapped(exc: Exception, message: str) -> None:
    exc_type = type(exc)
    if exc_type.__name__ == 'OutOfMemoryError':
        # CuPy's OutOfMemoryError cannot be built from a message alone.
        exc_type = MemoryError
    try:
        new_exc = _caused_by(exc_type, message, exc)
    except Exception:
        raise exc from None
    raise new_exc from None


def _parameterize_test_case(base: type, index: int, param: dict):
    cls_name = _make_class_name(base.__name__, index, param)

    def __str__(self):
        with _numpy1_printing():
            return f'{base.__str__(self)}  parameter: {param}'

    members: dict[str, Any] = {'__str__': __str__}
    for key, value in sorted(param.items()):
        # A plain function given as a parameter is called without ``self``.
        members[key] = (staticmethod(value)
                        if isinstance(value, types.FunctionType) else value)

    def method_generator(base_method):
        @functools.wraps(base_method)
        def new_method(self, *args, **kwargs):
            try:
                return base_method(self, *args, **kwargs)
            except unittest.SkipTest:
                raise
            except Exception as e:
                s = io.StringIO()
                s.write('Parameterized test failed.\n\n')
                s.write(f'Base test method: {base.__name__}.{base_method.__name__}\n')
                s.write('Test parameters:\n')
                with _numpy1_printing():
                    for k, v in sorted(param.items()):
                        s.write(f'  {k}: {v}\n')
                _raise_wrapped(e, s.getvalue())
        return new_method

    return cls_name, members, method_generator


def parameterize(*params: dict) -> Callable[[type], type]:
    """Class decorator generating one test class per parameter dict.

    Each dict's items become class attributes of a generated subclass named
    ``'{Base}_param_{i}_{{k1=v1, k2=v2}}'`` (keys sorted).
    """
    for param in params:
        if not isinstance(param, dict):
            raise TypeError(
                f'parameterize takes dicts of parameters, got {type(param).__name__}')

    def generator(base):
        for i, param in enumerate(params):
            yield _parameterize_test_case(base, i, param)

    return _bundle.make_decorator(generator)


def _values_to_dicts(names: str, values: Sequence) -> list[dict]:
    # Also AssertionErrors: Chainer asserted these.
    if not isinstance(names, str):
        raise _TypeAssertionError(f'names must be a str, got {type(names).__name__}')
    if not isinstance(values, (tuple, list)):
        raise _TypeAssertionError(
            f'values must be a tuple or list, got {type(values).__name__}')
    keys = [name.strip() for name in names.split(',')]
    if len(keys) == 1:
        return [{keys[0]: value} for value in values]
    dicts = []
    for value in values:
        if not isinstance(value, (tuple, list)) or len(value) != len(keys):
            raise _ValueAssertionError(
                f'each value for {names!r} must be a tuple or list of '
                f'{len(keys)} items, got {value!r}')
        dicts.append(dict(zip(keys, value)))
    return dicts


def from_pytest_parameterize(names: str, values: Sequence) -> list[dict]:
    """Turns ``pytest.mark.parametrize``-style arguments into parameter dicts."""
    return _values_to_dicts(names, values)


def parameterize_pytest(names: str, values: Sequence) -> Callable[[type], type]:
    """:func:`parameterize` with ``pytest.mark.parametrize``-style arguments."""
    return parameterize(*from_pytest_parameterize(names, values))


def product(parameter: dict | list) -> list[dict]:
    """Cartesian product of parameters.

    ``parameter`` is either a dict mapping names (or comma-separated names)
    to lists of values, combined in sorted key order, or a list of lists of
    dicts, whose product is merged into single dicts.
    """
    if isinstance(parameter, dict):
        return product_dict(*[
            _values_to_dicts(names, values)
            for names, values in sorted(parameter.items())])
    if isinstance(parameter, list):
        if not all(isinstance(item, list) for item in parameter):
            raise TypeError('parameter must be list of lists of dicts')
        if not all(isinstance(d, dict) for item in parameter for d in item):
            raise TypeError('parameter must be list of lists of dicts')
        return product_dict(*parameter)
    raise TypeError(
        f'parameter must be either dict or list. Actual: {type(parameter)}')


def product_dict(*parameters: list[dict]) -> list[dict]:
    """Merges every combination of one dict from each list into one dict."""
    return [
        {k: v for d in dicts for k, v in d.items()}
        for dicts in itertools.product(*parameters)]


# Chainer's names, which its test suite's conftest.py swaps in and out of
# ``testing.product_dict`` (and ``product``, which looks product_dict up here)
# to run only combinations that cover every pair of values.
_product_dict_orig = product_dict


def _pairwise_product_dict(*parameters: list[dict]) -> list[dict]:
    """Fewer merged combinations than :func:`product_dict` that still contain every
    pair of dicts from two different lists (all of them for two lists or fewer)."""
    if len(parameters) <= 2:
        return _product_dict_orig(*parameters)
    sizes = [len(p) for p in parameters]
    if 0 in sizes:
        return []
    n = len(sizes)
    # the pairs (list i, item a, list j, item b) no chosen combination holds yet
    uncovered = {(i, a, j, b) for i in range(n) for j in range(i + 1, n)
                 for a in range(sizes[i]) for b in range(sizes[j])}
    rows = []
    while uncovered:
        # start from an uncovered pair, then pick, list by list, the item that
        # covers the most pairs still uncovered together with those picked
        i0, a0, j0, b0 = min(uncovered)
        row = {i0: a0, j0: b0}
        for k in range(n):
            if k in row:
                continue
            row[k] = max(range(sizes[k]), key=lambda c: sum(
                (min(k, m), c if k < m else row[m], max(k, m), row[m] if k < m else c)
                in uncovered for m in row))
        for i in range(n):
            for j in range(i + 1, n):
                uncovered.discard((i, row[i], j, row[j]))
        rows.append(tuple(row[k] for k in range(n)))
    return [
        {k: v for p, c in zip(parameters, r) for k, v in p[c].items()}
        for r in sorted(rows)]
