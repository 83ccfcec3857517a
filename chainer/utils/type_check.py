"""Type-check expression language used by ``FunctionNode.check_type_forward``.

In full mode, input types are :class:`Variable` nodes wrapping :class:`TypeInfo`;
operations on them build lazily evaluated expression trees that can print
themselves like source code, so a failed :func:`expect` explains what was
expected and what was found. In light mode (``with light_mode:``) the inputs are
the arrays themselves and every check is a plain Python comparison.
"""
from __future__ import annotations

import contextlib
import operator
import threading
from typing import Any, Iterable, Iterator

import numpy

from chainer.utils.error import _TypeAssertionError, _none_input_error
from chainer.utils.error import _repr as _legacy_repr

__all__ = [
    'Atom', 'BinaryOperator', 'BoolBinaryOperator', 'Call', 'Constant', 'Expr',
    'GetAttr', 'GetItem', 'InvalidType', 'LightMode', 'LightTypeInfoTuple',
    'Testable', 'TypeInfo', 'TypeInfoTuple', 'UnaryOperator', 'Variable',
    'argname', 'eval', 'expect', 'expect_broadcast_shapes',
    'get_function_check_context', 'get_light_types', 'get_types',
    'in_light_mode', 'light_mode', 'make_variable', 'prod', 'same_types',
]

_thread_local = threading.local()

# Priorities follow Python's operator precedence (higher binds tighter).
_PRIO_BOOL = -1
_PRIO_OR = 0
_PRIO_XOR = 1
_PRIO_AND = 2
_PRIO_SHIFT = 3
_PRIO_ADD = 4
_PRIO_MUL = 5
_PRIO_UNARY = 6
_PRIO_POW = 7
_PRIO_ATOM = 8


class TypeInfo:
    """Shape and dtype of one input (``ndim`` and ``size`` are derived)."""

    __slots__ = ('shape', 'dtype', 'ndim')

    def __init__(self, shape: tuple, dtype: Any) -> None:
        self.shape = shape
        self.dtype = dtype
        self.ndim = len(shape)

    @property
    def size(self) -> Any:
        """The number of elements (read-only, from ``shape``)."""
        return _prod_impl(self.shape)

    def __repr__(self) -> str:
        return f'TypeInfo(shape={self.shape!r}, dtype={self.dtype!r})'


class TypeInfoTuple(tuple):
    """Tuple of :class:`Variable` s describing the inputs (full mode)."""

    name: str

    def _set_name(self, name: str) -> None:
        self.name = name

    def size(self) -> 'Variable':
        """An expression for the number of inputs (prints as ``<name>.size``)."""
        return Variable(len(self), f'{getattr(self, "name", "types")}.size')


class LightTypeInfoTuple(tuple):
    """Tuple of arrays (or :class:`TypeInfo`) used in light mode."""

    __slots__ = ()

    def size(self) -> int:
        """Number of inputs, as a plain int."""
        return len(self)


def _operand_str(v: Any) -> str:
    """An operand of a failed comparison as Chainer printed it on the ``Expect:`` and
    ``Actual:`` lines: ``str`` (no quotes around a string, ``float32`` for a dtype),
    with NumPy scalars shown as their plain values, as under NumPy 1."""
    if isinstance(v, (tuple, list)):
        return _repr(v)
    if isinstance(v, numpy.generic):
        return str(v.item())
    if v is numpy.bool_:
        return "<class 'numpy.bool_'>"  # NumPy 2 calls the class numpy.bool
    return str(v)


def _type_str(t: Any) -> str:
    module = getattr(t, '__module__', None) or 'builtins'
    if module == 'builtins':
        return t.__qualname__
    if module.startswith('numpy'):
        module = 'numpy'
    return f'{module}.{t.__qualname__}'


def _slice_str(s: slice) -> str:
    parts = ['' if p is None else _repr(p) for p in (s.start, s.stop)]
    text = ':'.join(parts)
    if s.step is not None:
        text += ':' + _repr(s.step)
    return text


def _key_str(key: Any) -> str:
    if isinstance(key, slice):
        return _slice_str(key)
    if key is Ellipsis:
        return '...'
    return _repr(key)


def _repr(v: Any) -> str:
    """Source-like text for a constant or sub-expression."""
    if isinstance(v, Expr):
        return str(v)
    if isinstance(v, tuple):
        if len(v) == 1:
            return f'({_item_repr(v[0])},)'
        return '(' + ', '.join(_item_repr(x) for x in v) + ')'
    if isinstance(v, list):
        return '[' + ', '.join(_item_repr(x) for x in v) + ']'
    if isinstance(v, type) or isinstance(v, numpy.dtype):
        # As Chainer printed them: <class 'numpy.float64'>, dtype('float32').
        return repr(v)
    if isinstance(getattr(v, '__qualname__', None), str):
        # Functions print as their dotted name.
        return _type_str(v)
    if isinstance(v, numpy.generic):
        return repr(v.item())
    return repr(v)


def _item_repr(v: Any) -> str:
    # Inside a tuple or list Chainer printed a NumPy scalar with NumPy 1's repr
    # (0.1 for float32(0.1)); on its own, as the Python float it converts to.
    if isinstance(v, numpy.generic):
        return _legacy_repr(v)
    return _repr(v)


def _priority(v: Any) -> int:
    if isinstance(v, Expr):
        return v.priority
    # A negative literal behaves like a unary minus when printed.
    if isinstance(v, (int, float, numpy.number)) and not isinstance(v, bool) and v < 0:
        return _PRIO_UNARY
    return _PRIO_ATOM


def _wrapped(v: Any, priority: int) -> str:
    """``v`` as printed, in parentheses where it binds less tightly than ``priority``."""
    text = _repr(v)
    return f'({text})' if _priority(v) < priority else text


def _eval_expr(v: Any) -> Any:
    if isinstance(v, Expr):
        return v.eval()
    if isinstance(v, tuple):
        return tuple(_eval_expr(x) for x in v)
    if isinstance(v, list):
        return [_eval_expr(x) for x in v]
    if isinstance(v, slice):
        return slice(_eval_expr(v.start), _eval_expr(v.stop), _eval_expr(v.step))
    return v


class Expr:
    """Base of all type-check expression nodes; operators build new nodes."""

    __slots__ = ('priority',)
    # Make NumPy defer to our reflected operators instead of broadcasting.
    __array_ufunc__ = None

    def __init__(self, priority: int) -> None:
        self.priority = priority

    def eval(self) -> Any:
        """Evaluates the expression to a plain value."""
        raise NotImplementedError

    def __str__(self) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self}>'

    def __bool__(self) -> bool:
        raise RuntimeError(
            'An Expr instance cannot be evaluated as bool. '
            'Please use chainer.utils.type_check.eval() to evaluate an expression.')

    def __iter__(self) -> Iterator[Any]:
        # Without this, __getitem__ would make iteration loop forever.
        raise TypeError(
            'An Expr instance is not iterable. '
            'Please use chainer.utils.type_check.eval() to evaluate an expression.')

    def __call__(self, *args: Any) -> 'Call':
        return Call(self, args)

    def __getitem__(self, key: Any) -> 'GetItem':
        return GetItem(self, key)

    def __getattr__(self, name: str) -> 'GetAttr':
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        return GetAttr(self, name)

    # Comparisons.
    def __eq__(self, other: Any) -> 'BoolBinaryOperator':  # type: ignore[override]
        return BoolBinaryOperator(self, other, '==', '!=', operator.eq)

    def __ne__(self, other: Any) -> 'BoolBinaryOperator':  # type: ignore[override]
        return BoolBinaryOperator(self, other, '!=', '==', operator.ne)

    def __lt__(self, other: Any) -> 'BoolBinaryOperator':
        return BoolBinaryOperator(self, other, '<', '>=', operator.lt)

    def __le__(self, other: Any) -> 'BoolBinaryOperator':
        return BoolBinaryOperator(self, other, '<=', '>', operator.le)

    def __gt__(self, other: Any) -> 'BoolBinaryOperator':
        return BoolBinaryOperator(self, other, '>', '<=', operator.gt)

    def __ge__(self, other: Any) -> 'BoolBinaryOperator':
        return BoolBinaryOperator(self, other, '>=', '<', operator.ge)

    __hash__ = None  # type: ignore[assignment]

    # Unary operators.
    def __neg__(self) -> 'UnaryOperator':
        return UnaryOperator(_PRIO_UNARY, self, '-', operator.neg)

    def __pos__(self) -> 'UnaryOperator':
        return UnaryOperator(_PRIO_UNARY, self, '+', operator.pos)

    def __invert__(self) -> 'UnaryOperator':
        return UnaryOperator(_PRIO_UNARY, self, '~', operator.invert)


def _add_binary(exp: str, priority: int, func: Any, name: str,
                right_associative: bool = False) -> None:
    def forward(self: Expr, other: Any) -> BinaryOperator:
        return BinaryOperator(priority, self, other, exp, func, right_associative)

    def reflected(self: Expr, other: Any) -> BinaryOperator:
        return BinaryOperator(priority, other, self, exp, func, right_associative)

    forward.__name__ = f'__{name}__'
    reflected.__name__ = f'__r{name}__'
    setattr(Expr, forward.__name__, forward)
    setattr(Expr, reflected.__name__, reflected)


for _exp, _prio, _func, _name in (
        ('+', _PRIO_ADD, operator.add, 'add'),
        ('-', _PRIO_ADD, operator.sub, 'sub'),
        ('*', _PRIO_MUL, operator.mul, 'mul'),
        ('/', _PRIO_MUL, operator.truediv, 'truediv'),
        ('//', _PRIO_MUL, operator.floordiv, 'floordiv'),
        ('%', _PRIO_MUL, operator.mod, 'mod'),
        ('<<', _PRIO_SHIFT, operator.lshift, 'lshift'),
        ('>>', _PRIO_SHIFT, operator.rshift, 'rshift'),
        ('&', _PRIO_AND, operator.and_, 'and'),
        ('^', _PRIO_XOR, operator.xor, 'xor'),
        ('|', _PRIO_OR, operator.or_, 'or'),
):
    _add_binary(_exp, _prio, _func, _name)
_add_binary('**', _PRIO_POW, operator.pow, 'pow', right_associative=True)
del _exp, _prio, _func, _name


class Atom(Expr):
    """An expression without sub-expressions."""

    __slots__ = ()

    def __init__(self) -> None:
        super().__init__(_PRIO_ATOM)


class Constant(Atom):
    """A literal value, printed like source code (``numpy.float32``, ``'f'``)."""

    __slots__ = ('value',)

    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value

    def __str__(self) -> str:
        return _repr(self.value)

    def eval(self) -> Any:
        return self.value


class Variable(Atom):
    """A named value; prints as its name."""

    __slots__ = ('value', 'name')

    def __init__(self, value: Any, name: str) -> None:
        super().__init__()
        self.value = value
        self.name = name

    def __str__(self) -> str:
        return self.name

    def eval(self) -> Any:
        return self.value


class GetAttr(Expr):
    """``obj.name``."""

    __slots__ = ('obj', 'name')

    def __init__(self, obj: Any, name: Any) -> None:
        super().__init__(_PRIO_ATOM)
        self.obj = obj
        self.name = name

    def __str__(self) -> str:
        name = self.name
        if isinstance(name, Constant) and isinstance(name.value, str):
            name = name.value
        if not isinstance(name, str):
            # Not an attribute name: written as the call (as Chainer prints it).
            return f'getattr({_repr(self.obj)}, {_repr(name)})'
        return f'{_wrapped(self.obj, self.priority)}.{name}'

    def eval(self) -> Any:
        return getattr(_eval_expr(self.obj), _eval_expr(self.name))


class GetItem(Expr):
    """``obj[key]`` (keys may be ints, slices, tuples or expressions)."""

    __slots__ = ('obj', 'key')

    def __init__(self, obj: Any, key: Any) -> None:
        super().__init__(_PRIO_ATOM)
        self.obj = obj
        self.key = key

    def __str__(self) -> str:
        obj = _wrapped(self.obj, self.priority)
        key = self.key
        if isinstance(key, tuple):
            text = ', '.join(_key_str(k) for k in key)
            if len(key) == 1:
                text += ','
        else:
            text = _key_str(key)
        return f'{obj}[{text}]'

    def eval(self) -> Any:
        return _eval_expr(self.obj)[_eval_expr(self.key)]


class Call(Expr):
    """``obj(*args)``."""

    __slots__ = ('obj', 'args')

    def __init__(self, obj: Any, args: Iterable[Any]) -> None:
        super().__init__(_PRIO_ATOM)
        self.obj = obj
        self.args = tuple(args)

    def __str__(self) -> str:
        obj = _wrapped(self.obj, self.priority)
        return f'{obj}(' + ', '.join(_repr(a) for a in self.args) + ')'

    def eval(self) -> Any:
        func = _eval_expr(self.obj)
        return func(*[_eval_expr(a) for a in self.args])


class UnaryOperator(Expr):
    """A prefix operator: ``-x``, ``+x`` or ``~x``."""

    __slots__ = ('term', 'exp', 'func')

    def __init__(self, priority: int, term: Any, exp: str, func: Any) -> None:
        super().__init__(priority)
        self.term = term
        self.exp = exp
        self.func = func

    def __str__(self) -> str:
        term = _repr(self.term)
        if _priority(self.term) < self.priority:
            term = f'({term})'
        elif self.exp in ('-', '+') and term.startswith(self.exp):
            # Avoid ``--x`` (fine in Python, but reads like a typo).
            term = f'({term})'
        return f'{self.exp}{term}'

    def eval(self) -> Any:
        return self.func(_eval_expr(self.term))


class BinaryOperator(Expr):
    """An infix operator such as ``a + b``; printing adds only needed parentheses."""

    __slots__ = ('lhs', 'rhs', 'exp', 'func', 'right_associative')

    def __init__(self, priority: int, lhs: Any, rhs: Any, exp: str, func: Any,
                 right_associative: bool = False) -> None:
        super().__init__(priority)
        self.lhs = lhs
        self.rhs = rhs
        self.exp = exp
        self.func = func
        self.right_associative = right_associative

    def __str__(self) -> str:
        prio = self.priority
        left = _repr(self.lhs)
        lp = _priority(self.lhs)
        if lp < prio or (lp == prio and (self.right_associative or prio == _PRIO_BOOL)):
            left = f'({left})'
        right = _repr(self.rhs)
        rp = _priority(self.rhs)
        # ``a ** -b`` is valid Python: a unary operand on the right of ``**``
        # needs no parentheses.
        pow_unary = self.exp == '**' and rp == _PRIO_UNARY
        if not pow_unary and (
                rp < prio or (rp == prio and (not self.right_associative
                                              or prio == _PRIO_BOOL))):
            right = f'({right})'
        return f'{left} {self.exp} {right}'

    def eval(self) -> Any:
        return self.func(_eval_expr(self.lhs), _eval_expr(self.rhs))


class Testable:
    """Something :func:`expect` can check: implements ``expect()``."""

    __slots__ = ()

    def expect(self) -> None:
        """Raises :class:`InvalidType` when the condition does not hold."""
        raise NotImplementedError


class BoolBinaryOperator(BinaryOperator, Testable):
    """A comparison; ``inv`` is the operator printed when it fails."""

    __slots__ = ('inv',)

    def __init__(self, lhs: Any, rhs: Any, exp: str, inv: str, func: Any) -> None:
        super().__init__(_PRIO_BOOL, lhs, rhs, exp, func)
        self.inv = inv

    def expect(self) -> None:
        left = _eval_expr(self.lhs)
        right = _eval_expr(self.rhs)
        ok = self.func(left, right)
        if type(ok) is numpy.ndarray and ok.size == 0:
            # A tuple against a NumPy scalar (x.shape[1:] == numpy.int64(3)) compares
            # elementwise; NumPy 1 took the empty result as False, NumPy 2 raises.
            ok = False
        if not ok:
            raise InvalidType(
                f'{_operand_str(self.lhs)} {self.exp} {_operand_str(self.rhs)}',
                f'{_operand_str(left)} {self.inv} {_operand_str(right)}')


class InvalidType(Exception):
    """Raised when the inputs of a function do not pass its type check."""

    def __init__(self, expect: Any, actual: Any, msg: str | None = None) -> None:
        if msg is None:
            msg = f'Expect: {expect}\nActual: {actual}'
            func = getattr(_thread_local, 'current_function', None)
            if func is not None:
                msg = (f'\nInvalid operation is performed in: {func.label} (Forward)'
                       f'\n\n{msg}')
        super().__init__(msg)
        self.expect = expect
        self.actual = actual

    def __reduce__(self) -> tuple:
        msg, = self.args
        return (type(self), (self.expect, self.actual, msg))


class _InvalidOutputSize(InvalidType, AssertionError, RuntimeError):
    """A convolution or pooling whose output would have a size below one: an
    ``InvalidType``, and the ``AssertionError`` Chainer raised (a ``RuntimeError``
    for the 2-d deconvolution)."""


class _InvalidPlain(InvalidType, AssertionError):
    """A plain (not an expression) condition that is false: an ``InvalidType``, and
    the ``AssertionError`` Chainer's ``assert isinstance(expr, Testable)`` raised."""


class _InvalidValue(InvalidType, ValueError):
    """A failed check where Chainer let NumPy raise a ``ValueError``."""


class _InvalidLength(InvalidType, ValueError, AssertionError):
    """A size argument with another number of values than the input has axes: the
    ``InvalidType`` of Chainer's check against it, the ``ValueError`` of its unpacking
    or the ``AssertionError`` of its ``as_tuple``, depending on the function."""


class _InvalidTypeError(InvalidType, TypeError):
    """A failed check where Chainer raised a ``TypeError`` (its own refusal after a
    type check that let the input through, or NumPy's)."""


class _InvalidAxis(InvalidType, numpy.exceptions.AxisError):
    """An axis out of range: an ``InvalidType``, and the ``AxisError`` (a
    ``ValueError`` and ``IndexError``) NumPy raised in Chainer."""


class _InvalidLinAlg(InvalidType, numpy.linalg.LinAlgError):
    """A matrix of a shape linear algebra refuses: an ``InvalidType``, and the
    ``LinAlgError`` NumPy raised in Chainer."""


@contextlib.contextmanager
def _failing_as(exc_type: type[InvalidType]) -> Iterator[None]:
    """Within this context, a failed :func:`expect` raises ``exc_type``, an
    ``InvalidType`` that is also the error Chainer raised there."""
    try:
        yield
    except InvalidType as e:
        if type(e) is not InvalidType:
            raise
        raise exc_type(e.expect, e.actual, str(e)) from None


@contextlib.contextmanager
def get_function_check_context(f: Any) -> Iterator[None]:
    """Within this context, :class:`InvalidType` messages name ``f.label``."""
    previous = getattr(_thread_local, 'current_function', None)
    _thread_local.current_function = f
    try:
        yield
    finally:
        _thread_local.current_function = previous


class LightMode:
    """Context manager switching type checks to plain-value light mode."""

    __slots__ = ()

    def __enter__(self) -> None:
        try:
            _thread_local.light_mode += 1
        except AttributeError:
            _thread_local.light_mode = 1

    def __exit__(self, exc_type: Any, exc_value: Any, traceback: Any) -> None:
        _thread_local.light_mode -= 1


light_mode = LightMode()


@contextlib.contextmanager
def _full_mode() -> Iterator[None]:
    """Within this context checks build full expressions, even inside ``light_mode``."""
    previous = getattr(_thread_local, 'light_mode', 0)
    _thread_local.light_mode = 0
    try:
        yield
    finally:
        _thread_local.light_mode = previous


def in_light_mode() -> bool:
    """Whether type checks currently run in light mode."""
    try:
        return _thread_local.light_mode > 0
    except AttributeError:
        # Attribute-miss is slow; set it once per thread.
        _thread_local.light_mode = 0
        return False


def _is_array_like(x: Any) -> bool:
    return hasattr(x, 'shape') and hasattr(x, 'dtype')


def _get_type(name: str, index: int, array: Any, accept_none: bool,
              shape: tuple | None) -> Variable:
    var = f'{name}[{index}]'
    if accept_none and array is None:
        return Variable(TypeInfo((), None), var)
    if not _is_array_like(array):
        raise TypeError(
            f'{var} must be an array, not {type(array).__name__}')
    if shape is None:
        shape = array.shape
    return Variable(TypeInfo(tuple(shape), array.dtype), var)


def _check_data(data: Any, shapes: Any) -> None:
    if not isinstance(data, tuple):
        raise _TypeAssertionError(f'data must be a tuple, not {type(data).__name__}')
    if shapes is not None and len(shapes) != len(data):
        raise ValueError(
            f'shapes has {len(shapes)} entries but data has {len(data)}')


class _Label:
    """Stands for a node in :func:`get_function_check_context` (only ``label`` is read)."""

    __slots__ = ('label',)

    def __init__(self, label: str) -> None:
        self.label = label


@contextlib.contextmanager
def _checking(label: str, arrays: tuple, names: tuple) -> Iterator[TypeInfoTuple]:
    """The full-mode types of ``arrays`` (unnamed: messages read ``in_types[i]``, as
    Chainer's checks did; ``names`` name a missing input), for a check that a composed
    function runs before applying its parts: within this context a failed
    :func:`expect` (or an :class:`InvalidType` raised) names ``label``, the node
    Chainer's function checked its inputs in. An input that is neither a Variable,
    an array nor None raises the ``TypeError`` :meth:`FunctionNode.apply` raises."""
    from chainer import function_node  # (which imports this module)
    node = _Label(label)
    for a in arrays:
        if a is not None and not isinstance(a, (function_node.Variable,
                                                *function_node._ARRAY_TYPES)):
            function_node._input_variable(a, node)
    arrays = tuple(getattr(a, 'array', a) for a in arrays)  # Variables give their data
    for a, name in zip(arrays, names):
        if a is None:
            # The type of Chainer's error: its quick check read the missing data's dtype.
            raise _none_input_error(f'{name} of {label}')
    types = get_types(arrays, 'in_types', False)
    with _full_mode(), get_function_check_context(node):
        yield types


def get_types(data: tuple, name: str, accept_none: bool, *,
              shapes: tuple | None = None) -> TypeInfoTuple:
    """Full-mode type information: a tuple of :class:`Variable` named ``name[i]``."""
    _check_data(data, shapes)
    if shapes is None:
        shapes = (None,) * len(data)
    info = TypeInfoTuple(
        _get_type(name, i, x, accept_none, s)
        for i, (x, s) in enumerate(zip(data, shapes)))
    info._set_name(name)
    return info


def get_light_types(data: tuple, *, shapes: tuple | None = None) -> LightTypeInfoTuple:
    """Light-mode type information: the arrays themselves (cheap)."""
    if shapes is None:
        if not isinstance(data, tuple):
            raise _TypeAssertionError(f'data must be a tuple, not {type(data).__name__}')
        return LightTypeInfoTuple(data)
    _check_data(data, shapes)
    return LightTypeInfoTuple(
        TypeInfo(tuple(s), x.dtype) for x, s in zip(data, shapes))


def _argname(in_types: tuple, names: tuple) -> None:
    """Gives the input types user-friendly names (``x``, ``W`` ...)."""
    if len(in_types) != len(names):
        raise InvalidType(
            f'{len(names)} argument(s)',
            f'{len(in_types)} argument(s)',
            'Invalid number of arguments')
    for in_type, name in zip(in_types, names):
        if isinstance(in_type, Variable):
            in_type.name = name


argname = _argname


def _expect_float(in_types: tuple, name: str | None = 'x', ndim: int | None = None,
                  min_ndim: int | None = None) -> None:
    """The check of a function of one floating-point input named ``name`` (of ``ndim``
    dimensions, or at least ``min_ndim``, where given); with ``name=None`` the input
    keeps its unnamed form ``in_types[0]`` (after ``in_types.size() == 1``)."""
    if name is None:
        expect(in_types.size() == 1)
    else:
        _argname(in_types, (name,))
    t = in_types[0]
    if ndim is not None:
        expect(t.dtype.kind == 'f', t.ndim == ndim)
    elif min_ndim is not None:
        expect(t.dtype.kind == 'f', t.ndim >= min_ndim)
    else:
        expect(t.dtype.kind == 'f')


def _expect_x_w_b(in_types: Any, named: bool = True) -> tuple:
    """Names the inputs ``(x, W)`` or ``(x, W, b)`` of a layer function (two or three of
    them; with ``named=False`` they stay ``in_types[i]``, as in Chainer's convolutions)
    and returns their types, ``b``'s as None where there is none."""
    n_in = in_types.size()
    expect(2 <= n_in, n_in <= 3)
    n_in = eval(n_in)
    if named:
        _argname(in_types, ('x', 'W', 'b')[:n_in])
    return in_types[0], in_types[1], in_types[2] if n_in == 3 else None


def _expect_float_pair(in_types: tuple, names: tuple, same_shape: bool = False) -> None:
    """The check of a function of two floating-point inputs of one dtype, named
    ``names``, whose shapes broadcast (or are equal, with ``same_shape``)."""
    _argname(in_types, names)
    first, second = in_types
    if same_shape:
        expect(first.dtype.kind == 'f', first.dtype == second.dtype,
               first.shape == second.shape)
    else:
        expect(first.dtype.kind == 'f', first.dtype == second.dtype)
        expect_broadcast_shapes(first.shape, second.shape)


def _is_int(v: Any, zero_d: bool = False) -> bool:
    """Whether an argument ``v`` is a Python or NumPy integer (a bool is not), or, with
    ``zero_d``, a 0-d integer NumPy array."""
    if zero_d and isinstance(v, numpy.ndarray):
        return v.ndim == 0 and v.dtype.kind in 'iu'
    return isinstance(v, (int, numpy.integer)) and not isinstance(v, bool)


def _int_tuple(value: Any) -> tuple | None:
    """An argument ``value`` (an integer, a 0-d or 1-d integer NumPy array, or a tuple or
    list of integers or 0-d ones) as a tuple of ints; None for anything else."""
    if isinstance(value, numpy.ndarray) and value.ndim == 1 and value.dtype.kind in 'iu':
        return tuple(int(v) for v in value)
    if _is_int(value, zero_d=True):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(_is_int(v, zero_d=True) for v in value):
        return tuple(int(v) for v in value)
    return None


def _expect_axes(x_type: Any, *axes: int, negative: str = '>') -> None:
    """Expects each of ``axes`` (a negative one counts from the end) to be an axis of
    ``x_type``: ``x.ndim > axis``; a negative one in the form Chainer's function wrote:
    ``x.ndim > -axis - 1`` (``negative='>'``, the reductions, cumulations, rollaxis
    and moveaxis), ``x.ndim >= -axis`` (``'>='``) or ``-x.ndim <= axis`` (``'-'``)."""
    for axis in axes:
        if axis >= 0:
            expect(x_type.ndim > axis)
        elif negative == '>':
            expect(x_type.ndim > -axis - 1)
        elif negative == '>=':
            expect(x_type.ndim >= -axis)
        else:
            expect(-x_type.ndim <= axis)


def _invalid_plain(value: Any) -> InvalidType:
    return _InvalidPlain('True', _operand_str(value))


def expect(*bool_exprs: Any) -> None:
    """Checks every condition; raises :class:`InvalidType` on the first failure."""
    try:
        light = _thread_local.light_mode > 0
    except AttributeError:
        light = in_light_mode()
    if light:
        if not all(bool_exprs):
            raise InvalidType('', '')
        return
    for expr in bool_exprs:
        if isinstance(expr, Testable):
            expr.expect()
        elif isinstance(expr, Expr):
            # Chainer asserted that each condition is testable.
            raise _TypeAssertionError(
                f'expect() needs a comparison, got the expression {expr}')
        elif not expr:
            # A plain (already evaluated) condition, e.g. from same_types.
            raise _invalid_plain(expr)


def eval(exp: Any) -> Any:
    """The plain value of an expression (plain values are returned as they are)."""
    if in_light_mode():
        return exp
    return _eval_expr(exp)


def make_variable(value: Any, name: str) -> Any:
    """Wraps ``value`` as a named :class:`Variable` (the value itself in light mode)."""
    if in_light_mode():
        return value
    return Variable(value, name)


def _prod_impl(xs: Iterable[Any]) -> Any:
    result = 1
    for x in xs:
        result *= x
    return result


_prod = Variable(_prod_impl, 'prod')


def prod(xs: Any) -> Any:
    """Product of ``xs`` (1 when empty).

    In full mode the result is the expression ``prod(...)`` (printed in
    messages, evaluated by :func:`expect`), as in Chainer; in light mode it is
    the number.
    """
    if in_light_mode():
        return _prod_impl(_eval_expr(xs))
    return _prod(xs)


def _array_kind(x: Any) -> str | None:
    if isinstance(x, numpy.ndarray):
        return 'numpy'
    root = type(x).__module__.split('.', 1)[0]
    if root in ('cupy', 'cupy_backends', 'chainerx') and _is_array_like(x):
        return root if root != 'cupy_backends' else 'cupy'
    return None


def same_types(*arrays: Any) -> bool:
    """Whether the arrays are all NumPy arrays or all CuPy arrays (a plain bool,
    False where anything else is among them)."""
    kinds = {_array_kind(x) for x in arrays}
    return len(kinds) <= 1 and None not in kinds


def _broadcastable(shapes: list) -> bool:
    ndim = max(len(s) for s in shapes)
    for i in range(1, ndim + 1):
        size = 1
        for s in shapes:
            if i <= len(s):
                d = s[-i]
                if d != 1:
                    if size == 1:
                        size = d
                    elif d != size:
                        return False
    return True


def expect_broadcast_shapes(*shape_types: Any) -> None:
    """Checks that the shapes (expressions or tuples) can be broadcast together."""
    if len(shape_types) == 2 and type(shape_types[0]) is tuple \
            and shape_types[0] == shape_types[1]:
        return  # equal plain shapes (light mode): nothing to check
    shapes = []
    for shape_type in shape_types:
        shape = shape_type if type(shape_type) is tuple else _eval_expr(shape_type)
        if not isinstance(shape, (tuple, list)):
            raise TypeError(
                f'expect_broadcast_shapes takes shapes, got {type(shape).__name__}')
        shapes.append(tuple(shape))
    if shapes and not _broadcastable(shapes):
        lines = ['cannot broadcast inputs of the following shapes:']
        lines += [f'{t} = {s}' for t, s in zip(shape_types, shapes)]
        raise InvalidType(
            'broadcastable shapes', ', '.join(str(s) for s in shapes),
            msg='\n'.join(lines))
