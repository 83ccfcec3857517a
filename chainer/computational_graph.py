"""Computational graphs of Variables and FunctionNodes, dumped in Graphviz dot format."""
from __future__ import annotations

import heapq
from typing import Any

from chainer import function_node
from chainer import variable
from chainer.utils.error import _TypeAssertionError

_var_style = {'shape': 'octagon', 'fillcolor': '#E0E0E0', 'style': 'filled'}
_func_style = {'shape': 'record', 'fillcolor': '#6495ED', 'style': 'filled'}


class DotNode:
    """A node of the dot output: its id and attributes.

    Args:
        node (VariableNode or FunctionNode): The graph node.
        attribute (dict): Extra dot attributes (overriding the defaults).
        show_name (bool): Prefix the label of a named variable with its name.
    """

    def _shape(self) -> str:
        if isinstance(self.node, variable.VariableNode):
            return 'oval'
        if isinstance(self.node, function_node.FunctionNode):
            return 'box'
        raise TypeError(
            f'node {type(self.node)} should be either VariableNode or FunctionNode.')

    def __init__(self, node: Any, attribute: dict | None = None, show_name: bool = True) -> None:
        if not isinstance(node, (variable.VariableNode, function_node.FunctionNode)):
            # also the AssertionError of Chainer's assert
            raise _TypeAssertionError(
                f'node {type(node)} should be either VariableNode or FunctionNode.')
        self.node = node
        self.id_ = id(node)
        self.attribute = {'label': node.label}
        if isinstance(node, variable.VariableNode) and show_name and node.name is not None:
            self.attribute['label'] = f'{node.name}: {self.attribute["label"]}'
        self.attribute['shape'] = self._shape()
        if attribute is not None:
            self.attribute.update(attribute)

    @property
    def label(self) -> str:
        """The dot statement of the node: ``id [key="value",...];``."""
        # In insertion order: label, shape, then the style keys, as Chainer writes them.
        attributes = ','.join(f'{k}="{v}"' for k, v in self.attribute.items())
        return f'{self.id_} [{attributes}];'


def _skip_variable(nodes: list, edges: list) -> tuple:
    # Edges between functions only: var->func becomes creator->func.
    func_edges = []
    for head, tail in edges:
        if isinstance(head, variable.VariableNode):
            if head.creator_node is None:
                continue
            head = head.creator_node
        if isinstance(tail, variable.VariableNode):
            for node in nodes:
                if (isinstance(node, function_node.FunctionNode)
                        and any(x is tail for x in (node.inputs or ()))):
                    tail = node
                    break
            else:
                continue
        func_edges.append((head, tail))
    return nodes, func_edges


def _style(style: Any, default: dict) -> Any:
    # Each graph gets its own copy of the default, so editing it leaves other graphs alone.
    if style is None:
        return {}
    if isinstance(style, str) and style == 'default':
        return dict(default)
    return style


class ComputationalGraph:
    """A computational graph: its nodes and edges, dumpable to dot.

    Args:
        nodes (list): VariableNodes and FunctionNodes.
        edges (list): ``(head, tail)`` pairs of nodes.
        variable_style (dict): Dot attributes of variables (``'default'``:
            grey octagons; None: plain).
        function_style (dict): Dot attributes of functions (``'default'``:
            blue records; None: plain).
        rankdir (str): ``'TB'``, ``'BT'``, ``'LR'`` or ``'RL'``.
        remove_variable (bool): Draw functions only.
        show_name (bool): Show variable names in labels.
    """

    def __init__(self, nodes: list, edges: list, variable_style: Any = 'default',
                 function_style: Any = 'default', rankdir: str = 'TB',
                 remove_variable: bool = False, show_name: bool = True) -> None:
        variable_style = _style(variable_style, _var_style)
        function_style = _style(function_style, _func_style)
        if rankdir not in ('TB', 'BT', 'LR', 'RL'):
            raise ValueError('rankdir must be in TB, BT, LR or RL.')
        self.nodes = nodes
        self.edges = edges
        self.variable_style = variable_style
        self.function_style = function_style
        self.rankdir = rankdir
        self.remove_variable = remove_variable
        self.show_name = show_name

    def _to_dot(self) -> str:
        parts = [f'digraph graphname{{rankdir={self.rankdir};']
        nodes, edges = self.nodes, self.edges
        if self.remove_variable:
            nodes, edges = _skip_variable(nodes, edges)
        for node in nodes:
            if isinstance(node, variable.VariableNode):
                if not self.remove_variable:
                    parts.append(DotNode(node, self.variable_style, self.show_name).label)
            elif isinstance(node, function_node.FunctionNode):
                parts.append(DotNode(node, self.function_style, self.show_name).label)
            else:
                raise _TypeAssertionError(
                    f'node {type(node)} should be either VariableNode or FunctionNode.')
        drawn = set()
        for head, tail in edges:
            if (isinstance(head, variable.VariableNode)
                    and isinstance(tail, function_node.FunctionNode)):
                pass
            elif (isinstance(head, function_node.FunctionNode)
                  and isinstance(tail, variable.VariableNode)):
                pass
            elif not (self.remove_variable and isinstance(head, function_node.FunctionNode)
                      and isinstance(tail, function_node.FunctionNode)):
                raise TypeError('head and tail should be the set of VariableNode and Function')
            edge = (id(head), id(tail))
            if edge in drawn:
                continue
            parts.append(f'{edge[0]} -> {edge[1]};')
            drawn.add(edge)
        parts.append('}')
        return ''.join(parts)

    def dump(self, format: str = 'dot') -> str:
        """The graph as text; only ``'dot'`` is supported."""
        if format == 'dot':
            return self._to_dot()
        raise NotImplementedError('Currently, only dot format is supported.')


def build_computational_graph(outputs: Any, remove_split: bool = True,
                              variable_style: Any = 'default', function_style: Any = 'default',
                              rankdir: str = 'TB', remove_variable: bool = False,
                              show_name: bool = True) -> ComputationalGraph:
    """Builds the graph reachable backwards from ``outputs``.

    Args:
        outputs: Variable, VariableNode or FunctionNode, or a list of them.
        remove_split (bool): Must be True (split nodes no longer exist).
        variable_style, function_style, rankdir, remove_variable, show_name:
            Passed to :class:`ComputationalGraph`.
    """
    if not remove_split:
        raise ValueError('remove_split=False is not supported anymore')

    output_types = (variable.Variable, variable.VariableNode, function_node.FunctionNode)
    if isinstance(outputs, output_types):
        outputs = [outputs]
    else:
        outputs = list(outputs)
        for o in outputs:
            if not isinstance(o, output_types):
                raise TypeError(
                    'All outputs must be Variables, VariableNodes, or FunctionNodes, '
                    f'not {type(o)}')

    cands: list = []
    seen_edges: dict = {}
    nodes: dict = {}
    push_count = 0

    def add_cand(cand: Any) -> None:
        nonlocal push_count
        heapq.heappush(cands, (-cand.rank, push_count, cand))
        push_count += 1

    for o in outputs:
        if isinstance(o, variable.Variable):
            o = o.node
        add_cand(o)
        nodes[o] = None

    while cands:
        _, _, cand = heapq.heappop(cands)
        if isinstance(cand, variable.VariableNode):
            creator = cand.creator_node
            if creator is not None and (creator, cand) not in seen_edges:
                add_cand(creator)
                seen_edges[(creator, cand)] = None
                nodes[creator] = None
                nodes[cand] = None
        elif isinstance(cand, function_node.FunctionNode):
            for input_ in cand.inputs or ():
                if input_ is not cand and (input_, cand) not in seen_edges:
                    add_cand(input_)
                    seen_edges[(input_, cand)] = None
                    nodes[input_] = None
                    nodes[cand] = None

    return ComputationalGraph(list(nodes), list(seen_edges), variable_style, function_style,
                              rankdir, remove_variable, show_name)
