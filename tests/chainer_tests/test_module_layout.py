"""Every module of Chainer 7.8.1 imports and holds the names Chainer's held.

The reference is ``tests/chainer-7.8.1-modules.txt``: one line per module of
the Chainer 7.8.1 distribution (chainer, chainermn, onnx_chainer), listing the
names it defines or re-exports; a trailing ``/`` marks a module object.

A ``/`` name is checked when it is a submodule listed in the file (or any
module exposed by the top-level ``chainer``); other module references are
incidental imports of Chainer's sources and are not part of the interface.

A name may be missing only by design: ``_NOT_PROVIDED`` lists each such name
with the reason (Chainer's internal helpers, cuDNN-only nodes, gradient nodes
that are compositions here), and each listed name must be missing. Anything
else missing fails. ``_OWN_CONSTRUCTOR`` lists the gradient nodes provided under
Chainer's names whose constructors are not Chainer's.
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

_COMPOSED = ("the backward is composed of differentiable functions; no single node "
             "computes Chainer's {name}")
_NO_CUDNN = 'a cuDNN-only node: CuPy 14 has no cuDNN, so there is no cuDNN code path'
_INTERNAL = "a helper of Chainer's implementation, not part of the documented interface"

# Names that are absent by design, each with the reason. The gradient nodes of
# Chainer are exported under their names only where one of our nodes does that
# very job with a compatible constructor.
_NOT_PROVIDED: dict[tuple[str, str], str] = {
    ('chainer.functions.activation.prelu', 'PReLUFunctionGrad'): _COMPOSED,
    ('chainer.functions.activation.relu', 'ReLUGradCudnn'): _NO_CUDNN,
    ('chainer.functions.connection.bilinear', 'BilinearFunctionGrad'):
        _COMPOSED + ' (matmul, reshape and broadcast nodes)',
    ('chainer.functions.math.basic_math', 'AbsoluteGrad'):
        _COMPOSED + ' (gy times the sign of x)',
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
    ('chainer.functions.noise.dropout', 'DropoutGradCuDNN'): _NO_CUDNN,
    ('chainer.functions.normalization.decorrelated_batch_normalization',
     'DecorrelatedBatchNormalizationGrad'):
        'the gradient node (_DecorrelationGrad) takes x and gy and the eigendecomposition '
        "of the forward pass, and its own gradient is that of the composition; its "
        "constructor differs from Chainer's, so it is not aliased",
    ('chainer.functions.normalization.decorrelated_batch_normalization',
     'FixedDecorrelatedBatchNormalizationGrad'): _COMPOSED,
    ('chainer.functions.normalization.local_response_normalization',
     'LocalResponseNormalizationGrad'):
        'the backward of LocalResponseNormalization is composed of differentiable '
        'functions (a channel window sum that is its own adjoint)',
    ('chainer.functions.array.as_strided', 'TensorGeometry'): _INTERNAL,
    ('chainer.functions.array.as_strided', 'index_dtype'): _INTERNAL,
    ('chainer.functions.array.resize_images', 'compute_indices_and_weights'): _INTERNAL,
    ('chainer.functions.array.resize_images', 'interpolate_bilinear_cpu'): _INTERNAL,
    ('chainer.functions.array.resize_images', 'interpolate_bilinear_gpu'): _INTERNAL,
    ('chainer.functions.array.resize_images', 'interpolate_grad_bilinear_cpu'): _INTERNAL,
    ('chainer.functions.array.resize_images', 'interpolate_grad_bilinear_gpu'): _INTERNAL,
    ('chainer.functions.array.squeeze', 'argone'): _INTERNAL,
    ('chainer.functions.loss.discriminative_loss', 'c_sum'): _INTERNAL,
    ('chainer.functions.math.cumprod', 'Cumprodsum'):
        "a node of Chainer's cumprod backward; ours differentiates cumprod otherwise",
    ('chainer.functions.math.sqrt', 'RsqrtGPU'):
        'a CuPy-only node; rsqrt is one node on every device here',
    ('chainer.functions.normalization.batch_normalization',
     'GeneralBatchNormalizationImpl'): _INTERNAL + ' (one of its cuDNN/iDeep/generic paths)',
    ('chainer.functions.rnn.n_step_gru', 'NStepBiGRU'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_gru', 'NStepGRU'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_lstm', 'NStepBiLSTM'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_lstm', 'NStepLSTM'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_rnn', 'BaseNStepRNN'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_rnn', 'CudnnRNNWeightConcat'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_rnn', 'NStepBiRNNReLU'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_rnn', 'NStepBiRNNTanh'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_rnn', 'NStepRNNReLU'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_rnn', 'NStepRNNTanh'): _NO_CUDNN,
    ('chainer.functions.rnn.n_step_rnn', 'cudnn_rnn_weight_concat'): _NO_CUDNN,
    ('chainer.functions.pooling.roi_pooling_2d', 'ROIPooling2DGrad'):
        'RoI pooling is a fixed-tap gather; its gradient is a generic scatter node '
        "with another constructor than Chainer's ROIPooling2DGrad",
}

# Gradient nodes provided under Chainer's names, with constructors of their own: each
# node computes what Chainer's does, from the arguments its forward node has.
_OWN_CONSTRUCTOR: dict[tuple[str, str], str] = {
    ('chainer.functions.activation.softplus', 'SoftplusGrad'): 'SoftplusGrad(beta)',
    ('chainer.functions.activation.swish', 'SwishGrad'): 'SwishGrad(beta_ndim)',
    ('chainer.functions.math.basic_math', 'DivGrad'): 'DivGrad(indexes)',
    ('chainer.functions.math.basic_math', 'PowConstVarGrad'): 'PowConstVarGrad(log_value)',
    ('chainer.functions.math.basic_math', 'PowVarVarGrad'): 'PowVarVarGrad(y, need_gx1)',
    ('chainer.functions.normalization.batch_normalization', 'FixedBatchNormalizationGrad'):
        'FixedBatchNormalizationGrad(eps, axis, indexes)',
}


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
    assert missing != [module], f'{module} does not import'
    unexpected = [n for n in missing if (module, n) not in _NOT_PROVIDED]
    assert not unexpected, f'{module} lacks {unexpected}'


def test_names_absent_by_design_are_listed_in_the_spec():
    for module, name in _NOT_PROVIDED:
        assert name in [n.rstrip('/') for n in SPEC[module]], (module, name)


def test_names_absent_by_design_are_absent():
    # a name that came to be provided leaves the list
    provided = [(module, name) for module, name in _NOT_PROVIDED
                if hasattr(importlib.import_module(module), name)]
    assert not provided


@pytest.mark.parametrize('module, name', sorted(_OWN_CONSTRUCTOR))
def test_gradient_nodes_with_own_constructors(module, name):
    import inspect
    node = getattr(importlib.import_module(module), name)
    parameters = ', '.join(inspect.signature(node).parameters)
    assert _OWN_CONSTRUCTOR[module, name] == f'{name}({parameters})'


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
