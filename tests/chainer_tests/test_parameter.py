"""Tests of chainer.Parameter (eager and lazy initialisation, gradients, update)."""
from __future__ import annotations

import copy
import pickle
import warnings

import numpy as np
import pytest

import chainer
import chainer.functions as F
from chainer import Parameter, Variable


def _fill(value):
    def init(array):
        array[...] = value
    return init


class TestInit:

    def test_from_array(self):
        a = np.arange(6, dtype=np.float32).reshape(2, 3)
        p = Parameter(a)
        assert isinstance(p, Variable)
        assert p.array is a
        assert p.is_initialized
        assert p.grad is None
        assert p.shape == (2, 3) and p.dtype == np.float32
        assert p.update_rule is None

    def test_name(self):
        p = Parameter(np.zeros(2, np.float32), name='W')
        assert p.name == 'W'
        assert Parameter(name='b').name == 'b'

    @pytest.mark.parametrize('shape', [(2, 3), [2, 3], 4, (4,), ()])
    def test_scalar_and_shape(self, shape):
        p = Parameter(2.5, shape)
        expect_shape = (shape,) if isinstance(shape, int) else tuple(shape)
        assert p.shape == expect_shape
        assert p.dtype == np.float32  # config.dtype
        assert (p.array == 2.5).all()
        # a parameter created with a shape starts with a NaN gradient
        assert p.grad.shape == expect_shape and np.isnan(p.grad).all()

    def test_int_scalar_uses_default_dtype(self):
        p = Parameter(3, (2,))
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p.array, [3, 3])

    def test_numpy_scalar_uses_default_dtype(self):
        p = Parameter(np.float64(3), (2,))
        assert p.dtype == np.float32

    def test_default_dtype_from_config(self):
        with chainer.using_config('dtype', np.float16):
            p = Parameter(1.0, (2,))
            q = Parameter(None, (2,))
        assert p.dtype == np.float16
        assert q.dtype == np.float16

    def test_callable_initializer_with_shape(self):
        p = Parameter(_fill(5.0), (2, 2))
        assert p.shape == (2, 2)
        assert (p.array == 5).all()

    def test_initializer_dtype_attribute(self):
        class Init:
            dtype = np.float64

            def __call__(self, array):
                assert array.dtype == np.float64
                array.fill(1)

        p = Parameter(Init(), (3,))
        assert p.dtype == np.float64
        assert p.grad.dtype == np.float64

    def test_array_and_shape(self):
        a = np.array([1., 2., 3.], np.float32)
        p = Parameter(a, (3,))
        np.testing.assert_array_equal(p.array, a)
        assert p.array is not a

    def test_none_with_shape_is_nan(self):
        p = Parameter(None, (2,))
        assert np.isnan(p.array).all()

    def test_layout_unsupported(self):
        with pytest.raises(ValueError):
            Parameter(layout='NHWC')

    def test_chainer_initializer(self):
        initializers = chainer.initializers
        if not hasattr(initializers, 'Constant'):
            pytest.skip('chainer.initializers.Constant is not written yet')
        p = Parameter(initializers.Constant(2.0), (2, 3))
        assert (p.array == 2).all()
        q = Parameter(initializers.Constant(1.0, dtype=np.float64))
        q.initialize((2,))
        assert q.dtype == np.float64


class TestLazy:

    def test_uninitialized(self):
        p = Parameter()
        assert not p.is_initialized
        assert p.array is None and p.data is None
        assert p.grad_var is None

    @pytest.mark.parametrize('init', [None, 1, 0.5])
    def test_uninitialized_dtype_is_what_initialize_gives(self, init):
        for dtype in (np.float32, np.float16):
            with chainer.using_config('dtype', dtype):
                p = Parameter(init)
                assert p.dtype == dtype
                p.initialize((2,))
                assert p.dtype == dtype
        q = Parameter(chainer.initializers.Normal(dtype=np.float64))
        assert q.dtype == np.float64

    def test_uninitialized_dtype_of_a_plain_callable_is_unknown(self):
        # As in Chainer: an initializer without a dtype attribute does not tell it.
        def init(array):
            array[...] = 1

        p = Parameter(init)
        with pytest.raises(RuntimeError, match='dtype'):
            p.dtype
        p.initialize((2,))
        assert p.dtype == np.float32

    def test_uninitialized_len_is_type_error(self):
        with pytest.raises(TypeError, match='without data'):
            len(Parameter())

    def test_initialize(self):
        p = Parameter()
        p.initialize((2, 3))
        assert p.is_initialized
        assert p.shape == (2, 3) and p.dtype == np.float32
        assert np.isnan(p.array).all()
        # as in Chainer, the gradient of a freshly initialised parameter is NaN
        assert p.grad.shape == (2, 3) and np.isnan(p.grad).all()

    def test_initialize_int_shape(self):
        p = Parameter(_fill(1.0))
        p.initialize(4)
        assert p.shape == (4,)
        assert (p.array == 1).all()

    @pytest.mark.parametrize('size', [np.int32(4), np.int64(4), np.array(4)])
    def test_initialize_numpy_int_shape(self, size):
        p = Parameter(_fill(1.0))
        p.initialize(size)
        assert p.shape == (4,)

    def test_initialize_float_shape_is_type_error(self):
        with pytest.raises(TypeError):
            Parameter(_fill(1.0)).initialize(4.0)

    def test_initialize_with_scalar(self):
        p = Parameter(0.5)
        assert not p.is_initialized
        p.initialize((3,))
        assert (p.array == 0.5).all()

    def test_initialize_with_array(self):
        a = np.array([1., 2.], np.float32)
        p = Parameter(a)
        assert p.is_initialized  # an array initialises immediately

    def test_cleargrad_before_init(self):
        p = Parameter()
        p.cleargrad()
        p.initialize((3,))
        assert p.grad is None

    def test_zerograd_before_init(self):
        p = Parameter()
        with pytest.warns(DeprecationWarning):
            p.zerograd()
        p.initialize((3,))
        np.testing.assert_array_equal(p.grad, np.zeros(3, np.float32))

    def test_to_device_before_init(self):
        p = Parameter()
        p.to_device('@numpy')
        p.to_cpu()
        p.initialize((2,))
        assert isinstance(p.array, np.ndarray)

    def test_device_is_where_to_device_sent_it(self):
        # As in Chainer, a Variable answers the device it was sent to, also a user's
        # own Device subclass, and a lazy Parameter the device it will allocate on.
        class MyDevice(chainer.backend.Device):
            xp = np
            supported_array_types = (np.ndarray,)

            def __eq__(self, other):
                return isinstance(other, MyDevice)

            def __hash__(self):
                return 0

            def send_array(self, array):
                return array.copy()

        lazy, p, v = Parameter(), Parameter(np.ones(2, 'f')), Variable(np.ones(2, 'f'))
        for x in (lazy, p, v):
            assert x.device == chainer.get_device('@numpy')
            x.to_device(MyDevice())
            assert x.device == MyDevice()
        lazy.initialize((3,))
        assert isinstance(lazy.array, np.ndarray) and lazy.device == MyDevice()
        p.to_device('@numpy')
        assert p.device == chainer.get_device('@numpy')

    def test_use_in_graph_after_init(self):
        p = Parameter()
        p.initialize((2,))
        p.array[...] = [1., 2.]
        p.cleargrad()
        y = F.sum(p * p)
        y.backward()
        np.testing.assert_array_equal(p.grad, [2., 4.])


class TestGradAndUpdate:

    def test_grad_accumulates(self):
        p = Parameter(np.array([1., 2.], np.float32))
        F.sum(p * 3).backward()
        F.sum(p * 3).backward()
        np.testing.assert_array_equal(p.grad, [6., 6.])

    def test_grad_0d(self):
        p = Parameter(np.array(3., np.float32))
        (p * p).backward()
        assert type(p.grad) is np.ndarray and p.grad.shape == ()
        assert p.grad == 6.0

    def test_loss_scale_recorded(self):
        # optimizers read _loss_scale to unscale the gradient
        p = Parameter(np.array(3., np.float32))
        (p * p).backward(loss_scale=8.)
        assert p.grad == 48.
        assert p._loss_scale == 8.
        p.cleargrad()
        (p * p).backward()
        assert p._loss_scale is None  # not left over from the previous backward

    def test_update_without_rule(self):
        p = Parameter(np.ones(2, np.float32))
        p.update()
        np.testing.assert_array_equal(p.array, [1., 1.])

    def test_update_calls_rule(self):
        calls = []

        class Rule:
            def update(self, param):
                calls.append(param)
                param.array -= 0.5 * param.grad

        p = Parameter(np.ones(2, np.float32))
        p.update_rule = Rule()
        p.grad = np.ones(2, np.float32)
        p.update()
        assert calls == [p]
        np.testing.assert_array_equal(p.array, [0.5, 0.5])

    def test_identity_kept_across_to_device(self):
        p = Parameter(np.ones(2, np.float32))
        p.grad = np.ones(2, np.float32)
        obj = p
        p.to_device('@numpy')
        p.to_cpu()
        assert obj is p
        assert isinstance(p.array, np.ndarray) and isinstance(p.grad, np.ndarray)

    def test_cleargrad(self):
        p = Parameter(1.0, (2,))
        p.cleargrad()
        assert p.grad is None

    def test_zerograd(self):
        p = Parameter(1.0, (2,))
        with pytest.warns(DeprecationWarning):
            p.zerograd()
        np.testing.assert_array_equal(p.grad, [0., 0.])


class TestCopydata:

    def test_both_uninitialized_is_noop(self):
        p, q = Parameter(), Parameter()
        p.copydata(q)
        assert not p.is_initialized and not q.is_initialized

    def test_into_uninitialized(self):
        p = Parameter(_fill(0.0))
        q = Parameter(np.array([1., 2.], np.float32))
        p.copydata(q)
        np.testing.assert_array_equal(p.array, [1., 2.])
        assert p.array is not q.array

    def test_from_uninitialized_initializes_source(self):
        p = Parameter(np.zeros(2, np.float32))
        q = Parameter(_fill(7.0))
        p.copydata(q)
        assert q.is_initialized and q.shape == (2,)
        np.testing.assert_array_equal(p.array, [7., 7.])

    def test_from_uninitialized_variable(self):
        with pytest.raises(ValueError):
            Parameter(np.zeros(2, np.float32)).copydata(Variable())


class TestCopy:

    def test_pickle(self):
        p = Parameter(np.array([1., 2.], np.float32), name='W')
        p.grad = np.array([3., 4.], np.float32)
        q = pickle.loads(pickle.dumps(p))
        assert isinstance(q, Parameter)
        assert q.name == 'W'
        np.testing.assert_array_equal(q.array, p.array)
        np.testing.assert_array_equal(q.grad, p.grad)

    def test_pickle_uninitialized(self):
        p = Parameter(0.5, name='b')
        q = pickle.loads(pickle.dumps(p))
        assert not q.is_initialized
        q.initialize((2,))
        np.testing.assert_array_equal(q.array, [0.5, 0.5])

    def test_deepcopy(self):
        p = Parameter(np.array([1., 2.], np.float32), name='W')
        q = copy.deepcopy(p)
        assert isinstance(q, Parameter) and q.name == 'W'
        assert q.array is not p.array
        np.testing.assert_array_equal(q.array, p.array)

    def test_pickle_and_deepcopy_keep_a_gradient_of_another_dtype(self):
        # ``data`` may be given another dtype than the gradient's; Chainer copies
        # such a parameter as it is.
        p = Parameter(np.ones(2, np.float32))
        p.grad = np.zeros(2, np.float32)
        p.data = np.ones(2, np.float64)
        for q in (pickle.loads(pickle.dumps(p)), copy.deepcopy(p)):
            assert q.array.dtype == np.float64 and q.grad.dtype == np.float32

    def test_pickle_keeps_an_assigned_name_of_any_type(self):
        p = Parameter(np.ones(2, np.float32))
        p.name = 7
        assert pickle.loads(pickle.dumps(p)).name == 7
        assert copy.deepcopy(p).name == 7

    def test_shallow_copy_shares_the_array_slot(self):
        # As Chainer's: an array assigned to either later is the other's too;
        # gradients stay separate.
        p = Parameter(np.ones(2, np.float32))
        q = copy.copy(p)
        assert q is not p and q.array is p.array
        p.array = np.zeros(2, np.float32)
        assert q.array is p.array
        q.data = np.full(2, 3, np.float32)
        assert p.array is q.data
        q.grad = np.ones(2, np.float32)
        assert p.grad is None
        r = copy.deepcopy(q)
        r.array = np.zeros(2, np.float32)
        assert (p.array == 3).all()

    def test_no_warnings(self):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            p = Parameter(np.zeros(2, np.float32))
            F.sum(p).backward()


def test_integer_parameter_gets_a_gradient_array():
    # Chainer fills it with what NaN casts to instead of failing.
    p = Parameter(chainer.initializers.Constant(2, dtype=np.int32), (3,))
    assert p.array.dtype == np.int32 and p.grad.dtype == np.int32
    assert p.grad.shape == (3,)
    bn = chainer.links.BatchNormalization(3, dtype=np.int32)
    assert bn.gamma.grad.dtype == np.int32


def test_initialize_again_leaves_the_gradient_none():
    # Only a shaped parameter's first allocation comes with a NaN gradient, as in
    # Chainer; a lazy parameter gets one at each initialize until cleargrad.
    p = Parameter(chainer.initializers.Constant(2.0), (2,))
    assert np.isnan(p.grad).all()
    p.initialize((3,))
    assert p.array.shape == (3,) and p.grad is None
    q = Parameter(chainer.initializers.Constant(2.0))
    q.initialize((2,))
    assert np.isnan(q.grad).all()
    # A shallow copy initializes as its original would.
    r = copy.copy(p)
    r.initialize((2,))
    assert r.grad is None


def test_share_group_forgets_dropped_copies():
    import gc
    p = Parameter(np.ones(2, np.float32))
    for _ in range(5):
        copy.copy(p)
    gc.collect()
    q = copy.copy(p)
    assert len(p.__dict__['_share_group']) == 2
    p.array = np.zeros(2, np.float32)
    assert q.array is p.array


class TestLazyGradValidity:
    """As in Chainer, the gradient of a lazy parameter cannot be read until it is
    set, cleared, zeroed or allocated."""

    def test_read_before_any_of_those_raises(self):
        p = Parameter()
        with pytest.raises(RuntimeError, match='cleargrad'):
            p.grad
        with pytest.raises(RuntimeError, match='cleargrad'):
            p.node.grad
        with pytest.raises(RuntimeError, match='cleargrad'):
            p.debug_print()
        assert p.grad_var is None  # grad_var is not guarded
        p.grad_var = None  # nor does setting it make the gradient readable
        with pytest.raises(RuntimeError):
            p.grad

    @pytest.mark.parametrize('make_valid, expected', [
        (lambda p: p.cleargrad(), None),
        (lambda p: setattr(p, 'grad', None), None),
    ])
    def test_cleared_or_set(self, make_valid, expected):
        p = Parameter()
        make_valid(p)
        assert p.grad is expected

    def test_zerograd_and_initialize(self):
        p = Parameter(1.0)
        with pytest.warns(DeprecationWarning):
            p.zerograd()
        assert p.grad is None
        p.initialize((2,))
        np.testing.assert_array_equal(p.grad, np.zeros(2, np.float32))
        q = Parameter(1.0)
        q.initialize((2,))
        assert np.isnan(q.grad).all()

    def test_initialized_parameters_are_readable(self):
        assert Parameter(np.ones(2, np.float32)).grad is None
        assert np.isnan(Parameter(1.0, (2,)).grad).all()

    def test_copies_keep_it(self):
        for q in (copy.copy(Parameter()), copy.deepcopy(Parameter()),
                  pickle.loads(pickle.dumps(Parameter()))):
            with pytest.raises(RuntimeError):
                q.grad
        p = Parameter()
        p.cleargrad()
        assert copy.deepcopy(p).grad is None

    def test_adding_from_a_lazy_parameter_reads_its_gradient(self):
        dst = Parameter(np.zeros(3, np.float32))
        for target in (dst, Parameter(), chainer.Variable(np.ones(3, np.float32))):
            with pytest.raises(RuntimeError, match='cleargrad'):
                target.addgrad(Parameter())
        with pytest.raises(RuntimeError, match='cleargrad'):
            chainer.links.Linear(3).addgrads(chainer.links.Linear(3))
        src = Parameter()
        src.cleargrad()
        dst.addgrad(src)  # a cleared gradient adds nothing
        assert dst.grad is None

    def test_link_cleargrads_makes_lazy_parameters_readable(self):
        link = chainer.links.Linear(None, 3)
        link.cleargrads()
        assert [p.grad for p in link.params()] == [None, None]


@pytest.mark.parametrize('shape', [((None,), 3), ((2, 3), 4), [4, (1,)]])
def test_initialize_with_a_nested_shape_is_a_type_error(shape):
    # As in Chainer (NumPy's allocation refuses the entry), not NumPy's
    # ValueError about an inhomogeneous array.
    p = Parameter(chainer.initializers.Normal())
    with pytest.raises(TypeError, match='cannot be interpreted as an integer'):
        p.initialize(shape)
    assert p.array is None


def test_linear_with_a_tuple_out_size_fails_with_type_error_on_first_call():
    # A tuple where an int belongs (a user's slip, e.g. a 1-tuple from
    # argument.parse_kwargs) fails as in Chainer.
    link = chainer.links.Linear(None, (10,), nobias=True)
    with pytest.raises(TypeError):
        link(np.zeros((2, 3), np.float32))
