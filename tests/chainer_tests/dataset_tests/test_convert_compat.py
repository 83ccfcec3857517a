"""concat_examples as Chainer exposed it, and the Conveyor."""
from __future__ import annotations

import inspect
import pickle

import numpy
import pytest

import chainer
from chainer.dataset import convert


def test_concat_examples_signature():
    sig = inspect.signature(convert.concat_examples)
    assert list(sig.parameters) == ['batch', 'device', 'padding']
    assert sig.parameters['device'].default is None
    assert sig.parameters['padding'].default is None
    assert chainer.dataset.concat_examples is convert.concat_examples
    assert isinstance(convert.concat_examples, convert.Converter)


def test_concat_examples_pickles():
    restored = pickle.loads(pickle.dumps(convert.concat_examples))
    out = restored([numpy.ones(2, numpy.float32)] * 3)
    assert out.shape == (3, 2)


def test_concat_examples_func_is_the_plain_function():
    f = convert.concat_examples_func
    assert inspect.isfunction(f)
    batch = [(numpy.ones(2), 1), (numpy.zeros(2), 2)]
    x, t = f(batch)
    numpy.testing.assert_array_equal(t, [1, 2])
    assert pickle.loads(pickle.dumps(f)) is f


class TestConveyor:

    def test_in_order_without_device(self):
        c = convert.Conveyor()
        a, b = numpy.arange(3), numpy.arange(4)
        c.put(a)
        c.put(b)
        assert c.get() is a and c.get() is b

    def test_cpu_device(self):
        c = convert.Conveyor(-1)
        c.put(numpy.arange(3))
        c.put(None)
        numpy.testing.assert_array_equal(c.get(), [0, 1, 2])
        assert c.get() is None

    def test_get_without_put(self):
        # An IndexError, as Chainer's (which popped from an empty list)
        with pytest.raises(IndexError, match='no array'):
            convert.Conveyor().get()

    def test_get_takes_chainers_sync_argument(self):
        c = convert.Conveyor(-1)
        c.put(numpy.arange(2))
        c.put(numpy.arange(3))
        numpy.testing.assert_array_equal(c.get(sync=False), [0, 1])
        numpy.testing.assert_array_equal(c.get(True), [0, 1, 2])

    @pytest.mark.gpu
    def test_gpu_with_stream(self):
        import cupy
        stream = cupy.cuda.Stream(non_blocking=True)
        c = convert.Conveyor(0, stream)
        c.put(numpy.arange(5, dtype=numpy.float32))
        out = c.get()
        assert isinstance(out, cupy.ndarray)
        numpy.testing.assert_array_equal(out.get(), numpy.arange(5))
        c.put(numpy.arange(2, dtype=numpy.float32))
        out = c.get(sync=False)
        stream.synchronize()
        numpy.testing.assert_array_equal(out.get(), numpy.arange(2))


class TestCallConverter:
    # chainer.dataset.convert._call_converter is what updaters call; some
    # third-party updaters (chainer_addons' MiniBatchUpdater) call it by name.

    def _recorder(self):
        seen = []

        def old_style(batch, device):
            seen.append(device)
            return convert.concat_examples_func(batch)
        return old_style, seen

    def test_old_style_gets_legacy_device(self):
        old_style, seen = self._recorder()
        batch = [numpy.ones(2, numpy.float32)] * 3
        out = convert._call_converter(old_style, batch, chainer.get_device('@numpy'))
        assert out.shape == (3, 2)
        assert convert._call_converter(old_style, batch, None).shape == (3, 2)
        assert seen == [-1, None]

    def test_new_style_gets_the_device(self):
        seen = []

        @chainer.dataset.converter()
        def new_style(batch, device):
            seen.append(device)
            return convert.concat_examples_func(batch)
        device = chainer.get_device('@numpy')
        convert._call_converter(new_style, [numpy.ones(2)], device)
        assert seen == [device]

    def test_updaters_share_it(self):
        from chainer.training.updaters import standard_updater
        assert standard_updater._call_converter is convert._call_converter


class TestPrivateConcatHelpers:
    # Chainer's private helpers _concat_arrays(arrays, padding) and
    # _concat_arrays_with_padding(arrays, padding): third-party converters
    # (chainer-chemistry's saliency calculator, the Mask R-CNN and FCIS
    # dataset converters) call them by name with those two arguments.

    def test_concat_arrays_two_arguments(self):
        a, b, c = (numpy.ones(2, numpy.float32), numpy.zeros(2, numpy.float32),
                   numpy.zeros(3, numpy.float32))
        out = convert._concat_arrays([a, b], None)
        numpy.testing.assert_array_equal(out, [[1, 1], [0, 0]])
        out = convert._concat_arrays([a, c], -1)
        numpy.testing.assert_array_equal(out, [[1, 1, -1], [0, 0, 0]])

    def test_concat_arrays_with_padding_two_arguments(self):
        elems = [numpy.ones(2, numpy.int32), numpy.zeros(3, numpy.int32)]
        out = convert._concat_arrays_with_padding(elems, padding=9)
        assert out.dtype == numpy.int32
        numpy.testing.assert_array_equal(out, [[1, 1, 9], [0, 0, 0]])
