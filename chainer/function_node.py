"""FunctionNode: a differentiable operation in the computational graph."""
from __future__ import annotations

import collections
import dis
import traceback
import types
import weakref
from typing import TYPE_CHECKING, Any, Optional

import numpy

import chainer
from chainer import _backprop
from chainer import _thread_state
from chainer.backends import cuda
from chainer import configuration
from chainer.configuration import config, using_config
from chainer import function_hook
from chainer.function_hook import FunctionHook
from chainer.utils import type_check
from chainer.utils.error import _none_input_error, _repr
from chainer.variable import Variable, VariableNode, _ARRAY_TYPES, _check_grad_type

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any, NoReturn

    from chainer import _FallbackType
    from chainer.types import NdArray, VariableOrArray
    from chainer.utils.type_check import TypeInfoTuple

_ndarray = numpy.ndarray
_gpu_ndarray = cuda.ndarray  # a placeholder class nothing is an instance of, without CuPy
_object_new = object.__new__
_NODE_INIT = VariableNode.__init__
_weakref = weakref.ref
_new_variable = Variable._new


def _node_by_init(v: Variable, creator: FunctionNode | None, rank: int) -> VariableNode:
    """The node of ``v`` made through ``VariableNode.__init__``, as Chainer made every
    node: ``apply`` builds the same node inline unless a tool has replaced
    ``__init__`` (tensorboard-chainer's name scopes do)."""
    v._node = None
    node = VariableNode(v, None)
    node._creator_node = creator
    node.rank = rank
    return node


def _all_gpu_arrays(outputs: tuple) -> bool:
    """Whether every output is a CuPy array (then there is nothing to normalize)."""
    for y in outputs:
        if type(y) is not _gpu_ndarray:
            return False
    return True


# Keys (see _type_check_key) of the type checks that passed.
_passed_type_checks: set = set()
_MAX_PASSED_TYPE_CHECKS = 1 << 14


def _dtype_classes() -> list:
    # NumPy 2 gives every kind of dtype its own subclass of numpy.dtype.
    classes = [numpy.dtype]
    for code in numpy.typecodes['All']:
        try:
            classes.append(type(numpy.dtype(code)))
        except TypeError:
            pass
    return classes


# Types of the node attributes a type-check key may hold (immutable values).
_PLAIN_TYPES = frozenset([type(None), bool, int, float, complex, str] + _dtype_classes())


def _plain(value) -> bool:
    """Whether ``value`` may stand in a type-check key: a plain immutable value or a
    tuple of them."""
    t = type(value)
    if t in _PLAIN_TYPES:
        return True
    if t is not tuple:
        return False
    for v in value:
        if type(v) not in _PLAIN_TYPES:
            return False
    return True


# Names that let a function reach its first argument without naming it.
_IMPLICIT_SELF = frozenset(['super', 'locals', 'vars', '_getframe', 'currentframe'])
# The instructions that read one local variable (by Python version).
_LOAD_LOCAL = frozenset(['LOAD_FAST', 'LOAD_FAST_CHECK', 'LOAD_FAST_BORROW'])
# ... and two locals, the second on top (Python 3.13 and later)
_LOAD_LOCALS = frozenset(['LOAD_FAST_LOAD_FAST', 'LOAD_FAST_BORROW_LOAD_FAST_BORROW'])


def _attributes_read(check) -> Optional[tuple]:
    """The node attributes a ``check_type_forward`` function reads, by its code: a
    tuple of names (empty where it never touches the node), or None where it does
    anything else with the node (calls its methods, stores on it, passes it on)."""
    code = getattr(check, '__code__', None)
    if (type(check) is not types.FunctionType or code.co_argcount < 1
            or '__class__' in code.co_freevars or not _IMPLICIT_SELF.isdisjoint(code.co_names)):
        return None
    node = code.co_varnames[0]
    if node in code.co_cellvars:
        return None
    names = []
    instructions = list(dis.get_instructions(code))
    for i, ins in enumerate(instructions):
        # Any instruction naming the node's variable, whatever its opcode (dis names
        # the local of every opcode that has one, on Pythons to come too): only a
        # plain load followed by a plain attribute read is understood.
        arg = ins.argval
        if type(arg) is str:
            if arg != node:
                continue
            plain_load = ins.opname in _LOAD_LOCAL
        elif type(arg) is not tuple or node not in arg:
            continue
        else:
            plain_load = ins.opname in _LOAD_LOCALS and arg[0] != node
        nxt = instructions[i + 1] if i + 1 < len(instructions) else None
        if (not plain_load or nxt is None or nxt.opname != 'LOAD_ATTR'
                or nxt.argrepr != nxt.argval):  # (a method load shows as 'NULL|self + f')
            return None
        names.append(nxt.argval)
    return tuple(dict.fromkeys(names))


# node classes -> the attributes their check_type_forward reads (see _attributes_read),
# found at the first key of each class
_check_reads: dict = {}
_UNKNOWN = object()


def _type_check_key(func, in_data) -> Optional[tuple]:
    """What the type check of ``func`` on ``in_data`` depends on, or None if unclear.

    That is the class, the array type, dtype and shape of each input, and the
    node's attributes that its class's check reads when they are plain values
    (numbers, strings, dtypes, tuples of them); all of its attributes where the
    check's code does more with the node than read attributes. A check that
    passed once for a key passes again.

    Reading the node's ``__dict__`` only where needed matters: on CPython 3.11 an
    object whose ``__dict__`` was asked for reads every attribute more slowly.
    """
    try:
        if len(in_data) == 1:
            x = in_data[0]
            key = (type(func), type(x), x.dtype, x.shape)
        elif len(in_data) == 2:
            x, y = in_data
            key = (type(func), type(x), x.dtype, x.shape, type(y), y.dtype, y.shape)
        else:
            key = (type(func),) + tuple([(type(x), x.dtype, x.shape) for x in in_data])
    except AttributeError:  # a None input: no key, the check runs
        return None
    cls = type(func)
    names = _check_reads.get(cls, _UNKNOWN)
    if names is _UNKNOWN:
        names = _check_reads[cls] = _attributes_read(cls.check_type_forward)
    if names is None:
        state = func.__dict__
        if state:
            for value in state.values():
                if not _plain(value):
                    return None
            key += tuple(state.items())
    elif names:
        for name in names:
            try:
                value = getattr(func, name)
            except AttributeError:  # the check fails or reads it later: it runs
                return None
            if not _plain(value):
                return None
            key += ((name, value),)
    return key


# FunctionNode._has_type_check of a node that was given a check_type_forward of its own,
# and of a class whose check is not this library's: either runs at every apply
_OWN_CHECK = 'own'
_USER_CHECK = 'user'
# The packages whose checks depend on the input types and the arguments only
# (see FunctionNode.check_type_forward), so that one that passed need not run again.
_PACKAGES = frozenset(['chainer', 'chainermn', 'onnx_chainer'])
_NOT_SET = object()


class _CheckTypeForward:
    """The ``check_type_forward`` of a node class, held so that a check set on a node
    (tests put mocks there) is noticed without reading the node's ``__dict__``: such
    a node calls it at every ``apply`` instead of the class's (cached) check."""

    __slots__ = ('func',)

    def __init__(self, func) -> None:
        self.func = func

    def __get__(self, node, cls=None):
        if node is None:
            return self.func
        own = node._own_check_type_forward
        return self.func.__get__(node, cls) if own is _NOT_SET else own

    def __set__(self, node, value) -> None:
        node._own_check_type_forward = value
        node._has_type_check = _OWN_CHECK

    def __delete__(self, node) -> None:
        if node._own_check_type_forward is _NOT_SET:
            raise AttributeError('check_type_forward')
        del node._own_check_type_forward
        del node._has_type_check


def _input_variable(x, func: Any = None) -> Variable:
    if isinstance(x, _ARRAY_TYPES):
        return Variable._new(x, False)
    if x is None:
        # A missing input (Chainer allows it): a Variable without data.
        return Variable._new(None, False)
    # Chainer's message named the function ("... in the forward input (ReLU)").
    where = '' if func is None else f' (in the forward input of {func.label})'
    if isinstance(x, (numpy.generic, int, float, complex, bool)):
        raise TypeError(
            'a function input must be a Variable or an array, got the scalar '
            f'{_repr(x)} ({type(x).__name__}){where}; wrap it with numpy.asarray')
    raise TypeError(
        'a function input must be a Variable, numpy.ndarray or cupy.ndarray, '
        f'got {type(x).__module__}.{type(x).__qualname__}{where}')


class _InputsTypeError(TypeError, ValueError):
    """apply() was given one Variable or array instead of a sequence of them (Chainer
    raised TypeError for a Variable, ValueError for an array of several elements)."""


def _check_inputs_sequence(inputs, caller: str | None = None) -> None:
    """Raises ``_InputsTypeError`` if ``inputs`` is one Variable or array rather than a
    sequence of them; ``caller`` names a function taking a list (``'F.concat'``)."""
    if isinstance(inputs, (Variable,) + _ARRAY_TYPES):
        if caller is None:
            raise _InputsTypeError(
                'FunctionNode.apply takes a tuple or list of inputs, got a single '
                f'{type(inputs).__name__}; write apply((x,))')
        raise _InputsTypeError(
            f'{caller} takes a list or tuple of Variables or arrays, got a single '
            f'{type(inputs).__name__}; write {caller}([x, ...])')


def _check_input(x) -> None:
    """Raises the ``TypeError`` of :meth:`FunctionNode.apply` unless ``x`` is a Variable
    or an array: for functions that read an input's shape or dtype before applying."""
    if x is None:
        # The type Chainer's functions raised reading the input's dtype.
        raise _none_input_error('an input')
    if not isinstance(x, Variable):
        _input_variable(x)


def _check_array_types(node: FunctionNode, arrays: tuple, side: str = 'input') -> None:
    """Raises Chainer's ``TypeError`` where NumPy and CuPy arrays are mixed in the
    forward ``side`` ('input' or 'output'). For inputs the type check runs it first; a
    forward that would index or multiply across the two runs it itself, so that with
    ``config.type_check`` off the error is still the ``TypeError`` CuPy raised there
    in Chainer."""
    if not chainer.backend.is_arrays_compatible(arrays):
        raise TypeError(
            f'incompatible array types are mixed in the forward {side} ({node.label}).\n'
            'Actual: ' + ', '.join(str(type(x)) for x in arrays))


class FunctionNode:
    """A node of the computational graph that computes outputs from inputs.

    Subclasses implement :meth:`forward` on arrays and :meth:`backward` on
    Variables (with differentiable functions, so that the gradient can be
    differentiated again), and call :meth:`apply` to run it.
    """

    inputs: Optional[tuple] = None
    outputs: Optional[tuple] = None
    rank = 0
    stack = None
    lazy_grad_sum = False
    is_elementwise = False
    chainerx_device = None
    _input_indexes_to_retain: Optional[tuple] = None
    _output_indexes_to_retain: Optional[tuple] = None
    _retained_output_data: Optional[tuple] = None
    _output_count = 0
    _local_function_hooks: Optional[collections.OrderedDict] = None
    _n_local_function_hooks = 0
    _supports_static_optimizations = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # the check this class uses, as defined (here or in a mixin): wrapped
        check = next(k.__dict__['check_type_forward'] for k in cls.__mro__
                     if 'check_type_forward' in k.__dict__)
        if type(check) is types.FunctionType:
            cls.check_type_forward = _CheckTypeForward(check)
        # Skip the type check entirely for functions that define none. A check of
        # user code runs at every apply, as in Chainer: it may read the configuration
        # or globals, set attributes that forward reads, or count its calls.
        cls._has_type_check = cls.check_type_forward is not FunctionNode.check_type_forward
        if cls._has_type_check:
            check = getattr(check, 'func', check)
            if str(getattr(check, '__module__', None)).partition('.')[0] not in _PACKAGES:
                cls._has_type_check = _USER_CHECK
        cls._custom_accumulate = (
            cls.backward_accumulate is not FunctionNode.backward_accumulate)
        if 'backward' in cls.__dict__ and '_grad_into_inputs' not in cls.__dict__:
            cls._grad_into_inputs = ()  # a backward of its own: no shortcut past it
        # one test in the walk for the common backward
        cls._special_backward = cls._custom_accumulate or bool(cls._grad_into_inputs)

    # True where the class defines a check of this library (skipped once it passed),
    # _USER_CHECK for one of user code, _OWN_CHECK on a node given one of its own
    _has_type_check: bool | str = False
    _own_check_type_forward = _NOT_SET
    _custom_accumulate = False
    # Inputs whose gradient _add_grad_into can add straight into an array the
    # backprop walk owns (see _backprop._Walk._backward_into).
    _grad_into_inputs: tuple = ()
    _special_backward = False  # either of the two above

    def __call__(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(
            f'{type(self).__name__} is a FunctionNode and cannot be called. '
            'Use its apply() method, or the snake_case function '
            '(e.g. F.relu instead of ReLU()).')

    @property
    def local_function_hooks(self) -> collections.OrderedDict:
        """Hooks registered on this node only (name -> hook)."""
        hooks = self._local_function_hooks
        if hooks is None:
            hooks = self._local_function_hooks = collections.OrderedDict()
        return hooks

    @property
    def _impl_name(self) -> str:
        return type(self).__name__

    @property
    def label(self) -> str:
        """Short name of the function (the class name by default)."""
        return type(self).__name__

    @property
    def output_data(self) -> tuple:
        """The retained output arrays (None for outputs not retained)."""
        if self._retained_output_data is None:
            raise RuntimeError('retained output data is gone')
        outputs = self.outputs
        out_data = [None] * (self._output_count if outputs is None else len(outputs))
        for index, data in zip(self._output_indexes_to_retain, self._retained_output_data):
            out_data[index] = data
        return tuple(out_data)

    @property
    def input_layouts(self):
        return (None,) * len(self.inputs or ())

    @property
    def output_layouts(self):
        return (None,) * len(self.outputs or ())

    # -- forward ---------------------------------------------------------------

    def apply(self, inputs: Sequence[VariableOrArray]) -> tuple:
        """Computes the outputs and, when backprop is enabled, links them into the graph.

        Args:
            inputs: Variables or arrays.

        Returns:
            A tuple of output Variables.
        """
        # (one to three Variables, the common cases, without building lists)
        if type(inputs) is not tuple:
            input_vars, in_data = self._input_vars(inputs)
        elif len(inputs) == 1 and isinstance(inputs[0], Variable):
            input_vars = inputs
            in_data = (inputs[0]._data,)
        elif len(inputs) == 2 and isinstance(inputs[0], Variable) and isinstance(
                inputs[1], Variable):
            input_vars = inputs
            in_data = (inputs[0]._data, inputs[1]._data)
        elif (len(inputs) == 3 and isinstance(inputs[0], Variable)
              and isinstance(inputs[1], Variable) and isinstance(inputs[2], Variable)):
            input_vars = inputs
            in_data = (inputs[0]._data, inputs[1]._data, inputs[2]._data)
        else:
            input_vars, in_data = self._input_vars(inputs)
        # (config's seldom-set keys are read only where they may differ from the default)
        cfg = config
        debug = configuration._debug_may_be_on and cfg.debug
        if debug:
            self.stack = traceback.extract_stack()
        has_check = self._has_type_check
        if has_check and (not configuration._type_check_may_be_off or cfg.type_check):
            if has_check is True:
                key = _type_check_key(self, in_data)
                if key is None or key not in _passed_type_checks:
                    self._check_data_type_forward(in_data, key)
            else:  # a check set on this node (tests put mocks there) runs every time
                self._check_data_type_forward(in_data, None)

        hooks = _thread_state.current_hooks() if _thread_state.n_hooks else None
        if self._n_local_function_hooks:
            hooks = collections.OrderedDict(hooks or ())
            hooks.update(self.local_function_hooks)
        if hooks:
            hooks = tuple(hooks.values())
            for hook in hooks:
                hook.forward_preprocess(self, in_data)
        else:
            hooks = None  # not the live registry: the forward may register a hook

        try:
            outputs = self.forward(in_data)
        except Exception:
            if hooks:
                function_hook._call_failed(self, hooks)
            raise
        if type(outputs) is not tuple:
            raise TypeError(
                f'forward output must be a tuple ({self.label})\n'
                f'Actual: {type(outputs)}')
        for y in outputs:
            if type(y) is not _ndarray:
                if type(y) is not _gpu_ndarray or (len(outputs) > 1
                                                   and not _all_gpu_arrays(outputs)):
                    outputs = self._normalize_outputs(outputs)
                    if any([y is None for y in outputs]):
                        return self._finish_with_missing_outputs(
                            input_vars, in_data, outputs, hooks, debug)
                break

        if hooks or _thread_state.n_hooks:
            hooks = _thread_state.hooks_after(hooks, self._n_local_function_hooks)
        if hooks:
            for hook in hooks:
                hook.forward_postprocess(self, in_data)
        if debug:
            self._debug_check_nan(outputs, 'forward')

        if cfg.enable_backprop:
            requires_grad = False
            rank = 0
            in_nodes = []
            inline_nodes = VariableNode.__init__ is _NODE_INIT
            for x, data in zip(input_vars, in_data):
                if x is None:
                    if inline_nodes:
                        node = _object_new(VariableNode)
                        node._init(None, None, None, 0, data.dtype, data.shape)
                    else:  # Chainer wrapped the array in a Variable, and made its node
                        node = _node_by_init(_new_variable(data, False), None, 0)
                    in_nodes.append(node)
                    continue
                if x._requires_grad:
                    requires_grad = True
                node = x._node
                if node is None:
                    node = x.node
                in_nodes.append(node)
                if node.rank > rank:
                    rank = node.rank
            self.rank = rank
            out_rank = rank + 1
            ret = []
            out_refs = []
            for y in outputs:
                # The one inlined copy of Variable._init and VariableNode._init (keep
                # the slots in step): it saves three calls per output, about 5 % of
                # benchmarks/overhead.py (a).
                v = _object_new(Variable)
                v._data = y
                v._requires_grad = requires_grad
                v._grad_var = None
                v._loss_scale = None
                if inline_nodes:
                    n = _object_new(VariableNode)
                    n._variable = _weakref(v)
                    n._creator_node = self
                    n.data = None
                    n.name = None
                    n.rank = out_rank
                    n._requires_grad = requires_grad
                    n.dtype = y.dtype
                    n.shape = y.shape
                    n._old_style_grad_generator = None
                else:
                    n = _node_by_init(v, self, out_rank)
                v._node = n
                ret.append(v)
                out_refs.append(_weakref(n))
            self.inputs = tuple(in_nodes)
            self.outputs = tuple(out_refs)

            retain = self._input_indexes_to_retain
            if retain is not None:
                for index in retain:
                    in_nodes[index].data = in_data[index]
            retain = self._output_indexes_to_retain
            if retain is not None:
                retained = []
                for index in retain:
                    ret[index]._node.data = outputs[index]
                    retained.append(outputs[index])
                self._retained_output_data = tuple(retained)
            if configuration._lazy_grad_sum_may_be_on and cfg.lazy_grad_sum:
                self.lazy_grad_sum = True
            return tuple(ret)
        requires_grad = False
        for x in input_vars:
            if x is not None and x._requires_grad:
                requires_grad = True
                break
        if len(outputs) == 1:
            return (_new_variable(outputs[0], requires_grad),)
        return tuple([_new_variable(y, requires_grad) for y in outputs])

    def _input_vars(self, inputs) -> tuple[list, tuple]:
        """The input Variables (None for a bare array) and the arrays of ``inputs``."""
        if type(inputs) is not tuple:
            _check_inputs_sequence(inputs)
        # A bare array input stays None here: it gets a node of its own (whose
        # variable is gone) only when the graph is recorded.
        input_vars = []
        in_data = []
        for x in inputs:
            if type(x) is not Variable and not isinstance(x, Variable):
                if type(x) is _ndarray or isinstance(x, _ARRAY_TYPES):
                    input_vars.append(None)
                    in_data.append(x)
                    continue
                x = _input_variable(x, self)
            input_vars.append(x)
            in_data.append(x._data)
        return input_vars, tuple(in_data)

    def _finish_with_missing_outputs(self, input_vars, in_data, outputs, hooks,
                                     debug) -> tuple:
        """The rest of :meth:`apply` when some outputs are None (no data).

        Such an output becomes a Variable without data; it gets no gradient.
        """
        if hooks:
            for hook in hooks:
                hook.forward_postprocess(self, in_data)
        if debug:
            self._debug_check_nan(outputs, 'forward')
        input_vars = [_new_variable(d, False) if x is None else x
                      for x, d in zip(input_vars, in_data)]
        requires_grad = any([x._requires_grad for x in input_vars])
        if not config.enable_backprop:
            return tuple([_new_variable(y, requires_grad) for y in outputs])
        in_nodes = tuple([x.node for x in input_vars])
        self.rank = max([node.rank for node in in_nodes], default=0)
        ret = []
        for y in outputs:
            v = _new_variable(y, requires_grad)
            v._node = _node_by_init(v, self, self.rank + 1)
            ret.append(v)
        self.inputs = in_nodes
        self.outputs = tuple([_weakref(v._node) for v in ret])
        if self._input_indexes_to_retain is not None:
            for index in self._input_indexes_to_retain:
                input_vars[index]._node.data = in_data[index]
        if self._output_indexes_to_retain is not None:
            for index in self._output_indexes_to_retain:
                ret[index]._node.data = outputs[index]
            self._retained_output_data = tuple(
                [outputs[index] for index in self._output_indexes_to_retain])
        if config.lazy_grad_sum:
            self.lazy_grad_sum = True
        return tuple(ret)

    def _normalize_outputs(self, outputs) -> tuple:
        fixed = []
        for y in outputs:
            if y is None or isinstance(y, _ARRAY_TYPES):
                fixed.append(y)
            elif isinstance(y, numpy.generic):
                fixed.append(numpy.asarray(y))
            else:
                raise TypeError(  # Chainer's message
                    'forward output must be a tuple of ndarrays.\n'
                    f'Function: {self.label}\n'
                    f'Actual output types: {tuple(type(y) for y in outputs)}')
        _check_array_types(self, fixed, 'output')
        return tuple(fixed)

    def _check_inputs(self, inputs: Sequence[VariableOrArray]) -> None:
        """Runs this node's type check on ``inputs`` as :meth:`apply` does, without
        applying it (a composed function checking its inputs as its Chainer node
        did): a check that passed for the same input types is not run again."""
        in_data = self._input_vars(tuple(inputs))[1]  # (a TypeError for a non-array)
        has_check = self._has_type_check
        if has_check and (not configuration._type_check_may_be_off or config.type_check):
            key = _type_check_key(self, in_data) if has_check is True else None
            if key is None or key not in _passed_type_checks:
                self._check_data_type_forward(in_data, key)

    def _check_data_type_forward(self, in_data, key=None) -> None:
        """Runs :meth:`check_type_forward`; remembers ``key`` if it passes."""
        # NumPy and CuPy inputs mixed: Chainer's TypeError before the type check
        # (the key holds the array types, so this runs once per combination).
        _check_array_types(self, in_data)
        in_types = type_check.get_light_types(in_data)
        # (the __dict__ only where the result is kept: reading it slows the node)
        n_attrs = None if key is None else len(self.__dict__)
        try:
            with type_check.light_mode:
                self.check_type_forward(in_types)
            # A check that stored something on the node must run every time.
            if key is not None and len(self.__dict__) == n_attrs:
                if len(_passed_type_checks) >= _MAX_PASSED_TYPE_CHECKS:
                    _passed_type_checks.clear()
                _passed_type_checks.add(key)
            return
        except Exception as e:
            # Light mode evaluates every condition eagerly (x.shape[2] may not exist);
            # the full-mode run below checks in order and explains the failure.
            light_error = e
        for i, x in enumerate(in_data):
            if not type_check._is_array_like(x):
                # An input without data (None): the check's own error, as in Chainer,
                # naming the input where it is the AttributeError of reading it.
                if type(light_error) is AttributeError and light_error.obj is None \
                        and light_error.name is not None:
                    raise _none_input_error(f'input {i} of {self.label}',
                                            light_error.name) from None
                raise light_error
        # Run the check again with full expressions to build the error message.
        # After another error on plain values, a check written for full expressions
        # (x.shape[2] of a 2-d x) passes or names the failed condition now; a check
        # written for plain values (an `assert`, an `if` on a shape raising an error
        # of its own) cannot run on expressions, and its own error stands, as in Chainer.
        in_types = type_check.get_types(in_data, 'in_types', False)
        try:
            with type_check._full_mode(), type_check.get_function_check_context(self):
                self.check_type_forward(in_types)
        except Exception as e:
            if isinstance(e, type_check.InvalidType) \
                    or isinstance(light_error, type_check.InvalidType):
                raise
            raise light_error from None

    def check_type_forward(self, in_types: TypeInfoTuple) -> None:
        """Checks the types of the inputs (override; uses ``chainer.utils.type_check``).

        A check of this library may depend on the input types and the node's
        constructor arguments only: one that passed is not run again for the same
        ones. A check of user code runs at every ``apply``, as in Chainer.
        """
        pass

    def check_layout_forward(self, inputs: tuple[NdArray, ...]) -> None:
        pass

    def forward(self, inputs: tuple) -> tuple:
        """Computes output arrays from input arrays; dispatches to forward_cpu/gpu."""
        if inputs and isinstance(inputs[0], cuda.ndarray):
            return self.forward_gpu(inputs)
        return self.forward_cpu(inputs)

    def forward_cpu(self, inputs: tuple) -> tuple:
        raise NotImplementedError(f'{self.label} does not implement forward on the CPU')

    def forward_gpu(self, inputs: tuple) -> tuple:
        raise NotImplementedError(f'{self.label} does not implement forward on the GPU')

    def forward_chainerx(self, inputs: tuple) -> tuple[NdArray, ...] | _FallbackType:
        return chainer.Fallback

    def retain_inputs(self, indexes: Sequence[int]) -> None:
        """Declares the inputs whose arrays :meth:`backward` needs (call in forward)."""
        self._input_indexes_to_retain = tuple(indexes)

    def retain_outputs(self, indexes: Sequence[int]) -> None:
        """Declares the outputs whose arrays :meth:`backward` needs (call in forward)."""
        self._output_indexes_to_retain = tuple(indexes)

    # -- backward ------------------------------------------------------------

    def backward(self, target_input_indexes: tuple, grad_outputs: tuple) -> tuple:
        """Computes the gradients of the inputs listed in ``target_input_indexes``.

        ``grad_outputs`` holds a Variable (or None) per output. Returns a tuple
        with a Variable or None for each input, or for each target index.
        """
        return (None,) * len(target_input_indexes)

    def backward_accumulate(self, target_input_indexes: tuple, grad_outputs: tuple,
                            grad_inputs: tuple) -> tuple:
        """Like :meth:`backward`, but adds the results to ``grad_inputs``."""
        gxs = _backprop.select_target_grads(self, target_input_indexes,
                                            self.backward(target_input_indexes, grad_outputs))
        return tuple([gx if g is None else g if gx is None else gx + g
                      for gx, g in zip(gxs, grad_inputs)])

    def _add_grad_into(self, index: int, grad_outputs: tuple, acc: Any, fresh: bool) -> Any:
        """The gradient of input ``index`` (one of ``_grad_into_inputs``) added to
        ``acc``, its gradient so far (a plain array): written over ``acc``, which
        nobody else holds, or with ``fresh`` into a new array; None, having changed
        nothing, where the node cannot.

        The backprop walk calls it only without double backprop, for a gradient
        that :meth:`backward` would have computed as a plain array sum.
        """
        return None

    def _get_error_message(self, message: str) -> str:
        """``message`` followed by this node's name and its inputs' and outputs' shapes
        and dtypes, as Chainer's backprop errors show them."""
        lines = [message, f'  function={self._impl_name} ({self.label})']
        for i, x in enumerate(self.inputs or ()):
            lines.append(f'    input {i}: shape={x.shape} dtype={x.dtype}')
        for i, ref in enumerate(self.outputs or ()):
            y = ref()
            if y is None:
                lines.append(f'    output {i}: not available')
            else:
                lines.append(f'    output {i}: shape={y.shape} dtype={y.dtype}')
        return '\n'.join(lines)

    def get_retained_inputs(self) -> tuple:
        """The input Variables declared by :meth:`retain_inputs`."""
        inputs = self.inputs
        indexes = self._input_indexes_to_retain
        if indexes is None or inputs is None:
            return ()
        ret = []
        for i in indexes:
            node = inputs[i]
            if node.data is None:  # a missing input (None): as in Chainer
                ret.append(None)
                continue
            var = node._variable()
            ret.append(node.get_variable() if var is None else var)
        return tuple(ret)

    def get_retained_outputs(self) -> tuple:
        """The output Variables declared by :meth:`retain_outputs`."""
        indexes = self._output_indexes_to_retain
        if indexes is None or self.outputs is None:
            return ()
        if self._retained_output_data is None:
            raise ValueError(f'retain_outputs is not called in forward ({self.label})')
        ret = []
        outputs = self.outputs
        new_outputs = None
        for index, data in zip(indexes, self._retained_output_data):
            node = outputs[index]()
            if node is None:
                # The output is gone; revive it from the retained array.
                var = Variable(data)
                n = var.node
                n.data = data
                n._creator_node = self
                n.rank = self.rank + 1
                if new_outputs is None:
                    new_outputs = list(outputs)
                new_outputs[index] = weakref.ref(n)
            else:
                var = node.get_variable()
            ret.append(None if var._data is None else var)  # a missing output: None
        if new_outputs is not None:
            self.outputs = tuple(new_outputs)
        return tuple(ret)

    def unchain(self) -> None:
        """Removes this node from the graph (outputs lose their creator)."""
        for ref in self.outputs or ():
            node = ref()
            if node is not None:
                node._creator_node = None
        if self.outputs is not None:
            self._output_count = len(self.outputs)  # output_data still answers
        self.inputs = None
        self.outputs = None

    # -- hooks -----------------------------------------------------------------

    def add_hook(self, hook: FunctionHook, name: Optional[str] = None) -> None:
        """Registers a :class:`chainer.FunctionHook` on this node only."""
        if not isinstance(hook, FunctionHook):
            raise TypeError('hook must be an instance of chainer.FunctionHook')
        hooks = self.local_function_hooks
        try:
            function_hook._register(hooks, hook, name, self)
        finally:  # counted even when hook.added raises: the hook stays registered
            self._n_local_function_hooks = len(hooks)

    def delete_hook(self, name: str) -> None:
        """Unregisters the hook ``name`` from this node."""
        hooks = self.local_function_hooks
        function_hook._unregister(hooks, name, self)
        self._n_local_function_hooks = len(hooks)

    # -- debug -------------------------------------------------------------------

    def _debug_check_nan(self, arrays, phase: str) -> None:
        for a in arrays:
            if a is None or a.dtype.kind not in 'fc':
                continue
            xp = numpy if isinstance(a, numpy.ndarray) else cuda.get_array_module(a)
            if bool(xp.isnan(a).any()):
                message = f'NaN is detected on {phase} computation of {self.label}'
                if phase == 'backward':  # the traceback shows only the backward call
                    message += _backprop.creation_stack_text(self)
                raise RuntimeError(message)


# (set here: __init_subclass__ wraps the checks of subclasses)
FunctionNode.check_type_forward = _CheckTypeForward(  # type: ignore[method-assign]
    FunctionNode.__dict__['check_type_forward'])


def _check_given_grad(g: Variable, name: str, i: int, v: Variable, of: str) -> None:
    # Checked here so that a gradient of the wrong shape or dtype is named as the
    # caller's (Chainer let it through, to fail in a backward or give a gradient of
    # the wrong shape); the error types are those of Variable.grad's check.
    try:
        _check_grad_type(None, v, g._data)
    except (TypeError, ValueError) as e:
        raise type(e)(f'{name}[{i}] does not fit {of}[{i}]: {e}') from None


def grad(outputs: Sequence[Variable], inputs: Sequence[Variable],
         grad_outputs: Sequence[Variable | None] | None = None,
         grad_inputs: Sequence[Variable | None] | None = None, set_grad: bool = False,
         retain_grad: bool = False, enable_double_backprop: bool = False,
         loss_scale: Optional[float] = None) -> list:
    """Computes the gradients of ``outputs`` w.r.t. ``inputs``.

    Only the part of the graph between the inputs and the outputs is traversed.

    Returns:
        A list with the gradient Variable (or None) of each input.
    """
    if not isinstance(outputs, (tuple, list)):
        raise TypeError(f'outputs must be a tuple or a list, not {type(outputs)}.')
    if not isinstance(inputs, (tuple, list)):
        raise TypeError(f'inputs must be a tuple or a list, not {type(inputs)}.')
    for v in outputs:
        if not isinstance(v, Variable):
            raise TypeError(f'outputs and inputs must be Variables, got {type(v).__name__}')
        if v._node is not None:
            # Chainer refuses a gradient made by an old-style Function first
            v._node._check_old_style_gradient()
    for v in inputs:
        if not isinstance(v, Variable):
            raise TypeError(f'outputs and inputs must be Variables, got {type(v).__name__}')
    _backprop.check_parallel(grad_outputs, 'grad_outputs', outputs, 'outputs')
    _backprop.check_parallel(grad_inputs, 'grad_inputs', inputs, 'inputs')

    seeds = []
    for i, y in enumerate(outputs):
        gy = None if grad_outputs is None else grad_outputs[i]
        if gy is None:
            # Chainer seeds a missing output gradient with ones, whatever the
            # shape, in a variable that does not require grad.
            gy = y._ones_grad(loss_scale, False)
        else:
            if not isinstance(gy, Variable):
                gy = Variable._new(gy, False)  # an array is a constant, as in Chainer
            _check_given_grad(gy, 'grad_outputs', i, y, 'outputs')
        seeds.append(gy)
    init_in = None
    if grad_inputs is not None:
        init_in = [g if g is None or isinstance(g, Variable) else Variable._new(g, False)
                   for g in grad_inputs]
        for i, (g, x) in enumerate(zip(init_in, inputs)):
            if g is not None:
                _check_given_grad(g, 'grad_inputs', i, x, 'inputs')

    with using_config('enable_backprop', enable_double_backprop):
        gxs = _backprop.backward_to_targets(
            [y.node for y in outputs], seeds, [x.node for x in inputs], init_in,
            retain_grad, loss_scale)
    if set_grad:
        for x, gx in zip(inputs, gxs):
            x._grad_var = gx
            if loss_scale is not None:
                x._loss_scale = loss_scale
    return gxs


def static_forward_optimizations(func, inputs):
    """Chainer's hook for static-graph forward optimisations of a function node.

    Replayed schedules call the recorded nodes' ``forward`` directly, so there is
    nothing to prepare: returns None.
    """
    return None
