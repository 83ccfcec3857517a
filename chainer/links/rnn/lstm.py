"""LSTM layers: the stateful :class:`LSTM` and the :class:`StatelessLSTM`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from chainer import initializers
from chainer import link
from chainer.functions.array.concat import concat
from chainer.functions.array.split_axis import split_axis
from chainer.functions.rnn.lstm import lstm
from chainer.links.connection.linear import Linear
from chainer.links.rnn import _state
from chainer.utils import size_of_shape

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import InitializerSpec, VariableOrArray


class LSTMBase(link.Chain):
    """Parameters of an LSTM layer: ``upward`` (input to the four gates, with the
    bias) and ``lateral`` (previous output to the gates, no bias).

    The ``4 * out_size`` rows of both weights interleave the gates unit by unit
    in the order cell input, input gate, forget gate, output gate, as
    :func:`~chainer.functions.lstm` reads them.

    Args:
        in_size: Input size, or None to take it from the first input.
        out_size: Output (state) size; ``LSTMBase(n)`` means ``out_size=n``
            with a lazy input size.
        lateral_init: Initializer of each gate's block of ``lateral.W``.
        upward_init: Initializer of each gate's block of ``upward.W``.
        bias_init: Initializer of the cell input, input and output gate biases
            (default 0).
        forget_bias_init: Initializer of the forget gate bias (default 1).
    """

    def __init__(self, in_size: Optional[int], out_size: Optional[int] = None,
                 lateral_init: InitializerSpec | None = None,
                 upward_init: InitializerSpec | None = None,
                 bias_init: InitializerSpec | None = None,
                 forget_bias_init: InitializerSpec | None = None) -> None:
        if out_size is None:
            out_size, in_size = in_size, None
        super().__init__()
        self.state_size = out_size
        self.lateral_init = lateral_init
        self.upward_init = upward_init
        self.bias_init = 0 if bias_init is None else bias_init
        self.forget_bias_init = 1 if forget_bias_init is None else forget_bias_init
        with self.init_scope():
            self.upward = Linear(in_size, 4 * out_size, initialW=0)
            self.lateral = Linear(out_size, 4 * out_size, initialW=0, nobias=True)
            if in_size is not None:
                self._initialize_params()

    def _initialize_params(self) -> None:
        lateral_init = initializers._get_initializer(self.lateral_init)
        upward_init = initializers._get_initializer(self.upward_init)
        bias_init = initializers._get_initializer(self.bias_init)
        forget_bias_init = initializers._get_initializer(self.forget_bias_init)
        n = self.state_size
        for k in range(0, 4 * n, n):
            lateral_init(self.lateral.W.array[k:k + n])
            upward_init(self.upward.W.array[k:k + n])
        # Each gate's bias is filled as a (1, n, 1) view, as in Chainer, so that
        # fan-based initializers see Chainer's fans.
        gates = self.upward.b.array.reshape(1, n, 4, 1)
        for k, init in enumerate((bias_init, bias_init, forget_bias_init, bias_init)):
            init(gates[:, :, k])

    def _lazy_init(self, x: Any) -> None:
        if self.upward.W.array is None:
            with self.device:
                self.upward._initialize_params(size_of_shape(x.shape[1:]))
            self._initialize_params()


class StatelessLSTM(LSTMBase):
    """LSTM layer whose state is passed in and returned: ``forward(c, h, x)``.

    Same arguments as :class:`LSTMBase`.
    """

    def forward(self, c: VariableOrArray, h: VariableOrArray,
                x: VariableOrArray) -> tuple[Variable, Variable]:
        """Returns ``(c_new, h_new)``; ``c`` and ``h`` may be None (zero state)."""
        self._lazy_init(x)
        lstm_in = self.upward(x)
        if h is not None:
            lstm_in = lstm_in + self.lateral(h)
        if c is None:
            c = _state.zeros_state(self, (len(x), self.state_size), x.dtype)
        return lstm(c, lstm_in)


class LSTM(_state.CellAndHiddenState, LSTMBase):
    """Stateful LSTM layer: keeps ``c`` and ``h`` between calls.

    A call with fewer rows than the state updates the leading rows only (the
    others belong to sequences that already ended). Same arguments as
    :class:`LSTMBase`.

    Attributes:
        c (~chainer.Variable): The cell state, or None.
        h (~chainer.Variable): The output of the last step, or None.
    """

    def __init__(self, in_size: Optional[int], out_size: Optional[int] = None,
                 lateral_init: InitializerSpec | None = None,
                 upward_init: InitializerSpec | None = None,
                 bias_init: InitializerSpec | None = None,
                 forget_bias_init: InitializerSpec | None = None) -> None:
        super().__init__(in_size, out_size, lateral_init, upward_init, bias_init,
                         forget_bias_init)
        self.reset_state()

    def forward(self, x: VariableOrArray) -> Variable:
        """One step on the batch ``x``; returns the new output ``h``."""
        self._lazy_init(x)
        lstm_in = self.upward(x)  # first: its type check refuses a 0-d x clearly
        batch = len(x)
        h_rest = None
        if self.h is not None:
            if batch > len(self.h):
                raise TypeError('The batch size of x must be equal to or less than '
                                'the size of the previous state h.')
            if batch == 0:
                h_rest = self.h  # no row to update: as in Chainer, lateral is not applied
            elif batch < len(self.h):
                h_now, h_rest = split_axis(self.h, [batch], axis=0)
                lstm_in = lstm_in + self.lateral(h_now)
            else:
                lstm_in = lstm_in + self.lateral(self.h)
        if self.c is None:
            self.c = _state.zeros_state(self, (batch, self.state_size), lstm_in.dtype)
        self.c, y = lstm(self.c, lstm_in)
        if h_rest is None:
            self.h = y
        elif len(y) == 0:
            self.h = h_rest
        else:
            self.h = concat([y, h_rest], axis=0)
        return y
