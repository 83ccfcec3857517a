"""Utilities for testing code written with Chainer."""
from __future__ import annotations

import importlib
from typing import Any

from chainer.testing import array  # NOQA
from chainer.testing import attr  # NOQA
from chainer.testing import backend  # NOQA
from chainer.testing import condition  # NOQA
from chainer.testing import distribution_test  # NOQA
from chainer.testing import helper  # NOQA
from chainer.testing import matrix  # NOQA
from chainer.testing import parameterized  # NOQA
from chainer.testing import random  # NOQA
from chainer.testing import serializer  # NOQA
from chainer.testing import training  # NOQA

from chainer.testing.array import assert_allclose  # NOQA
from chainer.testing.backend import BackendConfig  # NOQA
from chainer.testing.backend import inject_backend_tests  # NOQA
from chainer.testing.distribution_test import distribution_unittest  # NOQA
from chainer.testing.helper import assert_warns  # NOQA
from chainer.testing.helper import patch  # NOQA
from chainer.testing.helper import with_requires  # NOQA
from chainer.testing.helper import without_requires  # NOQA
from chainer.testing.matrix import generate_matrix  # NOQA
from chainer.testing.parameterized import from_pytest_parameterize  # NOQA
from chainer.testing.parameterized import parameterize  # NOQA
from chainer.testing.parameterized import parameterize_pytest  # NOQA
from chainer.testing.parameterized import product  # NOQA
from chainer.testing.parameterized import product_dict  # NOQA
from chainer.testing.random import fix_random  # NOQA
from chainer.testing.random import generate_seed  # NOQA
from chainer.testing.serializer import save_and_load  # NOQA
from chainer.testing.serializer import save_and_load_hdf5  # NOQA
from chainer.testing.serializer import save_and_load_npz  # NOQA
from chainer.testing.training import get_trainer_with_mock_updater  # NOQA

# Names living in modules that depend on chainer.gradient_check and the
# function/link machinery; imported on first use so that this package loads
# on its own and an import error shows where the name is used.
_LAZY_NAMES = {
    'FunctionTestCase': 'chainer.testing.function_link',
    'FunctionTestError': 'chainer.testing.function_link',
    'LinkTestCase': 'chainer.testing.function_link',
    'LinkTestError': 'chainer.testing.function_link',
    'LinkInitializersTestCase': 'chainer.testing.function_link',
    'InitializerArgument': 'chainer.testing.function_link',
    'unary_math_function_unittest': 'chainer.testing.unary_math_function_test',
}
_LAZY_MODULES = ('function_link', 'unary_math_function_test')


def __getattr__(name: str) -> Any:
    if name in _LAZY_NAMES:
        value = getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    elif name in _LAZY_MODULES:
        value = importlib.import_module(f'{__name__}.{name}')
    else:
        raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY_NAMES) | set(_LAZY_MODULES))


def run_module(name: str, file: str) -> None:
    """Runs the tests of ``file`` with pytest when ``name`` is ``'__main__'``.

    Call as ``testing.run_module(__name__, __file__)`` at the end of a test file.
    """
    if name == '__main__':
        import pytest
        pytest.main([file, '-vvs', '-x', '--pdb'])
