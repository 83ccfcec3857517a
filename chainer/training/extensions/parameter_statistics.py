"""ParameterStatistics: reports statistics of the parameters and gradients of links."""
from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Any, Callable

import numpy

from chainer import backend
from chainer import reporter
from chainer import serializer as serializer_module
from chainer.training import extension
from chainer.training import util as trigger_module

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


def _percentiles(x: Any, sigmas: tuple) -> Any:
    xp = backend.get_array_module(x)
    return xp.percentile(x, sigmas)


def _mean(x: Any) -> Any:
    return backend.get_array_module(x).mean(x)


def _std(x: Any) -> Any:
    return backend.get_array_module(x).std(x)


def _min(x: Any) -> Any:
    return backend.get_array_module(x).min(x)


def _max(x: Any) -> Any:
    return backend.get_array_module(x).max(x)


def _zeros(x: Any) -> Any:
    xp = backend.get_array_module(x)
    count = xp.count_nonzero(x == 0)
    # NumPy 2 returns numpy.intp where NumPy 1 gave an int; the int keeps the reported mean a float.
    return int(count) if xp is numpy else count


def _default_percentile(x: Any) -> Any:
    return _percentiles(x, (0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87))


class ParameterStatistics(extension.Extension):
    """Reports statistics (mean, std, min, max, zeros, percentiles) of link parameters.

    Keys look like ``'<prefix>/<link name>/<param path>/<data|grad>/<statistic>'``;
    statistics returning several values get ``/0``, ``/1``, ... appended.
    The values are averaged over the interval of ``trigger``.

    Args:
        links (Link or list of Links): Links to watch.
        statistics (dict): Name -> function of a flat array; ``'default'``
            for the standard set, None for none.
        report_params (bool): Report statistics of the parameter values.
        report_grads (bool): Report statistics of the gradients.
        prefix (str): Prefix of the keys.
        trigger: When to report.
        skip_nan_params (bool): Report NaN instead of computing statistics of
            arrays containing NaN.
    """

    default_name = 'parameter_statistics'
    priority = extension.PRIORITY_WRITER

    report_key_template = '{prefix}{link_name}{param_name}/{attr_name}/{function_name}'

    default_statistics = {
        'mean': _mean,
        'std': _std,
        'min': _min,
        'max': _max,
        'zeros': _zeros,
        'percentile': _default_percentile,
    }

    def __init__(self, links: Any, statistics: Any = 'default', report_params: bool = True,
                 report_grads: bool = True, prefix: str | None = None,
                 trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch'),
                 skip_nan_params: bool = False) -> None:
        if not isinstance(links, (list, tuple)):
            links = links,
        self._links = links

        if statistics is None:
            statistics = {}
        elif isinstance(statistics, str):
            if statistics != 'default':
                raise ValueError(
                    f"statistics must be a dict, None or 'default', got {statistics!r}")
            statistics = self.default_statistics
        self._statistics = dict(statistics)

        attrs = []
        if report_params:
            attrs.append('data')
        if report_grads:
            attrs.append('grad')
        self._attrs = attrs

        self._prefix = prefix
        self._trigger = trigger_module.get_trigger(trigger)
        self._summary = reporter.DictSummary()
        self._skip_nan_params = skip_nan_params

    def __call__(self, trainer: Trainer) -> None:
        statistics = {}
        prefix = self._prefix + '/' if self._prefix else ''
        for link in self._links:
            link_name = getattr(link, 'name', 'None')
            for param_name, param in link.namedparams():
                for attr_name in self._attrs:
                    array = getattr(param, attr_name)
                    if array is None:
                        continue
                    params = array.ravel()
                    for function_name, function in self._statistics.items():
                        if (self._skip_nan_params
                                and bool(backend.get_array_module(params).isnan(params).any())):
                            value = numpy.nan
                        else:
                            value = function(params)
                        key = self.report_key_template.format(
                            prefix=prefix, link_name=link_name, param_name=param_name,
                            attr_name=attr_name, function_name=function_name)
                        if (isinstance(value, backend.get_array_types())
                                and value.size > 1):
                            statistics.update(
                                {f'{key}/{i}': v for i, v in enumerate(value)})
                        else:
                            statistics[key] = value

        self._summary.add(statistics)

        if self._trigger(trainer):
            reporter.report(self._summary.compute_mean())
            self._summary = reporter.DictSummary()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the trigger and the statistics gathered since the last report.

        A run resumed mid-interval reports the same means as an uninterrupted
        one (Chainer saved neither, so its first report after a resume averaged
        only the calls made since). The summary is saved as one table: the
        names (JSON) and their ``(x, x2, n)`` sums. A snapshot without them
        (Chainer's) leaves the summary empty, with a warning.
        """
        if hasattr(self._trigger, 'serialize'):
            self._trigger.serialize(serializer['_trigger'])
        # Hundreds of keys: one table of sums, not three members per key.
        s = serializer['_summary']
        if isinstance(serializer, serializer_module.Serializer):
            names, sums = reporter._summary_table(self._summary)
            s('names', json.dumps(names))
            s('sums', sums)
            return
        try:
            names = serializer_module.read_json(s, 'names', None)
            sums = s('sums', None)
        except KeyError:
            warnings.warn('The statistics of ParameterStatistics are not saved.')
            return
        if names is None or sums is None:  # the restoring pass after a failed load
            return
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise ValueError(f'{serializer_module.describe_key(s, "names")} is not a '
                             'JSON list of names')
        if sums.shape != (len(names), 3) or sums.dtype.kind not in 'fiu':
            raise ValueError(
                f'{serializer_module.describe_key(s, "sums")} should hold {len(names)} rows '
                f'of 3 numbers, got an array of shape {sums.shape} and dtype {sums.dtype}')
        if not serializer_module.is_checking(serializer):
            self._summary = reporter._summary_from_table(names, numpy.asarray(sums))

    def register_statistics(self, name: str, function: Callable) -> None:
        """Adds a statistic ``function`` (of a flat array) reported under ``name``."""
        self._statistics[name] = function
