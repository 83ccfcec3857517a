"""Link behaviour older code relies on: _device_id, overridden transfers, addgrads."""
from __future__ import annotations

import warnings

import numpy
import pytest

import chainer
from chainer import testing
from chainer import utils


def test_device_id_on_cpu_is_none_and_deprecated():
    link = chainer.links.Linear(2, 3)
    with testing.assert_warns(DeprecationWarning):
        assert link._device_id is None


@pytest.mark.gpu
def test_device_id_on_gpu():
    link = chainer.links.Linear(2, 3).to_device('@cupy:0')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        assert link._device_id == 0


@pytest.mark.parametrize('name', ['to_cpu', 'to_gpu', 'to_intel64'])
def test_overriding_a_transfer_method_is_deprecated(name):
    def method(self, *args, **kwargs):
        return self

    with testing.assert_warns(DeprecationWarning):
        type('Overriding', (chainer.Link,), {name: method})


@pytest.mark.parametrize('name', ['to_device', 'to_chx', 'from_chx'])
def test_overriding_to_device_to_chx_or_from_chx_is_a_type_error(name):
    # As in Chainer, these are final: device_resident_accept is the way to move more.
    def method(self, *args, **kwargs):
        return self

    with pytest.raises(TypeError, match=name):
        type('Overriding', (chainer.Link,), {name: method})
    with pytest.raises(TypeError, match=name):
        type('Overriding', (chainer.Chain,), {name: method})


class _NoInit(chainer.Link):
    def __init__(self, how):
        if how == 'init_scope':
            with self.init_scope():
                pass
        elif how == 'add_param':
            self.add_param('w', (2,))

    def forward(self, x):
        return x


@pytest.mark.parametrize('how', ['call', 'init_scope', 'add_param'])
def test_subclass_that_skips_link_init_is_refused(how):
    # Chainer names the missing Link.__init__() call, at the first use that needs it.
    with pytest.raises(RuntimeError, match=r'^Link\.__init__\(\) has not been called\.$'):
        link = _NoInit(how)
        link(numpy.ones(2, numpy.float32))


def test_overridden_to_cpu_still_runs_for_children():
    calls = []

    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)

        class Child(chainer.Link):
            def to_cpu(self):
                calls.append('child')
                return super().to_cpu()

    parent = chainer.Chain()
    with parent.init_scope():
        parent.child = Child()
    parent.to_cpu()
    assert calls == ['child']
    parent.to_device('@numpy')
    assert calls == ['child', 'child']


def test_plain_subclass_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter('error')

        class Quiet(chainer.Link):
            def forward(self, x):
                return x

    assert Quiet()(1) == 1


def test_addgrads_initializes_an_uninitialized_parameter():
    target = chainer.links.Linear(None, 3)
    source = chainer.links.Linear(2, 3)
    source.W.grad = numpy.ones((3, 2), numpy.float32)
    source.b.grad = numpy.full(3, 2., numpy.float32)
    target.b.cleargrad()
    target.addgrads(source)
    assert target.W.shape == (3, 2)
    numpy.testing.assert_array_equal(target.W.grad, source.W.grad)
    numpy.testing.assert_array_equal(target.b.grad, [2., 2., 2.])
    target.addgrads(source)
    numpy.testing.assert_array_equal(target.W.grad, numpy.full((3, 2), 2.))


def test_final_with_a_warning_category_warns():
    class Base(utils.enable_final()):
        @utils.final(action=DeprecationWarning)
        def f(self):
            return 1

    with testing.assert_warns(DeprecationWarning):
        class Sub(Base):
            def f(self):
                return 2

    assert Sub().f() == 2

    class Strict(utils.enable_final()):
        @utils.final
        def g(self):
            return 1

    with pytest.raises(TypeError):
        type('SubStrict', (Strict,), {'g': lambda self: 2})
