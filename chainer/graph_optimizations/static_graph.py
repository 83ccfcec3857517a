"""``static_graph``: record a chain's computation once, then replay it.

The first call of a decorated ``forward`` runs define-by-run and records the
function nodes it applied. Later calls with inputs of the same shapes and dtypes
skip graph construction: they run the recorded nodes' ``forward`` methods as a
flat list, and backprop runs their ``backward`` methods in reverse order, all
inside one :class:`StaticScheduleFunction` node. Restrictions (as in Chainer):
the computation must not depend on the data (no data-dependent control flow),
side effects that must happen every iteration go in :func:`static_code`
functions, and arrays created inside ``forward`` are frozen at their first
values. A call whose inputs do not match the recorded schedule runs
define-by-run with a warning.
"""
from __future__ import annotations

import functools
import warnings
import weakref
from typing import Any, Callable, Optional

import numpy

import chainer
from chainer import _backprop
from chainer import function_hook
from chainer.backends import cuda
from chainer.configuration import config, using_config
from chainer.function_node import FunctionNode
from chainer.variable import Variable, _ARRAY_TYPES

__all__ = ['ArrayInfo', 'ScheduleInfo', 'ScheduleManager', 'StaticScheduleFunction',
           'static_graph', 'static_code']


class _Gone:
    pass


# A weak reference whose object is gone: replayed nodes rebuild their Variables
# from the arrays the schedule stores in them, never from a stale Variable.
_DEAD_REF = weakref.ref(_Gone())


class ArrayInfo:
    """Shape, dtype and kind (NumPy or CuPy) of an array in a schedule."""

    __slots__ = ('shape', 'dtype', 'xp')

    def __init__(self, array: Any) -> None:
        self.shape = array.shape
        self.dtype = array.dtype
        self.xp = numpy if isinstance(array, numpy.ndarray) else cuda.cupy

    def matches(self, array: Any) -> bool:
        return (array.shape == self.shape and array.dtype == self.dtype
                and isinstance(array, numpy.ndarray) == (self.xp is numpy))

    def __repr__(self) -> str:
        return f'ArrayInfo(shape={self.shape}, dtype={self.dtype})'


class _StaticCall:
    """A :func:`static_code` call recorded in a schedule (run again every iteration)."""

    __slots__ = ('func', 'args', 'kwargs', 'out_slots', 'returned')

    def __init__(self, func: Callable, args: tuple, kwargs: dict) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.out_slots: tuple = ()
        self.returned: list = []


class _Step:
    """A recorded function node with the slots of its inputs and outputs."""

    __slots__ = ('func', 'in_slots', 'out_slots', 'in_nodes', 'out_nodes', 'targets')

    def __init__(self, func, in_slots, out_slots, in_nodes, out_nodes) -> None:
        self.func = func
        self.in_slots = in_slots
        self.out_slots = out_slots
        self.in_nodes = in_nodes
        self.out_nodes = out_nodes
        self.targets: tuple = ()


class _Recorder(function_hook.FunctionHook):
    """Collects, in order, the function nodes applied (with their input arrays) and
    the :func:`static_code` calls made while a schedule is recorded."""

    name = 'StaticGraphRecorder'

    def __init__(self) -> None:
        self.calls: list = []  # (function node, input arrays) or _StaticCall

    def forward_preprocess(self, function, in_data) -> None:
        self.calls.append((function, in_data))


class _RecordingState:
    recorder: Optional[_Recorder] = None


_recording = _RecordingState()


class ScheduleInfo:
    """A recorded schedule: slots for arrays, forward steps, and how to backprop them.

    Slots hold, in order: the arguments, the parameters, the constants and the
    outputs of static code and of every step.
    """

    def __init__(self, chain, arg_infos: tuple, arg_requires: tuple, params: list,
                 steps: list, n_slots: int, constants: dict, out_slots: tuple,
                 out_structure: str) -> None:
        self.chain = weakref.ref(chain)
        self.arg_infos = arg_infos
        self.arg_requires = arg_requires
        self.params = params
        self.steps = steps
        self.n_slots = n_slots
        self.constants = constants
        self.out_slots = out_slots
        self.out_structure = out_structure
        self.func_steps = [s for s in steps if type(s) is _Step]
        self.detached = False
        self._plan_backward()
        self._template = [None] * n_slots
        for slot, array in constants.items():
            self._template[slot] = array

    def _plan_backward(self) -> None:
        n_args = len(self.arg_infos)
        needs = [False] * self.n_slots
        for i in range(n_args):
            needs[i] = True  # decided per call (requires_grad of the argument)
        for i in range(len(self.params)):
            needs[n_args + i] = True
        for step in self.func_steps:
            step.targets = tuple(i for i, s in enumerate(step.in_slots)
                                 if needs[s] and step.in_nodes[i]._requires_grad)
            if step.targets:
                for s in step.out_slots:
                    needs[s] = True
        self.needs = needs

    def detach(self) -> None:
        """Makes the recorded nodes rebuild Variables from the arrays the schedule
        stores in them, never from the Variables of the recorded iteration
        (parameters excepted). Done at the first replay: the recorded iteration's
        own backward still needs those Variables."""
        param_nodes = {p.node for p in self.params}
        for step in self.func_steps:
            for x in step.in_nodes + step.out_nodes:
                if x is not None and x not in param_nodes:
                    x._variable = _DEAD_REF
        self.detached = True

    def matches(self, args: tuple) -> bool:
        if len(args) != len(self.arg_infos):
            return False
        for a, info, requires in zip(args, self.arg_infos, self.arg_requires):
            if isinstance(a, Variable):
                if a._requires_grad != requires or not info.matches(a._data):
                    return False
            elif requires or not isinstance(a, _ARRAY_TYPES) or not info.matches(a):
                return False
        return True

    def run_forward(self, arrays: tuple, keep_for_backward: bool) -> list:
        """Runs the forward steps on ``arrays`` (arguments, then parameters)."""
        vals = self._template.copy()
        vals[:len(arrays)] = arrays
        for step in self.steps:
            if type(step) is _StaticCall:
                _run_static_call(step, vals)
                continue
            func = step.func
            in_data = tuple([vals[s] for s in step.in_slots])
            outs = func.forward(in_data)
            for y in outs:
                if type(y) is not numpy.ndarray:
                    outs = func._normalize_outputs(outs)
                    break
            for s, y in zip(step.out_slots, outs):
                vals[s] = y
            if keep_for_backward:
                retain = func._input_indexes_to_retain
                if retain is not None:
                    for i in retain:
                        step.in_nodes[i].data = in_data[i]
                retain = func._output_indexes_to_retain
                if retain is not None:
                    func._retained_output_data = tuple([outs[i] for i in retain])
                    for i in retain:
                        node = step.out_nodes[i]
                        if node is not None:
                            node.data = outs[i]
        return vals

    def run_backward(self, grad_outputs: tuple, wanted: tuple) -> list:
        """Backprops ``grad_outputs`` through the steps; returns the wanted slots' grads."""
        grads: dict = {}
        for s, g in zip(self.out_slots, grad_outputs):
            if g is not None:
                grads[s] = _add(grads.get(s), g)
        for step in reversed(self.func_steps):
            targets = step.targets
            if not targets:
                continue
            gys = tuple([grads.pop(s, None) for s in step.out_slots])
            for gy in gys:
                if gy is not None:
                    break
            else:
                continue
            func = step.func
            gxs = func.backward(targets, gys)
            if type(gxs) is not tuple or len(gxs) != len(targets):
                gxs = _backprop.select_target_grads(func, targets, gxs)
            in_slots = step.in_slots
            for i, gx in zip(targets, gxs):
                if gx is not None:
                    s = in_slots[i]
                    grads[s] = _add(grads.get(s), gx)
        return [grads.get(s) for s in wanted]

    def release_arrays(self) -> None:
        """Drops the arrays kept for backprop (``minimize_cache_size``)."""
        for step in self.func_steps:
            for x in step.in_nodes:
                if x.data is not None and x._variable is _DEAD_REF:
                    x.data = None
            for y in step.out_nodes:
                if y is not None:
                    y.data = None
            step.func._retained_output_data = None


def _add(a: Optional[Variable], b: Variable) -> Variable:
    return b if a is None else _backprop._sum(a, b)


def _run_static_call(call: _StaticCall, vals: list) -> None:
    ret = call.func(*call.args, **call.kwargs)
    if call.out_slots:
        for s, a in zip(call.out_slots, _arrays_of(ret)):
            vals[s] = a


def _arrays_of(ret) -> list:
    """The arrays a static_code function returned (alone, in a tuple or a list)."""
    items = ret if isinstance(ret, (tuple, list)) else (ret,)
    arrays = []
    for x in items:
        if isinstance(x, Variable):
            x = x._data
        if isinstance(x, _ARRAY_TYPES):
            arrays.append(x)
    return arrays


class StaticScheduleFunction(FunctionNode):
    """The function node of one replayed iteration: inputs are the arguments and
    the parameters, outputs are the chain's outputs."""

    def __init__(self, schedule: ScheduleInfo, minimize_cache_size: bool = True) -> None:
        self.schedule = schedule
        self.minimize_cache_size = minimize_cache_size

    @property
    def label(self) -> str:
        return 'StaticScheduleFunction'

    def forward(self, inputs: tuple) -> tuple:
        schedule = self.schedule
        vals = schedule.run_forward(inputs, True)
        return tuple([vals[s] for s in schedule.out_slots])

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        with using_config('enable_backprop', False):
            gxs = tuple(self.schedule.run_backward(grad_outputs, indexes))
        if self.minimize_cache_size:
            self.schedule.release_arrays()
        return gxs


class ScheduleManager:
    """The schedules of one decorated chain: one per mode (train or test)."""

    def __init__(self, minimize_cache_size: bool = True, verbosity_level: int = 0) -> None:
        self.schedules: dict = {}
        self.minimize_cache_size = minimize_cache_size
        self.verbosity_level = verbosity_level
        self.warned = False

    def _log(self, level: int, message: str) -> None:
        if self.verbosity_level >= level:
            print(f'static_graph: {message}')

    def call(self, forward: Callable, chain, args: tuple) -> Any:
        key = bool(config.train)
        schedule = self.schedules.get(key)
        if schedule is None:
            self._log(1, f'recording a schedule for {type(chain).__name__} '
                      f'(train={key})')
            out, schedule = _record(forward, chain, args)
            if schedule is not None:
                self.schedules[key] = schedule
            return out
        if not schedule.matches(args):
            if not self.warned:
                warnings.warn(
                    f'static_graph: the inputs of {type(chain).__name__} do not match '
                    'the recorded schedule (shape or dtype changed); running '
                    'define-by-run', RuntimeWarning)
                self.warned = True
            self._log(2, 'input mismatch: define-by-run')
            return forward(chain, *args)
        self._log(2, 'replaying the schedule')
        return _replay(schedule, args, self.minimize_cache_size)


def _replay(schedule: ScheduleInfo, args: tuple, minimize_cache_size: bool) -> Any:
    if not schedule.detached:
        schedule.detach()
    arrays = [a._data if isinstance(a, Variable) else a for a in args]
    arrays += [p._data for p in schedule.params]
    if config.enable_backprop:
        inputs = [a if isinstance(a, Variable) else Variable._new(a, False) for a in args]
        inputs += schedule.params
        outs = StaticScheduleFunction(schedule, minimize_cache_size).apply(inputs)
    else:
        vals = schedule.run_forward(tuple(arrays), False)
        outs = [Variable._new(vals[s], False) for s in schedule.out_slots]
    return _restructure(schedule.out_structure, outs)


def _restructure(structure, outs):
    if structure == 'single':
        return outs[0]
    if structure == 'tuple':
        return tuple(outs)
    return list(outs)


def _record(forward: Callable, chain, args: tuple):
    """Runs ``forward`` define-by-run and records its schedule (None if it cannot)."""
    if _recording.recorder is not None:
        return forward(chain, *args), None  # a static chain inside one being recorded
    recorder = _recording.recorder = _Recorder()
    try:
        with chainer.force_backprop_mode(), recorder:
            out = forward(chain, *args)
    finally:
        _recording.recorder = None
    if isinstance(out, Variable):
        structure, outs = 'single', [out]
    elif isinstance(out, (tuple, list)) and out and all(isinstance(o, Variable) for o in out):
        structure, outs = ('tuple' if isinstance(out, tuple) else 'list'), list(out)
    else:
        warnings.warn('static_graph: the chain must return a Variable or a tuple or list '
                      'of Variables; running define-by-run', RuntimeWarning)
        return out, None
    schedule = _build_schedule(chain, args, recorder.calls, outs, structure)
    if not config.enable_backprop:
        # The graph was built for the schedule only: the caller gets none.
        for o in outs:
            o.unchain()
    return out, schedule


class _SlotTable:
    """Numbers the arrays of a schedule: one slot per distinct array or node."""

    def __init__(self) -> None:
        self.n = 0
        self.by_node: dict = {}
        self.by_array: dict = {}
        self.constants: dict = {}

    def new(self) -> int:
        self.n += 1
        return self.n - 1

    def of_input(self, node, array) -> int:
        s = self.by_node.get(node)
        if s is None:
            s = self.by_array.get(id(array))
        if s is None:
            s = self.by_array[id(array)] = self.new()
            self.constants[s] = array  # created inside forward: frozen
        return s


def _needed_functions(outs: list) -> set:
    """ids of the function nodes the outputs depend on."""
    needed = set()
    stack = [o._node._creator_node for o in outs
             if o._node is not None and o._node._creator_node is not None]
    while stack:
        f = stack.pop()
        if id(f) in needed:
            continue
        needed.add(id(f))
        for x in f.inputs:
            if x._creator_node is not None:
                stack.append(x._creator_node)
    return needed


def _build_schedule(chain, args: tuple, calls: list, outs: list, structure: str):
    slots = _SlotTable()
    arrays = [a._data if isinstance(a, Variable) else a for a in args]
    for a, arg in zip(arrays, args):
        s = slots.new()
        slots.by_array.setdefault(id(a), s)
        if isinstance(arg, Variable) and arg._node is not None:
            slots.by_node[arg._node] = s
    params = list(chain.params())
    for p in params:
        slots.by_node[p.node] = slots.new()
    needed = _needed_functions(outs)

    steps: list = []
    for entry in calls:
        if type(entry) is _StaticCall:
            entry.out_slots = tuple(slots.new() for _ in entry.out_slots)
            for s, a in zip(entry.out_slots, entry.returned):
                slots.by_array[id(a)] = s
            entry.returned = ()
            steps.append(entry)
            continue
        func, in_data = entry
        if id(func) not in needed or func.inputs is None:
            continue
        in_slots = tuple([slots.of_input(x, a) for x, a in zip(func.inputs, in_data)])
        out_nodes = tuple([ref() for ref in func.outputs])
        out_slots = []
        for y in out_nodes:
            s = slots.new()
            if y is not None:
                slots.by_node[y] = s
            out_slots.append(s)
        steps.append(_Step(func, in_slots, tuple(out_slots), func.inputs, out_nodes))

    out_slots = []
    for o in outs:
        s = slots.by_node.get(o._node) if o._node is not None else None
        if s is None:
            warnings.warn('static_graph: an output does not come from the recorded '
                          'computation; running define-by-run', RuntimeWarning)
            return None
        out_slots.append(s)
    arg_infos = tuple(ArrayInfo(a) for a in arrays)
    arg_requires = tuple(isinstance(a, Variable) and a._requires_grad for a in args)
    return ScheduleInfo(chain, arg_infos, arg_requires, params, steps, slots.n,
                        slots.constants, tuple(out_slots), structure)


def static_code(*dec_args, **dec_kwargs):
    """Marks a function that a static graph must call again on every iteration.

    Use it for side effects inside a ``static_graph`` chain (copying data in,
    drawing random numbers...). Arrays it returns (alone or in a tuple) that the
    chain then uses are replaced, on each replay, by the arrays it returns then.
    """
    if len(dec_args) == 1 and not dec_kwargs and callable(dec_args[0]):
        return _static_code_wrapper(dec_args[0])
    return _static_code_wrapper


def _static_code_wrapper(func: Callable) -> Callable:
    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        ret = func(*args, **kwargs)
        recorder = _recording.recorder
        if recorder is not None:
            call = _StaticCall(func, args, kwargs)
            call.returned = _arrays_of(ret)
            call.out_slots = tuple(call.returned)
            recorder.calls.append(call)
        return ret
    return wrapped


def static_graph(*args, **kwargs):
    """Decorator of a chain's ``forward``: record the first iteration, replay later ones.

    Keyword arguments (as Chainer's): ``force_test_define_by_run`` (always run
    define-by-run, for testing), ``minimize_cache_size`` (drop the arrays kept
    for backprop once it has run, rather than until the next iteration),
    ``verbosity_level``
    (0: silent, 1: schedule creation, 2: every call) and
    ``enable_double_backprop`` (not supported: such chains run define-by-run).
    """
    if len(args) == 1 and not kwargs and callable(args[0]):
        return _make_static(args[0])
    if args:
        raise TypeError('static_graph takes only keyword arguments')

    def wrap(func):
        return _make_static(func, **kwargs)
    return wrap


def _make_static(forward: Callable, force_test_define_by_run: bool = False,
                 minimize_cache_size: bool = True, verbosity_level: int = 0,
                 enable_double_backprop: bool = False) -> Callable:
    managers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    @functools.wraps(forward)
    def wrapped(chain, *args, **kwargs):
        if (kwargs or force_test_define_by_run or enable_double_backprop
                or not getattr(config, 'use_static_graph', True)):
            return forward(chain, *args, **kwargs)
        manager = managers.get(chain)
        if manager is None:
            manager = managers[chain] = ScheduleManager(minimize_cache_size,
                                                        verbosity_level)
        return manager.call(forward, chain, args)

    wrapped._static_graph_managers = managers
    return wrapped
