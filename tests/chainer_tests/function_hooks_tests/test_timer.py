import io

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import function_hooks
from chainer.function_hooks import TimerHook


def _run(xp=numpy):
    x = chainer.Variable(xp.arange(6, dtype=numpy.float32).reshape(2, 3))
    y = F.sum(F.tanh(x) * 2)
    y.backward()
    return x


def test_exported():
    assert function_hooks.TimerHook is TimerHook
    assert issubclass(TimerHook, chainer.FunctionHook)
    assert TimerHook.name == 'TimerHook'


@pytest.mark.parametrize('make', [TimerHook, chainer.link_hooks.TimerHook])
def test_fresh_hook_can_be_copied_and_pickled(make):
    # As in Chainer: a hook that has timed nothing holds no module object.
    import copy
    import pickle
    hook = make()
    assert copy.deepcopy(hook).call_history == []
    assert pickle.loads(pickle.dumps(hook)).total_time() == 0


def test_records_calls():
    hook = TimerHook()
    with hook as h:
        assert h is hook
        _run()
    names = [name for name, _ in hook.call_history]
    assert names[:3] == ['Tanh', 'MulConstant', 'Sum']  # forward order
    assert 'TanhGrad' in names  # functions applied inside backward are timed too
    assert names.count('Tanh') == 2  # forward and backward
    assert all(isinstance(t, float) and t >= 0 for _, t in hook.call_history)
    # Unhooked afterwards.
    n = len(hook.call_history)
    _run()
    assert len(hook.call_history) == n


def test_summary_and_total_time():
    hook = TimerHook()
    with hook:
        _run()
    summary = hook.summary()
    assert list(summary)[:3] == ['Tanh', 'MulConstant', 'Sum']
    assert summary['Tanh']['occurrence'] == 2
    total = sum(t for _, t in hook.call_history)
    assert sum(r['elapsed_time'] for r in summary.values()) == pytest.approx(total)
    assert sum(r['occurrence'] for r in summary.values()) == len(hook.call_history)
    # Nested calls (inside another function's backward) are counted once.
    assert 0 < hook.total_time() <= total


def test_summary_is_a_plain_dict_and_nothing_timed_is_int_zero():
    # As Chainer's: the function hook's summary prints as a dict, and a hook
    # that timed nothing reports the int 0.
    hook = TimerHook()
    assert type(hook.summary()) is dict and repr(hook.summary()) == '{}'
    assert repr(hook.total_time()) == '0'
    hook.call_history = [('Tanh', 0.5), ('Sum', 0.25), ('Tanh', 0.5)]
    assert repr(hook.summary()) == ("{'Tanh': {'elapsed_time': 1.0, 'occurrence': 2}, "
                                    "'Sum': {'elapsed_time': 0.25, 'occurrence': 1}}")


def test_gradient_sums_are_timed_inside_the_backward_of_their_function():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    x.grad = numpy.ones(3, numpy.float32)
    y = F.sum(F.exp(x))
    hook = TimerHook()
    with hook:
        y.backward()
    names = [name for name, _ in hook.call_history]
    assert names[-3:] == ['Mul', 'Add', 'Exp']


def test_print_report_layout():
    hook = TimerHook()
    hook.call_history = [('LinearFunction', 1.0), ('ReLU', 0.59), ('LinearFunction', 0.24),
                         ('SoftmaxCrossEntropy', 0.82), ('Accuracy', 0.18)]
    f = io.StringIO()
    hook.print_report(file=f)
    assert f.getvalue() == (
        '       FunctionName  ElapsedTime  Occurrence\n'
        '     LinearFunction      1.24sec           2\n'
        '               ReLU      0.59sec           1\n'
        'SoftmaxCrossEntropy      0.82sec           1\n'
        '           Accuracy      0.18sec           1\n')


@pytest.mark.parametrize('unit,expected', [
    ('auto', ['0.04ms', '1.50ms']),
    ('ms', ['0.04ms', '1.50ms']),
    ('us', ['40.00us', '1500.00us']),
    ('sec', ['0.00sec', '0.00sec']),
    ('ns', ['40000.00ns', '1500000.00ns']),
    ('auto_foreach', ['40.00us', '1.50ms']),
])
def test_print_report_units(unit, expected):
    hook = TimerHook()
    hook.call_history = [('A', 4e-5), ('B', 1.5e-3)]
    f = io.StringIO()
    hook.print_report(unit=unit, file=f)
    lines = f.getvalue().splitlines()
    assert len(lines) == 3
    assert [line.split()[1] for line in lines[1:]] == expected
    assert len({len(line) for line in lines}) == 1  # right-aligned columns


def test_print_report_tiny_times_use_ns():
    hook = TimerHook()
    hook.call_history = [('A', 5e-10)]
    f = io.StringIO()
    hook.print_report(file=f)
    assert f.getvalue().splitlines()[1].split()[1] == '0.50ns'


def test_print_report_empty():
    f = io.StringIO()
    TimerHook().print_report(file=f)
    assert f.getvalue() == 'FunctionName  ElapsedTime  Occurrence\n'


def test_print_report_bad_unit():
    hook = TimerHook()
    hook.call_history = [('A', 1.0)]
    for error in (ValueError, KeyError):  # KeyError as Chainer's
        with pytest.raises(error, match='unit'):
            hook.print_report(unit='hours', file=io.StringIO())


def test_local_hook():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    y = x * 2
    z = F.sum(y)
    hook = TimerHook()
    z.creator.add_hook(hook)
    z.backward()
    assert [name for name, _ in hook.call_history] == ['Sum']
    z.creator.delete_hook('TimerHook')
    z.backward()
    assert len(hook.call_history) == 1


def test_same_hook_twice_is_an_error():
    hook = TimerHook()
    with hook:
        with pytest.raises(KeyError):
            with TimerHook():
                pass


@pytest.mark.gpu
@pytest.mark.real_gpu
def test_gpu_timing():
    import cupy
    hook = TimerHook()
    with hook:
        _run(cupy)
    assert {'Tanh', 'Sum', 'TanhGrad'} <= set(hook.summary())
    assert all(t >= 0 for _, t in hook.call_history)
    assert hook.total_time() > 0


class _FailingForward(chainer.FunctionNode):
    def forward(self, inputs):
        raise ValueError('forward fails')


class _FailingBackward(chainer.FunctionNode):
    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, indexes, grad_outputs):
        raise ValueError('backward fails')


def test_a_call_that_raises_records_nothing_and_timing_goes_on():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    hook = TimerHook()
    with hook:
        with pytest.raises(ValueError, match='forward fails'):
            _FailingForward().apply((x,))
        y = F.sum(_FailingBackward().apply((x,))[0])
        with pytest.raises(ValueError, match='backward fails'):
            y.backward()
        F.exp(x)
    names = [name for name, _ in hook.call_history]
    assert '_FailingForward' not in names and names.count('_FailingBackward') == 1
    assert names[-1] == 'Exp'
    # Chainer left the failed calls' starts open, so total_time() stopped counting.
    assert hook._running_stack == [] and hook._depth == 0
    assert hook.total_time() > 0
