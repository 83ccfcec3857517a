"""chainer.computational_graph: nodes, edges, styles and the dot text."""
import re

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import computational_graph as c


def _graph():
    x = chainer.Variable(numpy.ones((2, 3), numpy.float32), name='x')
    h = F.relu(x)
    y = F.sum(h * x)
    return x, h, y


def test_build_computational_graph_nodes_and_edges():
    x, h, y = _graph()
    g = c.build_computational_graph([y])
    funcs = [n for n in g.nodes if isinstance(n, chainer.FunctionNode)]
    vars_ = [n for n in g.nodes if isinstance(n, chainer.variable.VariableNode)]
    assert sorted(f.label for f in funcs) == ['ReLU', 'Sum', '_ * _']
    assert len(vars_) == 4  # x, h, h * x, y
    assert len(g.edges) == 7
    assert (x.node, h.creator_node) in g.edges
    assert (y.creator_node, y.node) in g.edges


def test_dump_dot_default_styles():
    x, h, y = _graph()
    dot = c.build_computational_graph(y).dump()
    assert dot.startswith('digraph graphname{rankdir=TB;')
    assert dot.endswith('}')
    xid = id(x.node)
    # Attributes in Chainer's order: label, shape, then the style's other keys
    assert (f'{xid} [label="x: (2, 3), float32",shape="octagon",fillcolor="#E0E0E0",'
            f'style="filled"];') in dot
    rid = id(h.creator_node)
    assert f'{rid} [label="ReLU",shape="record",fillcolor="#6495ED",style="filled"];' in dot
    assert f'{xid} -> {rid};' in dot
    assert len(re.findall(r'\d+ -> \d+;', dot)) == 7


def test_dump_options():
    x, h, y = _graph()
    dot = c.build_computational_graph(y, variable_style=None, function_style=None,
                                      rankdir='LR', show_name=False).dump()
    assert 'rankdir=LR;' in dot
    assert f'{id(x.node)} [label="(2, 3), float32",shape="oval"];' in dot
    assert f'{id(h.creator_node)} [label="ReLU",shape="box"];' in dot
    dot = c.build_computational_graph(y, remove_variable=True).dump()
    assert 'float32' not in dot
    assert f'{id(h.creator_node)} -> {id(y.creator_node.inputs[0].creator_node)};' in dot
    with pytest.raises(NotImplementedError):
        c.build_computational_graph(y).dump('svg')


def test_graph_styles_are_dicts_of_its_own():
    x, h, y = _graph()
    g = c.build_computational_graph(y, variable_style=None, function_style=None)
    assert g.variable_style == {} and g.function_style == {}
    g = c.build_computational_graph(y)
    assert g.variable_style == {'shape': 'octagon', 'fillcolor': '#E0E0E0', 'style': 'filled'}
    g.variable_style['color'] = 'red'
    g.function_style.clear()
    dot = c.build_computational_graph(y).dump()
    assert 'red' not in dot and '#6495ED' in dot
    style = {'shape': 'box'}
    assert c.ComputationalGraph([], [], style, style).variable_style is style


def test_bad_arguments():
    x, h, y = _graph()
    with pytest.raises(ValueError, match='remove_split'):
        c.build_computational_graph(y, remove_split=False)
    with pytest.raises(ValueError, match='rankdir'):
        c.build_computational_graph(y, rankdir='XY')
    with pytest.raises(TypeError, match='All outputs'):
        c.build_computational_graph([y, numpy.ones(2)])
    for bad in ('node', x):
        # a TypeError, and the AssertionError Chainer's assert raised
        with pytest.raises(TypeError):
            c.DotNode(bad)
        with pytest.raises(AssertionError):
            c.DotNode(bad)
    with pytest.raises(AssertionError):
        c.ComputationalGraph([x], []).dump()
    for remove_variable in (False, True):
        with pytest.raises(TypeError, match='head and tail'):
            c.ComputationalGraph([], [('a', 'b')], remove_variable=remove_variable).dump()


def test_dot_node():
    x = chainer.Variable(numpy.zeros(3, numpy.float32), name='v')
    node = c.DotNode(x.node, {'color': 'red'})
    assert node.id_ == id(x.node)
    assert node.label == f'{id(x.node)} [label="v: (3), float32",shape="oval",color="red"];'
    node = c.DotNode(x.node, {'color': 'red', 'shape': 'box', 'label': 'L'})
    assert node.label == f'{id(x.node)} [label="L",shape="box",color="red"];'
