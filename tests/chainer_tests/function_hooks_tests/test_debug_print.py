import io
import re

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import function_hooks
from chainer.function_hooks import PrintHook


def test_exported():
    assert function_hooks.PrintHook is PrintHook
    assert PrintHook.name == 'PrintHook'


def test_forward_output():
    f = io.StringIO()
    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(2, 3), name='x')
    with PrintHook(file=f):
        F.sum(x)
    out = re.sub('0x[0-9a-f]+', 'ADDR', f.getvalue())
    expected = ('function\tSum\n'
                'input data\n'
                '<variable at ADDR>\n'  # a fresh Variable: the name is not shown
                '- device: CPU\n'
                "- backend: <class 'numpy.ndarray'>\n"
                '- shape: (2, 3)\n'
                '- dtype: float32\n'
                '- statistics: mean=2.50000000, std=1.70782518\n'
                '- grad: None\n')
    assert out == expected
    assert '- statistics: mean=2.50000000, std=1.70782518' in out


def test_backward_output():
    f = io.StringIO()
    x = chainer.Variable(numpy.ones((2, 2), numpy.float32))
    y = F.sum(x * 2)
    with PrintHook(file=f):
        y.backward()
    out = f.getvalue()
    assert out.startswith('function\tSum\ninput data\n(removed)\noutput gradient\n')
    assert '- grad: mean=1.00000000, std=0.00000000' in out
    assert 'function\tBroadcastTo\n' in out   # applied inside Sum's backward
    assert 'function\t_ * 2\n' in out


def test_missing_output_gradient():
    f = io.StringIO()
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    a, b = F.broadcast(x, numpy.ones((2, 3), numpy.float32))
    loss = F.sum(a)
    with PrintHook(file=f):
        loss.backward()
    assert '- shape: None' in f.getvalue()  # the gradient of `b` is None


def test_end_and_flush():
    class File(io.StringIO):
        flushed = 0

        def flush(self):
            self.flushed += 1
            super().flush()

    f = File()
    with PrintHook(end='|', file=f, flush=False):
        F.identity(numpy.ones(1, numpy.float32))
    assert f.getvalue().startswith('function\tIdentity|input data|<variable at')
    assert f.flushed == 0
    with PrintHook(file=f):
        F.identity(numpy.ones(1, numpy.float32))
    assert f.flushed == 1


def test_sep_is_deprecated():
    with pytest.warns(DeprecationWarning):
        hook = PrintHook(sep=' ')
    assert hook.sep == ' '


def test_local_hook():
    f = io.StringIO()
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    y = F.sum(x)
    y.creator.add_hook(PrintHook(file=f))
    y.backward()
    assert f.getvalue().startswith('function\tSum\n')
