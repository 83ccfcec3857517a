"""Every module of Chainer 7.8.1 imports and holds the names Chainer's held.

The reference is ``tests/chainer-7.8.1-modules.txt``: one line per module of
the Chainer 7.8.1 distribution (chainer, chainermn, onnx_chainer), listing the
names it defines or re-exports; a trailing ``/`` marks a module object.

A ``/`` name is checked when it is a submodule listed in the file (or any
module exposed by the top-level ``chainer``); other module references are
incidental imports of Chainer's sources and are not part of the interface.

Families implemented separately (convolution, pooling, normalization and
recurrent layers, distributions, the model zoo and Caffe import, exporters,
chainermn, onnx_chainer, the datasets and serializers, ...) may still be
missing: a module whose only missing names belong to such a family is
reported as an expected failure, and passes on its own as the family lands.
Anything else missing fails.
"""
from __future__ import annotations

import importlib
import os
import warnings

import pytest

_SPEC = os.path.join(os.path.dirname(__file__), '..', 'chainer-7.8.1-modules.txt')


def _read_spec(path: str) -> dict[str, list[str]]:
    spec: dict[str, list[str]] = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            if not line.strip() or line.startswith('#'):
                continue
            module, _, names = line.partition(':')
            spec[module.strip()] = names.split()
    return spec


SPEC = _read_spec(_SPEC)

# Module prefixes of the families implemented separately.
_FAMILY_MODULES = (
    'chainermn', 'onnx_chainer', 'chainer.exporters',
    'chainer.distribution', 'chainer.distributions',
    'chainer.functions',  # functions not yet present land with their families
    'chainer.links.connection', 'chainer.links.normalization', 'chainer.links.rnn',
    'chainer.links.model', 'chainer.links.caffe',
    'chainer.utils.conv', 'chainer.utils.conv_nd', 'chainer.utils.conv_nd_kernel',
    'chainer.datasets', 'chainer.serializers',
    'chainer.training.extensions.snapshot_writers',
    'chainer.graph_optimizations.static_graph_utilities',
)

# Single names of otherwise complete modules that other work provides.
_FAMILY_NAMES = {
    ('chainer.graph_optimizations', 'static_code'),
    ('chainer.graph_optimizations.static_graph', 'ArrayInfo'),
    ('chainer.graph_optimizations.static_graph', 'ScheduleInfo'),
    ('chainer.graph_optimizations.static_graph', 'ScheduleManager'),
    ('chainer.graph_optimizations.static_graph', 'StaticScheduleFunction'),
    ('chainer.backends._chainerx', 'from_chx'),
    ('chainer.backends._chainerx', 'to_chx'),
}


_COMPOSED = ("the backward is composed of differentiable functions; no single node "
             "computes Chainer's {name}")
_NO_CUDNN = 'a cuDNN-only node: CuPy 14 has no cuDNN, so there is no cuDNN code path'

# Names that are absent by design, each with the reason. The gradient nodes of
# Chainer are exported under their names only where one of our nodes does that
# very job with a compatible constructor.
_NOT_PROVIDED: dict[tuple[str, str], str] = {
    ('chainer.functions.activation.prelu', 'PReLUFunctionGrad'): _COMPOSED,
    ('chainer.functions.activation.relu', 'ReLUGradCudnn'): _NO_CUDNN,
    ('chainer.functions.activation.softplus', 'SoftplusGrad'):
        _COMPOSED + ' (gy * sigmoid(beta * x) from Mul and Sigmoid nodes)',
    ('chainer.functions.activation.swish', 'SwishGrad'): _COMPOSED,
    ('chainer.functions.connection.bilinear', 'BilinearFunctionGrad'):
        _COMPOSED + ' (matmul, reshape and broadcast nodes)',
    ('chainer.functions.math.basic_math', 'AbsoluteGrad'):
        _COMPOSED + ' (gy times the sign of x)',
    ('chainer.functions.math.basic_math', 'DivFromConstantGrad'): _COMPOSED,
    ('chainer.functions.math.basic_math', 'DivGrad'): _COMPOSED,
    ('chainer.functions.math.basic_math', 'PowConstVarGrad'): _COMPOSED,
    ('chainer.functions.math.basic_math', 'PowVarConstGrad'): _COMPOSED,
    ('chainer.functions.math.basic_math', 'PowVarVarGrad'): _COMPOSED,
    ('chainer.functions.math.batch_l2_norm_squared', 'BatchL2NormSquaredGrad'):
        _COMPOSED + ' (2 * x * gy)',
    ('chainer.functions.math.linear_interpolate', 'LinearInterpolateGrad'): _COMPOSED,
    ('chainer.functions.math.matmul', 'BatchMatMulGrad'):
        _COMPOSED + ' (MatMul nodes of the transposed operands)',
    ('chainer.functions.math.maximum', 'MaximumGrad'):
        'the gradient node is SelectGrad(cond, shape1, shape2), shared with minimum; '
        "its constructor differs from Chainer's MaximumGrad, so it is not aliased",
    ('chainer.functions.math.minimum', 'MinimumGrad'):
        'the gradient node is SelectGrad(cond, shape1, shape2), shared with maximum; '
        "its constructor differs from Chainer's MinimumGrad, so it is not aliased",
    ('chainer.functions.math.sparse_matmul', 'CooMatMulGradSP'):
        'the sparse gradient is a sampled dense-dense product node with another '
        'constructor (the COO layout is handled outside it)',
    ('chainer.functions.math.trigonometric', 'Arctan2Grad'): _COMPOSED,
    ('chainer.functions.math.trigonometric', 'CosGrad'): _COMPOSED + ' (-gy * sin(x))',
    ('chainer.functions.math.trigonometric', 'SinGrad'): _COMPOSED + ' (gy * cos(x))',
    ('chainer.functions.noise.dropout', 'DropoutGradCuDNN'): _NO_CUDNN,
    ('chainer.functions.normalization.batch_normalization', 'FixedBatchNormalizationGrad'):
        _COMPOSED,
    ('chainer.functions.normalization.decorrelated_batch_normalization',
     'DecorrelatedBatchNormalizationGrad'):
        'DecorrelatedBatchNormalization is a composite node; its gradient is that of '
        'its composition',
    ('chainer.functions.normalization.decorrelated_batch_normalization',
     'FixedDecorrelatedBatchNormalizationGrad'): _COMPOSED,
    ('chainer.functions.normalization.local_response_normalization',
     'LocalResponseNormalizationGrad'):
        'the backward of LocalResponseNormalization is composed of differentiable '
        'functions (a channel window sum that is its own adjoint)',
    ('chainer.functions.pooling.roi_pooling_2d', 'ROIPooling2DGrad'):
        'RoI pooling is a fixed-tap gather; its gradient is a generic scatter node '
        "with another constructor than Chainer's ROIPooling2DGrad",
}


def _in_family(module: str) -> bool:
    return any(module == p or module.startswith(p + '.') for p in _FAMILY_MODULES)


# Where each name is defined or re-exported (to tell family names apart).
_HOMES: dict[str, set[str]] = {}
for _module, _names in SPEC.items():
    for _name in _names:
        _HOMES.setdefault(_name.rstrip('/'), set()).add(_module)


def _expected_missing(module: str, name: str) -> bool:
    """Whether ``name`` of ``module`` may be missing (by design, or until a family lands)."""
    if (module, name) in _FAMILY_NAMES or (module, name) in _NOT_PROVIDED:
        return True
    if _in_family(module) or _in_family(f'{module}.{name}'):
        return True
    # A re-export of a family's name (``chainer.links.Convolution2D``).
    return any(_in_family(home) for home in _HOMES.get(name, ()) if home != module)


def _checked_names(module: str) -> list[str]:
    checked = []
    for entry in SPEC[module]:
        name = entry.rstrip('/')
        if entry.endswith('/') and module != 'chainer' and f'{module}.{name}' not in SPEC:
            continue  # an incidental module reference
        checked.append(name)
    return checked


def _import(module: str):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return importlib.import_module(module)


def _missing(module: str) -> list[str]:
    """Names of ``module`` that are absent (``[module]`` itself if it does not import)."""
    try:
        mod = _import(module)
    except ImportError:
        return [module]
    return [name for name in _checked_names(module) if not hasattr(mod, name)]


@pytest.mark.parametrize('module', sorted(SPEC))
def test_module_imports_with_its_names(module):
    missing = _missing(module)
    if not missing:
        return
    if missing == [module]:
        if _in_family(module):
            pytest.xfail(f'{module} belongs to a family not implemented yet')
        pytest.fail(f'{module} does not import')
    unexpected = [n for n in missing if not _expected_missing(module, n)]
    assert not unexpected, f'{module} lacks {unexpected}'
    reasons = [f'{n}: {_NOT_PROVIDED[module, n].format(name=n)}'
               for n in missing if (module, n) in _NOT_PROVIDED]
    pending = [n for n in missing if (module, n) not in _NOT_PROVIDED]
    if pending:
        reasons.append(f'names of families not implemented yet: {pending}')
    pytest.xfail(f'{module} lacks ' + '; '.join(reasons))


def test_names_absent_by_design_are_listed_in_the_spec():
    for module, name in _NOT_PROVIDED:
        assert name in [n.rstrip('/') for n in SPEC[module]], (module, name)


def test_spec_file_is_complete():
    # The copy under tests/ is the whole listing, not an excerpt.
    assert len(SPEC) >= 500
    assert {'chainer', 'chainer.cuda', 'chainermn', 'onnx_chainer'} <= set(SPEC)


def test_cuda_alias_is_the_backend_module():
    import chainer
    from chainer import cuda
    from chainer.backends import cuda as backend_cuda
    assert cuda is backend_cuda is chainer.cuda
    assert cuda.to_cpu is backend_cuda.to_cpu
    assert cuda.get_array_module is backend_cuda.get_array_module


def test_top_level_module_aliases():
    import chainer
    import chainer.functions.array
    import chainer.functions.math.basic_math
    assert chainer.array is chainer.functions.array
    assert chainer.basic_math is chainer.functions.math.basic_math
    assert issubclass(chainer.warnings.PerformanceWarning, RuntimeWarning)
