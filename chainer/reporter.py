"""Reporter: collects observed values (losses, accuracies) under observer names."""
from __future__ import annotations

import collections
import contextlib
import copy
import json
import threading
import warnings
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Tuple

import numpy

from chainer import backend
from chainer import configuration
from chainer import variable

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer

_local = threading.local()


def _get_reporters() -> list:
    """This thread's stack of active reporters."""
    try:
        return _local.reporters
    except AttributeError:
        reporters = _local.reporters = []
        return reporters


def _copy_variable(value: Any) -> Any:
    # A copy of a Variable carries the array but not the graph.
    if isinstance(value, variable.Variable):
        return copy.copy(value)
    return value


class Reporter:
    """Collects values reported by observers into :attr:`observation`.

    Values reported with an observer are stored under
    ``'<observer name>/<key>'``; the observer must be registered first with
    :meth:`add_observer` or :meth:`add_observers`.

    Attributes:
        observation (dict): The current observation (name -> value).
    """

    def __init__(self) -> None:
        self._observer_names: dict = {}
        self.observation: dict = {}

    def __enter__(self) -> None:
        """Makes this reporter the current one of this thread."""
        _get_reporters().append(self)

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        _get_reporters().pop()

    @contextlib.contextmanager
    def scope(self, observation: dict) -> Iterator[None]:
        """Makes this the current reporter, reporting into ``observation``."""
        old = self.observation
        self.observation = observation
        self.__enter__()
        try:
            yield
        finally:
            self.__exit__(None, None, None)
            self.observation = old

    def add_observer(self, name: str, observer: Any) -> None:
        """Registers ``observer`` (any object) under ``name``."""
        self._observer_names[id(observer)] = name

    def add_observers(self, prefix: str, observers: Iterable[Tuple[str, Any]]) -> None:
        """Registers ``(name, observer)`` pairs under ``prefix + name``.

        ``link.namedlinks(skipself=True)`` is a typical argument.
        """
        for name, observer in observers:
            self._observer_names[id(observer)] = prefix + name

    def report(self, values: dict, observer: Any = None) -> None:
        """Stores ``values`` (name -> value) in the current observation.

        Unless ``chainer.config.keep_graph_on_report`` is True, Variables are
        replaced by copies cut from the computational graph.
        """
        if not configuration.config.keep_graph_on_report:
            values = {k: _copy_variable(v) for k, v in values.items()}
        if observer is not None:
            observer_name = self._observer_names.get(id(observer))
            if observer_name is None:
                raise KeyError('Given observer is not registered to the reporter.')
            for key, value in values.items():
                self.observation[f'{observer_name}/{key}'] = value
        else:
            self.observation.update(values)


def get_current_reporter() -> Reporter:
    """The current reporter of this thread (IndexError if there is none)."""
    return _get_reporters()[-1]


def report(values: dict, observer: Any = None) -> None:
    """Reports ``values`` to the current reporter; does nothing without one.

    Args:
        values (dict): Names and values (Variables, arrays or scalars).
        observer: The reporting object, registered to the reporter; its name
            becomes the prefix of the keys.
    """
    reporters = _get_reporters()
    if reporters:
        reporters[-1].report(values, observer)


@contextlib.contextmanager
def report_scope(observation: dict) -> Iterator[None]:
    """Makes the current reporter report into ``observation`` inside the block."""
    current = _get_reporters()[-1]
    # As in Chainer, the reporter is not made current again: only its observation
    # is swapped (restored on errors too, which Chainer did not).
    old = current.observation
    current.observation = observation
    try:
        yield
    finally:
        current.observation = old


def _device_context(x: Any) -> Any:
    if isinstance(x, backend.get_array_types()):
        return backend.using_device(backend.get_device_from_array(x))
    return contextlib.nullcontext()


def _as_numpy1_scalar(a: Any, other: Any) -> Any:
    # Chainer ran on NumPy 1, where a Python number met a NumPy scalar or 0-d
    # array as int64/float64/complex128: float32 losses were summed in
    # float64. NumPy 2 would keep float32 and print other means.
    if type(a) in (int, float, complex) and (
            isinstance(other, numpy.generic)
            or (type(other) is numpy.ndarray and other.ndim == 0)):
        return numpy.array(a)[()]
    return a


class Summary:
    """Running weighted mean and standard deviation of a scalar value."""

    def __init__(self) -> None:
        self._x: Any = 0.0
        self._x2: Any = 0.0
        self._n: Any = 0

    def add(self, value: Any, weight: Any = 1) -> None:
        """Adds ``value`` (scalar or 0-dim array) with ``weight``."""
        with _device_context(value):
            # Either factor may be the Python number; ``weight`` itself is what
            # ``_n`` adds (a Python int stays an int, as in Chainer).
            w = _as_numpy1_scalar(weight, value)
            v = _as_numpy1_scalar(value, weight)
            weighted = w * v
            self._x = _as_numpy1_scalar(self._x, weighted)
            self._x += weighted
            self._x2 = _as_numpy1_scalar(self._x2, weighted)
            # w * v once more (not ``weighted``): a Variable value makes the
            # same nodes as in Chainer, which hooks see
            self._x2 += w * v * v
            self._n = _as_numpy1_scalar(self._n, weight)
            self._n += weight

    def compute_mean(self) -> Any:
        """The weighted mean of the values added so far."""
        x, n = self._x, self._n
        with _device_context(x):
            return x / n

    def make_statistics(self) -> Tuple[Any, Any]:
        """``(mean, std)`` of the values added so far."""
        x, n = self._x, self._n
        xp = backend.get_array_module(x)
        with _device_context(x):
            mean = x / n
            var = self._x2 / n - mean * mean
            std = xp.sqrt(var)
            return mean, std

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the running sums (warns when loading finds none)."""
        try:
            self._x = serializer('_x', self._x)
            self._x2 = serializer('_x2', self._x2)
            self._n = serializer('_n', self._n)
        except KeyError:
            warnings.warn('The previous statistics are not saved.')


def _is_scalar(value: Any) -> bool:
    return numpy.isscalar(value) or getattr(value, 'ndim', -1) == 0


class DictSummary:
    """A :class:`Summary` per key of the dictionaries added.

    Values may be scalars, 0-dim arrays or 0-dim Variables, or
    ``(value, weight)`` tuples; other values (such as non-scalar arrays) are
    skipped. NumPy values are summed in float64 at least, as Chainer did.
    """

    def __init__(self) -> None:
        self._summaries: collections.defaultdict = collections.defaultdict(Summary)

    def add(self, d: dict) -> None:
        """Adds the values of ``d`` to the summaries of their keys."""
        summaries = self._summaries
        for k, v in d.items():
            w = 1
            if isinstance(v, tuple):
                # (value, weight); Chainer ignored entries after the weight.
                if len(v) < 2:
                    raise IndexError(
                        f'Given value to {k} must be a (value, weight) pair, '
                        f'got a tuple of length {len(v)}.')
                v, w = v[0], v[1]
                if isinstance(w, variable.Variable):
                    w = w.array
                if not _is_scalar(w):
                    raise ValueError(f'Given weight to {k} was not scalar.')
            if isinstance(v, variable.Variable):
                v = v.array
            if _is_scalar(v):
                summaries[k].add(v, weight=w)

    def compute_mean(self) -> dict:
        """Means per key."""
        return {name: summary.compute_mean() for name, summary in self._summaries.items()}

    def make_statistics(self) -> dict:
        """Means under the keys and standard deviations under ``key + '.std'``."""
        stats = {}
        for name, summary in self._summaries.items():
            mean, std = summary.make_statistics()
            stats[name] = mean
            stats[name + '.std'] = std
        return stats

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the names and the summaries."""
        if _is_saving(serializer):
            names = list(self._summaries.keys())
            serializer('_names', json.dumps(names))
            for index, name in enumerate(names):
                self._summaries[name].serialize(serializer['_summaries'][str(index)])
        else:
            from chainer import serializer as serializer_module
            checking = serializer_module.is_checking(serializer)
            try:
                names = serializer_module.read_json(serializer, '_names', [])
            except KeyError:
                if not checking:
                    self._summaries.clear()
                warnings.warn('The names of statistics are not saved.')
                return
            if not isinstance(names, list):
                raise ValueError(
                    f'{serializer_module.describe_key(serializer, "_names")} is not a '
                    'JSON list of names')
            # Read into new summaries; they replace the current ones in the last pass.
            summaries: collections.defaultdict = collections.defaultdict(Summary)
            for index, name in enumerate(names):
                summaries[name].serialize(serializer['_summaries'][str(index)])
            if not checking:
                self._summaries = summaries


def _summary_table(summary: DictSummary) -> tuple:
    """``(names, sums)`` of ``summary``: a row ``(x, x2, n)`` of float64 per name.

    A compact form for summaries of many keys (one array instead of three
    members per key); the sums are read back to the host.
    """
    names = list(summary._summaries)
    sums = numpy.empty((len(names), 3), dtype=numpy.float64)
    for row, name in zip(sums, names):
        s = summary._summaries[name]
        row[:] = float(s._x), float(s._x2), float(s._n)
    return names, sums


def _summary_from_table(names: list, sums: numpy.ndarray) -> DictSummary:
    """The :class:`DictSummary` of a table made by :func:`_summary_table`."""
    summary = DictSummary()
    for name, (x, x2, n) in zip(names, sums.tolist()):
        s = summary._summaries[name]
        s._x, s._x2 = x, x2
        s._n = int(n) if n.is_integer() else n
    return summary


def _is_saving(serializer: Any) -> bool:
    # As Chainer: a chainer.Serializer saves, anything else loads.
    try:
        from chainer.serializer import Serializer
    except ImportError:
        return False
    return isinstance(serializer, Serializer)
