"""Training pieces as code written for Chainer expects them."""
from __future__ import annotations

import warnings
from unittest import mock

import numpy
import pytest

import chainer
from chainer import testing
from chainer import training
from chainer.training import extensions
from chainer.training import triggers
from chainer.training.extensions import computational_graph
from chainer.training.updaters import multiprocess_parallel_updater as mpu
from tests.chainer_tests.training_tests import training_stubs


def test_trigger_module_alias():
    from chainer.training import trigger
    assert trigger.IntervalTrigger is training.IntervalTrigger
    assert trigger.get_trigger is training.get_trigger


def test_variable_unchain_module():
    from chainer.training.extensions import variable_unchain
    assert variable_unchain.unchain_variables is extensions.unchain_variables


class TestGraphviz:

    def test_return_code(self):
        import sys
        assert computational_graph.is_return_code_zero([sys.executable, '-c', 'pass'])
        assert not computational_graph.is_return_code_zero(
            [sys.executable, '-c', 'raise SystemExit(3)'])
        assert not computational_graph.is_return_code_zero(['no-such-command-xyz'])

    def test_graphviz_available_is_a_bool(self):
        assert isinstance(computational_graph.is_graphviz_available(), bool)


class TestOnceTriggerResume:

    @pytest.mark.parametrize('call_on_resume', [False, True])
    def test_snapshot_without_the_flag(self, call_on_resume):
        trigger = triggers.OnceTrigger(call_on_resume)
        with pytest.warns(UserWarning, match='The flag is not saved'):
            trigger.serialize(_MissingKeys())
        trainer = testing.get_trainer_with_mock_updater()
        assert trigger(trainer) is call_on_resume
        assert trigger(trainer) is False

    def test_flag_round_trip(self):
        trigger = triggers.OnceTrigger()
        trainer = testing.get_trainer_with_mock_updater()
        assert trigger(trainer)
        saved = {}
        trigger.serialize(_Saver(saved))
        resumed = triggers.OnceTrigger()
        resumed.serialize(_Loader(saved))
        assert not resumed(trainer)


class _MissingKeys:
    def __call__(self, key, value):
        raise KeyError(key)


class _Saver:
    def __init__(self, target):
        self.target = target

    def __call__(self, key, value):
        self.target[key] = value
        return value


class _Loader:
    def __init__(self, source):
        self.source = source

    def __call__(self, key, value):
        return self.source[key]


class TestMultistepShift:

    def test_initialize_sets_the_initial_value(self):
        optimizer = mock.Mock(lr=0.5)
        ext = extensions.MultistepShift('lr', 0.1, [2, 4], 1.0, optimizer)
        trainer = testing.get_trainer_with_mock_updater()
        ext.initialize(trainer)
        assert optimizer.lr == 1.0
        values = []
        for _ in range(5):
            ext(trainer)
            values.append(optimizer.lr)
        numpy.testing.assert_allclose(values, [1.0, 0.1, 0.1, 0.01, 0.01])

    def test_init_none_takes_the_current_value(self):
        optimizer = mock.Mock(lr=0.5)
        ext = extensions.MultistepShift('lr', 0.5, [1], None, optimizer)
        trainer = testing.get_trainer_with_mock_updater()
        ext.initialize(trainer)
        assert optimizer.lr == 0.5
        ext(trainer)
        assert optimizer.lr == 0.25


class _OldStyleConverter:
    """A plain callable converter taking ``(batch, device)``."""

    def __init__(self):
        self.devices = []

    def __call__(self, batch, device):
        self.devices.append(device)
        return chainer.dataset.concat_examples(batch)


class TestOldStyleConverters:

    def _evaluator(self, converter, device=None):
        model = training_stubs.Regressor(3, 2)
        data = training_stubs.make_dataset(n=4)
        it = training_stubs.ListIterator(data, 2, repeat=False)
        return extensions.Evaluator(it, model, converter=converter, device=device)

    @pytest.mark.parametrize('device, expected', [(None, None), (-1, -1), ('@numpy', -1)])
    def test_evaluator_passes_the_legacy_device(self, device, expected):
        converter = _OldStyleConverter()
        self._evaluator(converter, device)()
        assert converter.devices == [expected, expected]

    def test_new_style_converter_gets_a_device(self):
        seen = []

        @chainer.dataset.converter()
        def converter(batch, device):
            seen.append(device)
            return chainer.dataset.concat_examples(batch, device)

        self._evaluator(converter, '@numpy')()
        assert seen and all(d == chainer.get_device('@numpy') for d in seen)


class _Hook:
    def __init__(self, name, timing, log):
        self.name = name
        self.timing = timing
        self.log = log

    def __call__(self, optimizer):
        self.log.append((self.name, optimizer.t))


class TestOptimizerHookTiming:

    def _optimizer(self):
        model = training_stubs.Regressor(3, 2)
        opt = chainer.optimizers.SGD()
        opt.setup(model)
        for p in model.params():
            p.grad = numpy.zeros_like(p.array)
        return opt

    def test_pre_and_post(self):
        opt = self._optimizer()
        log = []
        opt.add_hook(_Hook('before', 'pre', log))
        opt.add_hook(_Hook('after', 'post', log))
        opt.update()
        assert log == [('before', 0), ('after', 1)]

    def test_unknown_timing_attribute_is_pre_with_warning(self):
        # Chainer 7.8.1 falls back to 'pre' and says so.
        opt = self._optimizer()
        log = []
        with pytest.warns(UserWarning, match="defaulting timing to 'pre'"):
            opt.add_hook(_Hook('odd', object(), log))
        opt.update()
        assert log == [('odd', 0)]

    def test_missing_timing_attribute_is_pre(self):
        opt = self._optimizer()
        calls = []

        def plain(optimizer):
            calls.append(optimizer.t)

        with warnings.catch_warnings():
            warnings.simplefilter('error')
            opt.add_hook(plain)
        opt.update()
        assert calls == [0]

    def test_mock_hook(self):
        opt = self._optimizer()
        hook = mock.MagicMock()
        hook.name = 'mocked'
        hook.call_for_each_param = False
        # a mock's timing is another mock: 'pre', with Chainer's warning
        with pytest.warns(UserWarning, match="defaulting timing to 'pre'"):
            opt.add_hook(hook)
        opt.update()
        hook.assert_called_once_with(opt)


class TestParallelUpdaterHelpers:

    def _link(self):
        link = chainer.links.Linear(3, 2)
        with link.init_scope():
            link.empty = chainer.Parameter(numpy.zeros((0,), numpy.float32))
        return link

    def test_size_num_grads_skips_empty(self):
        assert mpu.size_num_grads(self._link()) == (8, 2)

    def test_gather_refuses_a_link_on_the_cpu(self):
        # As in Chainer: gathering is for GPU links only.
        for gather in (mpu.gather_params, mpu.gather_grads):
            with pytest.raises(RuntimeError, match='only on GPU'):
                gather(self._link())

    def test_scatter(self):
        link = self._link()
        link.cleargrads()
        mpu.scatter_grads(link, numpy.arange(8, dtype=numpy.float32))
        numpy.testing.assert_array_equal(link.W.grad, [[0, 1, 2], [3, 4, 5]])
        numpy.testing.assert_array_equal(link.b.grad, [6, 7])
        mpu.scatter_params(link, numpy.arange(8, dtype=numpy.float32) + 1)
        numpy.testing.assert_array_equal(link.W.array, [[1, 2, 3], [4, 5, 6]])

    def test_float16_parameters_are_cast(self):
        link = chainer.links.Linear(2, 1)
        link.to_device('@numpy')
        link.W.array = link.W.array.astype(numpy.float16)
        mpu.scatter_params(link, numpy.ones(3, numpy.float32))
        assert link.W.dtype == numpy.float16 and (link.W.array == 1).all()

    def test_wrong_size(self):
        with pytest.raises(ValueError, match='elements'):
            mpu.scatter_grads(self._link(), numpy.zeros(5, numpy.float32))

    @pytest.mark.gpu
    def test_cupy(self):
        link = self._link().to_device('@cupy:0')
        with warnings.catch_warnings():
            out = mpu.gather_params(link)
        assert type(out).__module__.startswith('cupy')
        assert out.shape == (8,) and out.dtype == numpy.float32
        link.cleargrads()
        zeros = mpu.gather_grads(link)  # None gradients gather as zeros
        numpy.testing.assert_array_equal(chainer.backends.cuda.to_cpu(zeros), numpy.zeros(8))
        mpu.scatter_grads(link, out)
        numpy.testing.assert_array_equal(chainer.backends.cuda.to_cpu(link.W.grad),
                                         chainer.backends.cuda.to_cpu(link.W.array))
        numpy.testing.assert_array_equal(chainer.backends.cuda.to_cpu(mpu.gather_grads(link)),
                                         chainer.backends.cuda.to_cpu(out))
