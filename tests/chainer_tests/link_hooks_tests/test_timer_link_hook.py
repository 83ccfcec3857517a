import collections
import io
import re

import numpy
import pytest

import chainer
import chainer.links as L
from chainer.link_hooks import TimerHook


class _MLP(chainer.Chain):

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(3, 4)
            self.l2 = L.Linear(4, 2)

    def forward(self, x):
        return self.l2(self.l1(x))


class TestTimerHook:

    def setup_method(self):
        self.model = _MLP()
        self.x = numpy.random.randn(2, 3).astype('f')

    def test_name(self):
        assert TimerHook().name == 'TimerHook'

    def test_history_and_summary(self):
        hook = TimerHook()
        with hook:
            self.model(self.x)
            self.model(self.x)
        names = [name for name, _ in hook.call_history]
        assert names == ['Linear', 'Linear', '_MLP'] * 2
        assert all(t >= 0 for _, t in hook.call_history)
        summary = hook.summary()
        assert type(summary) is collections.OrderedDict  # as Chainer's link hook
        assert list(summary) == ['Linear', '_MLP']
        assert summary['Linear']['occurrence'] == 4
        assert summary['_MLP']['occurrence'] == 2
        # nested calls are not counted twice
        outer = sum(t for name, t in hook.call_history if name == '_MLP')
        assert hook.total_time() == pytest.approx(outer)

    def test_local_hook(self):
        hook = TimerHook()
        self.model.l1.add_hook(hook)
        self.model(self.x)
        assert [name for name, _ in hook.call_history] == ['Linear']

    @pytest.mark.parametrize('unit', ['auto', 'auto_foreach', 'sec', 'ms', 'us', 'ns'])
    def test_print_report(self, unit):
        hook = TimerHook()
        with hook:
            self.model(self.x)
        out = io.StringIO()
        hook.print_report(unit=unit, file=out)
        lines = out.getvalue().splitlines()
        assert re.match(r'^\s*LinkName\s+ElapsedTime\s+Occurrence$', lines[0])
        assert len(lines) == 3
        assert re.match(r'^\s*Linear\s+\d+\.\d\d(sec|ms|us|ns)\s+2$', lines[1])
        if unit in ('sec', 'ms', 'us', 'ns'):
            assert lines[1].split()[1].endswith(unit)

    def test_bad_unit(self):
        with pytest.raises(ValueError):
            TimerHook().print_report(unit='min', file=io.StringIO())

    def test_empty_report(self):
        out = io.StringIO()
        TimerHook().print_report(file=out)
        assert out.getvalue().split() == ['LinkName', 'ElapsedTime', 'Occurrence']


class _RaisingPreprocess(chainer.LinkHook):
    name = 'Raising'

    def forward_preprocess(self, args):
        raise RuntimeError('refused')


def test_failed_call_is_not_recorded_and_total_time_goes_on():
    # Chainer kept the failed call's start on its stack: total_time() stayed 0.
    model = _MLP()
    hook = TimerHook()
    with hook:
        with pytest.raises(Exception):
            model(numpy.ones((2, 5), 'f'))  # l1 fails, and with it the model
        assert hook.call_history == [] and hook._running_stack == []
        model(numpy.ones((2, 3), 'f'))
    assert [name for name, _ in hook.call_history] == ['Linear', 'Linear', '_MLP']
    assert hook.total_time() == pytest.approx(hook.call_history[-1][1])


def test_failed_preprocess_of_an_earlier_hook():
    # The timer's own preprocess never ran: nothing of it is undone.
    link = L.Linear(3, 2)
    link.add_hook(_RaisingPreprocess())
    hook = TimerHook()
    link.add_hook(hook)
    with pytest.raises(RuntimeError):
        link(numpy.ones((2, 3), 'f'))
    assert hook._running_stack == [] and hook._depth == 0


@pytest.mark.gpu
def test_gpu_times_nest(cupy):
    # On the GPU the times come from CUDA events: a chain's call takes at least
    # as long as the calls of its links inside it, and every call takes some time.
    model = _MLP()
    model.to_device('@cupy:0')
    x = cupy.asarray(numpy.random.randn(2, 3).astype('f'))
    with TimerHook() as hook:
        model(x)
    names = [name for name, _ in hook.call_history]
    times = [t for _, t in hook.call_history]
    assert names == ['Linear', 'Linear', '_MLP']
    assert all(t > 0 for t in times)
    assert times[0] + times[1] <= times[2]
