"""BatchNormalization: batch normalization with learned scale/shift and running statistics."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

import numpy

import chainer
from chainer import configuration
from chainer import function_node
from chainer import initializers
from chainer import link
from chainer import serializer as serializer_module
from chainer import variable
from chainer.graph_optimizations.static_graph_utilities import static_code  # NOQA: F401
from chainer.functions.normalization import batch_normalization
from chainer.utils import argument
from chainer.utils import array as array_utils

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.types import DTypeSpec, InitializerSpec, VariableOrArray


def _as_axis(axis: Any) -> Optional[tuple]:
    if axis is None:
        return None
    if isinstance(axis, int):
        return (axis,)
    return tuple(axis)


def running_decay(link_: link.Link, finetune: bool, x: VariableOrArray) -> float:
    """Decay of the running statistics for one training step of ``link_`` on ``x``:
    its ``decay``, or ``1 - 1/N`` (a plain average) when fine-tuning, counting the
    batch in ``link_.N`` (not an empty batch, which leaves the statistics alone). A
    recomputed forward (``config.in_recomputing``) counts nothing but still gives
    the decay this batch would have (the ONNX export writes it), as Chainer did."""
    if finetune and variable.as_array(x).size:
        if configuration.config.in_recomputing:
            return 1.0 - 1.0 / (link_.N + 1)
        link_.N += 1
        return 1.0 - 1.0 / link_.N
    return link_.decay


class BatchNormalization(link.Link):
    """Batch normalization layer.

    In training mode (``chainer.config.train``) it normalizes with the batch
    statistics and updates the running averages ``avg_mean`` and ``avg_var``; in
    test mode it normalizes with the running averages.

    Args:
        size (int, tuple of int or None): Shape of the per-channel parameters;
            None defers it to the first call (read from the input).
        decay (float): Decay rate of the running averages.
        eps (float): Added to the variance for numerical stability.
        dtype: Dtype of the parameters and statistics (default: ``chainer.config.dtype``).
        use_gamma (bool): Learn a scale ``gamma`` (else it is fixed at one).
        use_beta (bool): Learn a shift ``beta`` (else it is fixed at zero).
        initial_gamma, initial_beta: Initializers of ``gamma`` (default 1) and
            ``beta`` (default 0).
        axis (int or tuple of int): Axes the statistics are taken over; default:
            the first axis and those after the ``size`` axes (every axis except
            the second for an int ``size``).
        initial_avg_mean, initial_avg_var: Initializers of the running averages
            (default 0 and 1).

    Attributes:
        gamma, beta (~chainer.Parameter): Scale and shift (None when unused).
        avg_mean, avg_var: Running averages of the mean and variance (persistent).
        N (int): Number of batches seen since :meth:`start_finetuning` (persistent).
    """

    gamma: Optional[variable.Parameter] = None
    beta: Optional[variable.Parameter] = None

    def __init__(self, size: Any = None, decay: float = 0.9, eps: float = 2e-5,
                 dtype: DTypeSpec | None = None, use_gamma: bool = True, use_beta: bool = True,
                 initial_gamma: InitializerSpec | None = None,
                 initial_beta: InitializerSpec | None = None, axis: Any = None,
                 initial_avg_mean: InitializerSpec | None = None,
                 initial_avg_var: InitializerSpec | None = None) -> None:
        super().__init__()
        self._highprec_dtype = chainer.get_dtype(dtype, map_mixed16=numpy.float32)
        self.decay = decay
        self.eps = eps
        self.axis = _as_axis(axis)
        self._initial_avg_mean = 0 if initial_avg_mean is None else initial_avg_mean
        self._initial_avg_var = 1 if initial_avg_var is None else initial_avg_var

        self.avg_mean = None
        self.avg_var = None
        self.register_persistent('avg_mean')
        self.register_persistent('avg_var')
        self.N = 0
        self.register_persistent('N')

        with self.init_scope():
            if use_gamma:
                gamma_init = initializers._get_initializer(
                    1 if initial_gamma is None else initial_gamma)
                gamma_init.dtype = self._highprec_dtype
                self.gamma = variable.Parameter(gamma_init)
            if use_beta:
                beta_init = initializers._get_initializer(
                    0 if initial_beta is None else initial_beta)
                beta_init.dtype = self._highprec_dtype
                self.beta = variable.Parameter(beta_init)
        if size is not None:
            self._initialize_params(size)

    @property
    def printable_specs(self) -> Iterator[Tuple[str, Any]]:
        # Chainer's fields: the first axis of the statistics, their dtype, and
        # whether the gamma and beta attributes exist (they always do, None
        # when unused, so Chainer prints True either way). Before the lazy
        # initialization (where Chainer fails) the size reads None.
        mean = self.avg_mean
        yield 'size', None if mean is None else mean.shape[0]
        yield 'decay', self.decay
        yield 'eps', self.eps
        yield 'dtype', numpy.dtype(self._highprec_dtype if mean is None else mean.dtype)
        yield 'use_gamma', hasattr(self, 'gamma')
        yield 'use_beta', hasattr(self, 'beta')

    def _initialize_from_input(self, x: VariableOrArray) -> None:
        """Sizes the parameters and statistics lazily (``size=None``) from the first
        input, after checking that it is an array."""
        function_node._check_input(x)
        xa = variable.as_array(x)
        axis = batch_normalization._reduced_axes(xa.ndim, self.axis)
        self._initialize_params(tuple(s for i, s in enumerate(xa.shape) if i not in axis))

    def _initialize_params(self, shape: Any) -> None:
        shape = array_utils.as_shape(shape)
        dtype = self._highprec_dtype
        device = self.device
        self.avg_mean = device.send(initializers.generate_array(
            initializers._get_initializer(self._initial_avg_mean), shape, numpy, dtype))
        self.avg_var = device.send(initializers.generate_array(
            initializers._get_initializer(self._initial_avg_var), shape, numpy, dtype))
        if self.gamma is not None:
            self.gamma.initialize(shape)
        if self.beta is not None:
            self.beta.initialize(shape)

    def serialize(self, serializer: AbstractSerializer) -> None:
        if self.avg_mean is None and isinstance(serializer, serializer_module.Deserializer):
            # Lazily sized: the loaded statistics give the shape of everything.
            mean = serializer('avg_mean', None)
            if mean is not None and getattr(mean, 'ndim', 0) and mean.dtype.kind == 'f':
                self._initialize_params(mean.shape)
        super().serialize(serializer)

    def forward(self, x: VariableOrArray, **kwargs: Any) -> variable.Variable:
        """Normalizes ``x``.

        Args:
            x: Input batch.
            finetune (bool): In training mode, accumulate the statistics as a
                plain average over the batches seen since
                :meth:`start_finetuning` instead of a decaying one.
        """
        finetune, = argument.parse_kwargs(
            kwargs, ('finetune', False),
            test='test argument is not supported anymore. '
            'Use chainer.using_config')
        if self.avg_mean is None:
            self._initialize_from_input(x)
        gamma, beta = self._scale_and_shift()
        if configuration.config.train:
            # A recomputed forward (F.forget, the ONNX export) leaves the statistics alone.
            keep = configuration.config.in_recomputing
            return batch_normalization.batch_normalization(
                x, gamma, beta, eps=self.eps, running_mean=None if keep else self.avg_mean,
                running_var=None if keep else self.avg_var,
                decay=running_decay(self, finetune, x), axis=self.axis)
        return batch_normalization.fixed_batch_normalization(
            x, gamma, beta, variable.Variable(self.avg_mean, requires_grad=False),
            variable.Variable(self.avg_var, requires_grad=False), self.eps, self.axis)

    def _scale_and_shift(self) -> tuple:
        """``(gamma, beta)``: the parameters, or constant ones/zeros where unused."""
        xp = self.device.xp
        shape, dtype = self.avg_mean.shape, self.avg_mean.dtype
        gamma = self.gamma if self.gamma is not None else variable.Variable(
            xp.ones(shape, dtype), requires_grad=False)
        beta = self.beta if self.beta is not None else variable.Variable(
            xp.zeros(shape, dtype), requires_grad=False)
        return gamma, beta

    def start_finetuning(self) -> None:
        """Resets the batch count, so that ``finetune=True`` averages afresh."""
        self.N = 0
