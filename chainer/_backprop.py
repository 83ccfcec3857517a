"""The backprop loop: an iterative walk over function nodes in decreasing rank.

Gradients live in a table keyed by variable node while the walk runs; an
intermediate gradient is dropped as soon as its function has consumed it
(unless ``retain_grad``), so memory stays flat along long chains.
"""
from __future__ import annotations

import heapq
import operator
import shutil
import traceback
import warnings
from typing import TYPE_CHECKING, Optional

import numpy

import chainer
from chainer import _thread_state
from chainer import function_hook
from chainer import configuration
from chainer.configuration import config, using_config
from chainer.utils import argument
from chainer.variable import Variable, _check_grad_type

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

_heappush = heapq.heappush
_ndarray = numpy.ndarray
_new_variable = Variable._new
_heappop = heapq.heappop


class _GradientTypeError(TypeError, ValueError):
    """A backward returned something other than a Variable or None (Chainer's debug
    mode raised ValueError for it)."""


def creation_stack_text(func) -> str:
    """Where ``func`` was applied (recorded in debug mode), for error messages."""
    stack = getattr(func, 'stack', None)
    if not stack:
        return ''
    return ('\n' + '-' * shutil.get_terminal_size().columns
            + '\nStacktrace of the function is below:\n'
            + ''.join(traceback.format_list(stack[:-1])))


def add_creation_stack(func, error: Exception) -> None:
    """Appends where ``func`` was applied (known in debug mode) to ``error``'s message."""
    text = creation_stack_text(func)
    if text:
        error.args = ((str(error.args[0]) if error.args else '') + text,) + error.args[1:]


def select_target_grads(func, target_input_indexes: tuple, gxs) -> tuple:
    """Validates what ``func.backward`` returned and keeps the targets' gradients."""
    if type(gxs) is not tuple:
        if isinstance(gxs, list):
            gxs = tuple(gxs)
        else:
            msg = (f'backward of {func.label} must return a tuple of Variables (or None), '
                   f'got {type(gxs).__name__}')
            if config.debug:  # Chainer's debug check said so (as a ValueError)
                msg = func._get_error_message(
                    f'type of gradients returned from backward is incorrect: {msg}')
            raise _GradientTypeError(msg)
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
        raise ValueError(func._get_error_message(
            f'number of gradients returned from backward is incorrect: '
            f'{n} != expected {expected}'))
    return gxs


def _not_variable_error(func, gx) -> _GradientTypeError:
    return _GradientTypeError(
        f'backward of {func.label} must return Variables (or None), '
        f'got {type(gx).__module__}.{type(gx).__qualname__}')


def _debug_check_variables(func, gxs) -> None:
    """Chainer's debug mode checked every gradient backward returned, targets or not."""
    for gx in gxs:
        if gx is not None and not isinstance(gx, Variable):
            raise _GradientTypeError(func._get_error_message(
                'type of gradients returned from backward is incorrect: '
                f'{type(gx)} != expected {Variable}'))


def _repeated_inputs(inputs: tuple, targets: tuple) -> Optional[set]:
    """The ids of the nodes that stand at several of ``targets``, or None."""
    if len(targets) == 2:
        x = inputs[targets[0]]
        return {id(x)} if x is inputs[targets[1]] else None
    seen = set()
    repeated = set()
    for i in targets:
        key = id(inputs[i])
        if key in seen:
            repeated.add(key)
        seen.add(key)
    return repeated or None


def _sum(a: Variable, b: Variable, add_node: bool) -> Variable:
    """Sum of two gradient Variables; through ``F.add`` (a node) when ``add_node``.

    Gradients of two dtypes go through ``F.add`` too: its type check rejects
    them, as Chainer's sums did, where NumPy would promote them silently.
    """
    if add_node or a._data.dtype != b._data.dtype:
        return chainer.functions.add(a, b)
    g = a._data + b._data
    if type(g) is not _ndarray and isinstance(g, numpy.generic):
        g = numpy.asarray(g)  # 0-d + 0-d gives a NumPy scalar
    # requires_grad as F.add's output would have it
    return _new_variable(g, a._requires_grad or b._requires_grad)


def _add_in_place(acc, g) -> bool:
    """Adds ``g`` into ``acc`` if both are arrays of one type, dtype and shape.

    One-element NumPy arrays are left alone: for them NumPy's in-place add
    costs more than allocating a new sum.
    """
    if (type(acc) is type(g) and acc.dtype == g.dtype and acc.shape == g.shape
            and acc.size != 1):
        acc += g
        return True
    return False


_MISSING = object()


class _Pending(list):
    """The gradients of one node from functions applied under
    ``config.lazy_grad_sum``: as in Chainer, they are summed by one ``F.add``
    (a ``MultiAdd``) when the gradient is read, not pairwise as they arrive.
    Only while sums are nodes (``add_node``); otherwise the values are the same."""

    __slots__ = ()


def _settle(g):
    return chainer.functions.add(*g) if type(g) is _Pending else g


def _incorrect_gradient(func, what: str, index: int, actual, expected) -> ValueError:
    """Chainer's debug-mode error for a gradient of input ``index`` whose ``what``
    (shape or dtype) is ``actual`` where ``expected`` was due."""
    return ValueError(func._get_error_message(
        f'{what} of gradients returned from backward is incorrect: '
        f'input-index={index}, actual {actual} != expected {expected}'))


def _debug_check_held(func, index: int, held, data) -> None:
    """Chainer's debug-mode check of a gradient for input ``index`` against the one the
    input already holds (a leaf's gradient from an earlier backward, or the sum so far):
    the shape, then the dtype."""
    if type(held) is _Pending:
        held = held[0]
    if held is None or held._data is None:
        return
    if data.shape != held._data.shape:
        raise _incorrect_gradient(func, 'shape', index, data.shape, held._data.shape)
    if data.dtype != held._data.dtype:
        raise _incorrect_gradient(func, 'dtype', index, data.dtype, held._data.dtype)


class _Walk:
    """State of one backprop run and its steps.

    Without double backprop, a gradient that is the sum of several
    contributions lives in an array the walk allocated itself; until that array
    is handed to anybody (a function's backward, a hook, ``current()``, the
    variables at the end), later contributions are added into it in place
    instead of allocating a new sum each time. ``owned`` holds the nodes whose
    gradient is such a private array.
    """

    __slots__ = ('grads', 'load_if_new', 'heap', 'next', 'pushed', 'count',
                 'relevant_funcs', 'relevant_nodes', 'keep', 'leaves',
                 'retain_grad', 'debug', 'hooks', 'owned', 'add_node', 'in_place')

    def __init__(self, load_if_new: bool, retain_grad: bool, leaves: Optional[dict]) -> None:
        self.grads: dict = {}
        self.load_if_new = load_if_new
        self.heap: list = []
        self.next = None  # the one queued function while the heap is empty (chains)
        self.pushed: set = set()
        self.count = 0
        self.relevant_funcs: Optional[set] = None
        self.relevant_nodes: Optional[set] = None
        self.keep: set = set()
        self.leaves = leaves
        self.retain_grad = retain_grad
        self.debug = configuration._debug_may_be_on and config.debug
        self.hooks = _thread_state.current_hooks()
        self.owned: set = set()
        # Sums are F.add nodes under double backprop, and while function hooks
        # are on, so that the hooks see an Add for each sum, as in Chainer.
        self.add_node = bool(config.enable_backprop or self.hooks)
        self.in_place = not self.add_node

    # -- the gradient table --------------------------------------------------

    def _load(self, node):
        """The gradient a node's variable already holds (when the walk loads them).

        An output with no gradient in the table starts from it; so does an input
        that receives one, but only a leaf: as in Chainer, a gradient an
        intermediate variable kept from an earlier backward is not added to.
        As in Chainer, the variable gives its gradient up (leaves get theirs
        back at the end, and retain_grad puts an output's back).
        """
        if self.load_if_new:
            var = node._variable()
            if var is not None:
                g = var._grad_var
                var._grad_var = None
                return g
        return None

    def _load_leaf(self, node):
        return self._load(node) if node._creator_node is None else None

    def current(self, node):
        """The gradient accumulated so far for ``node``; the caller may keep it."""
        self.owned.discard(node)
        g = self.grads.get(node, _MISSING)
        if g is _MISSING:
            return self._load_leaf(node)
        if type(g) is _Pending:
            g = self.grads[node] = _settle(g)
        return g

    def take(self, node):
        """Removes and returns the gradient of an output about to be backpropagated."""
        if self.keep and node in self.keep:
            return self.current(node)
        self.owned.discard(node)
        g = self.grads.pop(node, _MISSING)
        return self._load(node) if g is _MISSING else _settle(g)

    def accumulate(self, node, gx) -> None:
        """Adds ``gx`` to the gradient of ``node``."""
        grads = self.grads
        cur = grads.get(node, _MISSING)
        if cur is _MISSING:
            cur = self._load_leaf(node)
        if cur is None:
            grads[node] = gx
        elif (node in self.owned and (cur._requires_grad or not gx._requires_grad)
              and _add_in_place(cur._data, gx._data)):
            pass
        elif type(cur) is _Pending:
            cur.append(gx)
            grads[node] = _settle(cur)
        else:
            grads[node] = _sum(cur, gx, self.add_node)
            if self.in_place:
                self.owned.add(node)

    # -- the queue -------------------------------------------------------------

    def push(self, func) -> None:
        """Queues ``func`` (once) unless it lies off the paths being differentiated."""
        key = id(func)
        if key in self.pushed:
            return
        if self.relevant_funcs is not None and key not in self.relevant_funcs:
            return
        self.pushed.add(key)
        if not self.heap and self.next is None:
            self.next = func
            return
        if self.next is not None:
            self._heap_push(self.next)
            self.next = None
        self._heap_push(func)

    def _heap_push(self, func) -> None:
        self.count += 1
        _heappush(self.heap, (-func.rank, self.count, func))

    def run(self) -> None:
        """Processes the queued functions in decreasing rank."""
        # take, accumulate and push are inlined below for their common cases: the
        # walk runs them once per function and per gradient.
        heap = self.heap
        grads = self.grads
        owned = self.owned
        in_place = self.in_place
        add_node = self.add_node
        pushed = self.pushed
        relevant_funcs = self.relevant_funcs
        keep = self.keep
        load = self._load
        load_if_new = self.load_if_new
        take = self.take
        retain_grad = self.retain_grad
        # chainer.grad keeps the output gradients of every function it reaches,
        # Variable.backward only those of functions with an input to differentiate.
        retain_early = retain_grad and not load_if_new
        retain_late = retain_grad and load_if_new
        leaves = self.leaves
        debug = self.debug
        relevant_nodes = self.relevant_nodes
        next_func = self.next
        self.next = None
        while True:
            # Next function: the one queued while the heap was empty (a chain), or
            # the highest rank.
            if next_func is not None:
                func = next_func
                next_func = None
            elif heap:
                func = _heappop(heap)[2]
            else:
                return

            # Gradients of its outputs.
            outputs = func.outputs
            # (chainer.grad keeps its targets' gradients: an output among them goes
            # the general way)
            if len(outputs) == 1 and (not keep or outputs[0]() not in keep):
                y = outputs[0]()
                if y is None:
                    gy = None
                else:
                    gy = grads.pop(y, _MISSING)
                    if gy is _MISSING:
                        gy = load(y)
                    elif owned:
                        owned.discard(y)
                    elif type(gy) is _Pending:
                        gy = _settle(gy)
                if gy is None:
                    self._check_not_reapplied(func)
                    if retain_grad:
                        self._retain(outputs, (None,))
                    continue
                gys = (gy,)
                del gy
            else:
                # An output unchained since (a leaf now) passes no gradient back, and
                # keeps the one it received, as in Chainer.
                gys = tuple([None if y is None or y._creator_node is None else take(y)
                             for y in [ref() for ref in outputs]])
                for gy in gys:
                    if gy is not None:
                        break
                else:
                    self._check_not_reapplied(func)
                    if retain_grad:
                        self._retain(outputs, gys)
                    continue
            if retain_early:
                self._retain(outputs, gys)

            # Gradients of its inputs.
            inputs = func.inputs
            n_in = len(inputs)
            if relevant_nodes is None and n_in == 2:  # the most common cases
                if inputs[0]._requires_grad:
                    targets = (0, 1) if inputs[1]._requires_grad else (0,)
                else:
                    targets = (1,) if inputs[1]._requires_grad else ()
            elif relevant_nodes is None and n_in == 1:
                targets = (0,) if inputs[0]._requires_grad else ()
            elif n_in == 1:  # chainer.grad's walk
                targets = (0,) if inputs[0] in relevant_nodes else ()
            else:
                targets = self._targets(inputs)
            if not targets:
                continue
            # read per node, as in Chainer
            hooks = _thread_state.current_hooks() if _thread_state.n_hooks else None
            if func._n_local_function_hooks:
                hooks = dict(hooks or ())
                hooks.update(func.local_function_hooks)
            if hooks:
                # The hooks' window also holds the sums below, as in Chainer.
                hooks = tuple(hooks.values())
                in_data = tuple([x.data for x in inputs])
                out_grad_data = tuple([None if g is None else g._data for g in gys])
                for hook in hooks:
                    hook.backward_preprocess(func, in_data, out_grad_data)
            else:
                hooks = None  # not the live registry: a hook may be registered below
            try:
                if not func._special_backward:
                    gxs = func.backward(targets, gys)
                elif func._custom_accumulate:
                    gxs = self._backward_accumulate(func, targets, gys)
                elif in_place and not debug:
                    gxs = self._backward_into(func, targets, gys)
                else:
                    gxs = func.backward(targets, gys)
            except Exception as e:
                add_creation_stack(func, e)
                if hooks:
                    function_hook._call_failed(func, hooks)
                raise
            if not add_node and _thread_state.n_hooks and _thread_state.current_hooks():
                # A hook registered during this backward sees the sums from now on.
                add_node = self.add_node = True
                in_place = self.in_place = False
                owned.clear()
            if debug and not func._custom_accumulate and isinstance(gxs, (tuple, list)):
                _debug_check_variables(func, gxs)
            if not func._custom_accumulate and (
                    type(gxs) is not tuple or len(gxs) != len(targets)):
                gxs = select_target_grads(func, targets, gxs)

            # Add them up and queue the creators of the inputs. Where sums are nodes, an
            # input that takes several gradients at once gets them in one F.add with
            # its current one (a MultiAdd from three on), as in Chainer.
            repeated = (_repeated_inputs(inputs, targets)
                        if add_node and len(targets) > 1 and not func.lazy_grad_sum
                        else None)
            for i, gx in zip(targets, gxs):
                if gx is None:
                    continue
                x = inputs[i]
                if type(gx) is not Variable and not isinstance(gx, Variable):
                    raise _not_variable_error(func, gx)
                data = gx._data
                if data.shape != x.shape or (data.dtype is not x.dtype
                                             and data.dtype != x.dtype):
                    try:
                        if debug:
                            self._debug_check_grad(func, i, x, data)
                        _check_grad_type(func, x, data)
                    except Exception as e:
                        add_creation_stack(func, e)  # known in debug mode
                        raise
                creator = x._creator_node
                cur = grads.get(x, _MISSING)
                if cur is _MISSING:
                    cur = None
                    if load_if_new and creator is None:
                        if x._old_style_grad_generator is not None:
                            # as in Chainer, before the leaves met later give up their
                            # gradients
                            x._check_old_style_gradient()
                        var = x._variable()
                        if var is not None:
                            cur = var._grad_var
                            var._grad_var = None
                if debug:
                    try:
                        _debug_check_held(func, i, cur, data)
                    except Exception as e:
                        add_creation_stack(func, e)
                        raise
                    # the gradient already there too, before adding (as Chainer): a
                    # parameter's NaN gradient left from before cleargrads() shows
                    func._debug_check_nan(
                        (data,) if cur is None or type(cur) is _Pending else (data, cur._data),
                        'backward')
                if cur is None:
                    grads[x] = gx
                elif (x in owned and (cur._requires_grad or not gx._requires_grad)
                      and _add_in_place(cur._data, data)):
                    pass
                elif add_node and (func.lazy_grad_sum or type(cur) is _Pending
                                   or (repeated is not None and id(x) in repeated)):
                    if type(cur) is not _Pending:
                        cur = grads[x] = _Pending((cur,))
                    cur.append(gx)
                    if not func.lazy_grad_sum and (repeated is None or id(x) not in repeated):
                        grads[x] = _settle(cur)
                else:
                    grads[x] = _sum(cur, gx, add_node)
                    if in_place and data.size != 1:  # (see _add_in_place)
                        owned.add(x)

                if creator is not None:
                    key = id(creator)
                    if key not in pushed and (relevant_funcs is None
                                              or key in relevant_funcs):
                        pushed.add(key)
                        if next_func is None and not heap:
                            next_func = creator
                        else:
                            if next_func is not None:
                                self.count += 1
                                _heappush(heap, (-next_func.rank, self.count, next_func))
                                next_func = None
                            self.count += 1
                            _heappush(heap, (-creator.rank, self.count, creator))
                elif leaves is not None:
                    leaves[x] = True
            if repeated is not None:
                for x in inputs:
                    if id(x) in repeated and type(grads.get(x)) is _Pending:
                        grads[x] = _settle(grads[x])
            post_hooks = (_thread_state.hooks_after(hooks, func._n_local_function_hooks)
                          if hooks or _thread_state.n_hooks else None)
            if post_hooks:
                if not hooks:
                    in_data = tuple([x.data for x in inputs])
                    out_grad_data = tuple([None if g is None else g._data for g in gys])
                for hook in post_hooks:
                    hook.backward_postprocess(func, in_data, out_grad_data)
            if retain_late:
                # After the backward and its hooks, as Chainer's (which saw None).
                self._retain(outputs, gys)
            gxs = gys = cur = None  # free the gradients used up by this step

    def _debug_check_grad(self, func, index: int, x, data) -> None:
        """Chainer's debug-mode check of a wrong gradient (for input ``index``), before
        the common one: the shape, then the dtype against a gradient ``x`` already
        holds (ValueErrors, in Chainer's words)."""
        if data.shape != x.shape:
            raise _incorrect_gradient(func, 'shape', index, data.shape, x.shape)
        held = self.grads.get(x, _MISSING)
        if held is _MISSING:
            held = None
            if self.load_if_new and x._creator_node is None:
                var = x._variable()
                held = None if var is None else var._grad_var
        _debug_check_held(func, index, held, data)

    def _check_not_reapplied(self, func) -> None:
        """Raises if a gradient waits at an output ``func`` no longer lists.

        That happens when one FunctionNode instance was applied again after
        computing the output: its graph links hold only the last application.
        (Chainer ran backward with no output gradients, or failed an assertion.)
        """
        current = [ref() for ref in func.outputs or ()]
        for node, g in self.grads.items():
            if (g is not None and node._creator_node is func
                    and not any([node is y for y in current])):
                raise RuntimeError(
                    f'{func.label} was applied again after computing an output that is '
                    'being backpropagated; a FunctionNode instance keeps only its last '
                    'application in the graph, so apply a new instance each time (or '
                    'a Variable it did not compute was given it as creator by hand)')

    def _targets(self, inputs) -> tuple:
        """Indexes of the inputs that need a gradient."""
        relevant = self.relevant_nodes
        if relevant is None:
            if len(inputs) == 1:
                return (0,) if inputs[0]._requires_grad else ()
            return tuple([i for i, x in enumerate(inputs) if x._requires_grad])
        return tuple([i for i, x in enumerate(inputs) if x in relevant])

    def _retain(self, outputs, gys) -> None:
        for ref, gy in zip(outputs, gys):
            y = ref()
            if y is not None:
                var = y._variable()
                if var is not None:
                    var._grad_var = gy

    def _backward_accumulate(self, func, targets, gys) -> tuple:
        # A custom backward_accumulate adds the current gradients itself; each
        # distinct input receives its accumulated gradient exactly once.
        inputs = func.inputs
        grad_inputs = []
        replaced = []
        for i in targets:
            x = inputs[i]
            if x in replaced:
                grad_inputs.append(None)
            else:
                replaced.append(x)
                grad_inputs.append(self.current(x))
                self.grads[x] = None
        gxs = func.backward_accumulate(targets, gys, tuple(grad_inputs))
        if (type(gxs) is not tuple and not isinstance(gxs, (list, Variable))
                and hasattr(gxs, '__iter__')):
            gxs = tuple(gxs)  # Chainer took any iterable (a generator) from it
        return select_target_grads(func, targets, gxs)

    def _backward_into(self, func, targets, gys) -> tuple:
        """``func.backward(targets, gys)``, except that the gradient of an input
        listed in ``func._grad_into_inputs`` that already has one is added to it by
        ``func._add_grad_into`` (a weight used at every step of a loop: no array
        for each step's product, no separate add): into the array itself where the
        walk owns it, else into a copy the walk then owns. It comes back as None,
        already accumulated.

        Such an input was reached before, so its creator is queued and a leaf is
        listed already. An input standing at another target too goes the common
        way (its sum keeps its order).
        """
        inputs = func.inputs
        grads = self.grads
        owned = self.owned
        done = None
        for i in func._grad_into_inputs:
            if i not in targets:
                continue
            x = inputs[i]
            cur = grads.get(x)
            if (cur is None or type(cur) is _Pending or not cur._requires_grad
                    or any([inputs[j] is x for j in targets if j != i])):
                continue
            fresh = x not in owned
            acc = func._add_grad_into(i, gys, cur._data, fresh)
            if acc is None:
                continue
            if fresh:
                grads[x] = _new_variable(acc, True)
                owned.add(x)
            if done is None:
                done = []
            done.append(i)
        if done is None:
            return func.backward(targets, gys)
        rest = tuple([i for i in targets if i not in done])
        gxs = iter(select_target_grads(func, rest, func.backward(rest, gys)) if rest else ())
        return tuple([None if i in done else next(gxs) for i in targets])

    def set_leaf_grads(self, loss_scale) -> None:
        """Stores the gradients of the leaves reached in their variables."""
        grads = self.grads
        for node in self.leaves:
            var = node._variable()
            gx = _settle(grads.pop(node, None))
            if gx is not None and node._old_style_grad_generator is not None:
                # The walk reached a gradient computed by an old-style Function.
                node._check_old_style_gradient()
            if var is not None and gx is not None:
                var._grad_var = gx
                # Reset too (None) so optimizers never unscale by a stale factor.
                var._loss_scale = loss_scale


def backward_all(nodes: list, seed_grads: list, retain_grad: bool, loss_scale) -> None:
    """Backprop from ``nodes`` (with ``seed_grads``), storing leaf gradients."""
    walk = _Walk(True, retain_grad, {})
    for node, g in zip(nodes, seed_grads):
        if g is None:
            continue
        node._check_old_style_gradient()
        walk.accumulate(node, g)  # a leaf's seed adds to the gradient it holds
        if node._creator_node is None:
            walk.leaves[node] = True
        else:
            walk.push(node._creator_node)
    walk.run()
    walk.set_leaf_grads(loss_scale)
    if walk.grads:  # left over only where a node was applied again
        for node, g in list(walk.grads.items()):
            if g is not None and node._creator_node is not None:
                walk._check_not_reapplied(node._creator_node)


_rank = operator.attrgetter('rank')


def _mark_relevant(walk: _Walk, seed_nodes: list, targets: list) -> None:
    """Restricts the walk to functions lying on a path from a target to a seed.

    Where the targets are leaves that require a gradient and no other such leaf
    lies below the seeds (``grad(loss, params)``), those are the paths of every
    node that requires a gradient, and the walk goes unrestricted.
    """
    funcs = {}
    stack = [n._creator_node for n in seed_nodes if n._creator_node is not None]
    # whether the paths are those of the plain walk (see above)
    plain = True
    for t in targets:
        if t._creator_node is not None or not t._requires_grad:
            plain = False
    target_ids = {id(t) for t in targets} if plain else None
    while stack:
        f = stack.pop()
        if id(f) in funcs:
            continue
        funcs[id(f)] = f
        for x in f.inputs:
            if x._old_style_grad_generator is not None and x._requires_grad:
                x._check_old_style_gradient()
            c = x._creator_node
            if c is not None:
                if id(c) not in funcs:
                    stack.append(c)
            elif plain and x._requires_grad and id(x) not in target_ids:
                plain = False
    if plain and not walk.retain_grad:
        return
    # As in Chainer, a target gets its gradient whether or not it requires one,
    # but only nodes that require a gradient carry the paths on.
    relevant_nodes = set(targets)
    passing = {t for t in targets if t._requires_grad}
    relevant_funcs = set()
    for f in sorted(funcs.values(), key=_rank):
        if not relevant_nodes.isdisjoint(f.inputs):
            relevant_funcs.add(id(f))
            if not passing.isdisjoint(f.inputs):
                for ref in f.outputs:
                    y = ref()
                    if y is not None and y._requires_grad:
                        relevant_nodes.add(y)
                        passing.add(y)
    walk.relevant_funcs = relevant_funcs
    walk.relevant_nodes = relevant_nodes


def backward_to_targets(seed_nodes: list, seed_grads: list, targets: list,
                        target_inits: Optional[list], retain_grad: bool,
                        loss_scale) -> list:
    """Backprop from the seeds to ``targets`` only; returns the targets' gradients."""
    walk = _Walk(False, retain_grad, None)
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
    walk.run()
    gxs = [_settle(walk.grads.get(t)) for t in targets]
    if retain_grad:
        _retain_outside(walk, seed_nodes, targets, target_inits, gxs)
    return gxs


def _retain_outside(walk: _Walk, seed_nodes: list, targets: list,
                    target_inits: Optional[list], gxs: list) -> None:
    """Keeps the gradients of outputs of the functions off the differentiated paths
    that Chainer's ``grad(retain_grad=True)`` reaches all the same: the creators of
    the seeds, and of the targets that received a gradient."""
    funcs = [n._creator_node for n in seed_nodes]
    for i, (t, g) in enumerate(zip(targets, gxs)):
        if g is not None and not (target_inits is not None and g is target_inits[i]):
            funcs.append(t._creator_node)
    done = set()
    for f in funcs:
        if f is None or id(f) in walk.relevant_funcs or id(f) in done:
            continue
        done.add(id(f))
        walk._retain(f.outputs, [_settle(walk.grads.get(ref())) for ref in f.outputs])


def check_parallel(values: Any, name: str, ref: Sequence, ref_name: str) -> None:
    """Checks ``values``, an optional argument giving one item per item of ``ref``:
    None, or a tuple or a list as long as ``ref``."""
    if values is None:
        return
    if not isinstance(values, (tuple, list)):
        raise TypeError(f'{name} must be a tuple or a list or None, not {type(values)}.')
    if len(values) != len(ref):
        raise ValueError(f'{name} must be of the same length as {ref_name}.\n'
                         f'len({ref_name}) = {len(ref)}, len({name}) = {len(values)}')


def backward(outputs: Sequence[Variable], grad_outputs: Sequence[Variable | None] | None = None,
             **kwargs: Any) -> None:
    """Runs backprop from several outputs at once (``chainer.backward``)."""
    enable_double_backprop, = argument.parse_kwargs(
        kwargs, ('enable_double_backprop', False),
        retain_grad='chainer.backward does not take retain_grad (use '
                    'Variable.backward(retain_grad=True) to keep intermediate gradients)',
        loss_scale='chainer.backward does not take loss_scale (use '
                   'Variable.backward(loss_scale=...))')
    if not isinstance(outputs, (tuple, list)):
        raise TypeError(f'outputs must be a tuple or a list, not {type(outputs)}.')
    for v in outputs:
        if not isinstance(v, Variable):
            raise TypeError(f'each output must be a Variable, not {type(v)}')
    check_parallel(grad_outputs, 'grad_outputs', outputs, 'outputs')
    if grad_outputs is not None:
        seeds = []
        for y, g in zip(outputs, grad_outputs):
            if g is not None and not isinstance(g, Variable):
                if not (isinstance(g, numpy.ndarray)
                        or hasattr(g, '__cuda_array_interface__')):
                    raise TypeError(f'each grad output must be a Variable, an array or None, '
                                    f'not {type(g).__name__}')
                g = Variable._new(g, True)
            if g is not None and g._data is not None:
                # Checked here, so that the error is not blamed on y's creator.
                _check_grad_type(None, y, g._data)
            seeds.append(g)
    else:
        seeds = []
        for y in outputs:
            g = y._grad_var
            if g is None:
                warnings.warn(  # Chainer's text, which users filter by
                    'outputs contains a Variable without grad, or duplicate outputs. '
                    'Note that chainer.backward does not set default grad.', RuntimeWarning)
            y._grad_var = None
            seeds.append(g)
    with using_config('enable_backprop', enable_double_backprop):
        backward_all([y.node for y in outputs], seeds, False, None)
