"""Tests of chainer.Variable and chainer.VariableNode (construction, gradients,
properties, representation, operators, devices and graph manipulation)."""
from __future__ import annotations

import copy
import pickle
import warnings
import weakref

import numpy as np
import pytest

import chainer
import chainer.functions as F
from chainer import Variable
from chainer.utils import type_check


def _var(*shape, dtype=np.float32, name=None):
    size = int(np.prod(shape)) if shape else 1
    return Variable(np.arange(size, dtype=dtype).reshape(shape), name=name)


def _has_function(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# -- construction --------------------------------------------------------------


class TestConstruction:

    def test_from_array(self):
        a = np.ones((2, 3), np.float32)
        v = Variable(a)
        assert v.array is a
        assert v.data is a
        assert v.name is None
        assert v.requires_grad
        assert v.grad is None and v.grad_var is None
        assert v.creator is None and v.creator_node is None
        assert v.rank == 0

    def test_none(self):
        v = Variable()
        assert v.array is None
        v2 = Variable(None)
        assert v2.array is None
        assert v2.grad is None

    def test_name(self):
        v = Variable(np.zeros(1), name='x')
        assert v.name == 'x'
        assert v.node.name == 'x'
        v.name = 'y'
        assert v.name == 'y'

    def test_name_of_any_type(self):
        # As in Chainer, the constructor takes any name, as the setter does; graph
        # dumps print it with str().
        v = Variable(np.zeros(1, np.float32), name=3)
        assert v.name == 3 and v.node.name == 3
        assert v.node.label == '(1), float32'
        assert chainer.Parameter(np.zeros(1), name=('a', 1)).name == ('a', 1)

    def test_requires_grad(self):
        v = Variable(np.zeros(1), requires_grad=False)
        assert v.requires_grad is False
        assert v.node.requires_grad is False

    def test_grad_kwarg(self):
        g = np.ones(3, np.float32)
        v = Variable(np.zeros(3, np.float32), grad=g)
        assert v.grad is g
        assert isinstance(v.grad_var, Variable)

    def test_grad_kwarg_wrong_shape(self):
        with pytest.raises(ValueError):
            Variable(np.zeros(3, np.float32), grad=np.ones(2, np.float32))

    @pytest.mark.parametrize('data', [[1, 2], (1.0,), 1, 1.5, np.float32(1), np.int64(3), 'a'])
    def test_bad_data_type(self, data):
        with pytest.raises(TypeError) as e:
            Variable(data)
        msg = str(e.value)
        assert 'numpy.ndarray' in msg and 'cupy.ndarray' in msg
        assert type(data).__name__ in msg

    def test_unexpected_kwarg(self):
        # Chainer's wording: the method, then the sorted names quoted.
        message = r"^__init__\(\) got unexpected keyword argument\(s\) 'bar', 'foo'$"
        with pytest.raises(TypeError, match=message):
            Variable(np.zeros(1), foo=1, bar=2)
        with pytest.raises(TypeError,
                           match=r"^backward\(\) got unexpected keyword argument\(s\) 'foo'$"):
            chainer.backward([Variable(np.zeros(1))], foo=1)

    def test_volatile(self):
        # Chainer's message, word for word (as for the removed train/test arguments)
        with pytest.raises(ValueError) as info:
            Variable(np.zeros(1), volatile=True)
        assert str(info.value) == (
            'volatile argument is not supported anymore. Use chainer.using_config')

    def test_set_array(self):
        v = Variable(np.zeros(2, np.float32))
        b = np.ones(3, np.float64)
        v.array = b
        assert v.array is b and v.data is b
        assert v.node.shape == (3,) and v.node.dtype == np.float64
        v.data = None
        assert v.array is None

    def test_set_array_updates_retained_data(self):
        # As in Chainer, a retained input array follows the variable's new array.
        x = Variable(np.array([2.], np.float32))
        y = x * x
        x.array = np.array([5.], np.float32)
        y.grad = np.ones(1, np.float32)
        y.backward()
        np.testing.assert_array_equal(x.grad, [10.])

    def test_set_array_bad_type(self):
        v = Variable(np.zeros(2))
        with pytest.raises(TypeError):
            v.array = [1, 2]

    def test_as_variable_and_as_array(self):
        a = np.ones(2)
        v = chainer.as_variable(a)
        assert isinstance(v, Variable) and v.array is a and not v.requires_grad
        assert chainer.as_variable(v) is v
        assert chainer.as_array(v) is a
        assert chainer.as_array(a) is a


# -- gradient attributes -----------------------------------------------------------


class TestGrad:

    def test_set_grad(self):
        v = _var(3)
        g = np.ones(3, np.float32)
        v.grad = g
        assert v.grad is g
        assert v.grad_var.array is g
        v.grad = None
        assert v.grad is None and v.grad_var is None

    def test_set_grad_wrong_shape(self):
        v = _var(3)
        with pytest.raises(ValueError) as e:
            v.grad = np.ones(4, np.float32)
        assert '(4,)' in str(e.value) and '(3,)' in str(e.value)

    def test_set_grad_wrong_dtype(self):
        v = _var(3)
        with pytest.raises(TypeError) as e:
            v.grad = np.ones(3, np.float64)
        assert 'float64' in str(e.value) and 'float32' in str(e.value)

    @pytest.mark.parametrize('bad', [[1.0, 2.0, 3.0], 1.0, np.float32(1)])
    def test_set_grad_wrong_type(self, bad):
        v = _var(3)
        with pytest.raises(TypeError) as e:
            v.grad = bad
        assert type(bad).__name__ in str(e.value) and 'ndarray' in str(e.value)

    def test_set_grad_on_uninitialized_variable(self):
        v = Variable()
        g = np.ones(2)
        v.grad = g
        assert v.grad is g
        with pytest.raises(TypeError):
            v.grad = [1, 2]

    def test_grad_var(self):
        v = _var(2)
        gv = Variable(np.ones(2, np.float32))
        v.grad_var = gv
        assert v.grad_var is gv
        assert v.grad is gv.array
        with pytest.raises(TypeError):
            v.grad_var = np.ones(2, np.float32)
        with pytest.raises(ValueError):
            v.grad_var = Variable(np.ones(5, np.float32))
        with pytest.raises(TypeError):
            v.grad_var = Variable(np.ones(2, np.int32))

    def test_cleargrad(self):
        v = _var(2)
        v.grad = np.ones(2, np.float32)
        v.cleargrad()
        assert v.grad is None and v.grad_var is None

    def test_zerograd(self):
        v = _var(2, 3)
        with pytest.warns(DeprecationWarning):
            v.zerograd()
        assert v.grad.shape == (2, 3) and v.grad.dtype == np.float32
        assert (v.grad == 0).all()
        # an existing gradient is zeroed in place
        g = v.grad
        g += 5
        with pytest.warns(DeprecationWarning):
            v.zerograd()
        assert v.grad is g and (g == 0).all()

    def test_zerograd_uninitialized(self):
        v = Variable()
        with pytest.warns(DeprecationWarning):
            v.zerograd()
        assert v.grad is None

    def test_addgrad(self):
        a = _var(2)
        b = _var(2)
        b.grad = np.array([1, 2], np.float32)
        a.addgrad(b)
        np.testing.assert_array_equal(a.grad, [1, 2])
        assert a.grad is not b.grad  # copied
        a.addgrad(b)
        np.testing.assert_array_equal(a.grad, [2, 4])
        np.testing.assert_array_equal(b.grad, [1, 2])

    def test_addgrad_0d_stays_array(self):
        a = Variable(np.array(1.0))
        b = Variable(np.array(1.0), grad=np.array(2.0))
        a.addgrad(b)
        a.addgrad(b)
        assert isinstance(a.grad, np.ndarray) and a.grad.shape == ()
        assert a.grad == 4.0

    def test_addgrad_without_source_grad(self):
        a = _var(2)
        a.addgrad(_var(2))
        assert a.grad is None

    def test_addgrad_bad_type(self):
        with pytest.raises(TypeError):
            _var(2).addgrad(np.ones(2))

    def test_addgrad_checks_dtype_and_shape(self):
        # As in Chainer: a first gradient must fit this variable (TypeError for the
        # dtype, ValueError for the shape); a sum goes through a Variable addition
        # (InvalidType for another dtype or shapes that do not broadcast).
        half = Variable(np.ones(2, np.float16), grad=np.ones(2, np.float16))
        with pytest.raises(TypeError):
            _var(2).addgrad(half)
        with pytest.raises(ValueError):
            _var(2).addgrad(Variable(np.ones(3, np.float32), grad=np.ones(3, np.float32)))
        a = Variable(np.ones(2, np.float32), grad=np.ones(2, np.float32))
        with pytest.raises(type_check.InvalidType):
            a.addgrad(half)
        with pytest.raises(type_check.InvalidType):
            a.addgrad(Variable(np.ones(3, np.float32), grad=np.ones(3, np.float32)))
        with pytest.raises(ValueError):
            a.addgrad(Variable(np.ones((2, 2), np.float32), grad=np.ones((2, 2), np.float32)))
        np.testing.assert_array_equal(a.grad, [1, 1])
        b = Variable(np.ones((2, 3), np.float32), grad=np.ones((2, 3), np.float32))
        b.addgrad(Variable(np.ones(3, np.float32), grad=np.arange(3, dtype=np.float32)))
        np.testing.assert_array_equal(b.grad, [[1, 2, 3], [1, 2, 3]])
        p = chainer.Parameter()  # initialized as float32 by the addition
        with pytest.raises(type_check.InvalidType):
            p.addgrad(half)

    def test_copydata(self):
        a = Variable(np.zeros(3, np.float32))
        b = Variable(np.arange(3, dtype=np.float32))
        arr = a.array
        a.copydata(b)
        assert a.array is arr  # copied in place
        np.testing.assert_array_equal(a.array, [0, 1, 2])
        assert a.array is not b.array

    def test_copydata_to_uninitialized(self):
        a = Variable()
        b = Variable(np.arange(3, dtype=np.float32))
        a.copydata(b)
        np.testing.assert_array_equal(a.array, [0, 1, 2])
        assert a.array is not b.array

    def test_copydata_shape_mismatch(self):
        with pytest.raises(ValueError):
            Variable(np.zeros(3)).copydata(Variable(np.zeros(4)))

    def test_copydata_broadcasts(self):
        # As Chainer (numpy.copyto): a scalar or a row fills the whole array.
        a = Variable(np.zeros((2, 3)))
        a.copydata(Variable(np.arange(3.0)))
        np.testing.assert_array_equal(a.array, [[0, 1, 2], [0, 1, 2]])
        a.copydata(Variable(np.array(2.0)))
        np.testing.assert_array_equal(a.array, np.full((2, 3), 2.0))


# -- properties ------------------------------------------------------------------------


class TestProperties:

    def test_shape_family(self):
        v = _var(2, 3, 4)
        assert v.shape == (2, 3, 4)
        assert v.ndim == 3
        assert v.size == 24
        assert v.dtype == np.float32
        assert len(v) == 2

    def test_len_0d(self):
        with pytest.raises(TypeError):
            len(Variable(np.array(1.0)))

    def test_item(self):
        assert Variable(np.array([3.5])).item() == 3.5
        assert isinstance(Variable(np.array(2, np.int32)).item(), int)
        with pytest.raises(ValueError):
            Variable(np.zeros(2)).item()

    def test_T(self):
        v = _var(2, 3)
        t = v.T
        assert isinstance(t, Variable) and t.shape == (3, 2)
        np.testing.assert_array_equal(t.array, v.array.T)

    @pytest.mark.parametrize('args', [((3, 2),), (3, 2), ([3, 2],), ((6,),), (-1, 2)])
    def test_reshape(self, args):
        v = _var(2, 3)
        r = v.reshape(*args)
        np.testing.assert_array_equal(r.array, v.array.reshape(*args))
        assert r.creator is not None

    def test_reshape_backward(self):
        v = _var(2, 3)
        r = v.reshape(6)
        r.grad = np.arange(6, dtype=np.float32)
        r.backward()
        np.testing.assert_array_equal(v.grad, np.arange(6).reshape(2, 3))

    @pytest.mark.parametrize('args', [(), (None,), (2, 0, 1), ((2, 0, 1),), ([1, 2, 0],)])
    def test_transpose(self, args):
        v = _var(2, 3, 4)
        t = v.transpose(*args)
        expect = v.array.transpose(*[a for a in args if a is not None])
        np.testing.assert_array_equal(t.array, expect)

    def test_mean(self):
        v = Variable(np.arange(6, dtype=np.float32).reshape(2, 3))
        assert v.mean().array == 2.5
        np.testing.assert_array_equal(v.mean(axis=1).array, [1., 4.])
        assert v.mean(axis=0, keepdims=True).shape == (1, 3)
        v.mean().backward()
        np.testing.assert_allclose(v.grad, np.full((2, 3), 1 / 6))

    def test_xp_and_device(self):
        v = _var(2)
        assert v.xp is np
        assert v.device == chainer.get_device('@numpy')
        assert Variable().xp is np

    def test_label(self):
        assert _var(2, 3).label == '(2, 3), float32'
        assert Variable(np.array(1.0)).label == 'float64'
        assert Variable().label == 'None'
        assert _var(5).label == '(5), float32'

    def test_node(self):
        v = _var(2)
        node = v.node
        assert isinstance(node, chainer.VariableNode)
        assert v.node is node
        assert node.get_variable() is v
        assert node.get_variable_or_none() is v
        assert node.shape == (2,) and node.dtype == np.float32
        assert node.creator is None and node.creator_node is None
        assert node.label == '(2), float32'

    def test_node_refuses_grad(self):
        # Chainer's removed argument: ValueError; another name: TypeError.
        with pytest.raises(ValueError, match='grad'):
            chainer.VariableNode(_var(2), 'n', grad=np.ones(2, np.float32))
        with pytest.raises(TypeError):
            chainer.VariableNode(_var(2), 'n', foo=1)

    def test_node_grad(self):
        v = _var(2)
        v.grad = np.ones(2, np.float32)
        assert v.node.grad is v.grad
        assert v.node.grad_var is v.grad_var

    def test_node_outlives_variable(self):
        x = _var(2)
        y = x * 2
        node = y.node
        del y
        assert node.get_variable_or_none() is None
        assert node.grad is None and node.grad_var is None
        revived = node.get_variable()
        assert isinstance(revived, Variable)
        assert revived.array is None  # the data was not retained

    def test_retain_data(self):
        x = _var(2)
        y = x * 2
        node = y.node
        arr = y.array
        y.retain_data()
        del y
        assert node.data is arr
        assert node.get_variable().array is arr

    def test_summary(self):
        v = _var(2)
        assert v.summary() == '<variable at 0x%x>' % id(v)
        v.name = 'w'
        assert v.summary() == '<variable w>'

    def test_debug_print(self):
        v = Variable(np.array([1.0, 3.0], np.float32), name='x')
        expect = ('<variable x>\n'
                  '- device: CPU\n'
                  "- backend: <class 'numpy.ndarray'>\n"
                  '- shape: (2,)\n'
                  '- dtype: float32\n'
                  '- statistics: mean=2.00000000, std=1.00000000\n'
                  '- grad: None')
        assert v.debug_print() == expect
        v.grad = np.zeros(2, np.float32)
        assert v.debug_print().endswith('- grad: 0')
        v.grad = np.array([1.0, 1.0], np.float32)
        assert v.debug_print().endswith('- grad: mean=1.00000000, std=0.00000000')

    def test_debug_print_none(self):
        v = Variable()
        lines = v.debug_print().split('\n')
        assert lines[1:] == ['- device: None', '- backend: None', '- shape: None',
                             '- dtype: None', '- statistics: None', '- grad: None']

    def test_debug_print_int(self):
        v = Variable(np.array([1, 2, 3]))
        assert '- statistics: mean=2.00000000, std=0.81649658' in v.debug_print()

    def test_raw_array_layout(self):
        v = _var(2)
        assert v.raw_array is v.array
        assert v.layout is None
        assert v.as_layout(None) is v


# -- representation -------------------------------------------------------------------


class TestRepr:

    def test_repr(self):
        assert repr(Variable(np.array([1., 2.], np.float32))) == 'variable([1., 2.])'

    def test_repr_name(self):
        v = Variable(np.array([1., 2.], np.float32), name='v')
        assert repr(v) == 'variable v([1., 2.])'
        assert str(v) == 'variable v([1. 2.])'

    def test_repr_multiline(self):
        v = Variable(np.arange(4, dtype=np.float32).reshape(2, 2))
        assert repr(v) == 'variable([[0., 1.],\n          [2., 3.]])'
        v.name = 'x'
        assert repr(v) == 'variable x([[0., 1.],\n            [2., 3.]])'

    def test_str(self):
        assert str(Variable(np.array([1., 2.], np.float32))) == 'variable([1. 2.])'
        v = Variable(np.arange(4, dtype=np.float32).reshape(2, 2))
        assert str(v) == 'variable([[0. 1.]\n          [2. 3.]])'

    def test_none(self):
        assert repr(Variable()) == 'variable(None)'
        assert str(Variable()) == 'variable(None)'
        assert repr(Variable(name='n')) == 'variable n(None)'

    def test_zero_size(self):
        assert repr(Variable(np.zeros((0, 3)))) == 'variable([], shape=(0, 3))'
        assert repr(Variable(np.zeros((0,)))) == 'variable([])'
        assert str(Variable(np.zeros((0, 3)))) == 'variable([])'

    def test_0d(self):
        assert repr(Variable(np.array(1.))) == 'variable(1.)'
        assert str(Variable(np.array(1.))) == 'variable(1.)'

    def test_int(self):
        assert repr(Variable(np.array([1, 2], np.int32))) == 'variable([1, 2])'

    def test_float_notation_as_numpy1(self):
        # Chainer printed under NumPy 1, which switched to scientific notation at 1e16
        # whatever the float dtype (NumPy 2.3 switches float16 at 1e4, float32 at 1e7).
        v = Variable(np.array([1e7, 2e7], np.float32))
        assert repr(v) == 'variable([10000000., 20000000.])'
        assert str(v) == 'variable([10000000. 20000000.])'
        w = Variable(np.array([65504., -np.inf], np.float16), name='w')
        assert repr(w) == 'variable w([65504.,   -inf])'
        assert str(w) == 'variable w([65504.   -inf])'
        assert np.get_printoptions()['legacy'] is False


    @pytest.mark.parametrize('values, rep, text', [
        (np.float32(1e-4), 'variable(1.e-04)', 'variable(1.e-04)'),
        ([1e-4, 0.05], 'variable([1.e-04, 5.e-02])', 'variable([1.e-04 5.e-02])'),
        ([1e-4, 0., -0.05], 'variable([ 1.e-04,  0.e+00, -5.e-02])',
         'variable([ 1.e-04  0.e+00 -5.e-02])'),
        ([1e-4, np.nan, -np.inf], 'variable([1.e-04,    nan,   -inf])',
         'variable([1.e-04    nan   -inf])'),
        ([[1e-4, 2e-4], [3e-4, 0.0123456]],
         'variable([[1.00000e-04, 2.00000e-04],\n          [3.00000e-04, 1.23456e-02]])',
         'variable([[1.00000e-04 2.00000e-04]\n          [3.00000e-04 1.23456e-02]])'),
        (np.full(2000, 1e-4), 'variable([1.e-04, 1.e-04, 1.e-04, ..., 1.e-04, 1.e-04, 1.e-04])',
         'variable([1.e-04 1.e-04 1.e-04 ... 1.e-04 1.e-04 1.e-04])'),
        # not the smallest magnitude: positional in both NumPys
        ([2e-4, 0.05], 'variable([0.0002, 0.05  ])', 'variable([0.0002 0.05  ])'),
    ])
    def test_float32_1e_4_scientific_as_numpy1(self, values, rep, text):
        # NumPy 1 compared the smallest magnitude with 1e-4 in float64, NumPy 2 in
        # float32, where float32(1e-4) is not below it.
        v = Variable(np.asarray(values, np.float32))
        assert repr(v) == rep
        assert str(v) == text

    def test_float32_1e_4_scientific_with_print_options(self):
        v = Variable(np.array([1e-4, 0.05], np.float32))
        with np.printoptions(precision=3, sign='+'):  # NumPy 2: [+0.  , +0.05]
            assert repr(v) == 'variable([+1.e-04, +5.e-02])'
        with np.printoptions(sign=' '):
            assert repr(v) == 'variable([ 1.e-04,  5.e-02])'
        with np.printoptions(floatmode='fixed'):
            assert repr(v) == 'variable([9.99999975e-05, 5.00000007e-02])'
        with np.printoptions(suppress=True):
            assert repr(v) == 'variable([0.0001, 0.05  ])'
    def test_sign_option_ignored_for_integers_as_numpy1(self):
        with np.printoptions(sign='+'):
            v = Variable(np.array([0, 5], np.int32))
            assert repr(v) == 'variable([0, 5])'
            assert str(v) == 'variable([0 5])'
            assert repr(Variable(np.array([1.5, 2.]))) == 'variable([+1.5, +2. ])'

    def test_user_legacy_printing_kept(self):
        with np.printoptions(legacy='1.13'):
            assert repr(Variable(np.array([1., 2.]))) == 'variable([ 1.,  2.])'

    def test_parameter_repr(self):
        p = chainer.Parameter(np.array([1., 2.], np.float32), name='W')
        assert repr(p) == 'variable W([1., 2.])'
        assert repr(chainer.Parameter()) == 'variable(None)'


# -- operators -----------------------------------------------------------------------------


class TestOperators:

    def setup_method(self):
        self.a = np.array([1., 2., 3.], np.float32)
        self.b = np.array([4., 5., 6.], np.float32)

    @pytest.mark.parametrize('op, fn', [
        ('+', lambda x, y: x + y), ('-', lambda x, y: x - y),
        ('*', lambda x, y: x * y), ('/', lambda x, y: x / y),
        ('**', lambda x, y: x ** y)])
    def test_binary_var_var(self, op, fn):
        x, y = Variable(self.a), Variable(self.b)
        z = fn(x, y)
        assert isinstance(z, Variable) and z.dtype == np.float32
        np.testing.assert_allclose(z.array, fn(self.a, self.b), rtol=1e-6)

    @pytest.mark.parametrize('fn', [
        lambda x, c: x + c, lambda x, c: c + x, lambda x, c: x - c, lambda x, c: c - x,
        lambda x, c: x * c, lambda x, c: c * x, lambda x, c: x / c, lambda x, c: c / x,
        lambda x, c: x ** c, lambda x, c: c ** x])
    @pytest.mark.parametrize('const', [2, 2.5, np.float64(2.0), np.float32(1.5),
                                       np.array([1., 2., 3.])])
    def test_binary_with_constant(self, fn, const):
        x = Variable(self.a)
        z = fn(x, const)
        assert isinstance(z, Variable)
        assert z.dtype == np.float32, 'constants must take the variable dtype'
        expect = fn(self.a.astype(np.float64), np.asarray(const, np.float64))
        np.testing.assert_allclose(z.array, expect, rtol=1e-5)

    def test_reflected_with_ndarray_on_left(self):
        x = Variable(self.a)
        for z in (self.b + x, self.b - x, self.b * x, self.b / x):
            assert isinstance(z, Variable), type(z)

    def test_in_place_ndarray_op_variable_gives_a_variable(self):
        # As in Chainer: the array is left alone and the name is bound to
        # the Variable of the reflected operator (an accumulator pattern).
        acc = np.zeros_like(self.b)
        total = acc
        total += Variable(self.a)
        assert isinstance(total, Variable)
        np.testing.assert_array_equal(total.array, self.a)
        assert not acc.any()
        s = np.zeros((), np.float32)
        s *= Variable(self.a)
        assert isinstance(s, Variable)

    def test_numpy_functions_on_variables_as_in_chainer(self):
        x = Variable(self.a)
        assert isinstance(np.sum(x), Variable)  # NumPy calls x.sum()
        with pytest.raises(TypeError):
            np.exp(x)

    def test_int_var_times_float_constant_stays_int(self):
        x = Variable(np.array([1, 2], np.int32))
        z = x * 2.5
        assert z.dtype == np.int32
        z = x + 1
        assert z.dtype == np.int32
        np.testing.assert_array_equal(z.array, [2, 3])

    def test_float32_times_float64_scalar_stays_float32(self):
        x = Variable(self.a)
        assert (x * np.float64(2)).dtype == np.float32
        assert (np.float64(2) * x).dtype == np.float32
        assert (x + np.float64(2)).dtype == np.float32

    def test_0d_results_are_arrays(self):
        x = Variable(np.array(2.0, np.float32))
        for z in (x + 1, x * x, 1 - x, x / 2, x ** 2, 2 ** x, -x, abs(x), 3 / x):
            assert type(z.array) is np.ndarray and z.shape == ()

    def test_unary(self):
        x = Variable(np.array([-1., 2.], np.float32))
        np.testing.assert_array_equal((-x).array, [1., -2.])
        assert (+x) is x or np.array_equal((+x).array, x.array)
        np.testing.assert_array_equal(abs(x).array, [1., 2.])

    def test_broadcast_forward_and_backward(self):
        x = Variable(np.ones((2, 3), np.float32))
        y = Variable(np.array([1., 2., 3.], np.float32))
        z = x * y + y
        assert z.shape == (2, 3)
        z.grad = np.ones((2, 3), np.float32)
        z.backward()
        np.testing.assert_allclose(x.grad, np.broadcast_to([1., 2., 3.], (2, 3)))
        np.testing.assert_allclose(y.grad, [4., 4., 4.])

    def test_operator_gradients(self):
        xa = np.array([0.5, 1.5], np.float32)
        ya = np.array([2.0, 3.0], np.float32)
        x, y = Variable(xa), Variable(ya)
        z = F.sum(x * y + x / y - y ** 2 + x ** y)
        z.backward()
        gx = ya + 1 / ya + ya * xa ** (ya - 1)
        gy = xa - xa / ya ** 2 - 2 * ya + xa ** ya * np.log(xa)
        np.testing.assert_allclose(x.grad, gx, rtol=1e-5)
        np.testing.assert_allclose(y.grad, gy, rtol=1e-5)

    def test_dtype_mismatch_between_variables(self):
        x = Variable(np.ones(2, np.float32))
        y = Variable(np.ones(2, np.float64))
        with pytest.raises(chainer.utils.type_check.InvalidType):
            x + y

    def test_shape_mismatch_between_variables(self):
        x = Variable(np.ones(2, np.float32))
        y = Variable(np.ones(3, np.float32))
        with pytest.raises(chainer.utils.type_check.InvalidType):
            x * y

    def test_bad_operand(self):
        x = Variable(self.a)
        with pytest.raises(TypeError):
            x + [1, 2, 3]
        with pytest.raises(TypeError):
            x * 'a'

    @pytest.mark.skipif(not _has_function('chainer.functions.math.floor'),
                        reason='F.floor (used by //) is not written yet')
    def test_floordiv(self):
        x = Variable(np.array([3., 7.], np.float32))
        np.testing.assert_array_equal((x // 2).array, [1., 3.])
        np.testing.assert_array_equal((7 // x).array, [2., 1.])
        assert (x // 2).dtype == np.float32

    @pytest.mark.skipif(not _has_function('chainer.functions.math.matmul'),
                        reason='F.matmul (used by @) is not written yet')
    def test_matmul(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        b = np.arange(6, dtype=np.float32).reshape(3, 2)
        x, y = Variable(a), Variable(b)
        np.testing.assert_allclose((x @ y).array, a @ b)
        np.testing.assert_allclose((a @ y).array, a @ b)
        np.testing.assert_allclose((x @ b).array, a @ b)
        z = F.sum(x @ y)
        z.backward()
        np.testing.assert_allclose(x.grad, np.ones((2, 2)) @ b.T)

    def test_getitem(self):
        if not hasattr(Variable, '__getitem__'):
            pytest.skip('Variable.__getitem__ (F.get_item) is not installed yet')
        x = _var(3, 4)
        np.testing.assert_array_equal(x[1].array, x.array[1])
        np.testing.assert_array_equal(x[:, 1:3].array, x.array[:, 1:3])
        np.testing.assert_array_equal(x[..., None].array, x.array[..., None])
        y = F.sum(x[1, ::2])
        y.backward()
        expect = np.zeros((3, 4), np.float32)
        expect[1, ::2] = 1
        np.testing.assert_array_equal(x.grad, expect)

    @pytest.mark.parametrize('op', ['__eq__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__'])
    def test_comparisons_raise(self, op):
        x, y = Variable(self.a), Variable(self.b)
        with pytest.raises(TypeError) as e:
            getattr(x, op)(y)
        assert isinstance(e.value, NotImplementedError)

    def test_comparison_operators_raise(self):
        x, y = Variable(self.a), Variable(self.b)
        for f in (lambda: x == y, lambda: x != y, lambda: x < y, lambda: x <= y,
                  lambda: x > y, lambda: x >= y, lambda: x == 1):
            with pytest.raises(NotImplementedError):
                f()

    def test_bool_raises(self):
        with pytest.raises(TypeError):
            bool(Variable(np.array(1.0)))
        with pytest.raises(NotImplementedError):
            if Variable(np.array(1.0)):
                pass

    def test_hash_raises(self):
        with pytest.raises(TypeError):
            hash(Variable(np.array(1.0)))
        with pytest.raises(TypeError):
            {Variable(np.array(1.0))}


# -- devices ----------------------------------------------------------------------------


class TestDevices:

    def test_to_cpu(self):
        v = _var(2)
        v.grad = np.ones(2, np.float32)
        arr = v.array
        v.to_cpu()
        assert isinstance(v.array, np.ndarray)
        np.testing.assert_array_equal(v.array, arr)
        assert isinstance(v.grad, np.ndarray)

    def test_to_device_numpy(self):
        v = _var(2)
        v.to_device('@numpy')
        assert v.device == chainer.get_device('@numpy')
        v.to_device(np)
        assert v.xp is np

    def test_to_device_keeps_node(self):
        x = _var(2)
        y = x * 2
        creator = y.creator_node
        y.to_device('@numpy')
        assert y.creator_node is creator

    def test_to_gpu_without_cupy(self):
        from chainer.backends import cuda
        if cuda.available:
            pytest.skip('CuPy is available')
        v = _var(2)
        with pytest.raises(RuntimeError) as e:
            v.to_gpu()
        assert 'CuPy' in str(e.value) or 'cupy' in str(e.value)

    @pytest.mark.gpu
    def test_to_gpu_and_back(self):
        import cupy
        v = _var(3)
        v.grad = np.ones(3, np.float32)
        v.to_gpu()
        assert isinstance(v.array, cupy.ndarray) and isinstance(v.grad, cupy.ndarray)
        assert v.xp is cupy
        y = F.sum(v * v)
        y.backward()
        v.to_cpu()
        np.testing.assert_allclose(v.grad, 1 + 2 * np.arange(3))

    @pytest.mark.gpu
    def test_repr_gpu(self):
        v = _var(2)
        v.to_gpu()
        assert repr(v) == 'variable([0., 1.])'


# -- graph manipulation -------------------------------------------------------------------


class TestGraph:

    def test_creator(self):
        x = _var(2)
        y = x * 2
        assert y.creator is y.creator_node
        assert isinstance(y.creator_node, chainer.FunctionNode)
        assert y.rank == 1
        assert (y * 2).rank == 2

    def test_set_creator_node(self):
        x = _var(2)
        y = x * 2
        z = _var(2)
        z.set_creator_node(y.creator_node)
        assert z.creator_node is y.creator_node
        assert z.rank == y.creator_node.rank + 1
        z.creator_node = None
        assert z.creator is None

    def test_unchain(self):
        x = _var(2)
        y = x * 2
        z = y * 3
        y.unchain()
        assert y.creator is None
        assert z.creator is not None
        z.grad = np.ones(2, np.float32)
        z.backward()
        assert x.grad is None

    def test_unchain_backward(self):
        x = _var(2)
        y = x * 2
        z = y * 3
        w = z + 1
        funcs = [y.creator_node, z.creator_node, w.creator_node]
        w.unchain_backward()
        assert w.creator is None and z.creator is None and y.creator is None
        for f in funcs:
            assert f.inputs is None

    def test_unchain_backward_cuts_sibling_outputs(self):
        x = Variable(np.ones((2, 3), np.float32))
        y = F.broadcast_to(F.sum(x, axis=0), (2, 3))
        z = x * y
        z.unchain_backward()
        assert y.creator is None
        assert x.creator is None

    def test_unchain_backward_leaf(self):
        x = _var(2)
        x.unchain_backward()
        assert x.creator is None


# -- pickling / copying -----------------------------------------------------------------


class TestCopy:

    def test_pickle(self):
        v = Variable(np.array([1., 2.], np.float32), name='v')
        v.grad = np.array([3., 4.], np.float32)
        w = pickle.loads(pickle.dumps(v))
        np.testing.assert_array_equal(w.array, v.array)
        np.testing.assert_array_equal(w.grad, v.grad)
        assert w.name == 'v'

    def test_deepcopy(self):
        v = Variable(np.array([1., 2.], np.float32), name='v', requires_grad=False)
        w = copy.deepcopy(v)
        assert w.array is not v.array
        np.testing.assert_array_equal(w.array, v.array)
        assert w.name == 'v' and not w.requires_grad

    def test_shallow_copy_shares_the_array_slot(self):
        # As in Chainer: an array set on a shallow copy or on the original is the
        # other's too; gradients stay separate.
        v = Variable(np.arange(3, dtype=np.float32), name='v')
        w = copy.copy(v)
        w.array = np.full(3, 9, np.float32)
        assert v.array is w.array
        v.data = np.zeros(3, np.float32)
        assert w.array is v.array
        w.grad = np.ones(3, np.float32)
        assert v.grad is None
        u = copy.copy(w)
        u.array = np.ones(3, np.float32)
        assert v.array is u.array and w.array is u.array
        assert w.name == 'v'

    def test_weakref(self):
        v = _var(2)
        r = weakref.ref(v)
        assert r() is v


def test_no_unexpected_warnings_for_plain_use():
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        x = Variable(np.array([1., 2.], np.float32))
        y = F.sum(x * x)
        y.backward()
        repr(x)
        str(x)


@pytest.mark.parametrize('flag', [1, 'yes', None, np.float32(1)])
def test_requires_grad_must_be_a_bool(flag):
    # Chainer asserted it; ours is a ValueError that is also that AssertionError.
    with pytest.raises(ValueError) as info:
        Variable(np.ones(2, np.float32), requires_grad=flag)
    assert isinstance(info.value, AssertionError)
    assert not Variable(np.ones(2), requires_grad=np.bool_(False)).requires_grad


def test_user_attributes_on_variables_and_nodes():
    # Chainer's Variable and VariableNode took any attribute; tools (e.g.
    # tensorboard-chainer's name scopes) and user code attach their own.
    x = Variable(np.ones(2, np.float32))
    y = F.relu(x)
    p = chainer.Parameter(np.zeros(3, np.float32))
    for obj in (x, x.node, y, y.node, p, p.node):
        obj.scope = 'block1'
        assert obj.scope == 'block1'
    y.grad = np.ones(2, np.float32)
    y.backward()
    np.testing.assert_array_equal(x.grad, np.ones(2, np.float32))
    assert pickle.loads(pickle.dumps(x)).name is None  # pickles as before


def test_shallow_copies_keep_user_attributes():
    # As in Chainer: copy.copy (and so Link.copy(mode='share')) keeps what user code set
    # on a Variable or Parameter; deep copies and pickles leave it out.
    tag = ['block1']
    x = Variable(np.ones(2, np.float32), name='x')
    link = chainer.links.Linear(2, 3)
    for v in (x, link.W):
        v.tag = tag
        c = copy.copy(v)
        assert c.tag is tag and c.name == v.name and c.node is not v.node
        assert not hasattr(copy.deepcopy(v), 'tag')
        assert not hasattr(pickle.loads(pickle.dumps(v)), 'tag')
    shared = link.copy(mode='share')
    assert shared.W.tag is tag
    shared.W.array = np.zeros((3, 2), np.float32)  # still one array slot
    assert link.W.array is shared.W.array


class TestAddgradWithGraph:
    """Gradients from double backprop are added as Variables, as in Chainer, so the
    sum can be differentiated again; plain gradients are added as arrays."""

    def _grad_with_graph(self, value):
        x = chainer.Variable(np.array(value, np.float64))
        y = F.sum(x ** 3)
        y.backward(enable_double_backprop=True)
        assert x.grad_var.creator is not None
        return x

    def test_sum_keeps_the_graph(self):
        a = self._grad_with_graph([1.0, 2.0])
        b = self._grad_with_graph([3.0, 4.0])
        ga_before = a.grad_var
        a.addgrad(b)
        np.testing.assert_allclose(a.grad, [3.0 + 27.0, 12.0 + 48.0])
        assert a.grad_var.creator is not None
        # d/dx_b of sum(3 x_a^2 + 3 x_b^2) is 6 x_b
        gb, = chainer.grad([F.sum(a.grad_var)], [b])
        np.testing.assert_allclose(gb.array, [18.0, 24.0])
        assert ga_before.grad_var is None

    def test_into_an_empty_gradient_takes_the_source(self):
        a = chainer.Variable(np.zeros(2))
        b = self._grad_with_graph([1.0, 2.0])
        a.addgrad(b)
        assert a.grad_var is b.grad_var

    def test_without_backprop_the_arrays_are_added(self):
        a = self._grad_with_graph([1.0, 2.0])
        b = self._grad_with_graph([3.0, 4.0])
        with chainer.no_backprop_mode():
            a.addgrad(b)
        assert a.grad_var.creator is None
        np.testing.assert_allclose(a.grad, [30.0, 60.0])

    def test_plain_gradients_are_added_as_arrays(self):
        a = chainer.Variable(np.zeros(2), grad=np.ones(2))
        b = chainer.Variable(np.zeros(2), grad=np.full(2, 2.0))
        a.addgrad(b)
        assert a.grad_var.creator is None
        assert a.grad is not b.grad
        np.testing.assert_allclose(a.grad, [3.0, 3.0])


@pytest.mark.parametrize('bad', [[[1.0, 2.0]], 1.0])
def test_grad_that_is_no_array_has_chainers_message(bad):
    v = chainer.Variable(np.ones((1, 2), np.float32))
    with pytest.raises(TypeError) as e:
        v.grad = bad
    assert str(e.value) == (
        'Type of grad is invalid:\n'
        f'Expected: Any of {chainer.get_array_types()}\nActual: {type(bad)}')


def test_comparison_and_truth_value_messages_are_chainers():
    x = chainer.Variable(np.ones(2, np.float32))
    with pytest.raises(TypeError) as e:
        x < 1
    assert str(e.value) == ('Variables do not support < operator. '
                            'You could use `array` attribute instead.')
    with pytest.raises(TypeError) as e:
        bool(x)
    assert str(e.value) == 'Variables cannot be evaluated as Python bool.'
    with pytest.raises(TypeError) as e:
        x.__nonzero__()
    assert str(e.value) == 'Variables cannot be evaluated as Python bool.'
