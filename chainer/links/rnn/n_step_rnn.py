"""Stacked recurrent layers over lists of variable-length sequences:
:class:`NStepRNNTanh`, :class:`NStepRNNReLU` and their bidirectional versions,
on the shared :class:`NStepRNNBase`."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, List, Optional, Sequence

import numpy

from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.array.cast import cast
from chainer.functions.array.permutate import permutate_unchecked
from chainer.functions.rnn import n_step_rnn as rnn
from chainer.initializers import normal
from chainer.links.rnn import _state
from chainer.utils import argument
from chainer.utils.error import _IndexValueError, _TypeAssertionError

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import InitializerSpec, VariableOrArray


def argsort_list_descent(lst: Sequence[Any]) -> numpy.ndarray:
    """Indices that sort the sequences of ``lst`` by decreasing length (int32).

    NumPy's default (unstable) sort orders equal lengths, as in Chainer: the
    order decides which rows the seeded dropout masks of the layers fall on.
    """
    return numpy.argsort([-len(x) for x in lst]).astype(numpy.int32)


def permutate_list(lst: Sequence[Any], indices: Sequence[int], inv: bool) -> list:
    """``[lst[i] for i in indices]``, or its inverse when ``inv``."""
    ret = [None] * len(lst)
    if inv:
        for i, ind in enumerate(indices):
            ret[ind] = lst[i]
    else:
        for i, ind in enumerate(indices):
            ret[i] = lst[ind]
    return ret


class NStepRNNBase(link.ChainList):
    """Parameters and call logic of the stacked recurrent layers.

    One child link per layer and direction (``[layer 0 forward, layer 0
    backward, layer 1 forward, ...]``), holding ``w0 .. w{n-1}`` and ``b0 ..
    b{n-1}`` with ``n = n_weights``: the first half of the weights act on the
    layer input, the second half on the hidden state.

    Args:
        n_layers: Number of layers.
        in_size: Input size, or None to take it from the first input.
        out_size: State size of each direction.
        dropout: Dropout ratio of the inputs of the layers after the first.
        initialW: Initializer of the weights (default: normal with standard
            deviation ``sqrt(1 / fan_in)``).
        initial_bias: Initializer of the biases (default: 0).
    """

    n_weights = 0
    use_bi_direction = False

    def __init__(self, n_layers: int, in_size: Optional[int], out_size: int, dropout: float, *,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, **kwargs: Any) -> None:
        argument.parse_kwargs(
            kwargs,
            use_cudnn='use_cudnn argument is not supported anymore. '
                      'Use chainer.using_config',
            use_bi_direction='use_bi_direction is not supported anymore',
            activation='activation is not supported anymore')
        direction = 2 if self.use_bi_direction else 1
        bias_init = initializers._get_bias_initializer(initial_bias)
        cells = []
        for layer in range(n_layers):
            for _ in range(direction):
                cell = link.Link()
                with cell.init_scope():
                    for j in range(self.n_weights):
                        if j >= self.n_weights // 2:
                            w_in = out_size
                        elif layer == 0:
                            w_in = in_size
                        else:
                            w_in = out_size * direction
                        if initialW is not None:
                            w_init = initializers._get_initializer(initialW)
                        elif w_in is not None:
                            w_init = normal.Normal(numpy.sqrt(1. / w_in))
                        else:
                            w_init = None
                        shape = None if w_in is None else (out_size, w_in)
                        setattr(cell, f'w{j}', variable.Parameter(w_init, shape))
                        setattr(cell, f'b{j}', variable.Parameter(bias_init, (out_size,)))
                cells.append(cell)
        super().__init__(*cells)
        self.n_layers = n_layers
        self.dropout = dropout
        self.out_size = out_size
        self.direction = direction

    @property
    def ws(self) -> List[List[variable.Parameter]]:
        """Weights per layer and direction."""
        return [[getattr(cell, f'w{j}') for j in range(self.n_weights)] for cell in self]

    @property
    def bs(self) -> List[List[variable.Parameter]]:
        """Biases per layer and direction."""
        return [[getattr(cell, f'b{j}') for j in range(self.n_weights)] for cell in self]

    @property
    def n_cells(self) -> int:
        """Number of state arrays (``hx`` only, or ``hx`` and ``cx``)."""
        raise NotImplementedError

    def rnn(self, *args: Any) -> tuple[Variable, list[Variable]]:
        """Calls the recurrent function of this link."""
        raise NotImplementedError

    def init_hx(self, xs: Sequence[Any]) -> variable.Variable:
        """A zero initial state ``(n_layers * direction, len(xs), out_size)``."""
        shape = (self.n_layers * self.direction, len(xs), self.out_size)
        return _state.zeros_state(self, shape, xs[0].dtype)

    def _lazy_init(self, xs: Sequence[Any]) -> None:
        cells = list(self)
        if not cells or cells[0].w0.array is not None:
            return
        in_size = xs[0].shape[1]
        with self.device:
            for cell in cells[:self.direction]:
                for j in range(self.n_weights // 2):
                    w = getattr(cell, f'w{j}')
                    if w.initializer is None:
                        w.initializer = normal.Normal(numpy.sqrt(1. / in_size))
                    w.initialize((self.out_size, in_size))

    def _call(self, hs: Sequence[Any], xs: Sequence[Any], **kwargs: Any) -> list:
        argument._parse_kwargs_of(sys._getframe(1).f_code.co_name, kwargs,
                                  train='train argument is not supported anymore. '
                                  'Use chainer.using_config')
        if not isinstance(xs, (list, tuple)):
            # Chainer asserted it.
            raise _TypeAssertionError(
                f'xs must be a list or tuple of sequences, got {type(xs).__name__}')
        if len(xs) == 0:
            raise _IndexValueError('xs must contain at least one sequence')
        self._lazy_init(xs)
        indices = argsort_list_descent(xs)
        sorted_already = bool((indices == numpy.arange(len(xs))).all())
        index_array = None if sorted_already else self.device.send(indices)
        xs = permutate_list(xs, indices, inv=False)
        dtype = getattr(xs[0], 'dtype', None)
        if dtype is not None and dtype.kind == 'f' and any(
                getattr(x, 'dtype', dtype) != dtype for x in xs[1:]):
            # Chainer's link transposed the sorted sequences first, which cast them
            # to the longest one's dtype (the F.n_step_* functions refuse a mix).
            xs = [x if getattr(x, 'dtype', dtype) == dtype else cast(x, dtype) for x in xs]
        hxs = []
        for hx in hs:
            if hx is None:
                hx = self.init_hx(xs)
            elif index_array is not None:
                hx = permutate_unchecked(hx, index_array, axis=1)
            hxs.append(hx)
        result = self.rnn(self.n_layers, self.dropout, *hxs, self.ws, self.bs, xs)
        hys = list(result[:-1])
        ys = list(result[-1])
        if index_array is not None:
            hys = [permutate_unchecked(h, index_array, axis=1, inv=True) for h in hys]
            ys = permutate_list(ys, indices, inv=True)
        return hys + [ys]

    def forward(self, hx: VariableOrArray, xs: Sequence[Any],
                **kwargs: Any) -> tuple[Variable, list[Variable]]:
        """Runs the layers over ``xs`` (a list of ``(L_i, in_size)`` sequences in
        any order) from the initial state ``hx`` (None: zeros).

        Returns:
            tuple: ``hy`` ``(n_layers * direction, B, out_size)`` and ``ys``, a
            list of ``(L_i, direction * out_size)`` Variables in the order of
            ``xs``.
        """
        hy, ys = self._call([hx], xs, **kwargs)
        return hy, ys


class _NStepElmanBase(NStepRNNBase):
    n_weights = 2
    activation = 'tanh'

    @property
    def n_cells(self) -> int:
        return 1

    def rnn(self, *args: Any) -> tuple[Variable, list[Variable]]:
        return rnn.n_step_rnn_sequences(*args, activation=self.activation,
                                   use_bi_direction=self.use_bi_direction)


class NStepRNNTanh(_NStepElmanBase):
    """Stacked uni-directional Elman RNN with tanh (see
    :func:`~chainer.functions.n_step_rnn`); arguments as :class:`NStepRNNBase`."""


class NStepRNNReLU(_NStepElmanBase):
    """Stacked uni-directional Elman RNN with ReLU; arguments as :class:`NStepRNNBase`."""

    activation = 'relu'


class NStepBiRNNTanh(_NStepElmanBase):
    """Stacked bidirectional Elman RNN with tanh (see
    :func:`~chainer.functions.n_step_birnn`); arguments as :class:`NStepRNNBase`."""

    use_bi_direction = True


class NStepBiRNNReLU(_NStepElmanBase):
    """Stacked bidirectional Elman RNN with ReLU; arguments as :class:`NStepRNNBase`."""

    activation = 'relu'
    use_bi_direction = True
