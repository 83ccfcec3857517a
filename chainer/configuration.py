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


# Keys that ``FunctionNode.apply`` would read on every call (about 0.1 us a read) but
# that are seldom set, with the truth of their default. For each, a module flag
# (``_debug_may_be_on``, ...) turns true, and stays true, before any configuration,
# global or of any thread, stores a value that acts otherwise, so that the hot path
# reads the key only where the flag is up. Every way of storing a value passes
# through ``_note`` first (attributes of ``config``, ``global_config``,
# ``config._local``, ``using_config``, the ``CHAINER_*`` variables, which are set as
# attributes of ``global_config``), writes into ``vars(config)`` excepted.
_SELDOM_SET = {'debug': ('_debug_may_be_on', False),
               'lazy_grad_sum': ('_lazy_grad_sum_may_be_on', False),
               'type_check': ('_type_check_may_be_off', True)}
_debug_may_be_on = False
_lazy_grad_sum_may_be_on = False
_type_check_may_be_off = False
_PLAIN_FLAGS = (bool, int, type(None))
_missing = object()


def _note(name: str, value: Any) -> None:
    """Raises the flag of ``name`` (see ``_SELDOM_SET``) if ``value``, about to be
    stored for it, may act unlike its default (``_missing``: a value deleted)."""
    seldom = _SELDOM_SET.get(name)
    if seldom is not None and (type(value) not in _PLAIN_FLAGS
                               or bool(value) is not seldom[1]):
        globals()[seldom[0]] = True


class GlobalConfig:
    """The process-wide defaults; every thread's ``LocalConfig`` falls back here."""

    def __setattr__(self, name: str, value: Any) -> None:
        _note(name, value)
        object.__setattr__(self, name, value)
        for cls in _mirrors.get(id(self), ()):
            setattr(cls, name, value)

    def __delattr__(self, name: str) -> None:
        _note(name, _missing)  # (the key reads None now, or the class's value)
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

    def __setattr__(self, name: str, value: Any) -> None:
        _note(name, value)
        super().__setattr__(name, value)

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
        _note(name, value)
        self._config.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self._config.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None


def _print_attrs(obj: Any, keys, file) -> None:
    if not keys:
        return
    # imported here: chainer.utils is not importable yet when this module loads
    from chainer.utils.error import _numpy1_printing
    width = max(len(key) for key in keys)
    with _numpy1_printing():  # (0.5, 3), not (np.float32(0.5), np.int64(3)), as Chainer
        for key in keys:
            file.write(f'{key.ljust(width)} {getattr(obj, key)}\n')


global_config = GlobalConfig()
config = LocalConfig(global_config)


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
        name = self.name
        if name in _SELDOM_SET:
            _note(name, self.value)
        local = self.config.__dict__
        self._old = local.get(name, _missing)
        local[name] = self.value

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
