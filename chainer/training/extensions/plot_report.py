"""PlotReport: plots observed values against iterations, epochs or another key into an
image file (its format named by the file name's extension)."""
from __future__ import annotations

import json
import os
import warnings
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy

from chainer import reporter
from chainer import serializer as serializer_module
from chainer.training import extension
from chainer.training import util as trigger_module
from chainer.utils import _atomic
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer

_available: bool | None = None

_MISSING_MESSAGE = (
    'matplotlib is not installed on your environment, so nothing will be '
    'plotted at this time. Please install matplotlib to plot figures.\n\n'
    '  $ pip install matplotlib\n')


def _try_import_matplotlib() -> bool:
    global _available
    if _available is None:
        try:
            import matplotlib  # NOQA: F401
            _available = True
        except (ImportError, TypeError):
            _available = False
    return _available


def _check_available() -> None:
    if not _try_import_matplotlib():
        warnings.warn(_MISSING_MESSAGE)


def _pyplot() -> Any:
    """``matplotlib.pyplot`` when matplotlib is installed (else warns and gives None)."""
    _check_available()
    if not _available:
        return None
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig: Any, path: str, **kwargs: Any) -> None:
    """Saves ``fig`` to ``path`` atomically, in the format its extension names.

    Without an extension, as in ``Figure.savefig``, the format is matplotlib's
    ``savefig.format`` and its name is appended to the path.
    """
    import matplotlib
    fmt = os.path.splitext(path)[1][1:].lower()
    if not fmt:
        fmt = matplotlib.rcParams['savefig.format']
        path = f'{path}.{fmt}'
    _atomic.write_with(path, lambda f: fig.savefig(f, format=fmt, **kwargs),
                       create_directory=True)


class PlotReport(extension.Extension):
    """Plots the means of observed values into an image file.

    At each ``trigger`` the values since the last plot are averaged and
    appended to the series; the figure (one line per key, with a legend)
    is written to ``filename`` under ``trainer.out`` atomically (a pyplot
    figure, closed afterwards). Without matplotlib every call warns and does
    nothing.

    Args:
        y_keys (str or list of str): Keys to plot.
        x_key (str): ``'iteration'``, ``'epoch'`` or one of ``y_keys``.
        trigger: When to add a point and redraw.
        postprocess (callable): ``postprocess(figure, axes, summary)`` before
            saving.
        filename (str): Image file name, its extension naming the format
            (default ``'plot.png'``; the old
            ``file_name`` argument is accepted).
        marker (str): Marker of the points.
        grid (bool): Draw a grid.
    """

    def __init__(self, y_keys: str | Sequence[str], x_key: str = 'iteration',
                 trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch'),
                 postprocess: Callable | None = None, filename: str | None = None,
                 marker: str | None = 'x', grid: bool = True, **kwargs: Any) -> None:
        file_name, = argument.parse_kwargs(kwargs, ('file_name', 'plot.png'))
        if filename is None:
            filename = file_name
        _check_available()

        self._x_key = x_key
        if isinstance(y_keys, str):
            y_keys = (y_keys,)
        self._trigger = trigger_module.get_trigger(trigger)
        self._y_keys = list(y_keys)
        self._file_name = filename
        self._marker = marker
        self._grid = grid
        self._postprocess = postprocess
        self._init_summary()
        self._data: dict = {k: [] for k in self._y_keys}

    @staticmethod
    def available() -> bool:
        """Whether matplotlib can be used (warns when it cannot)."""
        _check_available()
        return bool(_available)

    def __call__(self, trainer: Trainer) -> None:
        plt = _pyplot()
        if plt is None:
            return

        keys = self._y_keys
        observation = trainer.observation
        self._summary.add({k: observation[k] for k in keys if k in observation})

        if not (trainer.is_before_training or self._trigger(trainer)):
            return

        stats = self._summary.compute_mean()
        stats_cpu = {name: float(value) for name, value in stats.items()}
        updater = trainer.updater
        stats_cpu['epoch'] = updater.epoch
        stats_cpu['iteration'] = updater.iteration
        x = stats_cpu[self._x_key]
        for k in keys:
            if k in stats_cpu:
                self._data[k].append((x, stats_cpu[k]))

        fig = plt.figure()
        a = fig.add_subplot(111)
        a.set_xlabel(self._x_key)
        if self._grid:
            a.grid()
        for k in keys:
            xy = self._data[k]
            if not xy:
                continue
            xy = numpy.array(xy)
            a.plot(xy[:, 0], xy[:, 1], marker=self._marker, label=k)

        if a.has_data():
            if self._postprocess is not None:
                self._postprocess(fig, a, self._summary)
            legend = a.legend(bbox_to_anchor=(1.05, 1), loc=2, borderaxespad=0.)
            save_figure(fig, os.path.join(trainer.out, self._file_name),
                        bbox_extra_artists=(legend,), bbox_inches='tight')

        plt.close()
        self._init_summary()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the plotted series (as JSON), the trigger and the running summary.

        With the trigger and the values gathered since the last point, a run
        resumed mid-interval plots the same next point as an uninterrupted one
        (Chainer saved only the series). A snapshot without them (Chainer's)
        starts the summary empty, with a warning.
        """
        if hasattr(self._trigger, 'serialize'):
            self._trigger.serialize(serializer['_trigger'])
        self._summary.serialize(serializer['_summary'])
        key = f'_plot_{self._file_name}'
        if isinstance(serializer, serializer_module.Serializer):
            serializer(key, json.dumps(self._data))
        else:
            data = serializer_module.read_json(serializer, key, None)
            if data is None:
                return
            series = serializer_module.convert_read(
                serializer, key, data,
                lambda d: {k: [tuple(p) for p in v] for k, v in d.items()}, 'plot series')
            if not serializer_module.is_checking(serializer):
                self._data = series

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()
