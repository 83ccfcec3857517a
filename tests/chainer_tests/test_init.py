"""Tests of the top-level ``chainer`` namespace and of the API surface against the
Chainer 7.8.1 API list (``tests/chainer-7.8.1-api.txt``)."""
from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import subprocess
import sys

import pytest

import chainer

_SPEC_PATH = os.path.join(os.path.dirname(__file__), '..', 'chainer-7.8.1-api.txt')

# Names of the core (Variable / FunctionNode / backprop / configuration); they must
# all exist. Top-level names of areas not yet implemented are reported as xfail.
CORE_NAMES = {
    'Variable', 'Parameter', 'VariableNode', 'FunctionNode', 'Function', 'FunctionAdapter',
    'FunctionHook', 'DebugMode', 'as_array', 'as_variable', 'backward', 'config',
    'force_backprop_mode', 'get_function_hooks', 'global_config', 'grad', 'is_debug',
    'no_backprop_mode', 'set_debug', 'using_config', 'get_device', 'using_device',
}

# Prefixes in the API list whose members are checked signature by signature.
CORE_PREFIXES = ('chainer.Variable.', 'chainer.Parameter.', 'chainer.FunctionNode.',
                 'chainer.Function.', 'chainer.variable.', 'chainer.function_node.',
                 'chainer.configuration.', 'chainer.functions.', 'chainer.utils.',
                 'chainer.backend.', 'chainer.backends.cuda.', 'chainer.gradient_check.',
                 'chainer.testing.', 'chainer.function_hooks.', 'chainer.Link.',
                 'chainer.Chain.', 'chainer.ChainList.', 'chainer.Sequential.',
                 'chainer.reporter.', 'chainer.Reporter.', 'chainer.links.',
                 'chainer.link_hooks.', 'chainer.initializers.', 'chainer.initializer.',
                 'chainer.optimizers.', 'chainer.optimizer.', 'chainer.optimizer_hooks.',
                 'chainer.serializers.', 'chainer.Optimizer.', 'chainer.link.',
                 'chainer.sequential.', 'chainer.dataset.', 'chainer.datasets.',
                 'chainer.iterators.', 'chainer.training.', 'chainer.computational_graph.')


# Areas that are complete: every name of theirs in the API list must exist.
_COMPLETE_PREFIXES = ('chainer.Variable.', 'chainer.Parameter.', 'chainer.FunctionNode.',
                      'chainer.Function.', 'chainer.variable.', 'chainer.function_node.',
                      'chainer.configuration.', 'chainer.backend.', 'chainer.backends.cuda.',
                      'chainer.gradient_check.', 'chainer.function_hooks.',
                      'chainer.link_hooks.', 'chainer.initializers.', 'chainer.initializer.',
                      'chainer.optimizers.', 'chainer.optimizer.', 'chainer.optimizer_hooks.',
                      'chainer.serializers.', 'chainer.Optimizer.', 'chainer.Link.',
                      'chainer.Chain.', 'chainer.ChainList.', 'chainer.Sequential.',
                      'chainer.Reporter.', 'chainer.reporter.', 'chainer.dataset.',
                      'chainer.datasets.', 'chainer.iterators.', 'chainer.training.',
                      'chainer.computational_graph.')


def _spec_lines():
    with open(_SPEC_PATH) as f:
        return [line.rstrip('\n') for line in f if line.strip()]


SPEC = _spec_lines()


def _entries():
    """(dotted name, rest of the line) for each entry of the API list."""
    out = []
    for line in SPEC:
        m = re.match(r'^([A-Za-z_][\w.]*)(.*)$', line)
        if m:
            out.append((m.group(1), m.group(2)))
    return out


def _resolve(dotted: str):
    parts = dotted.split('.')
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module('.'.join(parts[:i]))
        except ImportError:
            continue
        for attr in parts[i:]:
            obj = inspect.getattr_static(obj, attr) if inspect.isclass(obj) else \
                getattr(obj, attr)
        return obj
    raise ImportError(dotted)


def _parse_params(rest: str):
    """Parses ``(a, b=1, *, c=None) -> X`` (or ``class(...)``) into ast arguments."""
    if rest.startswith(' class'):
        rest = rest[len(' class'):]
    if not rest.startswith('('):
        return None
    depth = 0
    for i, ch in enumerate(rest):
        depth += ch == '('
        depth -= ch == ')'
        if depth == 0:
            params = rest[1:i]
            break
    if params == '...':
        return None  # no introspectable signature (e.g. exception classes)
    # e.g. <... object> or <_io.TextIOWrapper name='<stdout>' ...>: not literals
    while re.search(r'<[^<>]*>', params):
        params = re.sub(r'<[^<>]*>', '_an_object', params)
    tree = ast.parse(f'def _f({params}): pass')
    return tree.body[0].args


def _spec_signature(args):
    """[(name, kind, default-or-marker)] from ast arguments."""
    empty = inspect.Parameter.empty
    result = []
    P = inspect.Parameter
    positional = list(args.posonlyargs) + list(args.args)
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for i, (a, d) in enumerate(zip(positional, defaults)):
        kind = P.POSITIONAL_ONLY if i < len(args.posonlyargs) else P.POSITIONAL_OR_KEYWORD
        result.append((a.arg, kind, empty if d is None else d))
    if args.vararg:
        result.append((args.vararg.arg, P.VAR_POSITIONAL, empty))
    for a, d in zip(args.kwonlyargs, args.kw_defaults):
        result.append((a.arg, P.KEYWORD_ONLY, empty if d is None else d))
    if args.kwarg:
        result.append((args.kwarg.arg, P.VAR_KEYWORD, empty))
    return result


# Known signature deviations; strict xfail so that an entry must go once fixed.
KNOWN_DEVIATIONS: dict = {}


def _callable_entries():
    out = []
    for name, rest in _entries():
        if not name.startswith(CORE_PREFIXES) and not (
                name.count('.') == 1 and name.split('.')[1] in CORE_NAMES):
            continue
        if rest.startswith('(') or rest.startswith(' class('):
            marks = ()
            if name in KNOWN_DEVIATIONS:
                marks = pytest.mark.xfail(reason=KNOWN_DEVIATIONS[name], strict=True)
            out.append(pytest.param(name, rest, marks=marks, id=name))
    return out


def _top_level_names():
    return sorted({name.split('.')[1] for name, _ in _entries()
                   if name.startswith('chainer.') and name.count('.') == 1})


def test_version():
    assert chainer.__version__ == '7.8.1'


def test_version_module_is_an_attribute_after_import_chainer():
    # Code written for Chainer reads the version as chainer._version.__version__
    # (ESPnet's iterators do) with nothing but ``import chainer``.
    code = 'import chainer\nprint(chainer._version.__version__)\n'
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                       timeout=120, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == '7.8.1'


@pytest.mark.parametrize('name', sorted(CORE_NAMES))
def test_core_names(name):
    assert hasattr(chainer, name), name


def test_core_types():
    assert inspect.isclass(chainer.Variable)
    assert issubclass(chainer.Parameter, chainer.Variable)
    assert issubclass(chainer.FunctionAdapter, chainer.FunctionNode)
    assert chainer.Variable.__hash__ is None
    assert chainer.variable.Variable is chainer.Variable
    assert chainer.function_node.FunctionNode is chainer.FunctionNode
    assert chainer.function.Function is chainer.Function
    assert chainer.function_hook.FunctionHook is chainer.FunctionHook
    assert chainer.function_node.grad is chainer.grad
    assert callable(chainer.variable.variable_repr)
    assert callable(chainer.variable.variable_str)


@pytest.mark.parametrize('name', _top_level_names())
def test_top_level_name_from_api_list(name):
    if not hasattr(chainer, name):
        if name in CORE_NAMES:
            pytest.fail(f'chainer.{name} is missing')
        pytest.xfail(f'chainer.{name} is not implemented yet')


@pytest.mark.parametrize('name, rest', _callable_entries())
def test_signature_matches_api_list(name, rest):
    try:
        obj = _resolve(name)
    except (ImportError, AttributeError):
        if name.startswith(_COMPLETE_PREFIXES) or name.split('.')[1] in CORE_NAMES:
            pytest.fail(f'{name} is missing')
        pytest.xfail(f'{name} is not implemented yet')
    drop_first = isinstance(obj, classmethod)
    if isinstance(obj, (staticmethod, classmethod)):
        obj = obj.__func__
    args = _parse_params(rest)
    if args is None or rest.startswith(' class()'):
        return  # nothing to compare (C-implemented or placeholder classes)
    if rest.startswith('(*args, **kwargs)') and not drop_first:
        return  # a decorated function in Chainer: any explicit signature is compatible
    expected = _spec_signature(args)
    try:
        actual_sig = inspect.signature(obj)
    except (TypeError, ValueError):
        pytest.skip(f'no signature for {name}')
    if rest.startswith(' class(') and expected == [('self', inspect.Parameter.POSITIONAL_ONLY,
                                                   inspect.Parameter.empty)]:
        return
    actual = [(p.name, p.kind, p.default) for p in actual_sig.parameters.values()]
    if drop_first:
        actual = actual[1:]
    assert [(n, k) for n, k, _ in actual] == [(n, k) for n, k, _ in expected], (
        f'{name}: {actual_sig} != {rest}')
    for (pname, _, default), (_, _, spec_default) in zip(actual, expected):
        if spec_default is inspect.Parameter.empty:
            assert default is inspect.Parameter.empty, f'{name}: {pname} has a default'
            continue
        assert default is not inspect.Parameter.empty, f'{name}: {pname} needs a default'
        try:
            value = ast.literal_eval(spec_default)
        except ValueError:
            continue  # a non-literal default such as an object in the list
        assert default == value and type(default) is type(value), (
            f'{name}: default of {pname} is {default!r}, expected {value!r}')


def test_property_and_attribute_members():
    missing = []
    for name, rest in _entries():
        if not name.startswith(('chainer.Variable.', 'chainer.Parameter.',
                                'chainer.FunctionNode.', 'chainer.Function.')):
            continue
        kind = rest.strip()
        try:
            obj = _resolve(name)
        except (ImportError, AttributeError):
            missing.append(name)
            continue
        if kind == 'property':
            assert isinstance(obj, property), f'{name} must be a property'
    assert missing == []


def test_import_is_cheap_and_has_no_cupy_requirement():
    code = ('import sys, chainer\n'
            'print("cupy" in sys.modules and sys.modules["cupy"] is not None)\n')
    r = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
