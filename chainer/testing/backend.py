"""Backend configurations for tests and the ``inject_backend_tests`` decorator."""
from __future__ import annotations

import functools
import importlib.util
import inspect
import unittest
from typing import TYPE_CHECKING, Any

from chainer.testing import _bundle
from chainer.testing import attr

if TYPE_CHECKING:
    from collections.abc import Callable

    from chainer.types import NdArray

# Chainer's order: it fixes the attribute order of repr() and generated names.
_PROPS: tuple[tuple[str, Any], ...] = (
    ('use_chainerx', False),
    ('chainerx_device', None),
    ('use_cuda', False),
    ('cuda_device', None),  # becomes 0 when use_cuda is True
    ('use_cudnn', 'never'),
    ('cudnn_deterministic', False),
    ('autotune', False),
    ('cudnn_fast_batch_normalization', False),
    ('use_ideep', 'never'),
)
_PROP_NAMES = frozenset(name for name, _ in _PROPS)

# Configuration entries set while a BackendConfig is entered.
_CONFIG_KEYS = ('use_cudnn', 'cudnn_deterministic', 'autotune',
                'cudnn_fast_batch_normalization', 'use_ideep')


def _cuda_available() -> bool:
    try:
        from chainer.backends import cuda
    except ImportError:
        return False
    return bool(getattr(cuda, 'available', False))


def _chainerx_available() -> bool:
    if importlib.util.find_spec('chainerx') is None:
        return False
    try:
        import chainerx
    except ImportError:
        return False
    is_available = getattr(chainerx, 'is_available', None)
    return bool(is_available()) if callable(is_available) else False


def _ideep_available() -> bool:
    return importlib.util.find_spec('ideep4py') is not None


class BackendConfig:
    """One backend setting for a test: device, cuDNN and iDeep options.

    Used as a context manager it applies the ``chainer.config`` entries and
    makes its device the current one.
    """

    def __init__(self, params: dict) -> None:
        if not isinstance(params, dict):
            raise TypeError('params must be a dict.')
        self._contexts: list[list] = []
        self._device = None
        for name, default in _PROPS:
            setattr(self, name, default)
        for name, value in params.items():
            if name not in _PROP_NAMES:
                raise ValueError(f'Parameter {name} is not defined')
            setattr(self, name, value)
        if self.use_chainerx and not isinstance(self.chainerx_device, str):
            raise ValueError(
                "'chainerx_device' parameter is expected to be a string "
                'representing a ChainerX device specifier')
        if self.use_cuda and self.cuda_device is None:
            self.cuda_device = 0

    @property
    def xp(self):
        """The array module of :attr:`device`."""
        return self.device.xp

    @property
    def device(self):
        """The :class:`chainer.backend.Device` the test runs on."""
        if self._device is None:
            from chainer import backend
            if self.use_cuda:
                device = backend.get_device(f'@cupy:{self.cuda_device}')
            elif self.use_chainerx:
                device = backend.get_device(self.chainerx_device)
            elif self.use_ideep != 'never':
                device = backend.Intel64Device()
            else:
                device = backend.CpuDevice()
            self._device = device
        return self._device

    def __enter__(self) -> BackendConfig:
        import chainer
        contexts = [chainer.using_config(key, getattr(self, key)) for key in _CONFIG_KEYS]
        contexts.append(chainer.using_device(self.device))
        entered = []
        try:
            for context in contexts:
                context.__enter__()
                entered.append(context)
        except BaseException:
            for context in reversed(entered):
                context.__exit__(None, None, None)
            raise
        self._contexts.append(entered)
        return self

    def __exit__(self, typ, value, traceback) -> None:
        for context in reversed(self._contexts.pop()):
            context.__exit__(typ, value, traceback)

    def __repr__(self) -> str:
        items = ' '.join(f'{name}={getattr(self, name)!r}' for name, _ in _PROPS)
        return f'<BackendConfig {items}>'

    def get_func_str(self) -> str:
        """Text identifying the configuration, usable in a name."""
        parts = []
        for name, _ in _PROPS:
            value = getattr(self, name)
            if value is True:
                text = 'true'
            elif value is False:
                text = 'false'
            else:
                text = str(value)
            parts.append(f'{name}_{text}')
        return '__'.join(parts)

    def get_pytest_marks(self) -> list:
        """pytest marks for the configuration (``gpu``, ``cudnn``, ...)."""
        marks = []
        if self.use_chainerx:
            marks.append(attr.chainerx)
            backend_name, _, index = self.chainerx_device.partition(':')
            if backend_name == 'cuda':
                index = int(index or 0)
                marks.append(attr.gpu)
                if index >= 1:
                    marks.append(attr.multi_gpu(index + 1))
        elif self.use_cuda:
            marks.append(attr.gpu)
            if self.use_cudnn != 'never':
                marks.append(attr.cudnn)
            if self.cuda_device >= 1:
                marks.append(attr.multi_gpu(self.cuda_device + 1))
        elif self.use_ideep != 'never':
            marks.append(attr.ideep)
        return marks

    def get_array(self, np_array: NdArray) -> NdArray:
        """Sends a NumPy array (or a tuple/list/dict of them) to :attr:`device`."""
        return self.device.send(np_array)

    def _skip_reason(self) -> str | None:
        # Configurations this machine cannot run are generated and skipped,
        # so that test names do not depend on the machine.
        if self.use_chainerx and not _chainerx_available():
            return 'ChainerX is not available'
        if self.use_cuda and not _cuda_available():
            return 'CUDA (CuPy) is not available'
        if self.use_ideep != 'never' and not _ideep_available():
            return 'iDeep is not available'
        return None


def _test_case_generator(base: type, method_names: list | None, params: list[dict]):
    if method_names is not None:
        # The methods that take no backend keep a class of the base's name.
        def keep_others(base_method):
            return None if base_method.__name__ in method_names else base_method

        yield base.__name__, {}, keep_others

    for param in params:
        backend_config = BackendConfig(param)
        marks = backend_config.get_pytest_marks()
        cls_name = f'{base.__name__}_{backend_config.get_func_str()}'

        def method_generator(base_method, backend_config=backend_config, marks=marks):
            if method_names is not None and base_method.__name__ not in method_names:
                return None

            @functools.wraps(base_method)
            def new_method(self, *args, **kwargs):
                reason = backend_config._skip_reason()
                if reason is not None:
                    raise unittest.SkipTest(reason)
                return base_method(self, backend_config, *args, **kwargs)

            # pytest must not see the backend_config parameter as a fixture.
            new_method.__signature__ = _drop_backend_param(base_method)
            for mark in marks:
                new_method = mark(new_method)
            return new_method

        yield cls_name, {}, method_generator


def _drop_backend_param(method) -> inspect.Signature:
    signature = inspect.signature(method)
    params = list(signature.parameters.values())
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if len(params) >= 2 and params[1].kind in positional:
        del params[1]
    return signature.replace(parameters=params)


def inject_backend_tests(method_names: list | None, params: list[dict]) -> Callable[[type], type]:
    """Class decorator generating one test class per backend configuration.

    The methods named in ``method_names`` (all ``test_*`` methods when it is
    ``None``) receive a :class:`BackendConfig` as their first argument after
    ``self``.
    """
    if not (method_names is None or isinstance(method_names, list)):
        raise TypeError('method_names must be either None or a list.')
    if not isinstance(params, list):
        raise TypeError('params must be a list of dicts.')
    if not all(isinstance(d, dict) for d in params):
        raise TypeError('params must be a list of dicts.')
    # Validate eagerly so that a typo fails at import, not at collection.
    for param in params:
        BackendConfig(param)
    return _bundle.make_decorator(
        lambda base: _test_case_generator(base, method_names, params))
