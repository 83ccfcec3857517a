"""chainer.computational_graph and the DumpGraph extension."""
import os
import re

import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
import chainer
import chainer.functions as F
from chainer import computational_graph as c
from chainer import optimizers
from chainer import testing
from chainer import training
from chainer.training import extensions


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
    with pytest.raises(TypeError):
        c.DotNode('node')
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


def test_dump_graph_extension(tmp_path):
    model = S.Regressor()
    opt = optimizers.SGD()
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(8), 4), opt)
    trainer = training.Trainer(updater, (3, 'iteration'), out=str(tmp_path))
    ext = extensions.DumpGraph('main/loss')
    assert extensions.dump_graph is extensions.DumpGraph
    trainer.extend(ext)
    before = chainer.config.keep_graph_on_report
    trainer.run()
    assert chainer.config.keep_graph_on_report == before
    with open(tmp_path / 'cg.dot') as f:
        dot = f.read()
    assert 'MeanSquaredError' in dot and 'MatMul' in dot
    assert os.listdir(tmp_path) == ['cg.dot']


def test_dump_graph_bad_root(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.DumpGraph('main/loss', filename='g.dot'))
    with pytest.raises(KeyError, match='not in the observation'):
        trainer.run(show_loop_exception_msg=False)
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.extend(lambda t: chainer.report({'main/loss': 1.0}), name='r', priority=400)
    trainer.extend(extensions.DumpGraph('main/loss', out_name='g.dot'))
    with pytest.raises(TypeError, match='not a Variable'):
        trainer.run(show_loop_exception_msg=False)


def test_dump_graph_has_the_default_priority():
    # Chainer's DumpGraph kept Extension's priority (PRIORITY_READER).
    assert extensions.DumpGraph('main/loss').priority == training.PRIORITY_READER


def test_dump_graph_restores_the_flag_when_the_run_ends_before_the_dump(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.DumpGraph('main/loss'), trigger=(5, 'iteration'))

    def fail(_):
        raise RuntimeError('stop')
    trainer.extend(fail, name='fail', priority=400)
    before = chainer.config.keep_graph_on_report
    with pytest.raises(RuntimeError, match='stop'):
        trainer.run(show_loop_exception_msg=False)
    assert chainer.config.keep_graph_on_report == before
