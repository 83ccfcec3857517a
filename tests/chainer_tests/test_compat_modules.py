"""Modules kept for code written against Chainer's layout."""
from __future__ import annotations

import subprocess
import sys
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import _backprop_utils
from chainer import _environment_check
from chainer import _version
from chainer import memory_layouts
from chainer import types


def test_version_module_matches_package():
    assert _version.__version__ == chainer.__version__ == '7.8.1'


def test_types_names():
    assert types.TYPE_CHECKING is False
    assert hasattr(types, 'AbstractInitializer')


def test_environment_check_passes_quietly():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        _environment_check.check()


def test_import_warns_under_numpy_1():
    code = ('import warnings, numpy; numpy.__version__ = "1.26.4"; '
            'warnings.simplefilter("error"); import chainer')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode != 0
    assert 'NumPy 1.26.4 is older than the supported minimum 2.0' in proc.stderr


def test_environment_check_warns_on_two_cupy_packages(monkeypatch):
    monkeypatch.setattr(_environment_check, '_installed_cupy_distributions',
                        lambda: ['cupy-cuda11x', 'cupy-cuda12x'])
    with pytest.warns(UserWarning, match='cupy-cuda11x, cupy-cuda12x'):
        _environment_check.check()


class TestMemoryLayouts:

    def test_default_layout_constants(self):
        assert memory_layouts.CUDNN_CHANNEL_FIRST_X is None
        assert memory_layouts.CUDNN_CHANNEL_FIRST_W is None
        assert memory_layouts.CUDNN_CHANNEL_LAST_X is not None
        assert memory_layouts.CUDNN_CHANNEL_LAST_W is not None

    def test_shapes(self):
        x = chainer.Variable(numpy.zeros((2, 3, 4, 5), numpy.float32))
        assert memory_layouts.get_raw_shape(x) == (2, 3, 4, 5)
        assert memory_layouts.get_raw_shape(x.array) == (2, 3, 4, 5)
        assert memory_layouts.get_semantic_shape(x) == (2, 3, 4, 5)

    def test_other_layouts_are_refused(self):
        x = numpy.zeros((2, 3, 4, 5), numpy.float32)
        with pytest.raises(ValueError, match='not supported'):
            memory_layouts.get_semantic_shape(x, memory_layouts.CUDNN_CHANNEL_LAST_X)
        with pytest.raises(ValueError, match='not supported'):
            memory_layouts.AsLayout(memory_layouts.CUDNN_CHANNEL_LAST_X)
        with pytest.raises(ValueError, match='unknown'):
            memory_layouts.AsLayout('NHWC')

    def test_variable_and_parameter_layout_argument(self):
        # layout=None (the standard layout) is accepted, as by Chainer; any other
        # layout is refused with a ValueError that says so.
        x = numpy.zeros((2, 3, 4, 5), numpy.float32)
        assert chainer.Variable(x, layout=None).layout is None
        assert chainer.Parameter(x, layout=None).layout is None
        for make in (chainer.Variable, chainer.Parameter):
            with pytest.raises(ValueError, match='memory layouts are not supported'):
                make(x, layout=memory_layouts.CUDNN_CHANNEL_LAST_X)
        with pytest.raises(ValueError, match='memory layouts are not supported'):
            chainer.Variable(x).as_layout(memory_layouts.CUDNN_CHANNEL_LAST_X)

    def test_as_layout_default_is_identity(self):
        x = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
        y, = memory_layouts.AsLayout(None).apply((x,))
        numpy.testing.assert_array_equal(y.array, x.array)
        y.grad = numpy.ones_like(y.array)
        y.backward()
        numpy.testing.assert_array_equal(x.grad, numpy.ones((2, 3), numpy.float32))


def _node_pair():
    """``y = x0 * x1`` and its creator with the two input nodes."""
    x0 = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    x1 = chainer.Variable(numpy.array([3., 4.], numpy.float32))
    y = x0 * x1
    return x0, x1, y, y.creator_node


class TestBackpropStep:

    def test_appends_and_sums(self):
        x0, x1, y, func = _node_pair()
        gy = chainer.Variable(numpy.ones(2, numpy.float32))
        earlier = chainer.Variable(numpy.full(2, 10., numpy.float32))
        grads = {x0.node: [earlier], x1.node: []}
        _backprop_utils.backprop_step(func, (0, 1), (gy,), grads, False)
        numpy.testing.assert_allclose(grads[x0.node][0].array, [13., 14.])
        numpy.testing.assert_allclose(grads[x1.node][0].array, [1., 2.])
        assert len(grads[x0.node]) == 1 and len(grads[x1.node]) == 1

    def test_one_target(self):
        x0, x1, y, func = _node_pair()
        gy = chainer.Variable(numpy.ones(2, numpy.float32))
        grads = {x0.node: [], x1.node: []}
        _backprop_utils.backprop_step(func, (1,), (gy,), grads, True)
        assert grads[x0.node] == []
        numpy.testing.assert_allclose(grads[x1.node][0].array, [1., 2.])

    def test_lazy_grad_sum_keeps_the_list(self):
        x0, x1, y, func = _node_pair()
        func.lazy_grad_sum = True
        gy = chainer.Variable(numpy.ones(2, numpy.float32))
        grads = {x0.node: [gy], x1.node: []}
        _backprop_utils.backprop_step(func, (0,), (gy,), grads, False)
        assert len(grads[x0.node]) == 2

    def test_wrong_number_of_gradients(self):
        class Bad(chainer.FunctionNode):
            def forward(self, inputs):
                return inputs[0] + inputs[1],

            def backward(self, indexes, grad_outputs):
                return grad_outputs[0], grad_outputs[0], grad_outputs[0]

        a = chainer.Variable(numpy.ones(2, numpy.float32))
        b = chainer.Variable(numpy.ones(2, numpy.float32))
        y, = Bad().apply((a, b))
        grads = {a.node: [], b.node: []}
        with pytest.raises(ValueError, match='3 != expected 2'):
            _backprop_utils.backprop_step(
                y.creator_node, (0,), (chainer.Variable(numpy.ones(2, numpy.float32)),),
                grads, False)

    def test_debug_checks_the_shape(self):
        class BadShape(chainer.FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 2,

            def backward(self, indexes, grad_outputs):
                return chainer.Variable(numpy.ones(3, numpy.float32)),

        a = chainer.Variable(numpy.ones(2, numpy.float32))
        y, = BadShape().apply((a,))
        with pytest.raises(ValueError, match='shape of gradients'):
            _backprop_utils.backprop_step(
                y.creator_node, (0,), (chainer.Variable(numpy.ones(2, numpy.float32)),),
                {a.node: []}, True)

    def test_debug_detects_nan(self):
        a = chainer.Variable(numpy.array([0.], numpy.float32))
        y = F.sqrt(a)
        gy = chainer.Variable(numpy.ones(1, numpy.float32))
        with numpy.errstate(divide='ignore', invalid='ignore'):
            grads = {a.node: [chainer.Variable(numpy.array([numpy.nan], numpy.float32))]}
            with pytest.raises(RuntimeError, match='NaN is detected'):
                _backprop_utils.backprop_step(y.creator_node, (0,), (gy,), grads, True)


class TestGradTable:

    def test_set_get_pop(self):
        x0, x1, y, func = _node_pair()
        table = _backprop_utils.GradTable()
        g = chainer.Variable(numpy.ones(2, numpy.float32))
        table[x0.node] = g
        assert table.get_as_list(x0.node) == [g]
        assert table.get_as_list(x1.node) == []
        table.get_as_list(x0.node).append(g)
        numpy.testing.assert_array_equal(table.pop(x0.node).array, [2., 2.])
        assert table.pop(x0.node) is None
        assert table.pop(None) is None

    def test_loads_existing_leaf_gradients(self):
        x0, x1, y, func = _node_pair()
        x0.grad = numpy.full(2, 5., numpy.float32)
        table = _backprop_utils.GradTable(accumulate_grad_inputs=True)
        grads = table.get_as_list(x0.node)
        numpy.testing.assert_array_equal(grads[0].array, [5., 5.])
        assert _backprop_utils.GradTable().get_as_list(x0.node) == []


def test_caffe_package_has_protobuf3_without_importing_protobuf():
    # As in Chainer, chainer.links.caffe.protobuf3 is an attribute of the package
    # (Chainer imported it eagerly); protobuf itself is imported only to read a model.
    code = ('import sys, chainer.links.caffe as c; '
            'print(c.protobuf3.__name__, "google.protobuf" in sys.modules)')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=120)
    assert proc.stdout.split() == ['chainer.links.caffe.protobuf3', 'False'], proc.stderr
