import io

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.backends import cuda
from chainer.function_hooks import CUDAProfileHook, CupyMemoryProfileHook

no_cupy = pytest.mark.skipif(cuda.available, reason='CuPy is available')


@no_cupy
@pytest.mark.parametrize('cls', [CUDAProfileHook, CupyMemoryProfileHook])
def test_needs_cupy(cls):
    with pytest.raises(RuntimeError, match='CuPy'):
        cls()


def test_names():
    assert CUDAProfileHook.name == 'CUDAProfileHook'
    assert CupyMemoryProfileHook.name == 'CupyMemoryProfileHook'
    assert issubclass(CUDAProfileHook, chainer.FunctionHook)
    assert issubclass(CupyMemoryProfileHook, chainer.FunctionHook)


def _fake_memory_hook():
    hook = CupyMemoryProfileHook.__new__(CupyMemoryProfileHook)
    hook.call_history = []
    return hook


def test_memory_report_layout():
    hook = _fake_memory_hook()
    hook.call_history = [('LinearFunction', 3 * 1024 ** 2, 512, 0),
                         ('ReLU', 1024, 0, 0), ('LinearFunction', 2 * 1024 ** 2, 512, 1)]
    summary = hook.summary()
    assert summary['LinearFunction'] == {
        'used_bytes': 5 * 1024 ** 2, 'acquired_bytes': 1024, 'occurrence': 2}
    f = io.StringIO()
    hook.print_report(file=f)
    assert f.getvalue() == (
        '  FunctionName  UsedBytes  AcquiredBytes  Occurrence\n'
        'LinearFunction     5.00MB         1.00KB           2\n'
        '          ReLU     0.00MB         0.00KB           1\n')
    f = io.StringIO()
    hook.print_report(unit='auto_foreach', file=f)
    assert f.getvalue().splitlines()[2].split() == ['ReLU', '1.00KB', '0.00B', '1']
    f = io.StringIO()
    hook.print_report(unit='B', file=f)
    assert f.getvalue().splitlines()[2].split() == ['ReLU', '1024.00B', '0.00B', '1']
    with pytest.raises(ValueError):
        hook.print_report(unit='bytes', file=io.StringIO())


@pytest.mark.gpu
@pytest.mark.real_gpu
def test_memory_profile_on_gpu():
    import cupy
    hook = CupyMemoryProfileHook()
    x = chainer.Variable(cupy.arange(1024, dtype=numpy.float32))
    with hook:
        y = F.sum(x * 2)
        y.backward()
    names = [c[0] for c in hook.call_history]
    assert 'MulConstant' in names and 'Sum' in names
    assert hook.total_used_bytes() > 0
    f = io.StringIO()
    hook.print_report(file=f)
    assert f.getvalue().startswith('FunctionName')


@pytest.mark.gpu
def test_cuda_profile_on_gpu():
    import cupy
    from cupy.cuda import nvtx
    x = chainer.Variable(cupy.ones(4, dtype=numpy.float32))
    with CUDAProfileHook():
        y = F.sum(F.tanh(x))
        y.backward()
    assert x.grad.shape == (4,)
    if getattr(cupy, '_rechainer_stand_in', False):
        # one range a call, each closed; a backward's range holds the nodes it applies
        assert not nvtx.open_ranges
        assert nvtx.ranges[-6:] == ['Tanh.forward', 'Sum.forward', 'Sum.backward',
                                    'BroadcastTo.forward', 'Tanh.backward',
                                    'TanhGrad.forward']


def test_memory_report_units_stop_at_zb():
    # ZB is the largest unit: 1024 ZB prints as 1024.00ZB, as in Chainer.
    hook = _fake_memory_hook()
    hook.call_history = [('F', 1024 ** 8, 3 * 1024 ** 7, 0)]
    f = io.StringIO()
    hook.print_report(file=f)
    assert '1024.00ZB' in f.getvalue() and '3.00ZB' in f.getvalue()
