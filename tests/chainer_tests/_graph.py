"""The nodes of a computational graph, for tests of what a derivative builds, and
of how the backprop walk sums gradients."""
from __future__ import annotations

from typing import Any


def graph_nodes(*variables: Any) -> list:
    """Every FunctionNode that the graphs of ``variables`` (None skipped) reach
    through their inputs, each once."""
    seen: dict = {}
    stack = [v.creator_node for v in variables if v is not None]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(vn.creator_node for vn in node.inputs)
    return list(seen.values())


def count_grad_into(monkeypatch: Any, node_class: type) -> list:
    """Records ``(input index, taken, fresh)`` for each call of ``node_class``'s
    ``_add_grad_into`` (the backprop walk adding a gradient straight into its sum)."""
    calls = []
    original = node_class._add_grad_into

    def counting(self, index, grad_outputs, acc, fresh):
        out = original(self, index, grad_outputs, acc, fresh)
        calls.append((index, out is not None, fresh))
        return out
    monkeypatch.setattr(node_class, '_add_grad_into', counting)
    return calls


def applied_nodes(monkeypatch: Any) -> list:
    """Records the class name of every FunctionNode applied from now on (the nodes
    a call builds, in order, including those no output keeps)."""
    import chainer

    applied = []
    original = chainer.FunctionNode.apply

    def apply(self, inputs):
        applied.append(type(self).__name__)
        return original(self, inputs)
    monkeypatch.setattr(chainer.FunctionNode, 'apply', apply)
    return applied
