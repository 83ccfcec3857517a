"""``static_graph``: record a chain's computation once, then replay it.

The first call of a decorated ``forward`` runs define-by-run and records the
function nodes it applied. Later calls with inputs of the same shapes and dtypes
skip graph construction: they run the recorded nodes' ``forward`` methods as a
flat list of array kernels, and the whole call hangs off one
:class:`StaticScheduleFunction` node whose backward runs a flat list of
array-level backward kernels in reverse order. A node class provides its
array-level backward by defining ``static_backward`` (see
:func:`array_backward_of`); nodes without one are backpropagated through their
ordinary ``backward`` on Variables. Restrictions (as in Chainer): the
computation must not depend on the data (no data-dependent control flow), side
effects that must happen every iteration go in :func:`static_code` functions,
and arrays created inside ``forward`` are frozen at their first values. Each
signature of the arguments (nesting, shapes, dtypes) gets a schedule of its own.
"""
from __future__ import annotations

import copy
import functools
import heapq
import operator
import threading
import warnings
import weakref
from typing import Any, Callable, Optional

import numpy

import chainer
from chainer import function_hook
from chainer.backends import cuda
from chainer.configuration import config, using_config
from chainer.function import FunctionAdapter as _FunctionAdapter
from chainer.function_node import FunctionNode
from chainer.variable import Variable, _ARRAY_TYPES

__all__ = ['ArrayInfo', 'ScheduleInfo', 'ScheduleManager', 'StaticScheduleFunction',
           'array_backward_of', 'static_graph', 'static_code']

_ndarray = numpy.ndarray

# What recording returns for a chain that cannot be replayed.
_UNUSABLE = object()

# Schedules kept per mode (each signature of the arguments has its own), with
# and without minimize_cache_size; beyond that, the least recently used is dropped.
_MAX_KEPT = {True: 8, False: 64}


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


def array_backward_of(func: FunctionNode) -> Optional[Callable]:
    """The array-level backward a node class offers for static replay, or None.

    A node class offers one by defining ``static_backward(indexes, inputs,
    outputs, grad_outputs)``: ``inputs`` and ``outputs`` are the arrays of the
    forward call (only those the node retains are guaranteed, the others may be
    None), ``grad_outputs`` the output gradient arrays (None where an output
    got none); it returns one gradient array (or None) per index in ``indexes``.
    It must compute what ``backward`` computes, through the same Grad nodes'
    ``forward`` on arrays or the array functions that ``forward`` calls, so that
    each derivative has one formula.
    A subclass that overrides ``backward`` without ``static_backward`` gets none.
    """
    for cls in type(func).__mro__:
        attrs = vars(cls)
        if 'static_backward' in attrs:
            return func.static_backward
        if 'backward' in attrs or 'backward_accumulate' in attrs:
            return None
    return None


class _StaticCall:
    """A :func:`static_code` call recorded in a schedule (run again every iteration).

    ``bound``: whether its arguments hold :class:`_SlotRef` in place of arrays of
    the schedule (the chain's arguments and parameters, what nodes and static code
    computed), which each replay replaces by that call's arrays.
    """

    __slots__ = ('func', 'args', 'kwargs', 'out_slots', 'returned', 'bound')

    def __init__(self, func: Callable, args: tuple, kwargs: dict) -> None:
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.out_slots: tuple = ()
        self.returned: list = []
        self.bound = False


class _SlotRef:
    """Stands for the array of a slot among a static_code call's arguments."""

    __slots__ = ('slot',)

    def __init__(self, slot: int) -> None:
        self.slot = slot


def _bind(obj, array_slot: dict, own: tuple):
    """``obj`` with the arrays of ``array_slot`` (nested in lists and tuples) but
    those of the slots ``own`` replaced by :class:`_SlotRef`; ``obj`` itself where
    it holds none."""
    if type(obj) is tuple or type(obj) is list:
        items = [_bind(o, array_slot, own) for o in obj]
        if all([a is b for a, b in zip(items, obj)]):
            return obj
        return type(obj)(items)
    if isinstance(obj, _ARRAY_TYPES):
        s = array_slot.get(id(obj))
        if s is not None and s not in own:
            return _SlotRef(s)
    return obj


def _bind_call(call: _StaticCall, array_slot: dict) -> None:
    """Lets a static_code call take, on each replay, that call's arrays where it
    was given arrays of the schedule (as Chainer's ``inputs=``/``outputs=``)."""
    own = call.out_slots
    args = _bind(call.args, array_slot, own)
    kwargs = {k: _bind(v, array_slot, own) for k, v in call.kwargs.items()}
    if args is not call.args or any([kwargs[k] is not v for k, v in call.kwargs.items()]):
        call.args, call.kwargs, call.bound = args, kwargs, True


def _resolve(obj, vals: list):
    """What :func:`_bind` made, with each slot's array of this call."""
    if type(obj) is _SlotRef:
        return vals[obj.slot]
    if type(obj) is tuple or type(obj) is list:
        return type(obj)([_resolve(o, vals) for o in obj])
    return obj


class _Step:
    """A recorded function node (a private copy) with the slots of its arrays.

    ``array_backward`` is the node's ``static_backward`` (None: the Variable-level
    ``backward`` runs, on ``in_nodes``/``out_nodes`` of its own).
    """

    __slots__ = ('func', 'in_slots', 'out_slots', 'in_requires', 'targets',
                 'array_backward', 'in_nodes', 'out_nodes', 'retained_in', 'retained_out',
                 'fresh')

    def __init__(self, func, in_slots: tuple, out_slots: tuple, recorded_in: tuple,
                 recorded_out: tuple) -> None:
        self.func = func
        self.in_slots = in_slots
        self.out_slots = out_slots
        self.in_requires = tuple([x.requires_grad for x in recorded_in])
        self.targets: tuple = ()
        self.retained_in = func._input_indexes_to_retain or ()
        self.retained_out = func._output_indexes_to_retain or ()
        self.array_backward = array_backward_of(func)
        self.in_nodes: tuple = ()
        self.out_nodes: tuple = ()
        self.fresh: Optional[tuple] = None  # (object, {attribute: value before forward})
        if self.array_backward is None:
            # Nodes of our own (no Variable behind them): backward rebuilds
            # Variables from the arrays stored in them just before it runs.
            self.in_nodes = tuple([_free_node(x) for x in recorded_in])
            self.out_nodes = tuple([_free_node(y) for y in recorded_out])
            func.inputs = self.in_nodes
            func.outputs = tuple([weakref.ref(n) for n in self.out_nodes])
            for n in self.out_nodes:
                n.creator_node = func
        else:
            func.inputs = None
            func.outputs = None
        func._retained_output_data = None


def _free_node(like):
    """A variable node like the recorded node ``like`` whose variable is gone (its
    data is set when needed)."""
    if like is None:  # an output nothing used (its node is gone)
        return Variable(None, requires_grad=False).node
    node = Variable(None, requires_grad=like.requires_grad).node
    node.shape = like.shape
    node.dtype = like.dtype
    return node


class _Recorder(function_hook.FunctionHook):
    """Collects, in order, the function nodes applied (with their input arrays) and
    the :func:`static_code` calls made while a schedule is recorded."""

    name = 'StaticGraphRecorder'

    def __init__(self) -> None:
        self.calls: list = []  # (node, input arrays, node's attributes) or _StaticCall

    def forward_preprocess(self, function, in_data) -> None:
        # What the node (and an old-style Function it runs) holds before its
        # forward, to reset what forward sets.
        inner = function.function if isinstance(function, _FunctionAdapter) else None
        self.calls.append((function, in_data, (
            dict(getattr(function, '__dict__', ())),
            None if inner is None else dict(inner.__dict__))))


class _RecordingState(threading.local):
    """The schedule being recorded in this thread (a chain called in another thread
    at the same time records its own)."""

    recorder: Optional[_Recorder] = None


_recording = _RecordingState()


def _no_schedule() -> None:
    return None


class ScheduleInfo:
    """A recorded schedule: slots for arrays, forward steps, and how to backprop them.

    Slots hold, in order: the arguments, the parameters, the constants and the
    outputs of static code and of every step. What a recorded node's forward sets
    on it (``stateful``: the node and those attribute names) belongs to one call:
    each call keeps its own copy for its backward, so that calls may overlap.
    """

    def __init__(self, chain, arg_spec, arg_infos: tuple, arg_requires: tuple,
                 params: list, steps: list, n_slots: int, constants: dict,
                 out_slots: tuple, out_spec, out_requires: tuple) -> None:
        self.chain = weakref.ref(chain)
        self.arg_spec = arg_spec
        self.arg_infos = arg_infos
        self.arg_requires = arg_requires
        self.params = params
        self.steps = steps
        self.n_slots = n_slots
        self.constants = constants
        self.out_slots = out_slots
        self.out_spec = out_spec
        self.out_requires = out_requires
        self.func_steps = [s for s in steps if type(s) is _Step]
        n_args = len(arg_infos)
        self.grad_args = tuple([i for i, r in enumerate(arg_requires) if r])
        self.input_slots = self.grad_args + tuple(range(n_args, n_args + len(params)))
        self.token = 0
        self.stateful = tuple([(obj, tuple(f)) for s in self.func_steps if s.fresh
                               for obj, f in s.fresh])
        self._plan_backward()
        self._compile()
        self._template = [None] * n_slots
        for slot, array in constants.items():
            self._template[slot] = array

    def __reduce__(self):
        # A chain's ``static_schedule`` holds node copies and weak references: a
        # pickled or copied chain records schedules of its own.
        return _no_schedule, ()

    def _plan_backward(self) -> None:
        n_args = len(self.arg_infos)
        needs = [False] * self.n_slots
        for i in range(n_args + len(self.params)):
            needs[i] = True  # for the arguments, decided per call (their requires_grad)
        for step in self.func_steps:
            step.targets = tuple(i for i, s in enumerate(step.in_slots)
                                 if needs[s] and step.in_requires[i])
            if step.targets:
                for s in step.out_slots:
                    needs[s] = True
        self.needs = needs
        self.backward_steps = self._backward_order()
        # Step outputs that no backward reads are dropped right after forward.
        kept = set(self.out_slots)
        for step in self.backward_steps:
            if step.array_backward is None:
                kept.update(step.in_slots)
                kept.update(step.out_slots)
            else:
                kept.update(step.in_slots[i] for i in step.retained_in)
                kept.update(step.out_slots[i] for i in step.retained_out)
        produced = [s for step in self.func_steps for s in step.out_slots]
        self.dropped = tuple(s for s in produced if s not in kept)

    def matches(self, spec, args: list) -> bool:
        """Whether the flattened arguments ``args`` (nested as ``spec``) fit."""
        if spec != self.arg_spec or len(args) != len(self.arg_infos):
            return False
        for a, info, requires in zip(args, self.arg_infos, self.arg_requires):
            if isinstance(a, Variable):
                if a._requires_grad != requires or not info.matches(a._data):
                    return False
            elif requires or not isinstance(a, _ARRAY_TYPES) or not info.matches(a):
                return False
        return True

    def _backward_order(self) -> list:
        """The steps with gradients to compute, in the order define-by-run backprop
        visits their nodes (decreasing rank, then the order they were reached),
        so that gradients add up in the same order, to the same bits."""
        producer = {}
        for step in self.func_steps:
            if step.targets:
                for s in step.out_slots:
                    producer[s] = step
        heap: list = []
        reached: set = set()

        def reach(slot: int) -> None:
            step = producer.get(slot)
            if step is not None and id(step) not in reached:
                reached.add(id(step))
                heapq.heappush(heap, (-step.func.rank, len(reached), step))

        for s in self.out_slots:
            reach(s)
        order = []
        while heap:
            step = heapq.heappop(heap)[2]
            order.append(step)
            for i in step.targets:
                reach(step.in_slots[i])
        return order

    def _compile(self) -> None:
        """Flat lists of what forward and backward run: per step a kernel and
        getters of its argument tuples from the slots."""
        forward = []
        for step in self.steps:
            if type(step) is _StaticCall:
                forward.append((None, step, step.out_slots))
            elif step.fresh:
                forward.append((functools.partial(_fresh_forward, step.func, step.fresh),
                                _getter(step.in_slots), step.out_slots))
            else:
                forward.append((step.func.forward, _getter(step.in_slots), step.out_slots))
        self.forward_kernels = forward
        backward = []
        for step in self.backward_steps:
            kernel = step.array_backward
            if kernel is None:
                kernel = functools.partial(_variable_backward, step)
            single = step.out_slots[0] if len(step.out_slots) == 1 else -1
            backward.append((kernel, step.targets, step.in_slots, _getter(step.in_slots),
                             step.out_slots, _getter(step.out_slots), single))
        self.backward_kernels = backward
        self.has_variable_steps = any(s.array_backward is None for s in self.backward_steps)

    def run_forward(self, arrays: tuple, keep_for_backward: bool) -> list:
        """Runs the forward kernels on ``arrays`` (arguments, then parameters).

        Returns the slots' arrays (those backward needs when ``keep_for_backward``).
        """
        self.token += 1  # the nodes' state now belongs to this run
        vals = self._template.copy()
        vals[:len(arrays)] = arrays
        for forward, get_inputs, out_slots in self.forward_kernels:
            if forward is None:  # a static_code call (in place of the getter)
                _run_static_call(get_inputs, vals)
                continue
            outs = forward(get_inputs(vals))
            if len(outs) == 1:
                y = outs[0]
                if type(y) is not _ndarray:
                    y = _check_outputs(forward, outs)[0]
                vals[out_slots[0]] = y
                continue
            for y in outs:
                if type(y) is not _ndarray:
                    outs = _check_outputs(forward, outs)
                    break
            for s, y in zip(out_slots, outs):
                vals[s] = y
        if keep_for_backward:
            for s in self.dropped:
                vals[s] = None
        return vals

    def run_backward(self, vals: list, grad_outputs: tuple, wanted: tuple) -> list:
        """Backprops the gradient arrays ``grad_outputs`` through the steps.

        Returns the gradient arrays of the ``wanted`` inputs of the
        :class:`StaticScheduleFunction` (None where none).
        """
        grads = [None] * self.n_slots
        for s, g in zip(self.out_slots, grad_outputs):
            if g is not None:
                cur = grads[s]
                grads[s] = g if cur is None else _add(cur, g)
        for (kernel, targets, in_slots, get_inputs, out_slots, get_outputs,
             single) in self.backward_kernels:
            if single >= 0:
                gy = grads[single]
                if gy is None:
                    continue
                grads[single] = None
                gys = (gy,)
            else:
                gys = tuple([grads[s] for s in out_slots])
                for s in out_slots:
                    grads[s] = None
                if all([g is None for g in gys]):
                    continue
            gxs = kernel(targets, get_inputs(vals), get_outputs(vals), gys)
            for i, gx in zip(targets, gxs):
                if gx is not None:
                    s = in_slots[i]
                    cur = grads[s]
                    grads[s] = gx if cur is None else _add(cur, gx)
        input_slots = self.input_slots
        return [grads[input_slots[i]] for i in wanted]


def _getter(slots: tuple) -> Callable:
    """A function taking the slots' arrays, as a tuple, from a list of slots."""
    if len(slots) == 1:
        slot = slots[0]
        return lambda vals: (vals[slot],)
    if not slots:
        return lambda vals: ()
    return operator.itemgetter(*slots)


def _check_outputs(forward, outs) -> tuple:
    """The outputs of a node's forward as arrays (NumPy scalars become 0-d)."""
    node = forward.args[0] if isinstance(forward, functools.partial) else forward.__self__
    return node._normalize_outputs(outs)


# Attributes of FunctionNode (and of an old-style Function) that the graph, not
# the node's own forward, sets.
_GRAPH_ATTRIBUTES = frozenset([
    'inputs', 'outputs', 'rank', 'stack', 'lazy_grad_sum', '_input_indexes_to_retain',
    '_output_indexes_to_retain', '_retained_output_data', '_local_function_hooks',
    '_n_local_function_hooks', 'chainerx_device', '_node', '_owned_node'])

_UNSET = object()


def _state_set_by_forward(before: dict, after: dict) -> Optional[dict]:
    """The attributes a node's forward set (a dropout mask, say), with their values
    before it ran (``_UNSET`` where there was none); None if it set none."""
    fresh = {k: before.get(k, _UNSET) for k, v in after.items()
             if k not in _GRAPH_ATTRIBUTES and before.get(k, _UNSET) is not v}
    return fresh or None


def _set_state(d: dict, keys, values) -> None:
    """Sets the attributes ``keys`` of a node's ``__dict__`` (``_UNSET``: removes)."""
    for k, v in zip(keys, values):
        if v is _UNSET:
            d.pop(k, None)
        else:
            d[k] = v


def _fresh_forward(func, fresh: tuple, inputs: tuple) -> tuple:
    """Runs ``func.forward`` from the state it (and the old-style Function it runs)
    had before its recorded forward, so that what forward draws or caches (a
    dropout mask) is made anew on every call."""
    for obj, f in fresh:
        _set_state(obj.__dict__, f.keys(), f.values())
    return func.forward(inputs)


def _private_copy(func, before: tuple) -> tuple:
    """A copy of a recorded node for the schedule (with a copy of the old-style
    Function it runs), and what its forward set on them (see :class:`_Step`)."""
    node = copy.copy(func)
    fresh = []
    f = _state_set_by_forward(before[0], getattr(func, '__dict__', {}))
    if f:
        fresh.append((node, f))
    if before[1] is not None:
        inner = copy.copy(func._function)
        inner._node = weakref.ref(node)
        inner._owned_node = None
        node._function = inner
        f = _state_set_by_forward(before[1], func._function.__dict__)
        if f:
            fresh.append((inner, f))
    return node, tuple(fresh) or None


def _variable_backward(step: _Step, targets: tuple, inputs: tuple, outputs: tuple,
                       gys: tuple) -> tuple:
    """Runs a node's Variable-level ``backward`` on the arrays of one call."""
    func = step.func
    in_nodes, out_nodes = step.in_nodes, step.out_nodes
    for i in step.retained_in:
        in_nodes[i].data = inputs[i]
    retained = []
    for i in step.retained_out:
        out_nodes[i].data = outputs[i]
        retained.append(outputs[i])
    func._retained_output_data = tuple(retained)
    gys = tuple([None if g is None else Variable._new(g, True) for g in gys])
    try:
        if type(func).backward_accumulate is not FunctionNode.backward_accumulate:
            gxs = func.backward_accumulate(targets, gys, (None,) * len(targets))
        else:
            gxs = func.backward(targets, gys)
        if type(gxs) is not tuple:
            gxs = tuple(gxs)
        if len(gxs) != len(targets):
            if len(gxs) != len(inputs):
                raise ValueError(
                    f'number of gradients returned from backward is incorrect: '
                    f'{len(gxs)} != expected {len(targets)} ({func.label})')
            gxs = tuple([gxs[i] for i in targets])
    finally:
        for n in in_nodes:
            n.data = None
        for n in out_nodes:
            n.data = None
        func._retained_output_data = None
    return tuple([None if gx is None else gx.array for gx in gxs])


def _add(a, b):
    """Sum of two gradient arrays (0-d sums stay arrays)."""
    g = a + b
    if type(g) is not _ndarray and isinstance(g, numpy.generic):
        g = numpy.asarray(g)
    return g


def _run_static_call(call: _StaticCall, vals: list) -> None:
    if call.bound:
        ret = call.func(*_resolve(call.args, vals),
                        **{k: _resolve(v, vals) for k, v in call.kwargs.items()})
    else:
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
    """The function node of one replayed call: inputs are the arguments and the
    parameters, outputs are the chain's outputs. It keeps the call's arrays (and
    the state its forward left on the recorded nodes) as long as it lives, as the
    nodes of a define-by-run call would."""

    def __init__(self, schedule: ScheduleInfo) -> None:
        self.schedule = schedule
        self._args: tuple = ()  # the arrays of the arguments
        self._vals: Optional[list] = None
        self._state: tuple = ()
        self._token = 0

    @property
    def label(self) -> str:
        return 'StaticScheduleFunction'

    def forward(self, inputs: tuple) -> tuple:
        schedule = self.schedule
        vals = self._vals = schedule.run_forward(
            self._args + inputs[len(schedule.grad_args):], True)
        self._token = schedule.token
        if schedule.stateful:
            self._state = tuple([tuple([func.__dict__.get(k, _UNSET) for k in keys])
                                 for func, keys in schedule.stateful])
        return tuple([vals[s] for s in schedule.out_slots])

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        vals = self._vals
        gys = tuple([None if g is None else g._data for g in grad_outputs])
        schedule = self.schedule
        if schedule.token != self._token and schedule.stateful:
            # A later call ran the schedule: put back this call's node state.
            schedule.token = self._token
            for (func, keys), values in zip(schedule.stateful, self._state):
                _set_state(func.__dict__, keys, values)
        if schedule.has_variable_steps:
            with using_config('enable_backprop', False):
                gxs = schedule.run_backward(vals, gys, indexes)
        else:
            gxs = schedule.run_backward(vals, gys, indexes)
        if config.enable_backprop:
            # Double backprop: gradients whose own backward raises a clear error
            # (a bare Variable would cut the graph and give no gradient silently).
            ins = [g for g in grad_outputs if g is not None] + [
                n.get_variable() for n in self.inputs]
            outs = iter(_ReplayedGradient(
                [g for g in gxs if g is not None]).apply(ins))
            return tuple([None if g is None else next(outs) for g in gxs])
        return tuple([None if g is None else Variable._new(g, True) for g in gxs])


class _ReplayedGradient(FunctionNode):
    """The gradients of a replayed call, for double backprop: its backward raises."""

    def __init__(self, gxs: list) -> None:
        self.gxs = gxs

    def forward(self, inputs: tuple) -> tuple:
        return tuple(self.gxs)

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        raise NotImplementedError(
            'static_graph: the gradient of a replayed call is not differentiable '
            'again; decorate the chain with @static_graph(enable_double_backprop=True)')


class ScheduleManager:
    """The schedules of one decorated chain, per mode (train or test).

    Each signature of the arguments (their nesting, shapes, dtypes, array kind
    and ``requires_grad``) gets schedules of its own, recorded on its first call.
    """

    def __init__(self, minimize_cache_size: bool = True, verbosity_level: int = 0) -> None:
        self.schedules: dict = {}  # config.train -> list of ScheduleInfo, oldest use first
        self.minimize_cache_size = minimize_cache_size
        self.verbosity_level = verbosity_level
        self.unusable = False

    def _log(self, level: int, message: str) -> None:
        if self.verbosity_level >= level:
            print(f'static_graph: {message}')

    def end_forward(self) -> None:
        """Chainer's call to end an iteration that had no backward: nothing to do
        here, since a schedule is free again once its call's outputs are gone."""

    def __getstate__(self) -> dict:
        # Schedules hold node copies and weak references: a pickled or copied
        # chain records its own.
        return {'minimize_cache_size': self.minimize_cache_size,
                'verbosity_level': self.verbosity_level}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def __deepcopy__(self, memo) -> 'ScheduleManager':
        return ScheduleManager(self.minimize_cache_size, self.verbosity_level)

    def call(self, forward: Callable, chain, args: tuple) -> Any:
        if self.unusable:
            return forward(chain, *args)
        leaves: list = []
        spec = _flatten(args, leaves)
        for a in leaves:
            if not isinstance(a, Variable) and not isinstance(a, _ARRAY_TYPES):
                raise TypeError(
                    f'static_graph: the arguments of {type(chain).__name__} must be '
                    'Variables or arrays, alone or in (nested) lists and tuples; got '
                    f'{type(a).__name__}')
        key = bool(config.train)
        schedules = self.schedules.setdefault(key, [])
        for i, schedule in enumerate(schedules):
            if schedule.matches(spec, leaves):
                if i != len(schedules) - 1:
                    schedules.append(schedules.pop(i))
                if self.verbosity_level >= 2:
                    self._log(2, 'replaying the schedule')
                chain.static_schedule = schedule  # Chainer's attribute: the one in use
                return _replay(schedule, leaves)
        self._log(1, f'recording a schedule for {type(chain).__name__} (train={key})')
        out, schedule = _record(forward, chain, spec, leaves)
        if schedule is _UNUSABLE:
            self.unusable = True  # warned once: define-by-run from now on
        elif schedule is not None:
            if len(schedules) >= _MAX_KEPT[bool(self.minimize_cache_size)]:
                del schedules[0]
            schedules.append(schedule)
        chain.static_schedule = schedule if isinstance(schedule, ScheduleInfo) else None
        return out


def _flatten(obj, leaves: list):
    """The nesting of ``obj`` (lists and tuples) as a hashable spec; appends its
    other items to ``leaves``."""
    if type(obj) is tuple or type(obj) is list:
        return (type(obj), tuple([_flatten(o, leaves) for o in obj]))
    leaves.append(obj)
    return None


def _unflatten(spec, leaves):
    """Rebuilds what :func:`_flatten` took apart, from an iterator of leaves."""
    if spec is None:
        return next(leaves)
    kind, items = spec
    return kind([_unflatten(s, leaves) for s in items])


def _replay(schedule: ScheduleInfo, args: list) -> Any:
    arrays = tuple([a._data if isinstance(a, Variable) else a for a in args])
    if config.enable_backprop:
        # Graph inputs: the arguments that require a gradient, and the parameters;
        # the other arguments reach the schedule directly.
        func = StaticScheduleFunction(schedule)
        func._args = arrays
        grad_args = schedule.grad_args
        inputs = schedule.params if not grad_args else (
            [args[i] for i in grad_args] + schedule.params)
        outs = func.apply(inputs)
    else:
        vals = schedule.run_forward(arrays + tuple([p._data for p in schedule.params]),
                                    False)
        outs = [Variable._new(vals[s], r)
                for s, r in zip(schedule.out_slots, schedule.out_requires)]
    return _unflatten(schedule.out_spec, iter(outs))


def _unchain_all(out) -> None:
    """Cuts the graph behind every Variable in ``out`` (nested in lists, tuples, dicts)."""
    if isinstance(out, Variable):
        out.unchain()
    elif isinstance(out, (tuple, list)):
        for o in out:
            _unchain_all(o)
    elif isinstance(out, dict):
        for o in out.values():
            _unchain_all(o)


def _record(forward: Callable, chain, spec, leaves: list):
    """Runs ``forward`` define-by-run and records its schedule (None if it cannot).

    Array arguments reach ``forward`` as Variables (as in Chainer), so that what
    it computes from them is recorded rather than frozen.
    """
    recorded = [a if isinstance(a, Variable) else Variable(a, requires_grad=False)
                for a in leaves]
    args = _unflatten(spec, iter(recorded))
    if _recording.recorder is not None:
        return forward(chain, *args), None  # a static chain inside one being recorded
    recorder = _recording.recorder = _Recorder()
    try:
        with chainer.force_backprop_mode(), recorder:
            out = forward(chain, *args)
    finally:
        _recording.recorder = None
    outs: list = []
    out_spec = _flatten(out, outs)
    if not outs or not all([isinstance(o, Variable) for o in outs]):
        warnings.warn('static_graph: the chain must return a Variable or a (nested) '
                      'tuple or list of Variables; running define-by-run', RuntimeWarning)
        schedule = _UNUSABLE
    else:
        schedule = _build_schedule(chain, spec, leaves, recorded, recorder.calls, outs,
                                   out_spec)
    if not config.enable_backprop:
        # The graph was built for the schedule only: the caller gets none.
        _unchain_all(out)
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


def _build_schedule(chain, spec, args: list, recorded_args: list, calls: list,
                    outs: list, out_spec):
    """The schedule of a recorded call: ``args`` are the flattened arguments,
    ``recorded_args`` the Variables ``forward`` got for them."""
    slots = _SlotTable()
    arrays = [a._data for a in recorded_args]
    for a, arg in zip(arrays, recorded_args):
        s = slots.new()
        slots.by_array.setdefault(id(a), s)
        if arg._node is not None:
            slots.by_node[arg._node] = s
    params = list(chain.params())
    for p in params:
        slots.by_node[p.node] = s = slots.new()
        slots.by_array.setdefault(id(p.array), s)
    needed = _needed_functions(outs)
    array_slot = slots.by_array  # static code finds its argument arrays here

    steps: list = []
    for entry in calls:
        if type(entry) is _StaticCall:
            entry.out_slots = tuple(slots.new() for _ in entry.out_slots)
            for s, a in zip(entry.out_slots, entry.returned):
                slots.by_array[id(a)] = s
            entry.returned = ()
            steps.append(entry)
            continue
        func, in_data, before = entry
        if id(func) not in needed or func.inputs is None:
            continue
        in_slots = tuple([slots.of_input(x, a) for x, a in zip(func.inputs, in_data)])
        for a, s in zip(in_data, in_slots):
            array_slot.setdefault(id(a), s)
        out_nodes = tuple([ref() for ref in func.outputs])
        out_slots = []
        for y in out_nodes:
            s = slots.new()
            if y is not None:
                slots.by_node[y] = s
                v = y._variable()
                if v is not None:
                    array_slot.setdefault(id(v._data), s)
            out_slots.append(s)
        # A private copy: replays never touch the recorded graph's nodes.
        node, fresh = _private_copy(func, before)
        step = _Step(node, in_slots, tuple(out_slots), func.inputs, out_nodes)
        step.fresh = fresh
        steps.append(step)

    for step in steps:
        if type(step) is _StaticCall:
            _bind_call(step, array_slot)
    out_slots = []
    for o in outs:
        s = slots.by_node.get(o._node) if o._node is not None else None
        if s is None:
            warnings.warn('static_graph: an output does not come from the recorded '
                          'computation; running define-by-run', RuntimeWarning)
            return _UNUSABLE
        out_slots.append(s)
    arg_infos = tuple(ArrayInfo(a) for a in arrays)
    arg_requires = tuple(isinstance(a, Variable) and a._requires_grad for a in args)
    out_requires = tuple([o._requires_grad for o in outs])
    return ScheduleInfo(chain, spec, arg_infos, arg_requires, params, steps, slots.n,
                        slots.constants, tuple(out_slots), out_spec, out_requires)


def static_code(*dec_args: Any, **dec_kwargs: Any) -> Callable:
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


def static_graph(*args: Any, **kwargs: Any) -> Callable:
    """Decorator of a chain's ``forward``: record the first iteration, replay later ones.

    Keyword arguments (as Chainer's): ``force_test_define_by_run`` (run
    define-by-run in test mode), ``minimize_cache_size`` (keep fewer schedules:
    8 argument signatures per mode rather than 64), ``verbosity_level``
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
        if (kwargs or enable_double_backprop or (force_test_define_by_run and not config.train)
                or not getattr(config, 'use_static_graph', True)):
            return forward(chain, *args, **kwargs)
        manager = managers.get(chain)
        if manager is None:
            manager = managers[chain] = ScheduleManager(minimize_cache_size,
                                                        verbosity_level)
            # Chainer's attribute, for code that calls its end_forward().
            chain.schedule_manager = manager
        return manager.call(forward, chain, args)

    wrapped._static_graph_managers = managers
    return wrapped
