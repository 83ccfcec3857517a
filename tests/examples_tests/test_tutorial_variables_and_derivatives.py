"""The tutorial example prints exactly what the page (shared/seed) shows."""
import io
import pathlib
import runpy
import contextlib

import numpy as np

import chainer
from tests.examples_tests._example import load_example

EXAMPLE = (pathlib.Path(__file__).resolve().parents[2]
           / 'examples' / 'tutorial' / 'variables_and_derivatives.py')


def _load():
    return load_example(EXAMPLE, 'variables_and_derivatives')


def _values():
    shown = []
    _load().run(lambda label, value: shown.append((label, value)))
    return shown


def _assert_array(value, expected):
    expected = np.asarray(expected, dtype=np.float32)
    assert isinstance(value, np.ndarray)
    assert value.dtype == np.float32
    assert value.shape == expected.shape
    np.testing.assert_array_equal(value, expected)


def test_every_printed_value():
    shown = _values()
    labels = [label for label, _ in shown]
    assert len(labels) == len(set(labels))
    v = dict(shown)
    _assert_array(v['y.array'], [16.])
    _assert_array(v['y.data'], [16.])
    _assert_array(v['x.grad'], [8.])
    assert v['z.grad'] is None
    _assert_array(v['z.grad (retain_grad=True)'], [-1.])
    _assert_array(v['x.grad (ones)'], [[0., 2., 4.], [6., 8., 10.]])
    _assert_array(v['x.grad (weighted)'], [[0., 0., 0.], [6., 16., 30.]])
    gv = v['x.grad_var']
    assert isinstance(gv, chainer.Variable)
    assert str(gv) == ('variable([[  0.  12.  27.]\n'
                       '          [ 48.  75. 108.]])')
    _assert_array(gv.array, [[0., 12., 27.], [48., 75., 108.]])
    assert v['x.grad_var.array is x.grad'] is True
    assert bool(v['(x.grad == (3 * x**2).array).all()']) is True
    _assert_array(v['x.grad (second order)'], [[0., 12., 18.], [24., 30., 36.]])
    assert bool(v['(x.grad == (6 * x).array).all()']) is True
    assert v['x.grad (no double backprop)'] is None
    _assert_array(v['x.grad (before, without cleargrad)'], [[0., 12., 27.], [48., 75., 108.]])
    _assert_array(v['x.grad (without cleargrad)'], [[0., 24., 45.], [72., 105., 144.]])


def test_script_prints_the_page():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        runpy.run_path(str(EXAMPLE), run_name='__main__')
    text = out.getvalue()
    assert 'variable([[  0.  12.  27.]\n          [ 48.  75. 108.]])' in text
    assert 'array([16.], dtype=float32)' in text
    assert 'array([[ 0., 12., 18.],\n       [24., 30., 36.]], dtype=float32)' in text
