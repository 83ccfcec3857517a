"""chainer.device_resident.DeviceResident and its visitors."""
import warnings

import numpy
import pytest

import chainer
from chainer import backend
from chainer import device_resident
from chainer.backends import cuda
from chainer.device_resident import DeviceResident, DeviceResidentsVisitor


class FakeParam:
    """Just enough of a Variable for the visitor: to_device and device."""

    def __init__(self, array):
        self.array = array
        self.moved_to = []

    @property
    def device(self):
        return backend.get_device_from_array(self.array)

    def to_device(self, device):
        self.moved_to.append(device)
        self.array = device.send(self.array)


class Holder(DeviceResident):
    """A tiny Link-like resident: params, a bare array and children."""

    def __init__(self, *children):
        super().__init__()
        self.param = FakeParam(numpy.ones(2, dtype=numpy.float32))
        self.buf = numpy.zeros(3)
        self.children = list(children)

    def device_resident_accept(self, visitor):
        super().device_resident_accept(visitor)
        visitor.visit_variable(self.param)
        self.buf = visitor.visit_array(self.buf)
        for child in self.children:
            child.device_resident_accept(visitor)


def test_exports():
    assert chainer.device_resident.DeviceResident is DeviceResident
    if hasattr(chainer, 'DeviceResident'):
        assert chainer.DeviceResident is DeviceResident


def test_defaults():
    h = Holder()
    assert h.device == backend.CpuDevice()
    assert h.xp is numpy


def test_subclass_without_init():
    class NoInit(DeviceResident):
        def __init__(self):
            pass

    assert NoInit().device == backend.CpuDevice()
    assert NoInit().to_cpu().xp is numpy


@pytest.mark.parametrize('spec', ['@numpy', numpy, -1, backend.CpuDevice()])
def test_to_device_cpu(spec):
    child = Holder()
    h = Holder(child)
    assert h.to_device(spec) is h
    for r in (h, child):
        assert r.device == backend.CpuDevice()
        assert r.param.moved_to == [backend.CpuDevice()]
        assert isinstance(r.buf, numpy.ndarray)


def test_to_cpu():
    h = Holder(Holder())
    assert h.to_cpu() is h
    assert h.children[0].param.moved_to == [backend.CpuDevice()]


def test_to_device_bad_spec():
    with pytest.raises(ValueError):
        Holder().to_device('@nowhere')
    with pytest.raises(TypeError):
        Holder().to_device(2.5)


@pytest.mark.skipif(cuda.available, reason='CuPy is installed')
def test_to_gpu_without_cupy():
    h = Holder()
    with pytest.raises(RuntimeError, match='CuPy'):
        h.to_gpu()
    with pytest.raises(RuntimeError, match='CuPy'):
        h.to_device('@cupy:0')
    assert h.device == backend.CpuDevice()


def test_unsupported_backends():
    h = Holder()
    with pytest.raises(RuntimeError, match='iDeep'):
        h.to_intel64()
    with pytest.raises(RuntimeError, match='ChainerX'):
        h.to_chx()
    assert h.from_chx() is h


def test_custom_visitor():
    seen = []

    class Recorder(DeviceResidentsVisitor):
        def visit_device_resident(self, r):
            seen.append(('resident', r))

        def visit_variable(self, p):
            seen.append(('variable', p))

        def visit_array(self, a):
            seen.append(('array', a))
            return a * 2

    child = Holder()
    h = Holder(child)
    h.device_resident_accept(Recorder())
    assert [kind for kind, _ in seen] == [
        'resident', 'variable', 'array', 'resident', 'variable', 'array']
    assert seen[0][1] is h and seen[3][1] is child
    assert seen[1][1] is h.param


def test_base_visitor_is_abstract():
    v = DeviceResidentsVisitor()
    with pytest.raises(NotImplementedError):
        v.visit_device_resident(Holder())
    with pytest.raises(NotImplementedError):
        v.visit_array(numpy.ones(1))
    with pytest.raises(NotImplementedError):
        v.visit_variable(None)


def test_visit_array_rejects_non_arrays():
    visitor = device_resident._ToDeviceVisitor(backend.CpuDevice())
    with pytest.raises(TypeError):
        visitor.visit_array([1, 2])


def test_to_device_visitor_rejects_non_device():
    with pytest.raises(TypeError):
        device_resident._ToDeviceVisitor('@numpy')


def test_overridden_to_cpu_is_called():
    calls = []

    # Chainer's warning text starts it, so filters written for Chainer match
    with pytest.warns(DeprecationWarning,
                      match="^Overriding method 'to_cpu'\\. .*overrides DeviceResident.to_cpu"):
        class Legacy(Holder):
            def to_cpu(self):
                calls.append('to_cpu')
                return super().to_cpu()

    legacy = Legacy()
    parent = Holder(legacy)
    parent.to_cpu()
    assert calls == ['to_cpu']
    parent.to_device('@numpy')
    assert calls == ['to_cpu', 'to_cpu']
    legacy.to_cpu()  # the override itself, not called again recursively
    assert calls == ['to_cpu', 'to_cpu', 'to_cpu']
    legacy.to_device('@numpy')  # as in Chainer, to_device runs the resident's own override
    assert calls == ['to_cpu', 'to_cpu', 'to_cpu', 'to_cpu']



def test_overriding_an_override_does_not_warn_again():
    with pytest.warns(DeprecationWarning, match="^Overriding method 'to_cpu'"):
        class B(chainer.Link):
            def to_cpu(self):
                return super().to_cpu()
    with warnings.catch_warnings():
        warnings.simplefilter('error')

        class D(B):
            def to_cpu(self):
                return super().to_cpu()
    assert D().to_cpu() is not None

def test_to_device_runs_the_override_of_the_resident_it_is_called_on():
    # Chainer 7 code that moves extra arrays in an overridden to_cpu/to_gpu is
    # moved by model.to_device(...) (StandardUpdater(device=...) calls it).
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)

        class Model(chainer.Chain):
            def __init__(self):
                super().__init__()
                with self.init_scope():
                    self.l = chainer.links.Linear(2, 2)
                self.moved = []

            def to_cpu(self):
                self.moved.append('to_cpu')
                return super().to_cpu()

        class SelfMoving(chainer.Link):
            def to_cpu(self):
                self.calls = getattr(self, 'calls', 0) + 1
                return self.to_device('@numpy')  # not entered again

    m = Model()
    assert m.to_device('@numpy') is m
    assert m.moved == ['to_cpu'] and m.device == backend.CpuDevice()
    s = SelfMoving()
    s.to_device('@numpy')
    assert s.calls == 1



@pytest.mark.gpu
@pytest.mark.skipif(not cuda.available, reason='CuPy is not available')
def test_to_device_passes_the_device_id_to_an_overridden_to_gpu():
    # Chainer called to_gpu(device=<int id>) from to_device('@cupy:N')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)

        class Legacy(chainer.Link):
            def to_gpu(self, device=None):
                self.got = device
                return super().to_gpu(device)

    legacy = Legacy()
    legacy.to_device('@cupy:0')
    assert type(legacy.got) is int and legacy.got == 0
    assert legacy.device == backend.get_device('@cupy:0')

def test_with_real_variable():
    class WithVar(DeviceResident):
        def __init__(self):
            super().__init__()
            self.v = chainer.Variable(numpy.ones(2, dtype=numpy.float32))

        def device_resident_accept(self, visitor):
            super().device_resident_accept(visitor)
            visitor.visit_variable(self.v)

    w = WithVar().to_device('@numpy')
    assert isinstance(w.v.array, numpy.ndarray)
    assert w.device == backend.CpuDevice()


@pytest.mark.gpu
@pytest.mark.skipif(not cuda.available, reason='CuPy is not available')
def test_to_gpu_and_back():
    h = Holder(Holder())
    assert h.to_gpu() is h
    gpu = backend.get_device('@cupy:0')
    for r in (h, h.children[0]):
        assert r.device == gpu
        assert r.xp is cuda.cupy
        assert isinstance(r.buf, cuda.ndarray)
        assert isinstance(r.param.array, cuda.ndarray)
    h.to_gpu(0)  # already on a GPU: arrays are left alone
    assert len(h.param.moved_to) == 1
    h.to_device('@cupy:0')
    assert len(h.param.moved_to) == 2
    h.to_cpu()
    assert isinstance(h.buf, numpy.ndarray)
    assert isinstance(h.param.array, numpy.ndarray)
    assert h.device == backend.CpuDevice()


@pytest.mark.parametrize('method', ['to_cpu', 'to_device'])
def test_to_cpu_is_deprecated(method):
    # Chainer 7 warns at to_cpu (and to_gpu), not at to_device; the warning comes
    # from the library, so Python's default filters hide it as they hid Chainer's.
    link = chainer.links.Linear(2, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        if method == 'to_cpu':
            link.to_cpu()
        else:
            link.to_device('@numpy')
    deprecations = [x for x in w if issubclass(x.category, DeprecationWarning)]
    if method == 'to_device':
        assert not deprecations
        return
    assert len(deprecations) == 1
    assert str(deprecations[0].message) == (
        "to_cpu is deprecated. Please use to_device('@numpy') instead.")
    assert deprecations[0].filename.endswith('device_resident.py')
