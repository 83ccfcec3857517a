"""A link running a Theano expression, differentiated by Theano."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chainer import link
from chainer import utils
from chainer.functions.theano import theano_function


def _import_theano() -> Any:
    # Imported on use: importing Theano is slow and has side effects, and Theano
    # is not maintained any more (it does not install on every platform).
    try:
        import theano
    except ImportError as e:
        raise RuntimeError(
            'chainer.links.TheanoFunction requires Theano, which is not installed. '
            'Theano is no longer maintained; install it with `pip install theano` '
            'where it still works.') from e
    return theano


def _as_tensor_variables(theano: Any, vs: Any, what: str) -> tuple:
    tensor_variable = theano.tensor.TensorVariable
    if isinstance(vs, tensor_variable):
        return vs,
    if isinstance(vs, Iterable) and not isinstance(vs, (str, bytes)):
        vs = tuple(vs)
        if all(isinstance(v, tensor_variable) for v in vs):
            return vs
    raise TypeError(f'{what} must be a TensorVariable or a list or tuple of '
                    f'TensorVariables, not {type(vs).__name__}')


class TheanoFunction(link.Link):
    """A Theano expression from ``inputs`` to ``outputs`` as a link (experimental).

    Theano compiles the forward function and, from its symbolic gradient, the
    backward function; calling the link sends the Variables' data to them
    (through the host). Needs Theano; constructing the link without it raises
    ``RuntimeError``.

    Args:
        inputs: A Theano ``TensorVariable``, or a list or tuple of them.
        outputs: A ``TensorVariable`` computed from ``inputs``, or a list or
            tuple of them.
    """

    def __init__(self, inputs: Any, outputs: Any) -> None:
        utils.experimental('chainer.links.TheanoFunction')
        theano = _import_theano()
        super().__init__()
        inputs = _as_tensor_variables(theano, inputs, 'inputs')
        outputs = _as_tensor_variables(theano, outputs, 'outputs')
        self.forward_func = theano.function(inputs=inputs, outputs=outputs)
        # One symbolic output gradient per output, fed to the backward function.
        grads_out = tuple(o.type(f'g_{i}') for i, o in enumerate(outputs))
        grads_in = theano.tensor.grad(
            cost=None, wrt=inputs, known_grads=dict(zip(outputs, grads_out)),
            disconnected_inputs='ignore')
        self.backward_func = theano.function(
            inputs=inputs + grads_out, outputs=grads_in, on_unused_input='ignore')

    def forward(self, *args: Any) -> Any:
        return theano_function.theano_function(self.forward_func, self.backward_func, *args)
