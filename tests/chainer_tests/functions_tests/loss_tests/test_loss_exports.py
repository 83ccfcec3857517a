import importlib
import inspect
import types

import pytest

import chainer.functions as F

_SIGNATURES = {
    'absolute_error': '(x0, x1)',
    'argmax_crf1d': '(cost, xs)',
    'bernoulli_nll': "(x, y, reduce='sum')",
    'black_out': "(x, t, W, samples, reduce='mean')",
    'connectionist_temporal_classification':
        "(x, t, blank_symbol, input_length=None, label_length=None, reduce='mean')",
    'contrastive': "(x0, x1, y, margin=1, reduce='mean')",
    'crf1d': "(cost, xs, ys, reduce='mean')",
    'cross_covariance': "(y, z, reduce='half_squared_sum')",
    'decov': "(h, reduce='half_squared_sum')",
    'discriminative_margin_based_clustering_loss':
        '(embeddings, labels, delta_v, delta_d, max_embedding_dim, norm=1, alpha=1.0, '
        'beta=1.0, gamma=0.001)',
    'gaussian_kl_divergence': "(mean, ln_var, reduce='sum')",
    'gaussian_nll': "(x, mean, ln_var, reduce='sum')",
    'hinge': "(x, t, norm='L1', reduce='mean')",
    'huber_loss': "(x, t, delta, reduce='sum_along_second_axis')",
    'mean_absolute_error': '(x0, x1)',
    'mean_squared_error': '(x0, x1)',
    'negative_sampling': "(x, t, W, sampler, sample_size, reduce='sum', **kwargs)",
    'sigmoid_cross_entropy': "(x, t, normalize=True, reduce='mean')",
    'softmax_cross_entropy':
        "(x, t, normalize=True, cache_score=True, class_weight=None, ignore_label=-1, "
        "reduce='mean', enable_double_backprop=False, soft_target_loss='cross-entropy')",
    'squared_difference': '(x1, x2)',
    'squared_error': '(x0, x1)',
    'triplet': "(anchor, positive, negative, margin=0.2, reduce='mean')",
}


_MODULES = {
    'argmax_crf1d': 'loss.crf1d',
    'bernoulli_nll': 'loss.vae',
    'connectionist_temporal_classification': 'loss.ctc',
    'crf1d': 'loss.crf1d',
    'discriminative_margin_based_clustering_loss': 'loss.discriminative_loss',
    'gaussian_kl_divergence': 'loss.vae',
    'gaussian_nll': 'loss.vae',
    'squared_difference': 'loss.squared_error',
}


def _module(name):
    return importlib.import_module('chainer.functions.' + _MODULES.get(name, 'loss.' + name))


@pytest.mark.parametrize('name', sorted(_SIGNATURES))
def test_signature(name):
    # Chainer's names, defaults and kinds; the annotations are ours.
    sig = inspect.signature(getattr(_module(name), name))
    bare = sig.replace(parameters=[p.replace(annotation=p.empty) for p in sig.parameters.values()],
                       return_annotation=sig.empty)
    assert str(bare) == _SIGNATURES[name]


@pytest.mark.parametrize('name', sorted(_SIGNATURES))
def test_module_not_shadowed(name):
    # as in Chainer, chainer.functions.loss.<module> is the module, not the function
    import chainer.functions.loss as loss_package
    mod = _module(name)
    assert isinstance(mod, types.ModuleType)
    if mod.__name__.startswith('chainer.functions.loss.'):
        attr = getattr(loss_package, mod.__name__.rsplit('.', 1)[1])
        assert attr is mod


@pytest.mark.parametrize('name', sorted(_SIGNATURES))
def test_exported_from_chainer_functions(name):
    assert getattr(F, name) is getattr(_module(name), name)
