"""Type hints on public signatures: every public function, method and ``__init__``
reachable from the documented namespaces annotates each parameter and its return,
and the annotations resolve.

The first parameter of a method (``self``/``cls``) is exempt. Names that a module
imports only for annotations (under ``if TYPE_CHECKING:``) are supplied to
``typing.get_type_hints`` the way a type checker sees them; so are the names the
forward references in ``chainer.types`` aliases stand for (``numpy``, ``cuda``,
``chainerx``, ``variable``, ...).
"""
from __future__ import annotations

import ast
import functools
import importlib
import inspect
import sys
import typing

import pytest

NAMESPACES = (
    'chainer', 'chainer.functions', 'chainer.links', 'chainer.distributions',
    'chainer.initializers', 'chainer.optimizers', 'chainer.optimizer_hooks', 'chainer.link_hooks',
    'chainer.function_hooks', 'chainer.iterators', 'chainer.datasets', 'chainer.dataset',
    'chainer.serializers', 'chainer.training', 'chainer.training.extensions',
    'chainer.training.triggers', 'chainer.training.updaters', 'chainer.testing',
    'chainer.gradient_check', 'chainer.backend', 'chainer.backends.cuda', 'chainer.utils',
    'chainermn', 'chainermn.links', 'chainermn.functions', 'chainermn.iterators',
    'chainermn.extensions', 'onnx_chainer')

_OURS = ('chainer', 'chainermn', 'onnx_chainer')


def _ours(obj) -> bool:
    return (getattr(obj, '__module__', None) or '').split('.')[0] in _OURS


def _public_names(module) -> list:
    names = getattr(module, '__all__', None)
    if names is None:
        names = [n for n in dir(module) if not n.startswith('_')]
    return names


def _public_callables() -> dict:
    """{function: (dotted name, whether its first parameter is self/cls)}."""
    found = {}
    for ns in NAMESPACES:
        module = importlib.import_module(ns)
        for name in _public_names(module):
            obj = getattr(module, name, None)
            if inspect.isclass(obj) and _ours(obj):
                for klass in obj.__mro__:
                    if not _ours(klass):
                        continue
                    for attr, value in vars(klass).items():
                        if attr.startswith('_') and attr not in ('__init__', '__call__'):
                            continue
                        bound = not isinstance(value, staticmethod)
                        if isinstance(value, (staticmethod, classmethod)):
                            value = value.__func__
                        if inspect.isfunction(value) and _ours(value):
                            found.setdefault(value, (f'{ns}.{name}.{attr}', bound))
            elif inspect.isfunction(obj) and _ours(obj):
                found.setdefault(obj, (f'{ns}.{name}', False))
    return found


@functools.lru_cache(maxsize=None)
def _type_checking_names(module_name: str) -> dict:
    """The names a module binds under ``if TYPE_CHECKING:``."""
    module = sys.modules[module_name]
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return {}
    names: dict = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) in ('TYPE_CHECKING',
                                                                   'typing.TYPE_CHECKING'):
            code = compile(ast.Module(body=node.body, type_ignores=[]), module_name, 'exec')
            exec(code, names)
    names.pop('__builtins__', None)
    return names


def _hint_namespace(func) -> dict:
    ns = dict(_type_checking_names('chainer.types'))
    ns.update(_type_checking_names(func.__module__))
    return ns


_CALLABLES = _public_callables()


def test_walk_finds_the_public_api():
    import chainer
    import chainer.distributions as D
    import chainer.functions as F
    import chainer.links as L

    for expected in (F.relu, F.softmax_cross_entropy, chainer.as_array, D.Normal.__init__,
                     D.Normal.log_prob, L.Linear.forward, chainer.Variable.reshape):
        assert inspect.unwrap(expected) in map(inspect.unwrap, _CALLABLES), expected
    assert len(_CALLABLES) > 1000


def _unannotated(func, bound: bool) -> list:
    sig = inspect.signature(func)
    params = list(sig.parameters.values())[1 if bound else 0:]
    missing = [p.name for p in params if p.annotation is inspect.Parameter.empty]
    if sig.return_annotation is inspect.Signature.empty:
        missing.append('return')
    return missing


def test_public_signatures_are_annotated():
    problems = []
    for func, (name, bound) in _CALLABLES.items():
        missing = _unannotated(func, bound)
        if missing:
            problems.append(f'{name}: {", ".join(missing)}')
    assert not problems, 'unannotated:\n' + '\n'.join(sorted(problems))


def test_annotations_resolve():
    problems = []
    for func, (name, _) in _CALLABLES.items():
        original = inspect.unwrap(func)
        try:
            typing.get_type_hints(original, localns=_hint_namespace(original))
        except Exception as e:  # NOQA: BLE001 (each failure is reported by name)
            problems.append(f'{name}: {type(e).__name__}: {e}')
    assert not problems, 'annotations that do not resolve:\n' + '\n'.join(sorted(problems))


def test_variable_or_array_alias():
    import numpy

    import chainer
    from chainer import types

    args = typing.get_args(types.VariableOrArray)
    assert typing.ForwardRef('variable.Variable') in args
    hints = typing.get_type_hints(chainer.functions.relu,
                                  localns=_hint_namespace(chainer.functions.relu))
    resolved = typing.get_args(hints['x'])
    assert chainer.Variable in resolved and numpy.ndarray in resolved
    assert hints['return'] is chainer.Variable


@pytest.mark.parametrize('name', ['relu', 'sum', 'convolution_2d', 'split_axis'])
def test_hints_leave_chainer_signature(name):
    """Annotations add to the signature only: names, kinds and defaults stay Chainer's."""
    import chainer.functions as F

    sig = inspect.signature(getattr(F, name))
    assert all(p.annotation is not inspect.Parameter.empty for p in sig.parameters.values())
