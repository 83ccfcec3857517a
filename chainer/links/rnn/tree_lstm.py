"""Tree-structured LSTM layers: :class:`ChildSumTreeLSTM` and :class:`NaryTreeLSTM`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from chainer import link
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.activation.tanh import tanh
from chainer.functions.array.concat import concat
from chainer.functions.array.split_axis import split_axis
from chainer.functions.rnn.tree_lstm import tree_lstm
from chainer.links.connection.linear import Linear
from chainer.links.rnn import _state
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.variable import Variable


class _TreeLSTMBase(link.Chain):

    def _input_or_zeros(self, cs: Sequence[Any], hs: Sequence[Any], x: Any) -> Any:
        if x is not None:
            return x
        known = [s for s in list(cs) + list(hs) if s is not None]
        if not known:
            raise ValueError('All inputs (cs, hs, x) are None.')
        return _state.zeros_state(self, (known[0].shape[0], self.in_size),
                                  known[0].dtype).array

    def _pad_zero_nodes(self, vs: Sequence[Any], shape: tuple, dtype: Any) -> tuple:
        return tuple(_state.zeros_state(self, shape, dtype) if v is None else v
                     for v in vs)


class ChildSumTreeLSTM(_TreeLSTMBase):
    """Child-sum tree LSTM node (any number of children).

    Call with ``(c_1, ..., c_n, h_1, ..., h_n, x)`` (``n`` may be 0 for a
    leaf); missing children may be None, and ``x`` None means a zero input.
    Returns ``(c, h)``.

    Args:
        in_size: Input size.
        out_size: State size.
    """

    def __init__(self, in_size: int, out_size: int) -> None:
        super().__init__()
        with self.init_scope():
            self.W_x = Linear(in_size, 4 * out_size)
            self.W_h_aio = Linear(out_size, 3 * out_size, nobias=True)
            self.W_h_f = Linear(out_size, out_size, nobias=True)
        self.in_size = in_size
        self.state_size = out_size

    def forward(self, *cshsx: Any) -> tuple[Variable, Variable]:
        n = len(cshsx) // 2
        if len(cshsx) != 2 * n + 1:
            raise _ValueAssertionError('ChildSumTreeLSTM takes (c_1..c_n, h_1..h_n, x); '
                                       f'got {len(cshsx)} arguments')
        cs, hs, x = cshsx[:n], cshsx[n:2 * n], cshsx[-1]
        x = self._input_or_zeros(cs, hs, x)
        units = self.state_size
        aio_x, f_x = split_axis(self.W_x(x), [3 * units], axis=1)
        if n == 0:
            # A leaf (called with x only). Children given as None count as zero
            # states, so the recurrent weights get (zero) gradients, as in Chainer.
            a, i, o = split_axis(aio_x, 3, axis=1)
            c = sigmoid(i) * tanh(a)
            return c, sigmoid(o) * tanh(c)
        shape = (x.shape[0], units)
        hs = self._pad_zero_nodes(hs, shape, x.dtype)
        cs = self._pad_zero_nodes(cs, shape, x.dtype)
        h_sum = hs[0]
        for h in hs[1:]:
            h_sum = h_sum + h
        aio = self.W_h_aio(h_sum) + aio_x
        f_h = concat(split_axis(self.W_h_f(concat(hs, axis=0)), len(hs), axis=0), axis=1)
        f = f_h + concat([f_x] * len(hs), axis=1)
        return tree_lstm(*(cs + (concat([aio, f], axis=1),)))


class NaryTreeLSTM(_TreeLSTMBase):
    """N-ary tree LSTM node: ``n_ary`` ordered children, each with its own
    recurrent weight ``W_h1 .. W_h{n_ary}``.

    Call with ``(c_1, ..., c_n, h_1, ..., h_n, x)`` (``n = n_ary``); missing
    children may be None, and ``x`` None means a zero input.  Returns ``(c, h)``.

    Args:
        in_size: Input size.
        out_size: State size.
        n_ary: Number of children.
    """

    def __init__(self, in_size: int, out_size: int, n_ary: int = 2) -> None:
        if n_ary < 1:
            raise _ValueAssertionError(f'n_ary must be at least 1, got {n_ary}')
        super().__init__()
        with self.init_scope():
            self.W_x = Linear(in_size, (3 + n_ary) * out_size)
            for k in range(1, n_ary + 1):
                setattr(self, f'W_h{k}',
                        Linear(out_size, (3 + n_ary) * out_size, nobias=True))
        self.in_size = in_size
        self.state_size = out_size
        self.n_ary = n_ary

    def forward(self, *cshsx: Any) -> tuple[Variable, Variable]:
        if len(cshsx) != 2 * self.n_ary + 1:
            raise _ValueAssertionError(f'NaryTreeLSTM with n_ary={self.n_ary} takes '
                                       f'{2 * self.n_ary + 1} arguments, got {len(cshsx)}')
        cs, hs, x = cshsx[:self.n_ary], cshsx[self.n_ary:-1], cshsx[-1]
        x = self._input_or_zeros(cs, hs, x)
        lstm_in = self.W_x(x)
        for k, h in enumerate(hs, start=1):
            if h is not None:
                lstm_in = lstm_in + getattr(self, f'W_h{k}')(h)
        cs = self._pad_zero_nodes(cs, (x.shape[0], self.state_size), x.dtype)
        return tree_lstm(*(cs + (lstm_in,)))
