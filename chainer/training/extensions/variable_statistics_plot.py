"""VariableStatisticsPlot: plots how the distribution of variables evolves during training."""
from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any, Sequence

import numpy

from chainer import backend
from chainer import link as link_module
from chainer import variable
from chainer.training import extension
from chainer.training import util as trigger_module
from chainer.training.extensions import plot_report
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer
    from collections.abc import Callable


def _colors() -> tuple:
    """The line colour (matplotlib's C0 as RGBA) and the band keyword arguments."""
    from matplotlib import colors
    line = colors.to_rgba('#1f77b4')
    band = line[:3] + (0.2,)
    return line, band, {'alpha': 0.2, 'linewidth': 0, 'color': band}


def _unpack_variables(x: Any, memo: list | None = None) -> tuple:
    # Links give their parameters; nested sequences are flattened; anything
    # else is skipped.
    if memo is None:
        memo = []
    if isinstance(x, variable.Variable):
        memo.append(x)
    elif isinstance(x, link_module.Link):
        memo.extend(x.params())
    elif isinstance(x, (list, tuple)):
        for xi in x:
            _unpack_variables(xi, memo)
    return tuple(memo)


class Reservoir:
    """Keeps a uniform random sample of at most ``size`` of the arrays added."""

    def __init__(self, size: int, data_shape: tuple, dtype: Any = numpy.float32) -> None:
        self.size = size
        self.data = numpy.zeros((size,) + data_shape, dtype=dtype)
        self.idxs = numpy.zeros((size,), dtype=numpy.int32)
        self.counter = 0

    def add(self, x: Any, idx: int | None = None) -> None:
        """Adds ``x`` at index ``idx`` (a missing or zero index is the count so far).

        Once full, the replacement draws come from ``numpy.random``.
        """
        idx = idx or self.counter
        if self.counter < self.size:
            self.data[self.counter] = x
            self.idxs[self.counter] = idx
        elif numpy.random.random() < self.size / float(self.counter + 1):
            i = numpy.random.randint(self.size)
            self.data[i] = x
            self.idxs[i] = idx
        self.counter += 1

    def get_data(self) -> tuple:
        """``(indices, data)`` sorted by index."""
        idxs = self.idxs[:min(self.counter, self.size)]
        order = numpy.argsort(idxs)
        return idxs[order], self.data[order]

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the count and the points kept (warns when loading finds none)."""
        try:
            counter = serializer('counter', self.counter)
        except KeyError:
            warnings.warn('The samples of VariableStatisticsPlot are not saved.')
            return
        self.data = serializer('data', self.data)
        self.idxs = serializer('idxs', self.idxs)
        self.counter = counter


class Statistician:
    """Computes the mean, standard deviation and percentiles of an array."""

    def __init__(self, collect_mean: bool, collect_std: bool, percentile_sigmas: Any) -> None:
        self.collect_mean = collect_mean
        self.collect_std = collect_std
        self.percentile_sigmas = percentile_sigmas

    def __call__(self, x: Any, axis: Any = 0, dtype: Any = None, xp: Any = None) -> dict:
        if axis is None:
            axis = tuple(range(x.ndim))
        elif not isinstance(axis, (tuple, list)):
            axis = axis,
        return self.collect(x, tuple(axis), xp or backend.get_array_module(x))

    def collect(self, x: Any, axis: tuple, xp: Any) -> dict:
        out = {}
        if self.collect_mean:
            out['mean'] = x.mean(axis=axis)
        if self.collect_std:
            out['std'] = x.std(axis=axis)
        if self.percentile_sigmas:
            out['percentile'] = xp.percentile(
                x, xp.asarray(self.percentile_sigmas, dtype=numpy.float64), axis=axis)
        return out


class VariableStatisticsPlot(extension.Extension):
    """Plots the mean, std and percentiles of variables (data and gradients) over time.

    At every call the statistics of the concatenated targets are recorded
    (a reservoir keeps at most ``max_sample_size`` points); at ``trigger``
    the figure is written to ``filename`` under ``trainer.out`` atomically, in
    the format its extension names. Without matplotlib every call warns and
    does nothing. Targets that are neither Variables, Links nor sequences
    are skipped.

    Args:
        targets: Variables, Links (their parameters) or lists of them.
        max_sample_size (int): Points kept per series.
        report_data (bool): Plot the values.
        report_grad (bool): Plot the gradients.
        plot_mean (bool): Plot the mean.
        plot_std (bool): Plot the standard deviation (as error bars).
        percentile_sigmas (float or tuple): Percentiles to plot as bands.
        trigger: When to write the figure.
        filename (str): Image file (default ``'statistics.png'``; the old
            ``file_name`` argument is accepted).
        figsize (tuple): Figure size in inches.
        marker (str): Marker of the lines.
        grid (bool): Draw grids.
    """

    def __init__(self, targets: Any, max_sample_size: int = 1000, report_data: bool = True,
                 report_grad: bool = True, plot_mean: bool = True, plot_std: bool = True,
                 percentile_sigmas: Any = (0, 0.13, 2.28, 15.87, 50, 84.13, 97.72, 99.87, 100),
                 trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch'),
                 filename: str | None = None, figsize: Sequence[float] | None = None,
                 marker: str | None = None, grid: bool = True, **kwargs: Any) -> None:
        file_name, = argument.parse_kwargs(kwargs, ('file_name', 'statistics.png'))
        if filename is None:
            filename = file_name

        self._vars = _unpack_variables(targets)
        if not self._vars:
            raise ValueError(
                'Need at least one variables for which to collect statistics.\n'
                'Actual: 0 <= 0')
        if not any((plot_mean, plot_std, bool(percentile_sigmas))):
            raise ValueError('Nothing to plot')

        self._keys = []
        if report_data:
            self._keys.append('data')
        if report_grad:
            self._keys.append('grad')

        self._statistician = Statistician(plot_mean, plot_std, percentile_sigmas)
        self._plot_mean = plot_mean
        self._plot_std = plot_std
        self._plot_percentile = bool(percentile_sigmas)

        self._trigger = trigger_module.get_trigger(trigger)
        self._file_name = filename
        self._figsize = figsize
        self._marker = marker
        self._grid = grid

        if not self._plot_percentile:
            n_percentile = 0
        elif isinstance(percentile_sigmas, (list, tuple)):
            n_percentile = len(percentile_sigmas)
        else:
            n_percentile = 1
        self._data_shape = (len(self._keys), int(plot_mean) + int(plot_std) + n_percentile)
        self._samples = Reservoir(max_sample_size, data_shape=self._data_shape)

    @staticmethod
    def available() -> bool:
        """Whether matplotlib can be used (warns when it cannot)."""
        plot_report._check_available()
        return bool(plot_report._available)

    def __call__(self, trainer: Trainer) -> None:
        plt = plot_report._pyplot()
        if plt is None:
            return

        stats = numpy.zeros(self._data_shape, dtype=numpy.float32)
        for i, k in enumerate(self._keys):
            xs = []
            for var in self._vars:
                x = var.array if k == 'data' else var.grad
                if x is not None:
                    xs.append(x.ravel())
            if xs:
                xp = backend.get_array_module(xs[0])
                stat_dict = self._statistician(xp.concatenate(xs, axis=0), axis=0, xp=xp)
                stat_list = []
                if self._plot_mean:
                    stat_list.append(xp.atleast_1d(stat_dict['mean']))
                if self._plot_std:
                    stat_list.append(xp.atleast_1d(stat_dict['std']))
                if self._plot_percentile:
                    stat_list.append(xp.atleast_1d(stat_dict['percentile']))
                stats[i] = backend.CpuDevice().send(xp.concatenate(stat_list, axis=0))

        self._samples.add(stats, idx=trainer.updater.iteration)

        if self._trigger(trainer):
            self.save_plot_using_module(os.path.join(trainer.out, self._file_name), plt)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the trigger and the points kept, so a resumed run plots them too.

        Chainer saved neither: its resumed run's figure started at the resume.
        A snapshot without them (Chainer's) starts with no points, with a warning.
        """
        if hasattr(self._trigger, 'serialize'):
            self._trigger.serialize(serializer['_trigger'])
        self._samples.serialize(serializer['_samples'])

    def save_plot_using_module(self, file_path: str, plt: Any) -> None:
        """Draws the recorded statistics with ``plt`` (pyplot) and writes ``file_path``."""
        line_color, band_color, band_kwargs = _colors()
        nrows = int(self._plot_mean or self._plot_std) + int(self._plot_percentile)
        ncols = len(self._keys)
        fig, axes = plt.subplots(nrows, ncols, figsize=self._figsize, sharex=True,
                                 squeeze=False)

        idxs, data = self._samples.get_data()
        offset = int(self._plot_mean) + int(self._plot_std)
        n_percentile = data.shape[-1] - offset
        mid = n_percentile // 2
        odd = n_percentile % 2 == 1

        for col in range(ncols):
            row = 0
            ax = axes[row, col]
            ax.set_title(self._keys[col])
            if self._plot_mean or self._plot_std:
                if self._plot_mean and self._plot_std:
                    ax.errorbar(idxs, data[:, col, 0], data[:, col, 1], color=line_color,
                                ecolor=band_color, label='mean, std', marker=self._marker)
                else:
                    label = 'mean' if self._plot_mean else 'std'
                    ax.plot(idxs, data[:, col, 0], color=line_color, label=label,
                            marker=self._marker)
                row += 1
            if self._plot_percentile:
                ax = axes[row, col]
                # Bands between the i-th lowest and i-th highest percentiles
                # (the innermost labelled); an odd middle one is a line.
                for i in range(mid + 1):
                    if odd and i == mid:
                        ax.plot(idxs, data[:, col, offset + i], color=line_color,
                                label='percentile', marker=self._marker)
                    else:
                        label = 'percentile' if i == mid else '_nolegend_'
                        ax.fill_between(idxs, data[:, col, offset + i], data[:, col, -i - 1],
                                        label=label, **band_kwargs)
                    ax.set_xlabel('iteration')

        for ax in axes.ravel():
            ax.legend()
            if self._grid:
                ax.grid()
                ax.set_axisbelow(True)

        plot_report.save_figure(fig, file_path)
        plt.close()
