"""FailOnNonNumber: stops training when parameters become NaN or infinite."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer.training import extension

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer


class FailOnNonNumber(extension.Extension):
    """Raises ``RuntimeError`` when a parameter holds NaN or infinity.

    The message names the optimizer and the parameter, so a diverging run
    stops at once instead of training on garbage. Gradients are not checked,
    as in Chainer: with dynamic loss scaling a non-finite gradient is expected
    and only skips that update.
    """

    def __call__(self, trainer: Trainer) -> None:
        optimizers = trainer.updater.get_all_optimizers()
        for name, optimizer in optimizers.items():
            for path, param in optimizer.target.namedparams():
                data = param.array
                if data is not None:
                    xp = backend.get_array_module(data)
                    if not bool(xp.isfinite(data).all()):
                        raise RuntimeError(
                            f"Kill the process since parameters in optimizer '{name}' "
                            f'diverge (non-finite values in {path} at iteration '
                            f'{trainer.updater.iteration}). R.I.P.')
