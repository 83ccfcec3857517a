"""Variables: arrays that remember how they were computed."""
from __future__ import annotations

import contextlib
import warnings
import weakref
from typing import TYPE_CHECKING, Any, Optional

import numpy

import chainer
from chainer import backend
from chainer import initializers
from chainer.backends import cuda
from chainer.configuration import using_config
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils.error import _numpy1_printing, _ValueAssertionError, _ValueTypeError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.function import Function
    from chainer.function_node import FunctionNode
    from chainer.types import (CudaDeviceSpec, DeviceSpec, InitializerSpec, NdArray, ShapeSpec,
                               VariableOrArray)

# Import convention of the core: a module imports the modules below it at the top
# (configuration, backends, backend < variable < _backprop < function_node <
# function); a module that needs a name from a module above it, which imports it,
# looks the name up at call time through the package (``chainer.function.Function``).


_ARRAY_TYPES = backend.get_array_types()
_object_new = object.__new__


class _UnsupportedOperation(TypeError, NotImplementedError):
    """Raised for operations a Variable does not define (comparison, truth value).

    It is Chainer's ``TypeError``, and also a ``NotImplementedError``.
    """


def _refused_comparison(op: str):
    """The method ``Variable.__<op>__``: comparing Variables is undefined."""
    def compare(self, other):
        raise _UnsupportedOperation(  # Chainer's text
            f'Variables do not support {op} operator. '
            'You could use `array` attribute instead.')
    return compare


_NUMPY2_PROMOTION_HINT = (
    '\nA likely cause under NumPy 2: a float32 (or float16) array combined with a NumPy '
    'float64 scalar (np.float64(c), np.sqrt(2), a reduction of a float64 array) is '
    'float64, where NumPy 1 kept the array\'s dtype. Cast such constants to the '
    "array's dtype (x.dtype.type(c)) or use Python floats.")


def _grad_error_detail(func) -> str:
    if func is None:
        return ''
    return (f'Function `{func._impl_name}` ({func.label}) returned a wrong '
            'gradient from backward.\n')


def _raise_grad_error(exc_type, what, grad, data, func, hint: str = '') -> None:
    raise exc_type(f'{_grad_error_detail(func)}{what} of data and grad mismatch\n'
                   f'grad: {grad} != data: {data}{hint}')


def _raise_invalid_grad_type(func, gx) -> None:
    # Chainer's message for a gradient that is no array at all (a list, a scalar).
    raise TypeError(f'{_grad_error_detail(func)}Type of grad is invalid:\n'
                    f'Expected: Any of {_ARRAY_TYPES}\nActual: {type(gx)}')


def _check_grad_type(func, x, gx) -> None:
    """Checks that ``gx`` can be the gradient of ``x`` (a Variable or VariableNode)."""
    is_node = isinstance(x, VariableNode)
    x_data = x.data if is_node else x._data
    if x_data is not None:
        if not isinstance(gx, type(x_data)) and not isinstance(x_data, type(gx)):
            if not isinstance(gx, _ARRAY_TYPES):
                _raise_invalid_grad_type(func, gx)
            _raise_grad_error(TypeError, 'Type', type(gx), type(x_data), func)
        x_dtype, x_shape = x_data.dtype, x_data.shape
    else:
        if not isinstance(gx, _ARRAY_TYPES):
            _raise_invalid_grad_type(func, gx)
        if not is_node:
            return  # an uninitialised variable accepts any gradient array
        x_dtype, x_shape = x.dtype, x.shape
        if x_dtype is None:
            return
    if gx.dtype != x_dtype:
        promoted = (func is not None and gx.dtype == numpy.float64
                    and x_dtype in (numpy.float32, numpy.float16))
        _raise_grad_error(TypeError, 'Dtype', gx.dtype, x_dtype, func,
                          _NUMPY2_PROMOTION_HINT if promoted else '')
    if gx.shape != x_shape:
        _raise_grad_error(ValueError, 'Shape', gx.shape, x_shape, func)


class _Gone:
    pass


# A reference whose variable is already gone (the nodes of bare-array inputs).
_GONE = weakref.ref(_Gone())


class VariableNode:
    """The node of a variable in the computational graph.

    A node outlives its :class:`Variable` when a function retained it, and keeps
    the array only when :meth:`retain_data` was called.
    """

    # ``__dict__``: user code and tools attach their own attributes to nodes, as
    # Chainer's slot-less class allowed; the hot attributes stay in slots.
    __slots__ = ('_variable', '_creator_node', 'data', 'name', 'rank', '_requires_grad',
                 'dtype', 'shape', '_old_style_grad_generator', '__weakref__', '__dict__')

    def __init__(self, variable: 'Variable', name: Optional[str], **kwargs: Any) -> None:
        if kwargs:
            argument.check_unexpected_kwargs(
                kwargs, grad='unexpected keyword argument "grad": pass the gradient '
                             'to the Variable instead')
            argument.assert_kwargs_empty(kwargs)
        arr = variable._data
        self._init(variable, name, None, 0, None if arr is None else arr.dtype,
                   None if arr is None else arr.shape)

    def _init(self, variable: Optional['Variable'], name: Optional[str], creator, rank: int,
              dtype, shape) -> None:
        """Sets every slot: the one place that lists them (see FunctionNode.apply).

        ``variable`` None makes the node of a bare array passed to a function: its
        variable is gone from the start (:meth:`get_variable` recreates one).
        """
        if variable is None:
            self._variable = _GONE
            self._requires_grad = False
        else:
            self._variable = weakref.ref(variable)
            self._requires_grad = variable._requires_grad
        self._creator_node = creator
        self.data = None
        self.name = name
        self.rank = rank
        self.dtype = dtype
        self.shape = shape
        self._old_style_grad_generator = None

    @property
    def creator(self):
        """The old-style Function (or FunctionNode) that created this node."""
        node = self._creator_node
        if node is None:
            return None
        if isinstance(node, chainer.function.FunctionAdapter):
            return node.function
        return node

    @creator.setter
    def creator(self, func) -> None:
        self.creator_node = func

    @property
    def creator_node(self):
        """The :class:`FunctionNode` that created this node, or None for a leaf."""
        return self._creator_node

    @creator_node.setter
    def creator_node(self, func) -> None:
        if isinstance(func, chainer.function.Function):
            func = func.node
        self._creator_node = func
        if func is not None:
            self.rank = func.rank + 1

    @property
    def _rank(self) -> int:
        # Chainer's attribute name for the rank, read by tools walking the graph.
        return self.rank

    @_rank.setter
    def _rank(self, rank: int) -> None:
        self.rank = rank

    @property
    def grad(self):
        var = self.get_variable_or_none()
        return None if var is None else var.grad

    @property
    def grad_var(self):
        var = self.get_variable_or_none()
        return None if var is None else var.grad_var

    @property
    def label(self) -> str:
        return _shape_dtype_label(self.shape, self.dtype)

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    def get_variable(self) -> 'Variable':
        """The variable of this node, recreated from retained data if it is gone."""
        var = self._variable()
        if var is not None:
            return var
        var = Variable._new(self.data, self._requires_grad)
        var._node = self
        return var

    def get_variable_or_none(self) -> Optional['Variable']:
        return self._variable()

    def set_creator(self, creator: Function | FunctionNode | None) -> None:
        self.creator = creator

    def set_creator_node(self, creator_node: FunctionNode | None) -> None:
        self.creator_node = creator_node

    def unchain(self) -> None:
        self._creator_node = None

    def retain_data(self) -> None:
        var = self._variable()
        if var is None:
            raise RuntimeError('cannot retain the data of a variable that no longer exists')
        self.data = var._data

    def _set_data_type(self, data) -> None:
        if data is None:
            self.dtype = None
            self.shape = None
        else:
            self.dtype = data.dtype
            self.shape = data.shape

    def _check_old_style_gradient(self) -> None:
        if self._old_style_grad_generator is not None:
            raise _old_style_gradient_error(self._old_style_grad_generator)


def _old_style_gradient_error(label: str) -> RuntimeError:
    """Chainer's error on backprop through a gradient an old-style Function gave."""
    return RuntimeError(
        f'cannot twice-differentiate an old-style Function "{label}": its backward '
        'works on arrays. Rewrite it as a chainer.FunctionNode to differentiate it again.')


def _shape_dtype_label(shape, dtype) -> str:
    if shape is None:
        return 'None'
    if len(shape) == 0:
        return str(dtype)
    return f'({", ".join(map(str, shape))}), {dtype}'


def _to_cpu(array):
    if array is None or isinstance(array, numpy.ndarray):
        return array
    return cuda.to_cpu(array)


def _array_text(arr: numpy.ndarray, separator: str, prefix: str) -> str:
    """``numpy.array2string`` as Chainer printed under NumPy 1, which also ignored the
    ``sign`` print option for integer arrays (NumPy 2 prints ``[+0, +5]``)."""
    sign = '-' if arr.dtype.kind in 'iu' else None
    formatter = _numpy1_scientific(arr)
    with _numpy1_printing():
        return numpy.array2string(arr, separator=separator, prefix=prefix, sign=sign,
                                  formatter=formatter)


_F32_1E_4 = numpy.float32(1e-4)


def _numpy1_scientific(arr: numpy.ndarray) -> dict | None:
    """The formatter of a float32 array that NumPy 1 printed in scientific notation
    and NumPy 2 does not, else None.

    Both switch when the smallest nonzero magnitude is below 1e-4, but NumPy 1
    compared in float64 and NumPy 2 compares in float32, where ``float32(1e-4)``
    (9.99999975e-05) is not below it: ``[1e-4, 0.05]`` printed as ``[1.e-04,
    5.e-02]`` in Chainer and as ``[0.0001, 0.05  ]`` (``[+0., +0.05]`` at precision
    3) in NumPy 2. The formatter lays the numbers out as NumPy's scientific
    notation does: the digits each needs, the longest fraction and exponent for all.
    """
    opts = numpy.get_printoptions()
    if arr.dtype != numpy.float32 or opts['suppress'] or opts['legacy'] is not False \
            or opts['formatter']:
        return None
    data = arr
    if arr.size > opts['threshold']:  # NumPy lays out only the elements it shows
        k = opts['edgeitems']
        for axis, n in enumerate(arr.shape):
            if n > 2 * k:
                data = numpy.concatenate(
                    (data.take(range(k), axis), data.take(range(n - k, n), axis)), axis)
    finite = data[numpy.isfinite(data)]
    magnitudes = numpy.abs(finite[finite != 0])
    if not magnitudes.size or magnitudes.min() != _F32_1E_4:
        return None
    with numpy.errstate(over='ignore'):
        if magnitudes.max() >= 1e8 or magnitudes.max() / _F32_1E_4 > 1000:
            return None  # scientific in NumPy 2 too
    fixed = opts['floatmode'] == 'fixed'
    precision = None if opts['floatmode'] == 'unique' else opts['precision']
    plus = opts['sign'] == '+'
    parts = [numpy.format_float_scientific(x, precision=precision, unique=not fixed,
                                           trim='k' if fixed else '.', sign=plus)
             for x in finite]
    mantissas, exponents = zip(*(p.split('e') for p in parts))
    exp_digits = max(len(e) for e in exponents) - 1
    digits = max(len(m.split('.')[1]) for m in mantissas)
    pad_left = max(len(m.split('.')[0]) for m in mantissas)
    if opts['sign'] == ' ' and not numpy.signbit(finite).any():
        pad_left += 1
    width = pad_left + exp_digits + digits + 3  # '.', 'e' and the exponent's sign
    if finite.size != data.size:
        nan_width = len(opts['nanstr']) + plus
        negative = opts['sign'] != '-' or (data[numpy.isinf(data)] < 0).any()
        pad_left += max(0, nan_width - width, len(opts['infstr']) + negative - width)
        width = max(width, nan_width, len(opts['infstr']) + negative)

    def text(x) -> str:
        if numpy.isnan(x):
            return (('+' if plus else '') + opts['nanstr']).rjust(width)
        if numpy.isinf(x):
            sign = '-' if x < 0 else '+' if plus else ''
            return (sign + opts['infstr']).rjust(width)
        return numpy.format_float_scientific(
            x, precision=digits, min_digits=digits, unique=not fixed, trim='k', sign=plus,
            pad_left=pad_left, exp_digits=exp_digits)
    return {'float_kind': text}


def variable_repr(var: 'Variable') -> str:
    """``repr`` of a variable, e.g. ``variable([1., 2.])``."""
    arr = _to_cpu(var.array)
    prefix = f'variable {var.name}' if var.name else 'variable'
    if arr is None:
        body = 'None'
    elif arr.size > 0 or arr.shape == (0,):
        body = _array_text(arr, ', ', prefix + '(')
    else:
        body = f'[], shape={arr.shape!r}'
    return f'{prefix}({body})'


def variable_str(var: 'Variable') -> str:
    """``str`` of a variable, e.g. ``variable([1. 2.])``."""
    arr = _to_cpu(var.array)
    prefix = f'variable {var.name}' if var.name else 'variable'
    if arr is None:
        body = 'None'
    else:
        body = _array_text(arr, ' ', prefix + '(')
    return f'{prefix}({body})'


# Chainer's memory layouts (cuDNN's channel-last arrays) are refused, as the README says.
_LAYOUT_MESSAGE = ('memory layouts are not supported by rechainer: arrays are kept in the '
                   'standard (channel-first) layout, so only layout=None is accepted')


class Variable:
    """An array with a gradient and a link to the function that computed it.

    Args:
        data: A NumPy or CuPy array, or None.
        name: Name of the variable.
        grad: Initial gradient array.
        requires_grad: Whether backprop computes a gradient for this variable.
    """

    # ``__dict__``: user code attaches its own attributes, as Chainer allowed.
    __slots__ = ('_data', '_node', '_grad_var', '_requires_grad', '_loss_scale', '__weakref__',
                 '__dict__')

    # Ensure ``ndarray op Variable`` dispatches to the Variable's reflected operator.
    __array_priority__ = 200

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        name = kwargs.pop('name', None)
        grad = kwargs.pop('grad', None)
        requires_grad = kwargs.pop('requires_grad', True)
        if kwargs.pop('layout', None) is not None:
            raise ValueError(_LAYOUT_MESSAGE)
        if 'volatile' in kwargs:
            raise ValueError(
                'volatile argument is not supported anymore. Use chainer.using_config')
        argument.assert_kwargs_empty(kwargs)
        if data is not None and not isinstance(data, _ARRAY_TYPES):
            raise TypeError(
                'Variable accepts numpy.ndarray, cupy.ndarray or None as its data, '
                f'got {type(data).__module__}.{type(data).__qualname__}')
        if not isinstance(requires_grad, (bool, numpy.bool_)):
            raise _ValueAssertionError(
                f'requires_grad must be a bool, got {type(requires_grad).__name__}')
        self._init(data, bool(requires_grad))
        self._node = VariableNode(self, name)
        if grad is not None:
            self.grad = grad

    def _init(self, data, requires_grad: bool) -> None:
        """Sets every slot, without a node: the one place that lists them."""
        self._data = data
        self._requires_grad = requires_grad
        self._grad_var = None
        self._loss_scale = None
        self._node = None

    @staticmethod
    def _new(data, requires_grad: bool) -> 'Variable':
        """Creates a variable without checks (gradients, wrapped arrays)."""
        v = _object_new(Variable)
        v._init(data, requires_grad)
        return v

    @staticmethod
    def _init_unchecked(data=None, name=None, grad=None, requires_grad: bool = True,
                        is_chainerx_array=None, node=None, layout=None) -> 'Variable':
        """Chainer's unchecked constructor (kept for code that calls it)."""
        if layout is not None:
            raise ValueError(_LAYOUT_MESSAGE)
        v = Variable._new(data, requires_grad)
        if name is not None:
            v.name = name
        if grad is not None:
            v.grad = grad
        if node is not None:
            v._node = node
        return v

    @property
    def _has_chainerx_array(self) -> bool:
        # No ChainerX here: data is always a NumPy or CuPy array (or None).
        return False

    # -- representation ------------------------------------------------------

    def __repr__(self) -> str:
        return variable_repr(self)

    def __str__(self) -> str:
        return variable_str(self)

    def summary(self) -> str:
        """A short identification of the variable (its name or address)."""
        if self.name:
            return f'<variable {self.name}>'
        return '<variable at 0x%x>' % id(self)

    def debug_print(self) -> str:
        """A multi-line description with statistics, for debugging."""
        data = self._data
        stats = 'mean={0:.8f}, std={1:.8f}'
        if data is None:
            device = backend_type = shape = dtype = stat = None
        else:
            xp = backend.get_array_module(data)
            # Chainer printed ``array.device`` and 'CPU' for NumPy arrays.
            device = 'CPU' if xp is numpy else data.device
            backend_type = type(data)
            shape, dtype = data.shape, data.dtype
            stat = self._stats(xp, data, stats)
        grad = self.grad
        if grad is not None:
            xp = backend.get_array_module(grad)
            grad = 0 if bool(xp.all(grad == 0)) else self._stats(xp, grad, stats)
        return (f'{self.summary()}\n- device: {device}\n- backend: {backend_type}\n'
                f'- shape: {shape}\n- dtype: {dtype}\n- statistics: {stat}\n- grad: {grad}')

    @staticmethod
    def _stats(xp, a, fmt: str) -> str:
        if a.size == 0:
            return fmt.format(float('nan'), float('nan'))
        return fmt.format(float(xp.mean(a)), float(xp.std(a)))

    # -- data ----------------------------------------------------------------

    @property
    def node(self) -> VariableNode:
        node = self._node
        if node is None:
            node = self._node = VariableNode(self, None)
        return node

    @property
    def array(self):
        """The underlying array."""
        return self._data

    def __dlpack__(self, **kwargs: Any) -> Any:
        """DLPack export of :attr:`array` (``torch.from_dlpack(variable)`` shares memory).

        Keyword arguments (``stream``, ``max_version``, ...) go to the array's own
        ``__dlpack__``. The graph is not exported: the consumer sees the data only.
        """
        if self._data is None:
            raise RuntimeError('the Variable holds no array to export through DLPack')
        return self._data.__dlpack__(**kwargs)

    def __dlpack_device__(self) -> tuple:
        """``(device type, device id)`` of :attr:`array` (DLPack protocol)."""
        if self._data is None:
            raise RuntimeError('the Variable holds no array to export through DLPack')
        return self._data.__dlpack_device__()

    @array.setter
    def array(self, d) -> None:
        _set_array(self, d)
        group = self.__dict__.get('_share_group')
        if group is not None:  # shallow copies hold the same array slot (_share_array)
            for ref in group:
                peer = ref()
                if peer is not None and peer is not self:
                    _set_array(peer, d)

    data = array

    @property
    def raw_array(self):
        return self._data

    @property
    def chx_array(self):
        raise RuntimeError('ChainerX is not available in rechainer')

    @property
    def name(self) -> Optional[str]:
        node = self._node
        return None if node is None else node.name

    @name.setter
    def name(self, n: Optional[str]) -> None:
        self.node.name = n

    @property
    def label(self) -> str:
        """Short text with shape and dtype, used in computational graphs."""
        d = self._data
        if d is None:
            return 'None'
        return _shape_dtype_label(d.shape, d.dtype)

    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def dtype(self):
        return self._data.dtype

    def __len__(self) -> int:
        if self._data is None:
            raise TypeError('len() of a variable without data')
        shape = self._data.shape
        if not shape:
            raise TypeError('len() of unsized object')
        return shape[0]

    @property
    def xp(self):
        """The array module (numpy or cupy) of the data."""
        d = self._data
        if d is None or isinstance(d, numpy.ndarray):
            return numpy
        return backend.get_array_module(d)

    @property
    def device(self):
        """The :class:`chainer.backend.Device` the data lives on: the device given to
        :meth:`to_device` (which may be a user's own Device) while the array stays
        where it sent it, else the device of the array."""
        d = self._data
        if d is None:
            return _given_device(self, None) if _devices_given else backend.CpuDevice()
        natural = backend.get_device_from_array(d)
        return _given_device(self, natural) if _devices_given else natural

    @property
    def layout(self):
        return None

    def as_layout(self, layout: None) -> Variable:
        if layout is not None:
            raise ValueError(_LAYOUT_MESSAGE)
        return self

    def item(self) -> Any:
        """The single element of the data as a Python scalar."""
        return self._data.item()

    @property
    def T(self) -> 'Variable':
        return chainer.functions.transpose(self)

    def reshape(self, *shape: int | Sequence[int]) -> 'Variable':
        """Differentiable reshape (``F.reshape``)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = shape[0]
        return chainer.functions.reshape(self, shape)

    def transpose(self, *axes: int | Sequence[int] | None) -> 'Variable':
        """Differentiable transpose (``F.transpose``)."""
        if len(axes) == 0:
            axes = None
        elif len(axes) == 1 and (isinstance(axes[0], (tuple, list)) or axes[0] is None):
            axes = axes[0]
        return chainer.functions.transpose(self, axes)

    def mean(self, axis: int | Sequence[int] | None = None, *,
             weights: VariableOrArray | None = None, keepdims: bool = False) -> 'Variable':
        """Differentiable (weighted) mean (``F.average``)."""
        return chainer.functions.average(self, axis=axis, weights=weights, keepdims=keepdims)

    # -- gradient ------------------------------------------------------------

    @property
    def grad(self):
        """The gradient array (None when not computed)."""
        gv = self._grad_var
        return None if gv is None else gv._data

    @grad.setter
    def grad(self, g) -> None:
        if g is not None:
            _check_grad_type(None, self, g)
            g = Variable._new(g, True)
        _replace_grad_var(self, g)

    @property
    def grad_var(self) -> Optional['Variable']:
        """The gradient as a Variable (with a graph after double backprop)."""
        return self._grad_var

    @grad_var.setter
    def grad_var(self, g: Optional['Variable']) -> None:
        if g is not None:
            if not isinstance(g, Variable):
                raise TypeError(f'grad_var must be a Variable or None, got {type(g).__name__}')
            _check_grad_type(None, self, g._data)
        _replace_grad_var(self, g)

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    def cleargrad(self) -> None:
        """Sets the gradient to None."""
        _replace_grad_var(self, None)

    def zerograd(self) -> None:
        """Fills the gradient with zeros (allocating it if needed). Deprecated in Chainer."""
        warnings.warn('Variable.zerograd is deprecated. Use Variable.cleargrad instead.',
                      DeprecationWarning)
        if self._data is None:
            return
        gv = self._grad_var
        if gv is None:
            xp = self.xp
            with backend.using_device(self.device) if xp is not numpy else contextlib.nullcontext():
                self._grad_var = Variable._new(xp.zeros_like(self._data), True)
        else:
            gv.unchain()
            gv._data.fill(0)
            if gv._loss_scale is not None:
                _unscaled_grad_replaced(self, gv, None)

    def addgrad(self, var: 'Variable') -> None:
        """Adds ``var``'s gradient to this variable's, copying across devices."""
        if not isinstance(var, Variable):
            raise TypeError(f'addgrad expects a Variable, got {type(var).__name__}')
        if not getattr(var, '_grad_valid', True):
            # Reading a lazy parameter's gradient is an error, here as in Chainer.
            raise _lazy_grad_error()
        src = var._grad_var
        if src is None:
            return
        dst_var = self._grad_var
        dst = None if dst_var is None else dst_var._data
        if self._data is None and hasattr(self, 'initialize'):
            # An uninitialized Parameter takes the shape of the source (as in
            # Chainer) and its gradient becomes the source's (Chainer's became nan).
            self.initialize(var.shape)
            dst = self.device.xp.zeros_like(self._data)
            dst_var = None
        if self._data is None:
            raise RuntimeError('cannot add a gradient to a variable whose data is None')
        dst_device = self.device
        if chainer.config.enable_backprop and (
                src.creator is not None or (dst_var is not None and dst_var.creator is not None)):
            # Gradients with a graph (from double backprop) are added as Variables, so
            # the sum can be differentiated again, as in Chainer.
            if backend.get_device_from_array(src._data) != dst_device:
                src = chainer.functions.copy(src, dst_device)
            self.grad_var = src if dst_var is None else src + dst_var
            return
        g = src._data
        if backend.get_device_from_array(g) != dst_device:
            g = dst_device.send(g)
        if dst is None:
            _check_grad_type(None, self, g)
            g = g.copy()
        elif g.dtype != dst.dtype or g.shape != dst.shape:
            # As in Chainer, the gradients are added as Variables, whose type check
            # rejects another dtype and shapes that do not broadcast; the sum must
            # still fit this variable.
            with chainer.no_backprop_mode():
                g = (Variable._new(g, True) + Variable._new(dst, True))._data
            _check_grad_type(None, self, g)
        else:
            g = dst + g
            if type(g) is not numpy.ndarray and isinstance(g, numpy.generic):
                g = numpy.asarray(g)
        self._grad_var = Variable._new(g, True)

    def copydata(self, var: 'Variable') -> None:
        """Copies ``var``'s data into this variable's array (across devices)."""
        src = var._data
        dst = self._data
        # As in Chainer, an uninitialised Parameter on either side is initialised
        # first, and copying between two uninitialised ones does nothing.
        if src is None:
            if dst is None:
                return
            if not isinstance(var, Parameter):
                raise ValueError('cannot copy from a variable whose data is None')
            var.initialize(dst.shape)
            src = var._data
        elif dst is None:
            if not isinstance(self, Parameter):
                self.array = backend.get_device_from_array(src).send(src).copy()
                return
            self.initialize(src.shape)
            dst = self._data
        # Broadcasts as numpy.copyto, as in Chainer (ValueError when it cannot).
        backend.copyto(dst, src)

    def set_creator(self, gen_func: Function | FunctionNode | None) -> None:
        self.node.set_creator(gen_func)

    def set_creator_node(self, fnode: FunctionNode | None) -> None:
        self.node.set_creator_node(fnode)

    @property
    def creator(self):
        """The old-style Function or FunctionNode that created this variable."""
        node = self._node
        return None if node is None else node.creator

    @creator.setter
    def creator(self, func) -> None:
        self.node.creator = func

    @property
    def creator_node(self):
        """The :class:`FunctionNode` that created this variable, or None."""
        node = self._node
        return None if node is None else node._creator_node

    @creator_node.setter
    def creator_node(self, func) -> None:
        self.node.creator_node = func

    @property
    def rank(self) -> int:
        node = self._node
        return 0 if node is None else node.rank

    def unchain(self) -> None:
        """Cuts the link to the creator (this variable becomes a leaf)."""
        node = self._node
        if node is not None:
            node._creator_node = None

    def unchain_backward(self) -> None:
        """Cuts every link in the graph behind this variable."""
        node = self._node
        if node is None or node._creator_node is None:
            return
        # Each function reached is unchained as a whole: all its outputs (also
        # those not on the path) lose their creator and it drops its inputs.
        stack = [node._creator_node]
        seen = {id(node._creator_node)}
        while stack:
            func = stack.pop()
            for x in func.inputs or ():
                creator = x._creator_node
                if creator is not None and id(creator) not in seen:
                    seen.add(id(creator))
                    stack.append(creator)
            func.unchain()

    def retain_data(self) -> None:
        """Keeps the array in the node so functions can use it after the variable dies."""
        self.node.data = self._data

    # -- devices ---------------------------------------------------------------

    def to_cpu(self) -> None:
        """Moves the data and gradient to the host."""
        self.to_device(backend.CpuDevice())

    def to_gpu(self, device: CudaDeviceSpec | None = None) -> None:
        """Moves the data and gradient to a GPU (needs CuPy)."""
        cuda.check_cuda_available()
        if device is None:
            device = cuda.Device()
        elif not isinstance(device, cuda.Device):
            device = cuda.get_device_from_id(device)
        self.to_device(backend.get_device(device))

    def to_intel64(self) -> None:
        raise RuntimeError('iDeep (Intel64 backend) is not supported by rechainer')

    def to_chx(self) -> None:
        raise RuntimeError('ChainerX is not available in rechainer')

    def from_chx(self) -> None:
        return None

    def to_device(self, device: DeviceSpec) -> None:
        """Moves the data and gradient to ``device`` (a device specifier)."""
        device = backend.get_device(device)
        if self._data is not None:
            if backend.get_device_from_array(self._data) != device:
                # As in Chainer, an array sent to another device is this variable's
                # alone: its shallow copies keep the array they had.
                _leave_share_group(self)
            self.array = device.send(self._data)
        gv = self._grad_var
        if gv is not None:
            gv.array = device.send(gv._data)
        _remember_device(self, device)

    # -- backprop ------------------------------------------------------------

    def backward(self, retain_grad: bool = False, enable_double_backprop: bool = False,
                 loss_scale: Optional[float] = None) -> None:
        """Computes the gradients of this variable w.r.t. everything it depends on.

        Args:
            retain_grad: Keep the gradients of intermediate variables too.
            enable_double_backprop: Record the backward computation so that the
                gradients can be differentiated again.
            loss_scale: Multiply the initial gradient by this factor.
        """
        node = self._node
        if node is not None:
            node._check_old_style_gradient()
        leaf = node is None or node._creator_node is None
        grad_var = self._grad_var
        if grad_var is None:
            data = self._data
            if data.size != 1:
                if leaf or not self._requires_grad:
                    return  # nothing to differentiate: Chainer did nothing either
                if not any([x._requires_grad for x in node._creator_node.inputs]):
                    return  # no input needs a gradient any more: Chainer stopped here too
                if data.size:
                    # Chainer's TypeError came from an operation on the missing gradient.
                    raise _ValueTypeError(
                        f'backward() needs an initial gradient for a variable of shape '
                        f'{data.shape}: set its .grad (e.g. y.grad = xp.ones_like(y.array)) '
                        'or reduce it to a scalar first (e.g. F.sum(y)).')
                # an empty output (ChainerMN's delegate variables) has an empty gradient
            elif data.ndim != 0:
                warnings.warn(
                    'Treating a variable with only one element as a scalar in '
                    'Variable.backward is deprecated. A scalar variable must be a '
                    '0-dimensional array. Apply chainer.functions.squeeze to obtain '
                    'a scalar variable. If the size of this variable accidentally '
                    'becomes one, set zero to grad.', DeprecationWarning)
            grad_var = self._ones_grad(loss_scale)
        if leaf:
            # As in Chainer, a leaf's gradient becomes the initial gradient.
            self._grad_var = grad_var
            self._loss_scale = loss_scale
            return
        # As in Chainer, backward consumes the output's gradient (retain_grad
        # puts it back) and loss_scale only scales the default gradient.
        self._grad_var = None
        with using_config('enable_backprop', enable_double_backprop):
            chainer._backprop.backward_all([node], [grad_var], retain_grad, loss_scale)

    def _ones_grad(self, loss_scale: Optional[float], requires_grad: bool = True) -> 'Variable':
        """The default initial gradient: ones like the data, times ``loss_scale``."""
        data = self._data
        if isinstance(data, numpy.ndarray):
            # numpy.array of a scalar is one C call; numpy.ones is Python code
            g = (numpy.array(1, data.dtype) if data.ndim == 0
                 else numpy.ones(data.shape, data.dtype))
        else:
            xp = self.xp
            with backend.using_device(self.device):
                g = xp.ones_like(data)
        if loss_scale is not None:
            g *= loss_scale
        return Variable._new(g, requires_grad)

    # -- comparison and hashing are undefined --------------------------------

    __eq__ = _refused_comparison('==')
    __ne__ = _refused_comparison('!=')
    __lt__ = _refused_comparison('<')
    __le__ = _refused_comparison('<=')
    __gt__ = _refused_comparison('>')
    __ge__ = _refused_comparison('>=')

    def __bool__(self):
        raise _UnsupportedOperation('Variables cannot be evaluated as Python bool.')

    __nonzero__ = __bool__  # Python 2's name, which Chainer defined too

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self):
        # Chainer's reduce function and arguments, so that either framework loads it
        # (as a plain Variable, without the graph or the user's attributes, as there).
        return _create_variable, (self._data, self.name, self.grad, self._requires_grad,
                                  self.device)

    def __getstate__(self):
        return {'data': self._data, 'name': self.name, 'grad': self.grad,
                'requires_grad': self._requires_grad}

    def __setstate__(self, state):  # also what rechainer pickled before it wrote Chainer's form
        Variable.__init__(self, state['data'], name=state['name'],
                          requires_grad=state['requires_grad'])
        if state['grad'] is not None:
            self.grad = state['grad']

    def __copy__(self) -> Variable:
        # As Chainer's shallow copy: the same array and name under a new node, and the
        # attributes user code set (pickles and deep copies leave them out, as there).
        cls = type(self)
        ret = cls.__new__(cls)
        ret.__setstate__(self.__getstate__())
        ret.__dict__.update(self.__dict__)
        _share_array(self, ret)
        return ret

    # Operators are installed by chainer.functions.math.basic_math.


# Whether any Variable was sent to a device its array does not tell (then looked up
# by ``Variable.device``; never, unless user code has Device classes of its own).
_devices_given = False


def _remember_device(var: Variable, device: Any) -> None:
    """Makes ``var.device`` answer ``device`` (as Chainer's Variable kept the device it
    was sent to) where the device of its array would say otherwise: a user's own
    :class:`~chainer.backend.Device`, or no array yet."""
    global _devices_given
    d = var._data
    natural = None if d is None else backend.get_device_from_array(d)
    if natural == device or (natural is None and device == backend.CpuDevice()):
        if var.__dict__:
            var.__dict__.pop('_given_device', None)
    else:
        var.__dict__['_given_device'] = (device, natural)
        _devices_given = True


def _given_device(var: Variable, natural: Any) -> Any:
    """The device ``var`` was sent to while its array stays where that put it (see
    :func:`_remember_device`), else ``natural`` (the CPU for no array)."""
    if var.__dict__:
        given = var.__dict__.get('_given_device')
        if given is not None and given[1] == natural:
            return given[0]
    return backend.CpuDevice() if natural is None else natural


def _replace_grad_var(var: Variable, new: Optional[Variable]) -> None:
    """Makes ``new`` the gradient Variable of ``var``, keeping the loss scale
    bookkeeping of :func:`_unscaled_grad_replaced`."""
    old = var._grad_var
    var._grad_var = new
    if old is not None and old._loss_scale is not None:
        _unscaled_grad_replaced(var, old, new)


def _unscaled_grad_replaced(var: Variable, old: Variable, new: Optional[Variable]) -> None:
    """Keeps Chainer's loss scale bookkeeping when the gradient ``old`` is replaced.

    An update rule that divided a gradient by its loss scale forgets the scale of the
    variable (so that a second update without a new backward pass does not divide
    again) and keeps it on the gradient (``old._loss_scale``). The same array under
    a new gradient variable stays unscaled; any other gradient (cleared, zeroed,
    assigned) counts as scaled by that factor again, as under Chainer's stale
    scale, until a backward pass sets the scale anew.
    """
    scale = old._loss_scale
    if new is not None and new._data is old._data:
        new._loss_scale = scale
        return
    old._loss_scale = None
    if var._loss_scale is None:
        var._loss_scale = scale


def _lazy_grad_error() -> RuntimeError:
    """The error for reading the gradient of a parameter that is still lazy."""
    return RuntimeError('Cannot retrieve Variable.grad. Either it must be set manually '
                        'or Variable.cleargrad() must be called beforehand.')


class Parameter(Variable):
    """A Variable that holds a model parameter, optionally initialised lazily.

    Args:
        initializer: An array, a scalar, an initializer (callable filling an
            array), or None (filled with NaN when initialised).
        shape: Shape of the parameter; without it the parameter stays
            uninitialised until :meth:`initialize` (unless ``initializer`` is an array).
        name: Name of the parameter.
    """

    __slots__ = ('initializer', 'update_rule', '_initial_device', '_grad_initializer',
                 '_grad_valid')

    def __init__(self, initializer: InitializerSpec | None = None, shape: ShapeSpec | None = None,
                 name: Optional[str] = None, *, layout: None = None) -> None:
        if layout is not None:
            raise ValueError(_LAYOUT_MESSAGE)
        if initializer is None:
            initializer = initializers.NaN()
        elif numpy.isscalar(initializer):
            initializer = initializers.Constant(initializer)
        self.update_rule = None
        self._grad_initializer = None
        self._grad_valid = True
        if shape is None:
            if isinstance(initializer, _ARRAY_TYPES):
                super().__init__(initializer, name=name)
                self._initial_device = backend.get_device_from_array(initializer)
            else:
                super().__init__(name=name)
                self._initial_device = backend.CpuDevice()
                self._grad_initializer = initializers.NaN(getattr(initializer, 'dtype', None))
                # As in Chainer, reading the gradient of a parameter that is still lazy
                # is an error until it is set, cleared, zeroed or allocated.
                self._grad_valid = False
            self.initializer = initializer
            return
        if isinstance(initializer, _ARRAY_TYPES):
            self._initial_device = backend.get_device_from_array(initializer)
            initializer = initializers.Constant(initializer)
        else:
            self._initial_device = backend.CpuDevice()
        self.initializer = initializer
        super().__init__(name=name)
        self._grad_initializer = initializers.NaN(getattr(initializer, 'dtype', None))
        self.initialize(shape)
        # Only the first allocation fills the gradient with NaN: initializing again
        # leaves it None, as in Chainer.
        self._grad_initializer = None

    def __reduce__(self):
        # Chainer's seven arguments, so that either framework loads it.
        gv = self._grad_var
        device = self._initial_device if self._data is None else self.device
        return _recover_parameter, (self._data, self.name, None if gv is None else gv._data,
                                    self._grad_valid, self.initializer, self.update_rule, device)

    def __copy__(self) -> 'Parameter':
        # Chainer's shallow copy shares the array slot (see _share_array).
        gv = self._grad_var
        ret = _recover_parameter(self._data, self.name, None if gv is None else gv._data,
                                 self.initializer, self.update_rule, self._grad_valid)
        ret._initial_device = self._initial_device
        ret._grad_initializer = self._grad_initializer
        ret.__dict__.update(self.__dict__)  # the user's attributes, as Variable.__copy__
        _share_array(self, ret)
        return ret

    @property
    def is_initialized(self) -> bool:
        return self._data is not None

    @property
    def grad(self):
        """The gradient array (None when not computed)."""
        if not self._grad_valid:
            raise _lazy_grad_error()
        gv = self._grad_var
        return None if gv is None else gv._data

    @grad.setter
    def grad(self, g) -> None:
        _set_grad(self, g)
        self._grad_valid = True

    @property
    def dtype(self):
        if self._data is not None:
            return self._data.dtype
        initializer = self.initializer
        if not hasattr(initializer, 'dtype'):
            # as in Chainer: a plain callable does not say which dtype it will make
            raise RuntimeError(
                "The dtype of an uninitialized parameter is not known: its initializer "
                f"{type(initializer).__name__} has no 'dtype' attribute.")
        # The dtype initialize() will give it now (Chainer said float64 here, then made float32).
        dtype = initializer.dtype
        return numpy.dtype(chainer.config.dtype if dtype is None else dtype)

    def initialize(self, shape: ShapeSpec) -> None:
        """Allocates the array of ``shape`` on the parameter's device and fills it."""
        shape = array_utils.as_shape(shape)
        device = self._initial_device
        data = _generate(self.initializer, shape, device)
        ginit = self._grad_initializer
        self.array = data
        _remember_device(self, device)
        self._grad_valid = True
        if ginit is None:
            self._grad_var = None
            return
        if isinstance(ginit, initializers.NaN) and data.dtype.kind not in 'fc':
            # NaN has no integer value: an integer parameter's gradient holds what NaN
            # casts to, as in Chainer.
            with numpy.errstate(invalid='ignore'):
                ginit = initializers.Constant(numpy.array(numpy.nan).astype(data.dtype))
        self._grad_var = Variable._new(_generate(ginit, shape, device, data.dtype), True)

    def to_device(self, device: DeviceSpec) -> None:
        device = backend.get_device(device)
        if self._data is None:
            if self._initial_device != device:
                _leave_share_group(self)
            self._initial_device = device
            return
        super().to_device(device)

    @property
    def device(self):
        """The device of the array, or, before it is allocated, the device it will be
        allocated on (that of the last :meth:`to_device`), as in Chainer."""
        d = self._data
        if d is None:
            return self._initial_device
        natural = backend.get_device_from_array(d)
        return _given_device(self, natural) if _devices_given else natural

    def to_cpu(self) -> None:
        self.to_device(backend.CpuDevice())

    def cleargrad(self) -> None:
        super().cleargrad()
        self._grad_valid = True
        if self._data is None:
            self._grad_initializer = None

    def zerograd(self) -> None:
        super().zerograd()
        self._grad_valid = True
        if self._data is None:
            self._grad_initializer = initializers.Zero(getattr(self.initializer, 'dtype', None))

    def update(self) -> None:
        """Updates the data with its update rule (if any)."""
        if self.update_rule is not None:
            self.update_rule.update(self)


def _set_array(var: Variable, d: Any) -> None:
    """Sets the array of ``var`` alone (not of its shallow copies)."""
    if d is not None and not isinstance(d, _ARRAY_TYPES):
        raise TypeError(
            'Variable.array must be numpy.ndarray, cupy.ndarray or None, '
            f'got {type(d).__module__}.{type(d).__qualname__}')
    var._data = d
    node = var._node
    if node is not None:
        node._set_data_type(d)
        if node.data is not None:
            node.data = d  # a retained array follows the variable, as in Chainer


_set_grad = Variable.grad.fset


def _share_array(original: Variable, copied: Variable) -> None:
    """Makes ``copied``, a shallow copy of ``original`` (``copy.copy``, as in a
    share-mode copy of a link), hold the same array slot: an array set on either of them (assigned,
    initialized, loaded or moved to a device) is the other's too, as with
    Chainer's shallow copies of a Variable. Gradients stay separate."""
    group = original.__dict__.get('_share_group')
    if group is None:
        group = original.__dict__['_share_group'] = [weakref.ref(original)]
    else:
        group[:] = [ref for ref in group if ref() is not None]  # copies made and dropped
    group.append(weakref.ref(copied))
    copied.__dict__['_share_group'] = group


def _leave_share_group(var: Variable) -> None:
    group = var.__dict__.pop('_share_group', None)
    if group is not None:
        group[:] = [ref for ref in group if ref() is not None and ref() is not var]


def _generate(initializer, shape, device, dtype=None):
    """Allocates an array of ``shape`` on ``device`` filled by ``initializer``."""
    return initializers.generate_array(initializer, shape, device.xp, dtype=dtype, device=device)


def _recover_parameter(*args):
    if len(args) == 7:  # pickled by Chainer
        from chainer import _pickle_compat
        return _pickle_compat.recover_parameter(*args)
    # Five or six arguments: what rechainer pickled before it wrote Chainer's seven.
    data, name, grad, initializer, update_rule, grad_valid = args if len(args) == 6 else (
        *args, True)
    p = Parameter(initializer=initializer)
    p.name = name  # assigned, as any name may be (Chainer never checked it)
    p.array = data
    # Set as saved: an array assigned through ``data`` may have left the
    # gradient of another dtype, which Chainer copies and pickles as it is.
    p._grad_var = None if grad is None else Variable._new(grad, True)
    p._grad_valid = grad_valid
    p.update_rule = update_rule
    return p


def _create_variable(*args):
    from chainer import _pickle_compat  # the reduce function of Chainer's Variables
    return _pickle_compat.create_variable(*args)


def as_variable(obj: VariableOrArray) -> Variable:
    """Returns ``obj`` if it is a Variable, else wraps the array (no gradient)."""
    if isinstance(obj, Variable):
        return obj
    return Variable(obj, requires_grad=False)


def as_array(obj: VariableOrArray) -> NdArray:
    """Returns the array of a Variable, or ``obj`` itself."""
    if isinstance(obj, Variable):
        return obj.array
    return obj

