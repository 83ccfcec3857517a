"""Chainer's utility modules: cache, error, imgproc, meta, precision, ..."""
from __future__ import annotations

import collections.abc
import importlib

import numpy
import pytest

import chainer
from chainer import utils
from chainer.utils import _collections
from chainer.utils import argument
from chainer.utils import cache
from chainer.utils import error
from chainer.utils import imgproc
from chainer.utils import meta
from chainer.utils import precision


def test_collections_abc_is_the_standard_module():
    assert utils.collections_abc is collections.abc
    assert isinstance([], utils.collections_abc.Sequence)


def test_function_names_survive_their_module_names():
    # ``chainer.utils.experimental`` / ``.nondeterministic`` name functions.
    assert callable(utils.experimental) and callable(utils.nondeterministic)
    module = importlib.import_module('chainer.utils.nondeterministic')
    assert utils.nondeterministic is module.nondeterministic
    assert meta.final is utils.final and meta.enable_final is utils.enable_final


class TestCachedProperty:

    class Thing:
        def __init__(self):
            self.calls = 0

        @cache.cached_property
        def value(self):
            self.calls += 1
            return chainer.Variable(numpy.ones(1, numpy.float32)) * 2

    def test_computed_once(self):
        t = self.Thing()
        assert t.value is t.value
        assert t.calls == 1

    def test_separate_per_backprop_mode(self):
        t = self.Thing()
        with_graph = t.value
        with chainer.no_backprop_mode():
            without = t.value
            assert t.value is without
        assert without is not with_graph and t.calls == 2
        assert with_graph.creator is not None and without.creator is None

    def test_per_instance(self):
        a, b = self.Thing(), self.Thing()
        assert a.value is not b.value

    def test_read_only(self):
        with pytest.raises(AttributeError):
            self.Thing().value = 1
        with pytest.raises(AttributeError):
            del self.Thing().value

    def test_descriptor_as_in_chainer(self):
        # A cached_property object, returned itself on the class; the values
        # live in the instance's __dict__ under the property's name.
        prop = self.Thing.__dict__['value']
        assert isinstance(prop, cache.cached_property) and self.Thing.value is prop
        assert prop.__name__ == 'value' and prop.func.__name__ == 'value'
        t = self.Thing()
        t.value
        assert 'value' in vars(t)


def test_error_format_array_props():
    # Chainer's form, which FunctionTestCase's and gradient_check's messages show.
    arrays = [numpy.zeros((2, 3), numpy.float32), None, numpy.zeros((), numpy.int64)]
    assert error._format_array_props(arrays) == '(2, 3):float32, None, ():int64'


class TestOversample:

    def test_crops_and_mirrors(self):
        image = numpy.arange(2 * 4 * 5, dtype=numpy.float32).reshape(2, 4, 5)
        out = imgproc.oversample([image, image + 100], (2, 3))
        assert out.shape == (20, 2, 2, 3) and out.dtype == numpy.float32
        expected = [image[:, :2, :3], image[:, :2, 2:], image[:, 2:, :3],
                    image[:, 2:, 2:], image[:, 1:3, 1:4]]
        for k, crop in enumerate(expected):
            numpy.testing.assert_array_equal(out[k], crop)
            numpy.testing.assert_array_equal(out[5 + k], crop[:, :, ::-1])
            numpy.testing.assert_array_equal(out[10 + k], crop + 100)


class TestFp16MixedPrecision:

    class Node:
        def __init__(self):
            self.seen = None

        @precision._fp16_mixed_precision_helper
        def forward(self, inputs):
            self.seen = tuple(x.dtype for x in inputs)
            return tuple(x * 2 for x in inputs)

    def test_half_inputs_computed_in_float32(self):
        node = self.Node()
        y, = node.forward((numpy.ones(2, numpy.float16),))
        assert node.seen == (numpy.float32,) and y.dtype == numpy.float16

    def test_mixed_inputs_keep_float32_outputs(self):
        node = self.Node()
        ys = node.forward((numpy.ones(2, numpy.float16), numpy.ones(2, numpy.float32)))
        assert [y.dtype for y in ys] == [numpy.float32, numpy.float32]

    def test_other_dtypes_untouched(self):
        node = self.Node()
        y, i = node.forward((numpy.ones(2, numpy.float64), numpy.ones(2, numpy.int32)))
        assert y.dtype == numpy.float64 and i.dtype == numpy.int32


def test_ordered_set():
    s = _collections.OrderedSet([3, 1, 3, 2])
    assert list(s) == [3, 1, 2] and len(s) == 3 and 1 in s
    s.add(0)
    s.discard(1)
    assert list(s) == [3, 2, 0]


class TestArgument:

    def test_parse_kwargs_names_caller_and_sorts(self):
        def spam_eggs(**kwargs):
            return argument.parse_kwargs(kwargs, ('a', 1))

        assert spam_eggs(a=2) == (2,)
        with pytest.raises(TypeError) as info:
            spam_eggs(spam=1, ham=2)
        assert str(info.value) == (
            "spam_eggs() got unexpected keyword argument(s) 'ham', 'spam'")

    def test_removed_argument_message(self):
        with pytest.raises(ValueError, match='train is gone'):
            argument.parse_kwargs({'train': True}, train='train is gone')

    def test_assert_kwargs_empty(self):
        argument.assert_kwargs_empty({})
        with pytest.raises(TypeError, match="'a', 'b'"):
            argument.assert_kwargs_empty({'b': 1, 'a': 2})
