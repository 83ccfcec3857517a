"""BatchRenormalization: batch renormalization with running statistics."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer import configuration
from chainer import variable
from chainer.functions.normalization import batch_normalization
from chainer.functions.normalization import batch_renormalization
from chainer.links.normalization.batch_normalization import BatchNormalization
from chainer.links.normalization.batch_normalization import running_decay

if TYPE_CHECKING:
    from chainer.types import DTypeSpec, InitializerSpec, VariableOrArray


class BatchRenormalization(BatchNormalization):
    """Batch renormalization layer (Ioffe, 2017).

    Like :class:`~chainer.links.BatchNormalization`, but in training mode the
    batch-normalized output is corrected towards the running statistics with
    factors clipped by ``rmax`` and ``dmax`` (see
    :func:`~chainer.functions.batch_renormalization`).

    Args:
        size (int or tuple of int): Shape of the per-channel parameters.
        rmax (float): Bound of the scale correction ``r`` (``1/rmax <= r <= rmax``).
        dmax (float): Bound of the shift correction ``|d| <= dmax``.
        decay, eps, dtype, use_gamma, use_beta, initial_gamma, initial_beta,
        initial_avg_mean, initial_avg_var: As for
            :class:`~chainer.links.BatchNormalization`.
    """

    def __init__(self, size: Any, rmax: float = 1, dmax: float = 0, decay: float = 0.9,
                 eps: float = 2e-5, dtype: DTypeSpec | None = None, use_gamma: bool = True,
                 use_beta: bool = True, initial_gamma: InitializerSpec | None = None,
                 initial_beta: InitializerSpec | None = None,
                 initial_avg_mean: InitializerSpec | None = None,
                 initial_avg_var: InitializerSpec | None = None) -> None:
        super().__init__(size, decay, eps, dtype, use_gamma, use_beta, initial_gamma,
                         initial_beta, initial_avg_mean=initial_avg_mean,
                         initial_avg_var=initial_avg_var)
        self.rmax = rmax
        self.dmax = dmax
        self.r = None  # kept by Chainer's link, never set
        self.d = None
        # The statistics before a forward that F.forget will recompute.
        self._prev_avg_mean: Any = None
        self._prev_avg_var: Any = None

    def forward(self, x: VariableOrArray, finetune: bool = False) -> variable.Variable:
        """Applies batch renormalization (``finetune`` as for BatchNormalization)."""
        if self.avg_mean is None:
            self._initialize_from_input(x)  # size=None, as BatchNormalization takes it
        gamma, beta = self._scale_and_shift()
        if configuration.config.train:
            mean, var, update = self.avg_mean, self.avg_var, True
            if configuration.config.in_recomputing:
                # The recomputed forward sees the statistics the first one saw (the
                # current ones where none was saved, as in the ONNX export) and
                # leaves them alone.
                if self._prev_avg_mean is not None:
                    mean, var = self._prev_avg_mean, self._prev_avg_var
                update = False
            elif configuration.config._will_recompute:
                self._prev_avg_mean = self.avg_mean.copy()
                self._prev_avg_var = self.avg_var.copy()
            return batch_renormalization.batch_renormalization(
                x, gamma, beta, self.rmax, self.dmax, self.eps, mean, var,
                running_decay(self, finetune, x), update_statistics=update)
        return batch_normalization.fixed_batch_normalization(
            x, gamma, beta, variable.Variable(self.avg_mean, requires_grad=False),
            variable.Variable(self.avg_var, requires_grad=False), self.eps)
