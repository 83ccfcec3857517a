"""ProgressBar: shows the progress of the training loop."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from chainer.training import extension
from chainer.training.extensions import util
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from typing import TextIO


class _TrainerProgressBar(util.ProgressBar):

    def __init__(self, trainer: Any, training_length: Any, bar_length: int, out: Any) -> None:
        super().__init__(out)
        self.trainer = trainer
        self.training_length = training_length
        self.status_template: str | None = None
        self._bar_length = bar_length

    def get_lines(self) -> list:
        updater = self.trainer.updater
        iteration = updater.iteration
        epoch = updater.epoch_detail
        if self.training_length is None:
            get_length = getattr(self.trainer.stop_trigger, 'get_training_length', None)
            if get_length is None:
                raise TypeError(
                    'ProgressBar needs training_length when the stop trigger '
                    'has no get_training_length()')
            self.training_length = get_length()
        length, unit = self.training_length

        rate = iteration / length if unit == 'iteration' else epoch / length
        rate = min(rate, 1.0)
        bar_length = self._bar_length
        lines = [f'     total [{util._bar(rate, bar_length)}] {rate:6.2%}\n']
        epoch_rate = epoch - int(epoch)
        lines.append(f'this epoch [{util._bar(epoch_rate, bar_length)}] {epoch_rate:6.2%}\n')

        if self.status_template is None:
            self.status_template = (
                '{0.iteration:10} iter, {0.epoch} epoch / %s %ss\n' % (length, unit))
        lines.append(self.status_template.format(updater))

        speed_t, speed_e = self.update_speed(iteration, epoch)
        if unit == 'iteration':
            eta = util._speed_ratio(length - iteration, speed_t)
        else:
            eta = util._speed_ratio(length - epoch, speed_e)
        lines.append(f'{speed_t:10.5g} iters/sec. Estimated time to finish: '
                     f'{util.format_eta(eta)}.\n')
        return lines


class ProgressBar(extension.Extension):
    """Prints a progress bar of the training every ``update_interval`` iterations.

    It shows the total progress, the progress of the current epoch, the
    iteration and epoch counts, the speed and the estimated time left::

             total [#########.........................................] 18.00%
        this epoch [#############################.....................] 58.00%
               900 iter, 1 epoch / 5 epochs
            1234.5 iters/sec. Estimated time to finish: 0:00:03.2.

    On a terminal it is redrawn in place; written to a file or pipe the
    blocks follow each other as plain text.

    Args:
        training_length (tuple): ``(length, unit)``; taken from the stop
            trigger when None.
        update_interval (int): Iterations between redraws.
        bar_length (int): Width of the bars in characters.
        out: Stream to write to.
    """

    def __init__(self, training_length: Any = None, update_interval: int = 100,
                 bar_length: int = 50, out: TextIO = sys.stdout) -> None:
        if update_interval <= 0:
            raise ValueError(f'update_interval must be positive, got {_repr(update_interval)}')
        self._training_length = training_length
        self._update_interval = update_interval
        self._bar_length = bar_length
        self._out = out
        self._pbar: _TrainerProgressBar | None = None

    def __call__(self, trainer: Trainer) -> None:
        if self._pbar is None:
            self._pbar = _TrainerProgressBar(
                trainer, self._training_length, self._bar_length, self._out)
        if trainer.updater.iteration % self._update_interval == 0:
            self._pbar.update()

    def finalize(self) -> None:
        if self._pbar is not None:
            self._pbar.close()
