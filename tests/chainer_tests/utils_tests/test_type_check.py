import copy
import operator
import pickle
import threading

import numpy
import pytest

from chainer.utils import type_check as T


def _types(*arrays, name='in_types', accept_none=False):
    return T.get_types(tuple(arrays), name, accept_none)


def _xw(x_shape=(2, 3), w_shape=(4, 3), x_dtype=numpy.float32, w_dtype=numpy.float32):
    t = _types(numpy.zeros(x_shape, x_dtype), numpy.zeros(w_shape, w_dtype))
    T.argname(t, ('x', 'W'))
    return t


class _Dummy:
    label = 'LinearFunction'


# ---------------------------------------------------------------- printing

def test_variable_and_attribute_printing():
    x, W = _xw()
    assert str(x) == 'x'
    assert str(x.shape) == 'x.shape'
    assert str(x.shape[1]) == 'x.shape[1]'
    assert str(x.dtype.kind) == 'x.dtype.kind'
    assert str(x.dtype.type) == 'x.dtype.type'
    assert str(x.shape[1] == W.shape[1]) == 'x.shape[1] == W.shape[1]'
    assert str(x.ndim >= 2) == 'x.ndim >= 2'
    assert str(x.dtype.kind == 'f') == "x.dtype.kind == 'f'"


def test_default_names_and_size():
    t = _types(numpy.zeros(1), numpy.zeros(2))
    assert str(t[0].shape) == 'in_types[0].shape'
    assert str(t[1].ndim) == 'in_types[1].ndim'
    size = t.size()
    assert str(size == 2) == 'in_types.size == 2'
    assert T.eval(size) == 2


@pytest.mark.parametrize('key, text', [
    (1, '[1]'),
    (-1, '[-1]'),
    (slice(1, None), '[1:]'),
    (slice(None, -1), '[:-1]'),
    (slice(None, None, 2), '[::2]'),
    (slice(1, 3, None), '[1:3]'),
    (slice(None), '[:]'),
    ((1, slice(None, 2)), '[1, :2]'),
    ((1,), '[1,]'),
    ((Ellipsis, 0), '[..., 0]'),
])
def test_getitem_printing(key, text):
    x, _ = _xw()
    assert str(x.shape[key]) == 'x.shape' + text


def test_getitem_expression_key():
    x, W = _xw()
    e = x.shape[W.ndim - 1]
    assert str(e) == 'x.shape[W.ndim - 1]'
    assert T.eval(e) == 3
    e = x.shape[:W.ndim - 1]
    assert str(e) == 'x.shape[:W.ndim - 1]'
    assert T.eval(e) == (2,)


@pytest.mark.parametrize('value, text', [
    (numpy.float32, "<class 'numpy.float32'>"),
    (numpy.int32, "<class 'numpy.int32'>"),
    (numpy.dtype('float16'), "dtype('float16')"),
    (int, "<class 'int'>"),
    ('f', "'f'"),
    (3, '3'),
    (2.5, '2.5'),
    (None, 'None'),
    ((2,), '(2,)'),
    ((2, 3), '(2, 3)'),
    ([1, 'a'], "[1, 'a']"),
    (numpy.int64(4), '4'),
])
def test_constant_printing(value, text):
    assert str(T.Constant(value)) == text
    x, _ = _xw()
    assert str(x.dtype == value) == f'x.dtype == {text}'


@pytest.mark.parametrize('build, text', [
    (lambda a, b: a + b * 2, 'x.ndim + W.ndim * 2'),
    (lambda a, b: (a + b) * 2, '(x.ndim + W.ndim) * 2'),
    (lambda a, b: a - (b - 1), 'x.ndim - (W.ndim - 1)'),
    (lambda a, b: (a - b) - 1, 'x.ndim - W.ndim - 1'),
    (lambda a, b: a / (b * 2), 'x.ndim / (W.ndim * 2)'),
    (lambda a, b: a * b // 2 % 3, 'x.ndim * W.ndim // 2 % 3'),
    (lambda a, b: a ** b ** 2, 'x.ndim ** W.ndim ** 2'),
    (lambda a, b: (a ** b) ** 2, '(x.ndim ** W.ndim) ** 2'),
    (lambda a, b: -a ** 2, '-x.ndim ** 2'),
    (lambda a, b: (-a) ** 2, '(-x.ndim) ** 2'),
    (lambda a, b: 2 ** -a, '2 ** -x.ndim'),
    (lambda a, b: -(a + b), '-(x.ndim + W.ndim)'),
    (lambda a, b: -(-a), '-(-x.ndim)'),
    (lambda a, b: ~a & b, '~x.ndim & W.ndim'),
    (lambda a, b: a | b ^ a & b, 'x.ndim | W.ndim ^ x.ndim & W.ndim'),
    (lambda a, b: (a | b) & 1, '(x.ndim | W.ndim) & 1'),
    (lambda a, b: a << 1 + b, 'x.ndim << 1 + W.ndim'),
    (lambda a, b: (a << 1) + b, '(x.ndim << 1) + W.ndim'),
    (lambda a, b: a >> 1 | b, 'x.ndim >> 1 | W.ndim'),
    (lambda a, b: 3 - a, '3 - x.ndim'),
    (lambda a, b: 2 * a + 1 == b, '2 * x.ndim + 1 == W.ndim'),
    (lambda a, b: (a == b) == (a < b), '(x.ndim == W.ndim) == (x.ndim < W.ndim)'),
    (lambda a, b: (a + 1).real, '(x.ndim + 1).real'),
    (lambda a, b: +a, '+x.ndim'),
])
def test_precedence_printing(build, text):
    x, W = _xw()
    assert str(build(x.ndim, W.ndim)) == text


def test_call_printing_and_prod():
    x, W = _xw(x_shape=(2, 3, 4), w_shape=(5, 12))
    e = T.prod(x.shape[1:])
    assert isinstance(e, T.Call)
    assert str(e) == 'prod(x.shape[1:])'
    assert T.eval(e) == 12
    cond = T.prod(x.shape[1:]) == W.shape[1]
    assert str(cond) == 'prod(x.shape[1:]) == W.shape[1]'
    T.expect(cond)
    f = T.Variable(max, 'max')
    assert str(f(x.ndim, 2, (1, 2))) == 'max(x.ndim, 2, (1, 2))'
    assert T.eval(f(x.ndim, 2)) == 3


def test_method_call():
    x, _ = _xw()
    e = x.shape.index(3)
    assert str(e) == 'x.shape.index(3)'
    assert T.eval(e) == 1


def test_repr_mentions_expression():
    x, _ = _xw()
    assert 'x.ndim' in repr(x.ndim)


# ---------------------------------------------------------------- evaluation

@pytest.mark.parametrize('op', [
    operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
    operator.mod, operator.pow, operator.lshift, operator.rshift, operator.and_,
    operator.or_, operator.xor, operator.eq, operator.ne, operator.lt, operator.le,
    operator.gt, operator.ge,
])
def test_binary_evaluation(op):
    a = T.Variable(7, 'a')
    b = T.Variable(3, 'b')
    assert T.eval(op(a, b)) == op(7, 3)
    assert T.eval(op(a, 3)) == op(7, 3)
    assert T.eval(op(7, b)) == op(7, 3)


@pytest.mark.parametrize('op', [operator.neg, operator.pos, operator.invert])
def test_unary_evaluation(op):
    assert T.eval(op(T.Variable(5, 'a'))) == op(5)


def test_type_info_values():
    x, W = _xw(x_shape=(2, 3), w_dtype=numpy.int32)
    assert T.eval(x.shape) == (2, 3)
    assert T.eval(x.ndim) == 2
    assert T.eval(x.size) == 6
    assert T.eval(x.dtype) == numpy.float32
    assert T.eval(x.dtype.kind) == 'f'
    assert T.eval(W.dtype.type) is numpy.int32
    assert T.eval(x.dtype == numpy.float32) is True
    assert T.eval(W.dtype == numpy.float32) is False
    # NumPy objects on the left defer to the expression.
    assert str(numpy.dtype('f') == x.dtype) == "x.dtype == dtype('float32')"
    assert str(numpy.int64(2) == x.ndim) == 'x.ndim == 2'
    assert str(numpy.float32 == x.dtype) == "x.dtype == <class 'numpy.float32'>"


def test_type_info_size_is_read_only():
    # As in Chainer: size is a property computed from shape.
    info = T.TypeInfo((2, 3), numpy.dtype('f'))
    assert info.size == 6 and info.ndim == 2
    with pytest.raises(AttributeError):
        info.size = 3
    info.shape = (4,)
    assert info.size == 4


def test_getattr_with_a_constant_name_prints_the_name():
    assert str(T.GetAttr(T.Variable(1, 'n'), T.Constant('imag'))) == 'n.imag'
    assert T.eval(T.GetAttr(T.Variable(1, 'n'), T.Constant('imag'))) == 0


def test_getattr_with_a_name_that_is_not_a_str_prints_the_call():
    assert str(T.GetAttr(T.Variable(1, 'n'), 7)) == 'getattr(n, 7)'
    assert str(T.GetAttr(T.Variable(1, 'n') + 1, T.Constant(2))) == 'getattr(n + 1, 2)'


def test_eval_plain_value():
    assert T.eval(3) == 3
    assert T.eval((1, T.Variable(2, 'a'))) == (1, 2)


def test_make_variable():
    v = T.make_variable(5, 'n')
    assert isinstance(v, T.Variable)
    assert str(v + 1) == 'n + 1'
    assert T.eval(v + 1) == 6


def test_prod_plain():
    # An expression in full mode, printed as written, as Chainer's was.
    assert str(T.prod([])) == 'prod([])'
    assert T.eval(T.prod(())) == 1
    assert T.eval(T.prod([])) == 1
    assert T.eval(T.prod((2, 3, 4))) == 24
    with T.light_mode:
        assert T.prod((2, 3, 4)) == 24


# ---------------------------------------------------------------- expect

def test_expect_success():
    x, W = _xw()
    T.expect(x.shape[1] == W.shape[1], x.ndim == 2, x.dtype.kind == 'f')


def test_expect_failure_message():
    x, W = _xw(x_shape=(2, 3), w_shape=(4, 5))
    with pytest.raises(T.InvalidType) as e:
        T.expect(x.ndim == 2, x.shape[1] == W.shape[1])
    assert str(e.value) == 'Expect: x.shape[1] == W.shape[1]\nActual: 3 != 5'
    assert e.value.expect == 'x.shape[1] == W.shape[1]'
    assert e.value.actual == '3 != 5'


@pytest.mark.parametrize('build, message', [
    (lambda x, W: x.ndim >= 3, 'Expect: x.ndim >= 3\nActual: 2 < 3'),
    (lambda x, W: x.ndim > 2, 'Expect: x.ndim > 2\nActual: 2 <= 2'),
    (lambda x, W: x.ndim < 2, 'Expect: x.ndim < 2\nActual: 2 >= 2'),
    (lambda x, W: x.ndim <= 1, 'Expect: x.ndim <= 1\nActual: 2 > 1'),
    (lambda x, W: x.ndim != 2, 'Expect: x.ndim != 2\nActual: 2 == 2'),
    # Chainer formats the operands of the failed comparison with str(): no quotes.
    (lambda x, W: W.dtype.kind == 'f', 'Expect: W.dtype.kind == f\nActual: i != f'),
    (lambda x, W: 'f' == W.dtype.kind, 'Expect: W.dtype.kind == f\nActual: i != f'),
    (lambda x, W: x.dtype.kind != 'f', 'Expect: x.dtype.kind != f\nActual: f == f'),
    (lambda x, W: W.dtype == numpy.dtype('float32'),
     'Expect: W.dtype == float32\nActual: int32 != float32'),
    (lambda x, W: x.shape == (2, numpy.int64(4)),
     'Expect: x.shape == (2, 4)\nActual: (2, 3) != (2, 4)'),
    (lambda x, W: x.shape == ('a', 2),
     "Expect: x.shape == ('a', 2)\nActual: (2, 3) != ('a', 2)"),
    (lambda x, W: x.ndim == numpy.int64(3), 'Expect: x.ndim == 3\nActual: 2 != 3'),
    (lambda x, W: W.dtype == numpy.float32,
     "Expect: W.dtype == <class 'numpy.float32'>\n"
     "Actual: int32 != <class 'numpy.float32'>"),
    (lambda x, W: x.shape == (2, 4),
     'Expect: x.shape == (2, 4)\nActual: (2, 3) != (2, 4)'),
])
def test_expect_failure_messages(build, message):
    x, W = _xw(w_dtype=numpy.int32)
    with pytest.raises(T.InvalidType) as e:
        T.expect(build(x, W))
    assert str(e.value) == message
    expect, actual = message.split('\n')
    assert (e.value.expect, e.value.actual) == (expect[len('Expect: '):],
                                                actual[len('Actual: '):])


def test_expect_size():
    t = _types(numpy.zeros(1))
    with pytest.raises(T.InvalidType) as e:
        T.expect(t.size() == 2)
    assert str(e.value) == 'Expect: in_types.size == 2\nActual: 1 != 2'


def test_expect_plain_values():
    T.expect(True, numpy.bool_(True))
    with pytest.raises(T.InvalidType):
        T.expect(True, False)
    # Chainer asserted that a condition is an expression: an AssertionError too.
    with pytest.raises(AssertionError):
        T.expect(len((1, 2)) == 3)


def test_expect_rejects_non_comparison_expression():
    x, _ = _xw()
    with pytest.raises(TypeError, match='comparison'):
        T.expect(x.ndim)
    # Chainer asserted the condition was testable: also an AssertionError.
    with pytest.raises(AssertionError):
        T.expect(x.ndim + 1)


def test_function_check_context():
    x, W = _xw(x_shape=(2, 3), w_shape=(4, 5))
    with T.get_function_check_context(_Dummy()):
        with pytest.raises(T.InvalidType) as e:
            T.expect(x.shape[1] == W.shape[1])
    assert str(e.value) == (
        '\nInvalid operation is performed in: LinearFunction (Forward)\n\n'
        'Expect: x.shape[1] == W.shape[1]\nActual: 3 != 5')
    # The context is restored on exit, also after an exception.
    with pytest.raises(T.InvalidType) as e:
        T.expect(x.shape[1] == W.shape[1])
    assert str(e.value).startswith('Expect:')


def test_function_check_context_nesting():
    outer = _Dummy()
    inner = _Dummy()
    inner.label = 'Inner'
    with T.get_function_check_context(outer):
        with T.get_function_check_context(inner):
            assert 'Inner (Forward)' in str(T.InvalidType('a', 'b'))
        assert 'LinearFunction (Forward)' in str(T.InvalidType('a', 'b'))


def test_function_check_context_is_thread_local():
    seen = []

    def worker():
        seen.append(str(T.InvalidType('a', 'b')))

    with T.get_function_check_context(_Dummy()):
        th = threading.Thread(target=worker)
        th.start()
        th.join(timeout=60)
        assert not th.is_alive()
    assert seen == ['Expect: a\nActual: b']


# ---------------------------------------------------------------- InvalidType

def test_invalid_type_attributes_and_msg():
    e = T.InvalidType('x', 'y')
    assert str(e) == 'Expect: x\nActual: y'
    assert (e.expect, e.actual) == ('x', 'y')
    e = T.InvalidType('x', 'y', 'custom')
    assert str(e) == 'custom'
    assert isinstance(e, Exception)


def test_invalid_type_pickle_and_copy():
    with T.get_function_check_context(_Dummy()):
        e = T.InvalidType('x == 1', '2 != 1')
    for e2 in (pickle.loads(pickle.dumps(e)), copy.copy(e), copy.deepcopy(e)):
        assert str(e2) == str(e)
        assert e2.expect == 'x == 1'
        assert e2.actual == '2 != 1'


# ---------------------------------------------------------------- light mode

def test_light_mode_switch():
    assert not T.in_light_mode()
    with T.light_mode:
        assert T.in_light_mode()
        with T.light_mode:
            assert T.in_light_mode()
        assert T.in_light_mode()
    assert not T.in_light_mode()
    with pytest.raises(ValueError):
        with T.light_mode:
            raise ValueError
    assert not T.in_light_mode()
    assert isinstance(T.light_mode, T.LightMode)


def test_light_mode_is_thread_local():
    seen = []
    with T.light_mode:
        th = threading.Thread(target=lambda: seen.append(T.in_light_mode()))
        th.start()
        th.join(timeout=60)
        assert not th.is_alive()
    assert seen == [False]


def test_light_types():
    x = numpy.zeros((2, 3), numpy.float32)
    w = numpy.zeros((4, 3), numpy.float32)
    t = T.get_light_types((x, w))
    assert isinstance(t, T.LightTypeInfoTuple)
    assert isinstance(t, tuple)
    assert t.size() == 2
    assert t[0] is x
    with T.light_mode:
        T.expect(t.size() == 2, t[0].shape[1] == t[1].shape[1], t[0].dtype.kind == 'f')
        with pytest.raises(T.InvalidType):
            T.expect(True, t[0].ndim == 3)
        assert T.eval(t[0].ndim) == 2
        assert T.make_variable(5, 'n') == 5
        assert T.prod(t[0].shape) == 6
        assert T.prod(()) == 1


def test_light_types_with_shapes():
    x = numpy.zeros((2, 3), numpy.float32)
    t = T.get_light_types((x,), shapes=((5, 6, 7),))
    assert t[0].shape == (5, 6, 7)
    assert t[0].ndim == 3
    assert t[0].size == 210
    assert t[0].dtype == numpy.float32


def test_light_types_bad_input():
    with pytest.raises(TypeError):
        T.get_light_types([numpy.zeros(1)])
    with pytest.raises(ValueError):
        T.get_light_types((numpy.zeros(1),), shapes=((1,), (2,)))


def test_two_phase_check_like_function_node():
    """Light check first; on failure rerun in full mode for the message."""

    class Linear(_Dummy):
        def check_type_forward(self, in_types):
            T.argname(in_types, ('x', 'W'))
            x_type, w_type = in_types
            T.expect(
                x_type.dtype.kind == 'f',
                x_type.ndim >= 2,
                x_type.shape[1] == w_type.shape[1],
            )

    f = Linear()
    good = (numpy.zeros((2, 3), numpy.float32), numpy.zeros((4, 3), numpy.float32))
    bad = (numpy.zeros((2, 3), numpy.float32), numpy.zeros((4, 5), numpy.float32))

    with T.light_mode:
        f.check_type_forward(T.get_light_types(good))
    with pytest.raises(T.InvalidType):
        with T.light_mode:
            f.check_type_forward(T.get_light_types(bad))
    assert not T.in_light_mode()
    with pytest.raises(T.InvalidType) as e:
        with T.get_function_check_context(f):
            f.check_type_forward(T.get_types(bad, 'in_types', False))
    assert str(e.value) == (
        '\nInvalid operation is performed in: LinearFunction (Forward)\n\n'
        'Expect: x.shape[1] == W.shape[1]\nActual: 3 != 5')


# ---------------------------------------------------------------- get_types / argname

def test_get_types():
    x = numpy.zeros((2, 3), numpy.float16)
    t = T.get_types((x, None), 'grads', True)
    assert isinstance(t, T.TypeInfoTuple)
    assert len(t) == 2
    assert all(isinstance(v, T.Variable) for v in t)
    assert str(t[0]) == 'grads[0]'
    assert isinstance(t[0].value, T.TypeInfo)
    assert T.eval(t[0].shape) == (2, 3)
    assert T.eval(t[1].shape) == ()
    assert T.eval(t[1].dtype) is None
    assert T.eval(t.size()) == 2


def test_get_types_empty_and_shapes():
    assert len(T.get_types((), 'in_types', False)) == 0
    t = T.get_types((numpy.zeros(3),), 'in_types', False, shapes=((4, 5),))
    assert T.eval(t[0].shape) == (4, 5)
    assert T.eval(t[0].size) == 20


def test_get_types_bad_input():
    with pytest.raises(TypeError):
        T.get_types([numpy.zeros(1)], 'in_types', False)
    # Chainer asserted a tuple: also an AssertionError.
    with pytest.raises(AssertionError):
        T.get_types([numpy.zeros(1)], 'in_types', False)
    with pytest.raises(AssertionError):
        T.get_light_types([numpy.zeros(1)])
    with pytest.raises(TypeError, match=r'in_types\[0\]'):
        T.get_types((None,), 'in_types', False)
    with pytest.raises(TypeError):
        T.get_types(([1, 2],), 'in_types', False)


def test_argname():
    t = _types(numpy.zeros(1), numpy.zeros(2))
    T.argname(t, ('x', 'W'))
    assert str(t[0].shape) == 'x.shape'
    assert str(t[1]) == 'W'
    T._argname(t, ('a', 'b'))
    assert str(t[1]) == 'b'


def test_argname_wrong_count():
    t = _types(numpy.zeros(1))
    with pytest.raises(T.InvalidType) as e:
        T.argname(t, ('x', 'W'))
    assert str(e.value) == 'Invalid number of arguments'
    assert e.value.expect == '2 argument(s)'
    assert e.value.actual == '1 argument(s)'


def test_argname_light_types_is_noop():
    t = T.get_light_types((numpy.zeros(1),))
    T.argname(t, ('x',))
    with pytest.raises(T.InvalidType):
        T.argname(t, ('x', 'W'))


# ---------------------------------------------------------------- same_types

class _FakeCupyArray:
    shape = (1,)
    dtype = numpy.dtype('f')


_FakeCupyArray.__module__ = 'cupy'


def test_same_types():
    a = numpy.zeros(1)
    assert T.same_types(a, a, numpy.zeros(2))
    assert T.same_types()
    assert T.same_types(_FakeCupyArray(), _FakeCupyArray())
    # A plain bool, as in Chainer: False for a mix, or for anything not an array.
    assert T.same_types(a, _FakeCupyArray()) is False
    assert T.same_types(a, [1.0]) is False
    assert T.same_types([1.0]) is False
    assert T.same_types(numpy.float32(1)) is False


# ---------------------------------------------------------------- broadcast

def test_expect_broadcast_shapes():
    x, W = _xw(x_shape=(2, 3), w_shape=(3,))
    T.expect_broadcast_shapes(x.shape, W.shape)
    T.expect_broadcast_shapes((2, 1, 3), (4, 1), ())
    T.expect_broadcast_shapes()


def test_expect_broadcast_shapes_failure():
    x, W = _xw(x_shape=(2, 3), w_shape=(4,))
    with pytest.raises(T.InvalidType) as e:
        T.expect_broadcast_shapes(x.shape, W.shape)
    assert str(e.value) == (
        'cannot broadcast inputs of the following shapes:\n'
        'x.shape = (2, 3)\nW.shape = (4,)')
    assert e.value.expect == 'broadcastable shapes'
    assert e.value.actual == '(2, 3), (4,)'


def test_expect_broadcast_shapes_light_mode():
    x = numpy.zeros((2, 3))
    with T.light_mode:
        T.expect_broadcast_shapes(x.shape, (1, 3))
        with pytest.raises(T.InvalidType):
            T.expect_broadcast_shapes(x.shape, (2,))


def test_expect_broadcast_shapes_bad_input():
    with pytest.raises(TypeError):
        T.expect_broadcast_shapes((2, 3), 3)


# ---------------------------------------------------------------- misuse of Expr

def test_expr_cannot_be_bool():
    x, _ = _xw()
    with pytest.raises(RuntimeError, match='eval'):
        bool(x.ndim == 2)
    with pytest.raises(RuntimeError):
        if x.ndim:
            pass


def test_expr_not_iterable_nor_hashable():
    x, _ = _xw()
    with pytest.raises(TypeError):
        list(x.shape)
    with pytest.raises(TypeError):
        hash(x.ndim)


def test_expr_dunder_attribute_is_missing():
    x, _ = _xw()
    assert not hasattr(x.shape, '__len__')
    assert isinstance(x.foo, T.GetAttr)
    with pytest.raises(AttributeError):
        T.eval(x.foo)


def test_class_hierarchy():
    x, _ = _xw()
    cond = x.ndim == 2
    assert isinstance(cond, T.BoolBinaryOperator)
    assert isinstance(cond, T.BinaryOperator)
    assert isinstance(cond, T.Testable)
    assert isinstance(x.ndim + 1, T.BinaryOperator)
    assert not isinstance(x.ndim + 1, T.Testable)
    assert isinstance(-x.ndim, T.UnaryOperator)
    assert isinstance(x.shape[0], T.GetItem)
    assert isinstance(x, T.Atom)
    assert isinstance(T.Constant(1), T.Atom)
    assert isinstance(x, T.Expr)
    with pytest.raises(NotImplementedError):
        T.Expr(0).eval()
    with pytest.raises(NotImplementedError):
        T.Testable().expect()


def test_explicit_constructors():
    lhs = T.Variable(6, 'a')
    e = T.BinaryOperator(4, lhs, 2, '-', operator.sub)
    assert str(e) == 'a - 2'
    assert T.eval(e) == 4
    b = T.BoolBinaryOperator(e, 5, '==', '!=', operator.eq)
    with pytest.raises(T.InvalidType) as err:
        b.expect()
    assert str(err.value) == 'Expect: a - 2 == 5\nActual: 4 != 5'
    u = T.UnaryOperator(6, lhs, '-', operator.neg)
    assert str(u) == '-a' and T.eval(u) == -6
    assert T.eval(T.GetAttr(T.Constant(3 + 4j), 'imag')) == 4
    assert T.eval(T.GetItem(T.Constant((1, 2)), 1)) == 2
    assert T.eval(T.Call(T.Constant(len), ((1, 2),))) == 2
    assert str(T.Call(T.Constant(len), ((1, 2),))) == 'len((1, 2))'
    info = T.TypeInfo((2, 3), numpy.dtype('f'))
    assert (info.ndim, info.size) == (2, 6)


@pytest.mark.parametrize('axes, ok', [
    ((0,), True), ((1, -1, -2), True), ((2,), False), ((-3,), False), ((0, 2), False)])
def test_expect_axes(axes, ok):
    x_type = T.get_types((numpy.zeros((2, 3), 'f'),), 'in_types', False)[0]
    if ok:
        T._expect_axes(x_type, *axes)
    else:
        with pytest.raises(T.InvalidType):
            T._expect_axes(x_type, *axes)


@pytest.mark.parametrize('axis, expected', [(2, 'ndim > 2'), (-3, 'ndim >= 3')])
def test_functions_name_the_axis_bound(axis, expected):
    import chainer.functions as F
    x = numpy.ones((2, 3), 'f')
    for f in (lambda: F.flip(x, axis), lambda: F.separate(x, axis),
              lambda: F.permutate(x, numpy.array([1, 0], 'i'), axis)):
        with pytest.raises(T.InvalidType, match=expected):
            f()


_GT2 = 'Expect: x.ndim > 2\nActual: 2 <= 2'


@pytest.mark.parametrize('call, message', [
    # a negative axis out of range is worded as each Chainer 7.8.1 function wrote it
    (lambda F, x: F.sum(x, -3), _GT2),
    (lambda F, x: F.prod(x, -3), _GT2),
    (lambda F, x: F.max(x, -3), _GT2),
    (lambda F, x: F.min(x, -3), _GT2),
    (lambda F, x: F.mean(x, -3), _GT2),
    (lambda F, x: F.logsumexp(x, -3), _GT2),
    (lambda F, x: F.average(x, -3), _GT2),
    (lambda F, x: F.cumsum(x, -3), _GT2),
    (lambda F, x: F.cumprod(x, -3), _GT2),
    (lambda F, x: F.rollaxis(x, -3), _GT2),
    (lambda F, x: F.moveaxis(x, -3, 0), _GT2),
    (lambda F, x: F.moveaxis(x, 0, -3), _GT2),
    (lambda F, x: F.argmax(x, -3), 'Expect: in_types[0].ndim > 2\nActual: 2 <= 2'),
    (lambda F, x: F.argmin(x, -3), 'Expect: in_types[0].ndim > 2\nActual: 2 <= 2'),
    (lambda F, x: F.flip(x, -3), 'Expect: x.ndim >= 3\nActual: 2 < 3'),
    (lambda F, x: F.separate(x, -3), 'Expect: x.ndim >= 3\nActual: 2 < 3'),
    (lambda F, x: F.squeeze(x[:1], -3), 'Expect: -in_types[0].ndim <= -3\nActual: -2 > -3'),
    (lambda F, x: F.concat([x, x], -3), 'Expect: -in_types[0].ndim <= -3\nActual: -2 > -3'),
])
def test_negative_axis_messages_as_in_chainer(call, message):
    import chainer.functions as F
    with pytest.raises(T.InvalidType) as e:
        call(F, numpy.ones((2, 3), 'f'))
    assert str(e.value).endswith('\n\n' + message)


def test_empty_shape_against_a_numpy_scalar_fails_as_in_chainer():
    t = T.get_types((numpy.zeros(3, numpy.float32),), 'in_types', False)
    with pytest.raises(T.InvalidType) as e:
        T.expect(t[0].shape[1:] == numpy.float64(3.0))
    assert str(e.value) == 'Expect: in_types[0].shape[1:] == 3.0\nActual: () != 3.0'


def test_numpy_bool_class_prints_as_under_numpy_1():
    t = T.get_types((numpy.zeros(3, numpy.float32),), 'in_types', False)
    with pytest.raises(T.InvalidType) as e:
        T.expect(t[0].dtype == numpy.bool_)
    assert str(e.value) == ("Expect: in_types[0].dtype == <class 'numpy.bool_'>\n"
                            "Actual: float32 != <class 'numpy.bool_'>")


def test_numpy_float32_constants_print_as_chainer_did():
    # On its own as the Python float it converts to; inside a tuple with NumPy 1's repr.
    t = T.get_types((numpy.zeros(3, numpy.float32),), 'in_types', False)
    with pytest.raises(T.InvalidType) as e:
        T.expect(t[0].shape[0] == numpy.float32(0.1))
    assert str(e.value) == ('Expect: in_types[0].shape[0] == 0.10000000149011612\n'
                            'Actual: 3 != 0.10000000149011612')
    with pytest.raises(T.InvalidType) as e:
        T.expect(t[0].shape[0] == (numpy.float32(0.1), 2))
    assert str(e.value) == 'Expect: in_types[0].shape[0] == (0.1, 2)\nActual: 3 != (0.1, 2)'
