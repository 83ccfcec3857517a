"""One backprop step over a function node, with gradients kept as lists.

This is the step-level interface Chainer exposes to code that drives backprop
itself: ``grad_inputs`` maps each input :class:`~chainer.variable.VariableNode`
to the list of gradient Variables collected for it so far.
"""
from __future__ import annotations

import numpy

import chainer
from chainer import backend
from chainer._backprop import add_creation_stack, creation_stack_text


def _sum_list(grads: list) -> None:
    """Replaces the gradients in ``grads`` by their sum (in place)."""
    if len(grads) > 1:
        total = grads[0]
        for g in grads[1:]:
            total = chainer.functions.add(total, g)
        grads[:] = [total]


def _take_sum(grads: list):
    """Removes and returns the sum of ``grads`` (None when empty)."""
    _sum_list(grads)
    return grads.pop() if grads else None


class GradTable:
    """Gradients per variable node collected while a backprop walk runs.

    With ``accumulate_grad_inputs`` the gradient a variable already holds is
    read into the table the first time its node is looked up.
    """

    def __init__(self, accumulate_grad_inputs: bool = False) -> None:
        self._load_if_new = accumulate_grad_inputs
        self.grads: dict = {}

    def __setitem__(self, node, grad) -> None:
        self.grads[node] = [] if grad is None else [grad]

    def get_as_list(self, node) -> list:
        grads = self.grads.get(node)
        if grads is None:
            grads = []
            if self._load_if_new and node.creator_node is None:
                var = node.get_variable_or_none()
                if var is not None and var.grad_var is not None:
                    grads.append(var.grad_var)
            self.grads[node] = grads
        return grads

    def pop(self, node):
        if node is None:
            return None
        grads = self.grads.pop(node, None)
        if grads is None:
            return None
        return _take_sum(grads)

    def assert_no_grads(self) -> None:
        for grads in self.grads.values():
            assert grads == []


def _error(func, message: str) -> str:
    return func._get_error_message(message)


def _select(func, target_input_indexes: tuple, gxs) -> tuple:
    n_in = len(func.inputs)
    n_targets = len(target_input_indexes)
    if len(gxs) == n_in:
        return tuple(gxs[i] for i in target_input_indexes)
    if len(gxs) == n_targets:
        return tuple(gxs)
    expected = f'{n_in}' if n_in == n_targets else f'{n_in} or {n_targets}'
    raise ValueError(_error(
        func, 'number of gradients returned from backward is incorrect: '
        f'{len(gxs)} != expected {expected}'))


def _debug_check(func, index: int, node, gx, previous: list) -> None:
    if gx.shape != node.shape:
        raise ValueError(_error(
            func, 'shape of gradients returned from backward is incorrect: '
            f'input-index={index}, actual {gx.shape} != expected {node.shape}'))
    if previous:
        first = previous[0]
        if gx.shape != first.shape:
            raise ValueError(_error(
                func, 'shape of gradients returned from backward is incorrect: '
                f'input-index={index}, actual {gx.shape} != expected {first.shape}'))
        if gx.dtype != first.dtype:
            raise ValueError(_error(
                func, 'dtype of gradients returned from backward is incorrect: '
                f'input-index={index}, actual {gx.dtype} != expected {first.dtype}'))


def backprop_step(func, target_input_indexes: tuple, grad_outputs: tuple,
                  grad_inputs: dict, is_debug: bool) -> None:
    """Runs ``func``'s backward and adds the results to ``grad_inputs``.

    ``target_input_indexes`` are the sorted indexes of the inputs that need
    gradients, ``grad_outputs`` the output gradients (None where absent) and
    ``grad_inputs`` maps every input node to a list of gradient Variables,
    which this call extends (or, for a node overriding
    ``backward_accumulate``, replaces by the accumulated gradient).  Unless
    ``func.lazy_grad_sum`` is set, each list is left holding one summed
    gradient.
    """
    if is_debug:
        assert isinstance(target_input_indexes, tuple)
        assert target_input_indexes == tuple(sorted(target_input_indexes))
        assert isinstance(grad_outputs, tuple)
    inputs = func.inputs
    overridden = (type(func).backward_accumulate
                  is not chainer.FunctionNode.backward_accumulate)
    try:
        if overridden:
            current = tuple(_take_sum(grad_inputs[inputs[i]]) for i in target_input_indexes)
            gxs = func.backward_accumulate(target_input_indexes, grad_outputs, current)
        else:
            gxs = func.backward(target_input_indexes, grad_outputs)
    except Exception as e:
        add_creation_stack(func, e)
        raise
    if not overridden:
        if is_debug:
            for gx in gxs:
                if gx is not None and not isinstance(gx, chainer.Variable):
                    raise ValueError(_error(
                        func, 'type of gradients returned from backward is incorrect: '
                        f'{type(gx)} != expected {chainer.Variable}'))
        gxs = _select(func, target_input_indexes, gxs)

    for i, gx in zip(target_input_indexes, gxs):
        if gx is None or gx.raw_array is None:
            continue
        node = inputs[i]
        collected = grad_inputs[node]
        if is_debug:
            _debug_check(func, i, node, gx, collected)
        collected.append(gx)
    del gxs

    if is_debug:
        for grads in grad_inputs.values():
            for gx in grads:
                xp = backend.get_array_module(gx.array)
                if xp is numpy or xp.__name__ == 'cupy':
                    if bool(xp.isnan(gx.array).any()):
                        raise RuntimeError(
                            f'NaN is detected on backward computation of {func.label}'
                            + creation_stack_text(func))
    if not func.lazy_grad_sum:
        for grads in grad_inputs.values():
            _sum_list(grads)
