"""Global and thread-local configuration (``chainer.config``).

``config.<key>`` is read on every function call, so it must be cheap. Each
:class:`LocalConfig` is an instance of its own ``threading.local`` subclass: a
thread's overrides live in the instance dictionary and the global values are
mirrored as class attributes, so a lookup never runs Python code.
"""
from __future__ import annotations

import contextlib
import sys
import threading
from typing import Any

# id(GlobalConfig) -> the LocalConfig classes that mirror it
_mirrors: dict[int, list[type]] = {}

# Chainer's keys; a GlobalConfig that has not set one reads None for it.
_KEYS = ('autotune', 'compute_mode', 'cudnn_deterministic', 'cudnn_fast_batch_normalization',
         'debug', 'dtype', 'enable_backprop', 'in_recomputing', 'keep_graph_on_report',
         'lazy_grad_sum', 'schedule_func', 'train', 'type_check', 'use_cudnn',
         'use_cudnn_tensor_core', 'use_ideep', 'use_static_graph', 'warn_nondeterministic',
         '_will_recompute')


class GlobalConfig:
    """The process-wide defaults; every thread's ``LocalConfig`` falls back here."""

    def __setattr__(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)
        for cls in _mirrors.get(id(self), ()):
            setattr(cls, name, value)

    def __delattr__(self, name: str) -> None:
        object.__delattr__(self, name)
        for cls in _mirrors.get(id(self), ()):
            if name in _KEYS:
                setattr(cls, name, None)
            else:
                delattr(cls, name)

    def show(self, file=sys.stdout) -> None:
        """Prints the configuration entries, one per line, sorted by name."""
        _print_attrs(self, sorted(self.__dict__), file)


for _key in _KEYS:
    setattr(GlobalConfig, _key, None)


class LocalConfig(threading.local):
    """Thread-local overrides on top of a :class:`GlobalConfig`."""

    def __new__(cls, global_config: GlobalConfig):
        mirror = type(cls.__name__, (cls,), {'__module__': cls.__module__})
        for name in _KEYS:
            setattr(mirror, name, getattr(global_config, name))
        for name, value in vars(global_config).items():
            setattr(mirror, name, value)
        mirror._global = global_config
        _mirrors.setdefault(id(global_config), []).append(mirror)
        return super().__new__(mirror, global_config)

    def __init__(self, global_config: GlobalConfig) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        # Reached only for a key set nowhere: Chainer read it from the global
        # configuration, whose AttributeError names GlobalConfig.
        return getattr(self._global, name)

    def __reduce__(self):
        raise TypeError('LocalConfig cannot be pickled')

    @property
    def _local(self):
        """This thread's overrides (an object whose attributes are the entries)."""
        return _LocalView(self)

    def show(self, file=sys.stdout) -> None:
        """Prints the effective configuration (global and this thread's)."""
        keys = sorted(set(vars(self._global)) | set(self.__dict__))
        _print_attrs(self, keys, file)


class _LocalView:
    __slots__ = ('_config',)

    def __init__(self, cfg: LocalConfig) -> None:
        object.__setattr__(self, '_config', cfg)

    @property
    def __dict__(self) -> dict[str, Any]:
        return self._config.__dict__

    def __getattr__(self, name: str) -> Any:
        try:
            return self._config.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._config.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._config.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None


def _print_attrs(obj: Any, keys, file) -> None:
    if not keys:
        return
    width = max(len(key) for key in keys)
    for key in keys:
        file.write(f'{key.ljust(width)} {getattr(obj, key)}\n')


global_config = GlobalConfig()
config = LocalConfig(global_config)

_missing = object()


class using_config(contextlib.ContextDecorator):  # noqa: N801 (Chainer's name)
    """Temporarily sets a configuration entry for the current thread.

    A context manager, also usable as a decorator. It is a plain class rather
    than a generator because the core enters one on every backward call.
    """

    __slots__ = ('name', 'value', 'config', '_old')

    def __init__(self, name: str, value: Any, config: LocalConfig = config) -> None:
        if not isinstance(name, str):
            raise TypeError(f'attribute name must be string, not {type(name).__name__!r}')
        self.name = name
        self.value = value
        self.config = config

    def _recreate_cm(self) -> 'using_config':
        # Each call of a decorated function (recursion included) gets its own.
        return type(self)(self.name, self.value, self.config)

    def __enter__(self) -> None:
        local = self.config.__dict__
        self._old = local.get(self.name, _missing)
        local[self.name] = self.value

    def __exit__(self, *exc_info) -> None:
        local = self.config.__dict__
        old = self._old
        if old is _missing:
            # As in Chainer: the override is gone (deleted in the block, or this is
            # another thread than the one that entered), which is an error.
            try:
                del local[self.name]
            except KeyError:
                raise AttributeError(
                    f'configuration entry {self.name!r} is not set in this thread: it '
                    'was deleted inside using_config, or the context was exited in '
                    'another thread than the one that entered it') from None
        else:
            local[self.name] = old
