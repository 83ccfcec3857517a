"""The backprop loop: an iterative walk over function nodes in decreasing rank.

Gradients live in a table keyed by variable node while the walk runs; an
intermediate gradient is dropped as soon as its function has consumed it
(unless ``retain_grad``), so memory stays flat along long chains.
"""
from __future__ import annotations

import heapq
import warnings
from typing import Optional

import numpy

from chainer import _thread_state
from chainer.configuration import config, using_config



def select_target_grads(func, target_input_indexes: tuple, gxs) -> tuple:
    """Validates what ``func.backward`` returned and keeps the targets' gradients."""
    if type(gxs) is not tuple:
        if isinstance(gxs, list):
            gxs = tuple(gxs)
        else:
            raise TypeError(
                f'backward of {func.label} must return a tuple of Variables (or None), '
                f'got {type(gxs).__name__}')
    n_in = len(func.inputs)
    n = len(gxs)
    if n == n_in:
        if n != len(target_input_indexes):
            gxs = tuple([gxs[i] for i in target_input_indexes])
    elif n != len(target_input_indexes):
        if n_in == len(target_input_indexes):
            expected = f'{n_in}'
        else:
            expected = f'{n_in} or {len(target_input_indexes)}'
        raise ValueError(
            f'number of gradients returned from backward of {func.label} is incorrect: '
            f'{n} != expected {expected}')
    return gxs


def _add(a, b):
    """Sum of two gradient Variables: recorded only under double backprop."""
    if config.enable_backprop:
        from chainer.functions.math.basic_math import add
        return add(a, b)
    g = a._data + b._data
    if type(g) is not numpy.ndarray and isinstance(g, numpy.generic):
        g = numpy.asarray(g)  # 0-d + 0-d gives a NumPy scalar
    return _new_variable(g, True)


def _new_variable(data, requires_grad):
    global _new_variable
    from chainer.variable import Variable
    _new_variable = Variable._new
    return _new_variable(data, requires_grad)


class _Walk:
    """State of one backprop run."""

    __slots__ = ('grads', 'load_if_new', 'heap', 'pushed', 'count', 'relevant_funcs',
                 'relevant_nodes', 'keep')

    def __init__(self, load_if_new: bool) -> None:
        self.grads: dict = {}
        self.load_if_new = load_if_new
        self.heap: list = []
        self.pushed: set = set()
        self.count = 0
        self.relevant_funcs: Optional[set] = None
        self.relevant_nodes: Optional[set] = None
        self.keep: set = set()

    def current(self, node):
        """The gradient accumulated so far for ``node`` (loading the variable's own)."""
        g = self.grads.get(node, _MISSING)
        if g is _MISSING:
            g = None
            if self.load_if_new:
                var = node._variable()
                if var is not None:
                    g = var._grad_var
        return g

    def accumulate(self, node, gx) -> None:
        cur = self.current(node)
        self.grads[node] = gx if cur is None else _add(cur, gx)

    def push(self, func) -> None:
        key = id(func)
        if key in self.pushed:
            return
        if self.relevant_funcs is not None and key not in self.relevant_funcs:
            return
        self.pushed.add(key)
        self.count += 1
        heapq.heappush(self.heap, (-func.rank, self.count, func))


_MISSING = object()


def _run(walk: _Walk, retain_grad: bool, leaves: Optional[dict]) -> None:
    """Processes the queued functions until the heap is empty."""
    from chainer.function_node import FunctionNode
    from chainer.variable import Variable, _check_grad_type
    default_accumulate = FunctionNode.backward_accumulate
    heap = walk.heap
    grads = walk.grads
    pushed = walk.pushed
    relevant_nodes = walk.relevant_nodes
    relevant_funcs = walk.relevant_funcs
    keep = walk.keep
    load_if_new = walk.load_if_new
    debug = config.debug
    global_hooks = _thread_state.current_hooks()
    heappop = heapq.heappop
    heappush = heapq.heappush
    pop = grads.pop
    count = walk.count

    while heap:
        func = heappop(heap)[2]
        outputs = func.outputs
        if len(outputs) == 1:
            out_nodes = (outputs[0](),)
        else:
            out_nodes = [ref() for ref in outputs]
        gys = []
        has_grad = False
        for y in out_nodes:
            if y is None:
                gy = None
            elif keep and y in keep:
                gy = walk.current(y)
            else:
                gy = pop(y, _MISSING)
                if gy is _MISSING:
                    gy = None
                    if load_if_new:
                        var = y._variable()
                        if var is not None:
                            gy = var._grad_var
            if gy is not None:
                has_grad = True
            gys.append(gy)
        gys = tuple(gys)
        if retain_grad:
            for y, gy in zip(out_nodes, gys):
                if y is not None:
                    var = y._variable()
                    if var is not None:
                        var._grad_var = gy
        if not has_grad:
            continue
        inputs = func.inputs
        if relevant_nodes is None:
            n_in = len(inputs)
            if n_in == 1:
                targets = (0,) if inputs[0]._requires_grad else ()
            elif n_in == 2:
                if inputs[0]._requires_grad:
                    targets = (0, 1) if inputs[1]._requires_grad else (0,)
                else:
                    targets = (1,) if inputs[1]._requires_grad else ()
            else:
                targets = tuple([i for i, x in enumerate(inputs) if x._requires_grad])
        else:
            targets = tuple([i for i, x in enumerate(inputs)
                             if x._requires_grad and x in relevant_nodes])
        if not targets:
            continue

        hooks = global_hooks
        if func._n_local_function_hooks:
            hooks = dict(hooks or ())
            hooks.update(func.local_function_hooks)
        if hooks:
            hooks = tuple(hooks.values())
            in_data = tuple([x.data for x in inputs])
            out_grad_data = tuple([None if g is None else g._data for g in gys])
            for hook in hooks:
                hook.backward_preprocess(func, in_data, out_grad_data)

        if type(func).backward_accumulate is default_accumulate:
            gxs = func.backward(targets, gys)
            if type(gxs) is not tuple or len(gxs) != len(targets):
                gxs = select_target_grads(func, targets, gxs)
        else:
            # A custom backward_accumulate adds the current gradients itself; each
            # distinct input receives its accumulated gradient exactly once.
            grad_inputs = []
            replaced = []
            for i in targets:
                x = inputs[i]
                if x in replaced:
                    grad_inputs.append(None)
                else:
                    replaced.append(x)
                    grad_inputs.append(walk.current(x))
                    grads[x] = None
            gxs = func.backward_accumulate(targets, gys, tuple(grad_inputs))
            gxs = select_target_grads(func, targets, gxs)

        if hooks:
            for hook in hooks:
                hook.backward_postprocess(func, in_data, out_grad_data)

        for i, gx in zip(targets, gxs):
            if gx is None:
                continue
            if type(gx) is not Variable and not isinstance(gx, Variable):
                raise TypeError(
                    f'backward of {func.label} must return Variables (or None), '
                    f'got {type(gx).__module__}.{type(gx).__qualname__}')
            x = inputs[i]
            data = gx._data
            if data.shape != x.shape or (data.dtype is not x.dtype and data.dtype != x.dtype):
                _check_grad_type(func, x, data)
            if debug:
                func._debug_check_nan((data,), 'backward')
            walk.accumulate(x, gx)
            creator = x._creator_node
            if creator is None:
                if leaves is not None:
                    leaves[x] = True
            else:
                key = id(creator)
                if key not in pushed and (relevant_funcs is None or key in relevant_funcs):
                    pushed.add(key)
                    count += 1
                    heappush(heap, (-creator.rank, count, creator))
        del gxs
    walk.count = count


def _set_leaf_grads(walk: _Walk, leaves: dict, loss_scale) -> None:
    grads = walk.grads
    for node in leaves:
        var = node._variable()
        gx = grads.pop(node, None)
        if gx is not None and node._old_style_grad_generator is not None:
            # The walk reached a gradient computed by an old-style Function.
            node._check_old_style_gradient()
        if var is not None and gx is not None:
            var._grad_var = gx
            # Reset too (None) so optimizers never unscale by a stale factor.
            var._loss_scale = loss_scale


def backward_all(nodes: list, seed_grads: list, retain_grad: bool, loss_scale) -> None:
    """Backprop from ``nodes`` (with ``seed_grads``), storing leaf gradients."""
    walk = _Walk(load_if_new=True)
    leaves: dict = {}
    for node, g in zip(nodes, seed_grads):
        if g is None:
            continue
        node._check_old_style_gradient()
        if node in walk.grads:
            walk.grads[node] = _add(walk.grads[node], g)
        else:
            walk.grads[node] = g
        if node._creator_node is None:
            leaves[node] = True
        else:
            walk.push(node._creator_node)
    _run(walk, retain_grad, leaves)
    _set_leaf_grads(walk, leaves, loss_scale)


def _mark_relevant(walk: _Walk, seed_nodes: list, targets: list) -> None:
    """Restricts the walk to functions lying on a path from a target to a seed."""
    funcs = {}
    stack = [n._creator_node for n in seed_nodes if n._creator_node is not None]
    while stack:
        f = stack.pop()
        if id(f) in funcs:
            continue
        funcs[id(f)] = f
        for x in f.inputs:
            if x._old_style_grad_generator is not None and x._requires_grad:
                x._check_old_style_gradient()
            c = x._creator_node
            if c is not None and id(c) not in funcs:
                stack.append(c)
    relevant_nodes = set(targets)
    relevant_funcs = set()
    for f in sorted(funcs.values(), key=lambda f: f.rank):
        if any(x in relevant_nodes for x in f.inputs):
            relevant_funcs.add(id(f))
            for ref in f.outputs:
                y = ref()
                if y is not None:
                    relevant_nodes.add(y)
    walk.relevant_funcs = relevant_funcs
    walk.relevant_nodes = relevant_nodes


def backward_to_targets(seed_nodes: list, seed_grads: list, targets: list,
                        target_inits: Optional[list], retain_grad: bool,
                        loss_scale) -> list:
    """Backprop from the seeds to ``targets`` only; returns the targets' gradients."""
    walk = _Walk(load_if_new=False)
    _mark_relevant(walk, seed_nodes, targets)
    walk.keep = set(targets)
    if target_inits is not None:
        for node, g in zip(targets, target_inits):
            if g is not None:
                walk.accumulate(node, g)
    for node, g in zip(seed_nodes, seed_grads):
        node._check_old_style_gradient()
        walk.accumulate(node, g)
        if node._creator_node is not None:
            walk.push(node._creator_node)
    _run(walk, retain_grad, None)
    return [walk.grads.get(t) for t in targets]


def backward(outputs, grad_outputs=None, **kwargs) -> None:
    """Runs backprop from several outputs at once (``chainer.backward``)."""
    enable_double_backprop = kwargs.pop('enable_double_backprop', False)
    if kwargs:
        raise TypeError(f'backward() got unexpected keyword argument(s): {", ".join(kwargs)}')
    from chainer.variable import Variable
    if not isinstance(outputs, (tuple, list)):
        raise TypeError(f'outputs must be a tuple or a list, not {type(outputs).__name__}')
    for v in outputs:
        if not isinstance(v, Variable):
            raise TypeError(f'each output must be a Variable, not {type(v).__name__}')
    if grad_outputs is not None:
        if not isinstance(grad_outputs, (tuple, list)):
            raise TypeError('grad_outputs must be None, a tuple, or a list, '
                            f'not {type(grad_outputs).__name__}')
        if len(outputs) != len(grad_outputs):
            raise ValueError('grad_outputs must be of the same length as outputs.\n'
                             f'len(outputs) = {len(outputs)}, '
                             f'len(grad_outputs) = {len(grad_outputs)}')
        seeds = []
        for y, g in zip(outputs, grad_outputs):
            if g is not None and not isinstance(g, Variable):
                if not (isinstance(g, numpy.ndarray)
                        or hasattr(g, '__cuda_array_interface__')):
                    raise TypeError(f'each grad output must be a Variable, an array or None, '
                                    f'not {type(g).__name__}')
                g = Variable._new(g, True)
            seeds.append(g)
    else:
        seeds = []
        for y in outputs:
            g = y._grad_var
            if g is None:
                warnings.warn(
                    'outputs contains a Variable without grad, or duplicate outputs. '
                    'Note that chainer.backward does not set a default grad.', RuntimeWarning)
            y._grad_var = None
            seeds.append(g)
    with using_config('enable_backprop', enable_double_backprop):
        backward_all([y.node for y in outputs], seeds, False, None)
